#ifndef AS3_AMF_DICTIONARY_H_
#define AS3_AMF_DICTIONARY_H_

#include <cstddef>
#include <utility>

#include "as3/Export.h"
#include "as3/amf/Value.h"

namespace as3::amf {

namespace detail {
struct DictionaryNode;
}

/// Dictionary is a reference to an AS3 flash.utils.Dictionary: keys are values compared with
/// ===, so objects are keys by identity; entries keep insertion order. `weakKeys` is carried
/// through AMF. Differs from AS3: keys are always held strongly (weakKeys is only a flag), and
/// AMF writes int keys as their decimal strings, as Flash does (they read back as strings).
class AS3NET_EXPORT Dictionary {
 public:
  explicit Dictionary(bool weakKeys = false);

  Dictionary(const Dictionary& other) noexcept;
  Dictionary& operator=(const Dictionary& other) noexcept;
  Dictionary(Dictionary&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Dictionary& operator=(Dictionary&& other) noexcept;
  ~Dictionary();
  operator Value() const noexcept;

  Value get(const Value& key) const;
  void set(const Value& key, const Value& value);
  bool has(const Value& key) const;
  bool deleteProperty(const Value& key);
  std::size_t size() const;
  const Value& keyAt(std::size_t i) const;
  const Value& valueAt(std::size_t i) const;
  bool weakKeys() const;

  friend bool operator==(const Dictionary& a, const Dictionary& b) noexcept {
    return a.node_ == b.node_;
  }
  friend bool operator!=(const Dictionary& a, const Dictionary& b) noexcept {
    return a.node_ != b.node_;
  }

  detail::DictionaryNode* node() const noexcept { return node_; }
  explicit Dictionary(detail::DictionaryNode* node) noexcept : node_(node) {}

 private:
  detail::DictionaryNode* node_;
};

}  // namespace as3::amf

#endif  // AS3_AMF_DICTIONARY_H_
