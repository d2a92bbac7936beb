// Small helpers for tests of byte-level behaviour: arrays from literal bytes, their contents as a
// comparable vector, and a check that a call throws a given AS3 error class with a given id.
#ifndef AS3NET_TEST_SUPPORT_BYTES_H_
#define AS3NET_TEST_SUPPORT_BYTES_H_

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "as3/utils/ByteArray.h"

namespace test {

/// bytesOf is the array's whole content, as ints so Catch prints them as numbers.
inline std::vector<int> bytesOf(const as3::utils::ByteArray& array) {
  return {array.data(), array.data() + array.length()};
}

/// arrayOf makes an array holding `bytes`, position 0.
inline as3::utils::ByteArray arrayOf(const std::vector<std::uint8_t>& bytes) {
  return as3::utils::ByteArray(bytes.data(), bytes.size());
}

/// requireError checks that `call` throws exactly the AS3 class E (or a subclass) with `id`.
template <class E, class F>
void requireError(F&& call, int id) {
  try {
    call();
  } catch (const E& e) {
    CHECK(e.errorID() == id);
    return;
  } catch (...) {
    FAIL("threw something other than the expected AS3 error class");
  }
  FAIL("did not throw");
}

/// hex turns "09 03 01" into bytes; anything that is not a hex digit only separates.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
    int digit = std::isdigit(static_cast<unsigned char>(c))
                    ? c - '0'
                    : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | digit));
      high = -1;
    }
  }
  return out;
}

/// amf3String spells the AMF3 inline form of a string under 8192 bytes as hex text ("05 68 69"
/// for "hi"), for building expected bytes with hex().
inline std::string amf3String(std::string_view text) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  auto put = [&out](unsigned b) {
    out += kDigits[b >> 4 & 15];
    out += kDigits[b & 15];
    out += ' ';
  };
  std::size_t header = text.size() << 1 | 1;
  if (header >= 0x80) put(static_cast<unsigned>(header >> 7 | 0x80));
  put(static_cast<unsigned>(header & 0x7F));
  for (char c : text) put(static_cast<unsigned char>(c));
  return out;
}

/// hasId matches an AS3 error of class E by its errorID, for CHECK_THROWS_MATCHES.
template <class E>
auto hasId(int id) {
  return Catch::Predicate<E>([id](const E& e) { return e.errorID() == id; },
                             "errorID " + std::to_string(id));
}

/// errorOf runs `call` and returns the message of what it threw, checking that it is exactly the
/// AS3 class E (not a subclass) with `id`. Returns "" after a failed check.
template <class E, class F>
std::string errorOf(F&& call, int id) {
  try {
    call();
  } catch (const E& e) {
    CHECK(typeid(e) == typeid(E));
    CHECK(e.errorID() == id);
    return e.message();
  } catch (const std::exception& e) {
    FAIL("threw " << typeid(e).name() << ": " << e.what());
  } catch (...) {
    FAIL("threw something that is not an exception");
  }
  FAIL("did not throw");
  return "";
}

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_BYTES_H_
