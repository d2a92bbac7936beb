// Helpers for AMF tests: one value to bytes and back with a check that the decoder took every
// byte, and the heap's population once unreachable cycles are gone.
#ifndef AS3NET_TEST_SUPPORT_AMF_H_
#define AS3NET_TEST_SUPPORT_AMF_H_

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "as3/amf/Codec.h"
#include "as3/amf/Value.h"
#include "as3/utils/ObjectEncoding.h"

namespace test {

inline std::vector<std::uint8_t> encode3(const as3::amf::Value& v) {
  return as3::amf::encode(v, as3::utils::ObjectEncoding::AMF3);
}

inline std::vector<std::uint8_t> encode0(const as3::amf::Value& v) {
  return as3::amf::encode(v, as3::utils::ObjectEncoding::AMF0);
}

/// decode reads one value in `objectEncoding` and checks that it used all of `bytes`.
inline as3::amf::Value decode(const std::vector<std::uint8_t>& bytes,
                              std::uint32_t objectEncoding) {
  std::size_t used = 0;
  as3::amf::Value v = as3::amf::decode(bytes.data(), bytes.size(), objectEncoding, &used);
  CHECK(used == bytes.size());
  return v;
}

inline as3::amf::Value decode3(const std::vector<std::uint8_t>& bytes) {
  return decode(bytes, as3::utils::ObjectEncoding::AMF3);
}

inline as3::amf::Value decode0(const std::vector<std::uint8_t>& bytes) {
  return decode(bytes, as3::utils::ObjectEncoding::AMF0);
}

/// settledCount is the thread's live AMF objects once every unreachable cycle is collected:
/// what a test starts from and must come back to.
inline std::size_t settledCount() {
  as3::amf::collectCycles();
  return as3::amf::liveObjectCount();
}

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_AMF_H_
