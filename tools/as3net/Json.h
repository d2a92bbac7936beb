// A small JSON document model for the as3net tool: the tagged JSON of `as3net amf` and the bench
// fixtures. Integers and doubles stay apart (the tagged form tells an AMF3 integer from a double
// by its node, and a label 1 from a label 1.0), object members keep document order, and the
// parser refuses everything RFC 8259 refuses: it reads files written by people and by tools.
#ifndef AS3NET_TOOLS_JSON_H_
#define AS3NET_TOOLS_JSON_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace as3net_tool::json {

class Value;

/// Array is a JSON array; Object a JSON object as (key, value) pairs in document order.
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

/// Value is one JSON value. A number is kInt when its token had no fraction or exponent and fits
/// an int64, kDouble otherwise. Strings hold UTF-8. The accessors throw std::bad_variant_access
/// when the value has another type (asDouble also takes an int).
class Value {
 public:
  Value() noexcept = default;
  Value(std::nullptr_t) noexcept {}
  Value(bool b) noexcept : v_(b) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Value(T i) noexcept : v_(static_cast<std::int64_t>(i)) {}
  Value(double d) noexcept : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(std::string s) noexcept : v_(std::move(s)) {}
  Value(Array a) noexcept : v_(std::move(a)) {}
  Value(Object o) noexcept : v_(std::move(o)) {}

  Type type() const noexcept { return static_cast<Type>(v_.index()); }
  bool isNull() const noexcept { return type() == Type::kNull; }
  bool isBool() const noexcept { return type() == Type::kBool; }
  bool isInt() const noexcept { return type() == Type::kInt; }
  bool isDouble() const noexcept { return type() == Type::kDouble; }
  bool isNumber() const noexcept { return isInt() || isDouble(); }
  bool isString() const noexcept { return type() == Type::kString; }
  bool isArray() const noexcept { return type() == Type::kArray; }
  bool isObject() const noexcept { return type() == Type::kObject; }

  bool asBool() const { return std::get<bool>(v_); }
  std::int64_t asInt() const { return std::get<std::int64_t>(v_); }
  double asDouble() const { return isInt() ? static_cast<double>(asInt()) : std::get<double>(v_); }
  const std::string& asString() const { return std::get<std::string>(v_); }
  std::string& asString() { return std::get<std::string>(v_); }
  const Array& asArray() const { return std::get<Array>(v_); }
  Array& asArray() { return std::get<Array>(v_); }
  const Object& asObject() const { return std::get<Object>(v_); }
  Object& asObject() { return std::get<Object>(v_); }

  /// find is the first member named `key`, or null when there is none or this is no object.
  const Value* find(std::string_view key) const noexcept;

  /// operator== compares deeply; an int never equals a double, and member order counts.
  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> v_;
};

/// ParseError says what was wrong with a JSON text and at which byte offset (0-based).
class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& reason, std::size_t offset);
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t offset_;
};

struct ParseOptions {
  /// maxDepth bounds the nesting of arrays and objects, so hostile input cannot exhaust the
  /// stack; a value at depth 1 is one array or object.
  std::size_t maxDepth = 512;
};

/// parse reads exactly one JSON value, with optional whitespace around it. Throws ParseError on
/// anything else: a syntax error, ill-formed UTF-8, a lone surrogate escape, a duplicate key, a
/// number beyond a double's range, nesting deeper than maxDepth, or trailing text. An integer
/// token beyond int64 becomes a double.
Value parse(std::string_view text, const ParseOptions& options = {});

/// parseSequence reads zero or more JSON values separated by whitespace (JSON Lines, or values
/// spread over lines): the input of `as3net amf encode`. Throws ParseError as parse does.
std::vector<Value> parseSequence(std::string_view text, const ParseOptions& options = {});

/// print appends `value` as compact one-line JSON. Doubles come out shortest-round-trip and
/// always with a fraction or exponent, so they parse back as doubles; strings are escaped, and
/// any byte of a string that is not well-formed UTF-8 is written as U+FFFD. Throws
/// std::domain_error for a NaN or infinite double, which JSON cannot express.
void print(const Value& value, std::string& out);
std::string print(const Value& value);

/// findInvalidUtf8 is the offset of the first byte of `bytes` that does not belong to a
/// well-formed UTF-8 sequence (no overlong forms, surrogates or code points above U+10FFFF),
/// or std::string_view::npos when all of them do.
std::size_t findInvalidUtf8(std::string_view bytes) noexcept;

}  // namespace as3net_tool::json

#endif  // AS3NET_TOOLS_JSON_H_
