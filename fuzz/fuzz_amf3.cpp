// libFuzzer target: AMF3 decoding with small limits, then the encode/decode/encode fixed point.
#include <cstddef>
#include <cstdint>

#include "RoundTrip.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::registerClasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::roundTrip(data, size, 3);
}
