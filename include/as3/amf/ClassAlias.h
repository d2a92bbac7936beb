#ifndef AS3_AMF_CLASSALIAS_H_
#define AS3_AMF_CLASSALIAS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "as3/Export.h"
#include "as3/amf/Array.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/amf/Vector.h"
#include "as3/utils/IExternalizable.h"

namespace as3::amf {

/// ClassInfo describes a C++ class to AMF, as an AS3 Class object does to Flash: how to make an
/// instance, its sealed members in traits order, and whether it is IExternalizable. There is
/// one per C++ type, made on first use and kept for the life of the process. Describe a class
/// with Class<T> before values of it are written or read (typically at start-up); describing is
/// not synchronised with encoding on other threads.
class AS3NET_EXPORT ClassInfo {
 public:
  /// MemberAccess is one sealed member: its name, and how to read and write it on an instance.
  struct MemberAccess {
    /// The member's name in the traits.
    std::string name;
    /// Reads the member of an instance as a Value.
    std::function<Value(const void*)> get;
    /// Returns false when the value cannot be stored (wrong type): AMF then skips it, as Flash
    /// traces and skips a failed assignment.
    std::function<bool(void*, const Value&)> set;
  };

  /// typeName is the C++ type's name as the compiler reports it, for messages.
  std::string_view typeName() const noexcept { return typeName_; }
  /// isExternalizable is true when the class derives from utils::IExternalizable.
  bool isExternalizable() const noexcept { return externalizable_ != nullptr; }
  /// members are the sealed members, in traits order.
  const std::vector<MemberAccess>& members() const noexcept { return members_; }
  /// alias is the alias registered for this class, or "" when it has none.
  std::string alias() const;

  // For the codec.
  /// canCreate is true when the class is default-constructible, so AMF can read it back.
  bool canCreate() const noexcept { return static_cast<bool>(create_); }
  /// create makes a default-constructed instance; only when canCreate().
  std::shared_ptr<void> create() const { return create_(); }
  /// externalizable is `instance` as a utils::IExternalizable, or null when the class is not one.
  utils::IExternalizable* externalizable(void* instance) const {
    return externalizable_ ? externalizable_(instance) : nullptr;
  }
  /// type is the C++ type described.
  const std::type_info& type() const noexcept { return *type_; }

  /// Creates the description of `type`. Internal: Class<T> finds the one ClassInfo of T.
  ClassInfo(const std::type_info& type, std::function<std::shared_ptr<void>()> create,
            utils::IExternalizable* (*asExternalizable)(void*));
  /// addMember appends a sealed member, or replaces the one of the same name in place.
  void addMember(MemberAccess member);

 private:
  const std::type_info* type_;
  std::string typeName_;
  std::function<std::shared_ptr<void>()> create_;
  utils::IExternalizable* (*externalizable_)(void*);
  std::vector<MemberAccess> members_;
};

namespace detail {

AS3NET_EXPORT ClassInfo& classInfoSlot(const std::type_info& type,
                                       std::function<std::shared_ptr<void>()> create,
                                       utils::IExternalizable* (*asExternalizable)(void*));

template <class T>
ClassInfo& describe() {
  std::function<std::shared_ptr<void>()> create;
  if constexpr (std::is_default_constructible_v<T>) create = [] { return std::make_shared<T>(); };
  utils::IExternalizable* (*ext)(void*) = nullptr;
  if constexpr (std::is_base_of_v<utils::IExternalizable, T>)
    ext = [](void* p) -> utils::IExternalizable* { return static_cast<T*>(p); };
  return classInfoSlot(typeid(T), std::move(create), ext);
}

// Conversions between member types and Values. A failed conversion returns false.
template <class M>
Value toValue(const M& m) {
  if constexpr (std::is_same_v<M, std::string>) {
    return Value(std::string_view(m));
  } else if constexpr (std::is_same_v<M, Object> || std::is_same_v<M, Array> ||
                       std::is_same_v<M, Dictionary>) {
    return static_cast<Value>(m);
  } else {
    return Value(m);
  }
}

template <class M>
struct IsSharedPtr : std::false_type {};
template <class U>
struct IsSharedPtr<std::shared_ptr<U>> : std::true_type {};

template <class M>
bool fromValue(const Value& v, M& out) {
  if constexpr (std::is_same_v<M, Value>) {
    out = v;
    return true;
  } else if constexpr (std::is_same_v<M, bool>) {
    if (v.type() != Type::Boolean) return false;
    out = v.asBoolean();
    return true;
  } else if constexpr (std::is_integral_v<M> || std::is_floating_point_v<M>) {
    if (!v.isNumeric()) return false;
    if constexpr (std::is_floating_point_v<M>) {
      out = static_cast<M>(v.asNumber());
    } else {
      double d = v.asNumber();
      if (!(d >= static_cast<double>(std::numeric_limits<M>::lowest()) &&
            d <= static_cast<double>(std::numeric_limits<M>::max())))
        return false;
      out = static_cast<M>(d);
    }
    return true;
  } else if constexpr (std::is_same_v<M, std::string>) {
    if (v.type() == Type::Null) {
      out.clear();
      return true;
    }
    if (v.type() != Type::String) return false;
    out.assign(v.asString());
    return true;
  } else if constexpr (std::is_same_v<M, Object>) {
    if (v.type() != Type::Object) return false;
    out = v.asObject();
    return true;
  } else if constexpr (std::is_same_v<M, Array>) {
    if (v.type() != Type::Array) return false;
    out = v.asArray();
    return true;
  } else if constexpr (std::is_same_v<M, Dictionary>) {
    if (v.type() != Type::Dictionary) return false;
    out = v.asDictionary();
    return true;
  } else if constexpr (IsSharedPtr<M>::value) {
    if (v.type() == Type::Null || v.type() == Type::Undefined) {
      out.reset();
      return true;
    }
    auto p = v.as<typename M::element_type>();
    if (!p) return false;
    out = std::move(p);
    return true;
  } else {
    static_assert(sizeof(M) == 0, "this member type has no AMF conversion; use amf::Value");
    return false;
  }
}

}  // namespace detail

/// Class<T> describes the C++ class T to AMF, as a class declaration does in AS3: its sealed
/// members (public variables, or getter/setter pairs) in traits order. Member types: bool,
/// arithmetic types, std::string, Value, Object, Array, Dictionary and std::shared_ptr<U> of a
/// described class U. T must be default-constructible to be read back (AS3 #1063 otherwise).
///
///   registerClassAlias("com.example.Item",
///                      Class<Item>().member("id", &Item::id).member("name", &Item::name));
template <class T>
class Class {
 public:
  Class() : info_(&detail::describe<T>()) {}

  /// member adds the data member `field` as the sealed member `name` (replacing one of that
  /// name), read and written directly.
  template <class M>
  Class& member(std::string_view name, M T::*field) {
    info_->addMember(ClassInfo::MemberAccess{
        std::string(name),
        [field](const void* p) { return detail::toValue(static_cast<const T*>(p)->*field); },
        [field](void* p, const Value& v) {
          return detail::fromValue(v, static_cast<T*>(p)->*field);
        }});
    return *this;
  }

  /// property adds a read-write accessor pair: `get(const T&) -> M` and `set(T&, M)`.
  template <class Get, class Set>
  Class& property(std::string_view name, Get get, Set set) {
    using M = std::decay_t<std::invoke_result_t<Get, const T&>>;
    info_->addMember(ClassInfo::MemberAccess{
        std::string(name),
        [get](const void* p) { return detail::toValue(get(*static_cast<const T*>(p))); },
        [set](void* p, const Value& v) {
          M m{};
          if (!detail::fromValue(v, m)) return false;
          set(*static_cast<T*>(p), std::move(m));
          return true;
        }});
    return *this;
  }

  /// info is T's description, one per type for the life of the process, as
  /// registerClassAlias() takes it.
  ///@{
  const ClassInfo& info() const noexcept { return *info_; }
  operator const ClassInfo&() const noexcept { return *info_; }
  ///@}

 private:
  ClassInfo* info_;
};

/// registerClassAlias is AS3's flash.net.registerClassAlias: AMF writes instances of `cls` with
/// `alias` and reads `alias` back as `cls`. The latest registration wins in both directions.
/// ArgumentError #2085 for an empty alias.
AS3NET_EXPORT void registerClassAlias(std::string_view alias, const ClassInfo& cls);

/// getClassByAlias is AS3's flash.net.getClassByAlias. ArgumentError #2085 for "",
/// ReferenceError #1014 when nothing is registered under `alias`.
AS3NET_EXPORT const ClassInfo& getClassByAlias(std::string_view alias);

/// findClassByAlias is getClassByAlias without the error: nullptr when `alias` is unknown.
AS3NET_EXPORT const ClassInfo* findClassByAlias(std::string_view alias) noexcept;

}  // namespace as3::amf

#endif  // AS3_AMF_CLASSALIAS_H_
