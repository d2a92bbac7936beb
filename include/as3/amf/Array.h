#ifndef AS3_AMF_ARRAY_H_
#define AS3_AMF_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "as3/Export.h"
#include "as3/amf/Value.h"

namespace as3::amf {

namespace detail {
struct ArrayNode;
}

/// Array is a reference to an AS3 Array, kept as AMF3 sees one: a dense part (indices 0..n-1
/// with no hole; an element may be undefined) and an ordered associative part holding every
/// other key, including indices after a hole. Setting index n extends the dense part and pulls
/// in any keys that now continue it, as the AVM does. Copies refer to the same array.
class AS3NET_EXPORT Array {
 public:
  /// Element is what operator[] returns: read when converted to a Value, written by assignment.
  class AS3NET_EXPORT Element : public detail::ValueReads<Element> {
   public:
    /// Stores `value` at the element's index, as Array::set() does.
    Element& operator=(const Value& value);
    /// Stores the value `other` reads, for `a[i] = b[j]`.
    Element& operator=(const Element& other) { return *this = other.get(); }
    /// get reads the element, as Array::get() does: undefined when absent.
    Value get() const;

   private:
    friend class Array;
    Element(detail::ArrayNode* node, std::uint32_t index) : node_(node), index_(index) {}
    detail::ArrayNode* node_;
    std::uint32_t index_;
  };

  /// Array() is `[]`; Array({1, "two", 3.5}) is `[1, "two", 3.5]`.
  ///@{
  Array();
  Array(std::initializer_list<Value> elements);
  ///@}

  /// Copies refer to the same array. A moved-from handle is null: it converts to a null Value,
  /// and the other members throw errors::TypeError #1009 on it.
  ///@{
  Array(const Array& other) noexcept;
  Array& operator=(const Array& other) noexcept;
  Array(Array&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Array& operator=(Array&& other) noexcept;
  ///@}
  ~Array();
  /// Converts to a Value that refers to the same array.
  operator Value() const noexcept;

  /// length is AS3's: one more than the highest index present, or what setLength set.
  std::uint32_t length() const;
  /// setLength truncates (dropping elements and index keys at or above it) or extends with holes.
  void setLength(std::uint32_t length);
  /// push appends at length(), as AS3's push does, and returns the new length.
  std::uint32_t push(const Value& value);

  /// operator[] reaches the element at `index`: an Element to read or assign, or in the const
  /// forms its value (undefined when absent; past the index range, as AS3, the associative key
  /// of the number's text, such as "-1"). The non-const forms throw errors::RangeError #2006 for
  /// an index of 2^32 - 1 or more (a negative int included).
  ///@{
  Element operator[](std::size_t index) { return Element(node_, checkIndex(index)); }
  Value operator[](std::size_t index) const {
    return index < 0xFFFFFFFFu ? get(static_cast<std::uint32_t>(index))
                               : get(std::to_string(index));
  }
  Element operator[](std::uint32_t index) { return (*this)[std::size_t{index}]; }
  Value operator[](std::uint32_t index) const { return get(index); }
  Element operator[](int index) { return (*this)[static_cast<std::size_t>(index)]; }
  Value operator[](int index) const {
    return index >= 0 ? (*this)[static_cast<std::size_t>(index)] : get(std::to_string(index));
  }
  ///@}
  /// get reads the element at `index`, undefined when absent.
  Value get(std::uint32_t index) const;
  /// set stores `value` at `index`: at denseLength() it extends the dense part (and pulls in the
  /// keys that continue it), past it the index becomes an associative key. Throws
  /// errors::RangeError #2006 for index 2^32 - 1.
  void set(std::uint32_t index, const Value& value);

  /// The key form: a canonical index ("3") reaches the element, any other name the associative
  /// part (`a["name"] = v`).
  ///@{
  Value get(std::string_view key) const;
  void set(std::string_view key, const Value& value);
  ///@}
  /// deleteProperty removes the element or key `key` (AS3's `delete a[key]`) and returns whether
  /// it was there. Deleting a dense element leaves a hole: the elements after it become keys,
  /// and length() stays.
  bool deleteProperty(std::string_view key);

  /// denseLength is how many elements form the gap-free prefix AMF3 sends as the dense part.
  std::uint32_t denseLength() const;
  /// associativeCount is the number of keys in the associative part; associativeName and
  /// associativeValue are the i-th key and its value, in insertion order. An `i` of
  /// associativeCount() or more throws std::out_of_range.
  ///@{
  std::size_t associativeCount() const;
  std::string_view associativeName(std::size_t i) const;
  Value associativeValue(std::size_t i) const;
  ///@}

  friend bool operator==(const Array& a, const Array& b) noexcept { return a.node_ == b.node_; }
  friend bool operator!=(const Array& a, const Array& b) noexcept { return a.node_ != b.node_; }

  /// node is the array behind the handle, or null. Internal.
  detail::ArrayNode* node() const noexcept { return node_; }
  /// Adopts one reference to `node`. Internal.
  explicit Array(detail::ArrayNode* node) noexcept : node_(node) {}

 private:
  static std::uint32_t checkIndex(std::size_t index);
  detail::ArrayNode* node_;
};

}  // namespace as3::amf

#endif  // AS3_AMF_ARRAY_H_
