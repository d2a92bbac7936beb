// Small helpers for tests of byte-level behaviour: arrays from literal bytes, their contents as a
// comparable vector, and a check that a call throws a given AS3 error class with a given id.
#ifndef AS3NET_TEST_SUPPORT_BYTES_H_
#define AS3NET_TEST_SUPPORT_BYTES_H_

#include <catch2/catch.hpp>

#include <cstdint>
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

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_BYTES_H_
