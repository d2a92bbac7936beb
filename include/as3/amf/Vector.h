#ifndef AS3_AMF_VECTOR_H_
#define AS3_AMF_VECTOR_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "as3/Export.h"
#include "as3/amf/Value.h"

namespace as3::amf {

namespace detail {
template <class T>
struct VectorNode;
}

/// Vector<T> is a reference to an AS3 Vector. T is std::int32_t for `Vector.<int>`,
/// std::uint32_t for `Vector.<uint>`, double for `Vector.<Number>`, and Value for
/// `Vector.<Object>` and typed vectors (with the element class's alias as typeName(); "" for
/// Object, * and unaliased classes, as Flash writes them). `fixed` is AS3's fixed flag. The items
/// are a std::vector, reached by items(). Differs from AS3: a fixed vector's items() can still be
/// resized from C++.
template <class T>
class AS3NET_EXPORT Vector {
 public:
  /// Creates an empty vector with AS3's `fixed` flag.
  explicit Vector(bool fixed = false);
  /// Creates a vector holding `items`.
  Vector(std::initializer_list<T> items, bool fixed = false);
  /// typed makes a vector typed on the class aliased `typeName`. It is AS3's `Vector.<Alias>`,
  /// for T = Value only: any other T throws errors::ArgumentError #2004 unless `typeName` is "".
  static Vector typed(std::string_view typeName, bool fixed = false);

  /// Copies refer to the same vector. A moved-from handle is null: it converts to a null Value,
  /// and the other members throw errors::TypeError #1009 on it.
  ///@{
  Vector(const Vector& other) noexcept;
  Vector& operator=(const Vector& other) noexcept;
  Vector(Vector&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Vector& operator=(Vector&& other) noexcept;
  ///@}
  ~Vector();
  /// Converts to a Value that refers to the same vector.
  operator Value() const noexcept;

  /// items is the vector's storage, shared by every handle to it. For a `Vector.<Object>` read by
  /// readObject and not changed since, it (and operator[] and push) first turns the whole decoded
  /// graph into ordinary counted values (docs/amf.md, "Decoded graphs").
  std::vector<T>& items() const;
  /// size is `items().size()`, without that turn.
  std::size_t size() const;
  /// operator[] is `items()[i]`, unchecked: `i` must be below size().
  T& operator[](std::size_t i) const { return items()[i]; }
  /// push appends `item`, even to a fixed vector.
  void push(const T& item) { items().push_back(item); }
  /// fixed is AS3's fixed flag. Only AMF honours it: C++ can still resize items().
  ///@{
  bool fixed() const;
  void setFixed(bool fixed);
  ///@}
  /// typeName is the element type as AMF writes it: "int", "uint" or "Number", or for T = Value
  /// the element class alias. That alias is "" for a plain `Vector.<Object>`.
  std::string_view typeName() const;

  friend bool operator==(const Vector& a, const Vector& b) noexcept { return a.node_ == b.node_; }
  friend bool operator!=(const Vector& a, const Vector& b) noexcept { return a.node_ != b.node_; }

  /// node is the vector behind the handle, or null. Internal.
  detail::VectorNode<T>* node() const noexcept { return node_; }
  /// Adopts one reference to `node`. Internal.
  explicit Vector(detail::VectorNode<T>* node) noexcept : node_(node) {}

 private:
  detail::VectorNode<T>* node_;
};

using VectorInt = Vector<std::int32_t>;    ///< AS3's vector of int.
using VectorUint = Vector<std::uint32_t>;  ///< AS3's vector of uint.
using VectorNumber = Vector<double>;       ///< AS3's vector of Number.
using VectorObject = Vector<Value>;        ///< AS3's vector of Object, or a typed vector.

extern template class AS3NET_EXPORT Vector<std::int32_t>;
extern template class AS3NET_EXPORT Vector<std::uint32_t>;
extern template class AS3NET_EXPORT Vector<double>;
extern template class AS3NET_EXPORT Vector<Value>;

}  // namespace as3::amf

#endif  // AS3_AMF_VECTOR_H_
