#ifndef AS3_AMF_VALUE_H_
#define AS3_AMF_VALUE_H_

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "as3/Export.h"
#include "as3/amf/detail/Node.h"

namespace as3::utils {
class ByteArray;
}

/// as3::amf is AS3's data model as AMF carries it: Value and the handles to objects, arrays,
/// vectors and dictionaries, class aliases for C++ classes, and the AMF0/AMF3 codec.
namespace as3::amf {

class Array;
class Dictionary;
class Object;
class Value;
template <class T>
class Vector;
class ClassInfo;

namespace detail {
AS3NET_EXPORT Node* makeNativeNode(std::shared_ptr<void> instance, const ClassInfo& info);
AS3NET_EXPORT std::shared_ptr<void> nativeInstance(const Node* node, const std::type_info& type);
/// describe<T> is the ClassInfo of T; defined in ClassAlias.h, which code making Values of C++
/// class instances includes.
template <class T>
ClassInfo& describe();
}  // namespace detail

/// Value is AS3's `*`: undefined, null, a Boolean, int, uint, Number or String held by value, or
/// a reference to a Date, XML, XMLDocument, Array, Object, ByteArray, Vector or Dictionary.
/// Copying a Value copies the reference, as assignment does in AS3: both copies see the same
/// object, and AMF writes it once and references it afterwards.
///
/// A graph of values belongs to the thread that made it (as AS3 objects belong to their worker):
/// use and release it on that thread, or pass it on as AMF bytes. Reference cycles are reclaimed
/// by that thread's collector (see collectCycles()); docs/amf.md explains the model.
class AS3NET_EXPORT Value {
 public:
  /// Value() is undefined.
  Value() noexcept : type_(Type::Undefined), bits_(0) {}
  /// Value(nullptr) is null; a bool, std::int32_t, std::uint32_t or double makes a Boolean, int,
  /// uint or Number.
  ///@{
  Value(std::nullptr_t) noexcept : type_(Type::Null), bits_(0) {}
  // The payload is stored as one 64-bit word: a narrower store after zeroing it would make the
  // next copy's word load wait on store forwarding.
  Value(bool b) noexcept : type_(Type::Boolean), bits_(widened(b)) {}
  Value(std::int32_t i) noexcept : type_(Type::Int), bits_(widened(i)) {}
  Value(std::uint32_t u) noexcept : type_(Type::Uint), bits_(widened(u)) {}
  Value(double d) noexcept : type_(Type::Number) { d_ = d; }
  ///@}
  /// Other integer types become int when they fit, then uint, else Number (as AS3 literals do).
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                          !std::is_same_v<T, std::int32_t> &&
                                          !std::is_same_v<T, std::uint32_t>,
                                      int> = 0>
  Value(T n) noexcept : Value(fromIntegral(n)) {}
  /// A float becomes a Number.
  Value(float f) noexcept : Value(static_cast<double>(f)) {}
  /// Text makes a String holding a copy of its UTF-8 bytes.
  ///@{
  Value(const char* text) : Value(std::string_view(text)) {}
  Value(std::string_view text);
  Value(const std::string& text) : Value(std::string_view(text)) {}
  ///@}
  /// A ByteArray is copied into a new AS3 ByteArray object (use asByteArray() to reach it).
  Value(const utils::ByteArray& bytes);
  /// A ByteArray rvalue is moved into a new AS3 ByteArray object.
  Value(utils::ByteArray&& bytes);
  /// A C++ object of a class described with Class<T> (see ClassAlias.h), shared, not copied:
  /// two Values made from the same object are one object to AMF.
  template <class T, std::enable_if_t<!std::is_same_v<T, void>, int> = 0>
  Value(std::shared_ptr<T> instance) : type_(Type::Null), bits_(0) {
    if (instance)
      *this = Value(
          detail::makeNativeNode(std::shared_ptr<void>(std::move(instance)), detail::describe<T>()),
          Adopt{});
  }

  /// A copy refers to the same object or string; a moved-from Value is undefined.
  ///@{
  Value(const Value& other) noexcept : type_(other.type_), bits_(other.bits_) { retainPayload(); }
  Value(Value&& other) noexcept : type_(other.type_), bits_(other.bits_) {
    other.type_ = Type::Undefined;
  }
  Value& operator=(const Value& other) noexcept {
    Value copy(other);
    swap(copy);
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this == &other) return *this;  // compaction loops move elements onto themselves
    Type oldType = type_;
    std::uint64_t oldBits = bits_;
    type_ = other.type_;
    bits_ = other.bits_;
    other.type_ = Type::Undefined;
    if (oldType >= Type::String) releaseBits(oldType, oldBits);
    return *this;
  }
  ///@}
  ~Value() { releasePayload(); }
  /// swap exchanges the contents of two values.
  void swap(Value& other) noexcept {
    std::swap(type_, other.type_);
    std::swap(bits_, other.bits_);
  }

  /// date makes a new Date object holding `time`, milliseconds since 1970 UTC, clipped as AS3
  /// does (whole milliseconds; NaN, the invalid Date, beyond ±8.64e15).
  static Value date(double time);
  /// xml makes an E4X XML value from its text; xmlDocument a legacy flash.xml.XMLDocument.
  ///@{
  static Value xml(std::string_view text);
  static Value xmlDocument(std::string_view text);
  ///@}

  /// type is the value's AS3 type.
  Type type() const noexcept { return type_; }
  /// isUndefined tells whether the value is undefined.
  bool isUndefined() const noexcept { return type_ == Type::Undefined; }
  /// isNull tells whether the value is null.
  bool isNull() const noexcept { return type_ == Type::Null; }
  /// isNumeric tells whether the value is an int, uint or Number.
  bool isNumeric() const noexcept {
    return type_ == Type::Int || type_ == Type::Uint || type_ == Type::Number;
  }
  /// isString tells whether the value is a String.
  bool isString() const noexcept { return type_ == Type::String; }
  /// isReference tells whether the value is an object AS3 holds by reference.
  bool isReference() const noexcept { return type_ >= Type::Date; }

  // The as* accessors return the value when it has that type and throw errors::TypeError #1034
  // otherwise; asNumber also takes int and uint, as AS3's Number does.
  /// asBoolean is a Boolean's value: no truthiness conversion, errors::TypeError #1034 otherwise.
  bool asBoolean() const { return type_ == Type::Boolean ? b_ : slowBoolean(); }
  /// asInt is an int's value, or a uint's or Number's that is exactly an int. Throws
  /// errors::TypeError #1034 otherwise.
  std::int32_t asInt() const { return type_ == Type::Int ? i_ : slowInt(); }
  /// asUint is a uint's value, or an int's or Number's that is exactly a uint. Throws
  /// errors::TypeError #1034 otherwise.
  std::uint32_t asUint() const { return type_ == Type::Uint ? u_ : slowUint(); }
  /// asNumber is a Number's value, or an int's or uint's; errors::TypeError #1034 otherwise.
  double asNumber() const { return type_ == Type::Number ? d_ : slowNumber(); }
  /// asString views the string's UTF-8 bytes; the view lives as long as a Value holding them.
  std::string_view asString() const { return type_ == Type::String ? s_->view() : slowString(); }
  /// asDate is a Date's time in milliseconds since 1970 UTC.
  double asDate() const;
  /// asXML is the text of an XML or XMLDocument.
  std::string_view asXML() const;
  /// asObject, asArray, asDictionary and the asVector accessors return a handle to the object
  /// itself, shared as a Value copy shares it; asVectorObject also reaches typed vectors.
  /// They throw errors::TypeError #1034 for a value of another type.
  ///@{
  Object asObject() const;
  Array asArray() const;
  Dictionary asDictionary() const;
  Vector<std::int32_t> asVectorInt() const;
  Vector<std::uint32_t> asVectorUint() const;
  Vector<double> asVectorNumber() const;
  Vector<Value> asVectorObject() const;
  ///@}
  /// asByteArray is the ByteArray object itself: changes are seen through every copy.
  utils::ByteArray& asByteArray() const;
  /// as<T> is the C++ object behind a value read back as a registered class T, or null.
  template <class T>
  std::shared_ptr<T> as() const {
    return std::static_pointer_cast<T>(type_ == Type::Object ? detail::nativeInstance(n_, typeid(T))
                                                             : nullptr);
  }

  /// operator[] reads a member of an Object, an Array element or key, a Vector item or a
  /// Dictionary entry (undefined when absent); TypeError #1009 on null or undefined.
  /// A Vector index past the end throws errors::RangeError #1125, as in AS3.
  ///@{
  Value operator[](std::string_view name) const;
  Value operator[](std::size_t index) const;
  Value operator[](const char* name) const { return (*this)[std::string_view(name)]; }
  Value operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }
  ///@}

  /// strictEquals is AS3's ===: numbers by value (int 1 === 1.0, NaN never equal), strings by
  /// content, objects by identity. operator== is the same.
  bool strictEquals(const Value& other) const noexcept;
  friend bool operator==(const Value& a, const Value& b) noexcept { return a.strictEquals(b); }
  friend bool operator!=(const Value& a, const Value& b) noexcept { return !a.strictEquals(b); }

  /// toString is AS3's String(value) for primitives ("undefined", "null", "true", "1.5", text),
  /// and the tag AS3 prints for objects ("[object Object]", "[object Dictionary]", ...), the
  /// elements for an Array and a Vector (comma-separated), the text for XML, and for a ByteArray
  /// its bytes as text, as AS3's ByteArray.toString() gives them.
  std::string toString() const;

  // For the codec and the handles: the node behind a reference value.
  /// node is the object behind a reference value, or null. Internal.
  detail::Node* node() const noexcept { return isReference() ? n_ : nullptr; }
  struct Adopt {};
  /// Takes over one reference to `node` (nullptr gives null).
  Value(detail::Node* node, Adopt) noexcept : type_(node ? node->type : Type::Null), bits_(0) {
    n_ = node;
  }
  /// Takes over one reference to `rep`, as a String. Internal.
  Value(detail::StringRep* rep, Adopt) noexcept : type_(Type::String), bits_(0) { s_ = rep; }
  /// stringRep is a String's shared storage, or null. Internal.
  detail::StringRep* stringRep() const noexcept { return type_ == Type::String ? s_ : nullptr; }

 private:
  // Out of line, so the move above stays small enough to inline everywhere.
  static void releaseBits(Type type, std::uint64_t bits) noexcept;
  bool slowBoolean() const;
  std::int32_t slowInt() const;
  std::uint32_t slowUint() const;
  double slowNumber() const;
  std::string_view slowString() const;

  // The word whose first bytes are `small`'s, as the union member of its type reads them.
  template <class T>
  static std::uint64_t widened(T small) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, &small, sizeof small);
    return word;
  }
  template <class T>
  static Value fromIntegral(T n) noexcept {
    if constexpr (std::is_signed_v<T>) {
      if (n >= INT32_MIN && n <= INT32_MAX) return Value(static_cast<std::int32_t>(n));
      if (n >= 0 && static_cast<unsigned long long>(n) <= UINT32_MAX)
        return Value(static_cast<std::uint32_t>(n));
    } else {
      if (n <= static_cast<T>(INT32_MAX)) return Value(static_cast<std::int32_t>(n));
      if (static_cast<unsigned long long>(n) <= UINT32_MAX)
        return Value(static_cast<std::uint32_t>(n));
    }
    return Value(static_cast<double>(n));
  }
  void retainPayload() const noexcept {
    if (type_ == Type::String)
      detail::retain(s_);
    else if (type_ >= Type::Date)
      detail::retain(n_);
  }
  void releasePayload() noexcept {
    if (type_ == Type::String)
      detail::release(s_);
    else if (type_ >= Type::Date)
      detail::release(n_);
  }

  Type type_;
  union {
    std::uint64_t bits_;
    bool b_;
    std::int32_t i_;
    std::uint32_t u_;
    double d_;
    detail::StringRep* s_;
    detail::Node* n_;
  };
};

namespace detail {

/// ValueReads gives the member and element proxies of Object and Array (which define get()) the
/// reading side of a Value, so `obj["pos"]["x"].asNumber()` reads as it would in AS3.
template <class Proxy>
class ValueReads {
 public:
  operator Value() const { return self().get(); }
  Value operator[](std::string_view name) const { return self().get()[name]; }
  Value operator[](std::size_t index) const { return self().get()[index]; }
  Type type() const { return self().get().type(); }
  bool asBoolean() const { return self().get().asBoolean(); }
  std::int32_t asInt() const { return self().get().asInt(); }
  std::uint32_t asUint() const { return self().get().asUint(); }
  double asNumber() const { return self().get().asNumber(); }
  /// asString copies: the Value holding the text is gone when the call returns.
  std::string asString() const { return std::string(self().get().asString()); }
  /// toString is Value::toString of what the proxy reads.
  std::string toString() const { return self().get().toString(); }

 private:
  const Proxy& self() const { return static_cast<const Proxy&>(*this); }
};

}  // namespace detail

/// undefined is AS3's undefined, for reading code (`obj["x"] = amf::undefined`).
inline const Value undefined{};

/// collectCycles reclaims every unreachable reference cycle of this thread's values now and
/// returns how many objects it freed. It also runs by itself as values are created.
AS3NET_EXPORT std::size_t collectCycles();
/// liveObjectCount is how many reference values (objects, arrays, ...) this thread holds.
AS3NET_EXPORT std::size_t liveObjectCount() noexcept;

}  // namespace as3::amf

#endif  // AS3_AMF_VALUE_H_
