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
  /// Creates an empty Dictionary, as `new Dictionary(weakKeys)`.
  explicit Dictionary(bool weakKeys = false);

  /// Copies refer to the same dictionary. A moved-from handle is null: it converts to a null Value,
  /// and the other members throw errors::TypeError #1009 on it.
  ///@{
  Dictionary(const Dictionary& other) noexcept;
  Dictionary& operator=(const Dictionary& other) noexcept;
  Dictionary(Dictionary&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Dictionary& operator=(Dictionary&& other) noexcept;
  ///@}
  ~Dictionary();
  /// Converts to a Value that refers to the same dictionary.
  operator Value() const noexcept;

  /// get is the value stored under `key`, or undefined.
  Value get(const Value& key) const;
  /// set stores `value` under `key`: in place when the key is present, else as a new last entry.
  void set(const Value& key, const Value& value);
  /// has is true when an entry for `key` exists (AS3's `key in d`).
  bool has(const Value& key) const;
  /// deleteProperty removes the entry for `key` and returns whether there was one.
  bool deleteProperty(const Value& key);
  /// size is the number of entries. Not in AS3.
  std::size_t size() const;
  /// keyAt and valueAt are the i-th entry's key and value, in insertion order; the reference is
  /// valid until the dictionary changes. An `i` of size() or more throws std::out_of_range.
  ///@{
  const Value& keyAt(std::size_t i) const;
  const Value& valueAt(std::size_t i) const;
  ///@}
  /// weakKeys is the constructor's flag, which AMF carries.
  bool weakKeys() const;

  friend bool operator==(const Dictionary& a, const Dictionary& b) noexcept {
    return a.node_ == b.node_;
  }
  friend bool operator!=(const Dictionary& a, const Dictionary& b) noexcept {
    return a.node_ != b.node_;
  }

  /// node is the dictionary behind the handle, or null. Internal.
  detail::DictionaryNode* node() const noexcept { return node_; }
  /// Adopts one reference to `node`. Internal.
  explicit Dictionary(detail::DictionaryNode* node) noexcept : node_(node) {}

 private:
  detail::DictionaryNode* node_;
};

}  // namespace as3::amf

#endif  // AS3_AMF_DICTIONARY_H_
