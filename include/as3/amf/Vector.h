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

/// Vector<T> is a reference to an AS3 Vector: Vector.<int> (T = std::int32_t), Vector.<uint>
/// (std::uint32_t), Vector.<Number> (double) or Vector.<Object> and typed vectors (Value, with
/// the element class's alias as typeName(); "" for Object, * and unaliased classes, as Flash
/// writes them). `fixed` is AS3's fixed flag. The items are a std::vector, reached by items().
/// Differs from AS3: a fixed vector's items() can still be resized from C++.
template <class T>
class AS3NET_EXPORT Vector {
 public:
  explicit Vector(bool fixed = false);
  Vector(std::initializer_list<T> items, bool fixed = false);
  /// typed is a Vector.<Alias> (T = Value only).
  static Vector typed(std::string_view typeName, bool fixed = false);

  Vector(const Vector& other) noexcept;
  Vector& operator=(const Vector& other) noexcept;
  Vector(Vector&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Vector& operator=(Vector&& other) noexcept;
  ~Vector();
  operator Value() const noexcept;

  std::vector<T>& items() const;
  std::size_t size() const { return items().size(); }
  T& operator[](std::size_t i) const { return items()[i]; }
  void push(const T& item) { items().push_back(item); }
  bool fixed() const;
  void setFixed(bool fixed);
  /// typeName is the element class alias a Vector.<Object> carries; "int", "uint" or "Number"
  /// for the others.
  std::string_view typeName() const;

  friend bool operator==(const Vector& a, const Vector& b) noexcept { return a.node_ == b.node_; }
  friend bool operator!=(const Vector& a, const Vector& b) noexcept { return a.node_ != b.node_; }

  detail::VectorNode<T>* node() const noexcept { return node_; }
  explicit Vector(detail::VectorNode<T>* node) noexcept : node_(node) {}

 private:
  detail::VectorNode<T>* node_;
};

using VectorInt = Vector<std::int32_t>;
using VectorUint = Vector<std::uint32_t>;
using VectorNumber = Vector<double>;
using VectorObject = Vector<Value>;

extern template class AS3NET_EXPORT Vector<std::int32_t>;
extern template class AS3NET_EXPORT Vector<std::uint32_t>;
extern template class AS3NET_EXPORT Vector<double>;
extern template class AS3NET_EXPORT Vector<Value>;

}  // namespace as3::amf

#endif  // AS3_AMF_VECTOR_H_
