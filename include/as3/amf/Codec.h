#ifndef AS3_AMF_CODEC_H_
#define AS3_AMF_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "as3/Export.h"
#include "as3/amf/Value.h"
#include "as3/utils/ObjectEncoding.h"

namespace as3::amf {

/// DecodeLimits bound what one readObject may build from untrusted bytes. Past `maxDepth`
/// nested containers it throws errors::Error #1023; past `maxDecodedBytes` of decoded values
/// (16 bytes per slot, plus string, byte and vector contents) errors::MemoryError #1000.
/// Flash had neither limit. Depths above 1024 act as 1024, so the recursion fits the stack.
struct AS3NET_EXPORT DecodeLimits {
  std::uint32_t maxDepth = 256;  ///< Nesting depth of containers; 256 by default.
  std::uint64_t maxDecodedBytes = std::uint64_t{256} << 20;  ///< Decoded bytes; 256 MiB by default.

  /// defaults are what ByteArray and Socket readObject use; setDefaults changes them for the
  /// whole process (thread-safe).
  ///@{
  static DecodeLimits defaults() noexcept;
  static void setDefaults(const DecodeLimits& limits) noexcept;
  ///@}
};

/// encode returns the bytes ByteArray::writeObject writes for `value` with `objectEncoding`
/// (ObjectEncoding::AMF0 or AMF3; ArgumentError #2008 otherwise).
AS3NET_EXPORT std::vector<std::uint8_t> encode(
    const Value& value, std::uint32_t objectEncoding = utils::ObjectEncoding::AMF3);

/// decode reads one value from `size` bytes at `data`, as ByteArray::readObject does, and sets
/// `*consumed` (when given) to the bytes it took. Throws as readObject does.
AS3NET_EXPORT Value decode(const void* data, std::size_t size,
                           std::uint32_t objectEncoding = utils::ObjectEncoding::AMF3,
                           std::size_t* consumed = nullptr,
                           const DecodeLimits& limits = DecodeLimits::defaults());

}  // namespace as3::amf

#endif  // AS3_AMF_CODEC_H_
