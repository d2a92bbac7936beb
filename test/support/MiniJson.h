// A minimal JSON reader for test data (x509-limbo's limbo.json): objects, arrays, strings with
// every escape, numbers, true, false and null. It throws std::runtime_error naming the offset
// on anything RFC 8259 refuses; it is not for hostile input beyond that.
#ifndef AS3NET_TEST_SUPPORT_MINIJSON_H_
#define AS3NET_TEST_SUPPORT_MINIJSON_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace test::json {

/// Value is one JSON value. Objects keep their members in a map (a duplicate key keeps the
/// last); numbers are doubles.
class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const noexcept { return type_; }
  bool isNull() const noexcept { return type_ == Type::kNull; }
  bool isString() const noexcept { return type_ == Type::kString; }
  bool isArray() const noexcept { return type_ == Type::kArray; }
  bool isObject() const noexcept { return type_ == Type::kObject; }

  /// The accessors throw std::runtime_error when the value has another type.
  bool asBool() const;
  double asNumber() const;
  const std::string& asString() const;
  const std::vector<Value>& asArray() const;
  const std::map<std::string, Value, std::less<>>& asObject() const;

  /// get is the member `key` of an object, or nullptr when absent (or this is no object).
  const Value* get(std::string_view key) const noexcept;
  /// string is the member `key` when it is a string, else "".
  std::string string(std::string_view key) const;
  /// strings is the member `key` when it is an array of strings, else empty.
  std::vector<std::string> strings(std::string_view key) const;

 private:
  friend class Parser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::map<std::string, Value, std::less<>> object_;
};

/// parse reads exactly one JSON value (whitespace around it allowed).
Value parse(std::string_view text);

}  // namespace test::json

#endif  // AS3NET_TEST_SUPPORT_MINIJSON_H_
