#ifndef AS3_AMF_OBJECT_H_
#define AS3_AMF_OBJECT_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "as3/Export.h"
#include "as3/amf/Value.h"

namespace as3::amf {

namespace detail {
struct ObjectNode;
struct Traits;
}  // namespace detail

/// Object is a reference to an AS3 Object: anonymous and dynamic (`new Object()`), or an
/// instance of a class known only by its alias (`Object::typed`), with sealed members in traits
/// order followed by dynamic members in insertion order. Copies refer to the same object.
/// Differs from AS3: dynamic members keep insertion order (Flash enumerates in hash order).
class AS3NET_EXPORT Object {
 public:
  /// Member is what operator[] returns: the slot for one member, read when converted to a Value
  /// and written by assignment (an absent member reads as undefined).
  class AS3NET_EXPORT Member : public detail::ValueReads<Member> {
   public:
    /// Stores `value` in the member, as Object::set() does.
    Member& operator=(const Value& value);
    /// Stores the value `other` reads, for `a["x"] = b["y"]`.
    Member& operator=(const Member& other) { return *this = other.get(); }
    /// get reads the member, as Object::get() does.
    Value get() const;

   private:
    friend class Object;
    Member(detail::ObjectNode* node, std::string_view name) : node_(node), name_(name) {}
    detail::ObjectNode* node_;
    std::string_view name_;
  };

  /// Object() makes a new anonymous dynamic Object.
  Object();
  /// typed makes an instance of the class known by `alias`, with the given sealed members (all
  /// undefined) and, when `dynamic`, room for dynamic members. AMF writes it with that alias.
  ///@{
  static Object typed(std::string_view alias, std::initializer_list<std::string_view> sealed = {},
                      bool dynamic = false);
  static Object typed(std::string_view alias, const std::vector<std::string>& sealed,
                      bool dynamic = false);
  ///@}

  /// Copies refer to the same object. A moved-from handle is null: it converts to a null Value,
  /// and the other members throw errors::TypeError #1009 on it.
  ///@{
  Object(const Object& other) noexcept;
  Object& operator=(const Object& other) noexcept;
  Object(Object&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  Object& operator=(Object&& other) noexcept;
  ///@}
  ~Object();
  /// Converts to a Value that refers to the same object.
  operator Value() const noexcept;

  /// operator[] reaches the member `name`. Writing a member a sealed, non-dynamic class does not
  /// have throws errors::ReferenceError #1056, as in AS3.
  ///@{
  Member operator[](std::string_view name) { return Member(node_, name); }
  Value operator[](std::string_view name) const { return get(name); }
  ///@}
  /// get reads the member `name`: undefined when a dynamic object lacks it, errors::ReferenceError
  /// #1069 when a sealed class has no such member.
  Value get(std::string_view name) const;
  /// set stores `value` in the member `name`, adding a dynamic member when a dynamic object lacks
  /// it. Throws errors::ReferenceError #1056 when a sealed class has no such member, and
  /// errors::TypeError #1034 when a C++ class's member cannot hold `value`.
  void set(std::string_view name, const Value& value);
  /// hasOwnProperty is true when the object has a sealed or dynamic member `name`.
  bool hasOwnProperty(std::string_view name) const;
  /// deleteProperty removes a dynamic member (AS3's `delete o.name`); sealed ones stay.
  bool deleteProperty(std::string_view name);

  /// className is the alias AMF writes: "" for an anonymous Object, and for an instance of a
  /// described C++ class the alias registered for that class ("" when it has none).
  std::string className() const;
  /// isDynamic is true when the object takes new members: an anonymous Object, or an instance
  /// of a dynamic class. Never for an instance of a C++ class.
  bool isDynamic() const;
  /// sealedCount, sealedName and sealedValue enumerate the sealed members in traits order (a C++
  /// class's in the order Class<T> described them). An `i` of sealedCount() or more throws
  /// std::out_of_range.
  ///@{
  std::size_t sealedCount() const;
  std::string_view sealedName(std::size_t i) const;
  Value sealedValue(std::size_t i) const;
  ///@}
  /// dynamicCount, dynamicName and dynamicValue enumerate the dynamic members in insertion order.
  /// An `i` of dynamicCount() or more throws std::out_of_range.
  ///@{
  std::size_t dynamicCount() const;
  std::string_view dynamicName(std::size_t i) const;
  Value dynamicValue(std::size_t i) const;
  ///@}

  /// identity: two handles to the same object compare equal.
  friend bool operator==(const Object& a, const Object& b) noexcept { return a.node_ == b.node_; }
  friend bool operator!=(const Object& a, const Object& b) noexcept { return a.node_ != b.node_; }

  /// node is the object behind the handle, or null. Internal.
  detail::ObjectNode* node() const noexcept { return node_; }
  /// Adopts one reference.
  explicit Object(detail::ObjectNode* node) noexcept : node_(node) {}

 private:
  detail::ObjectNode* node_;
};

}  // namespace as3::amf

#endif  // AS3_AMF_OBJECT_H_
