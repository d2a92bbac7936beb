#ifndef AS3_UTILS_OBJECTENCODING_H_
#define AS3_UTILS_OBJECTENCODING_H_

#include <cstdint>

namespace as3::utils {

/// ObjectEncoding is AS3's flash.net.ObjectEncoding: the AMF version readObject() and
/// writeObject() use. Differs from AS3: it lives in as3::utils beside ByteArray, and has no
/// dynamicPropertyWriter.
struct ObjectEncoding {
  static constexpr std::uint32_t AMF0 = 0;     ///< AMF0, the format of ActionScript 1 and 2.
  static constexpr std::uint32_t AMF3 = 3;     ///< AMF3, the format of ActionScript 3.
  static constexpr std::uint32_t DEFAULT = 3;  ///< AMF3, the initial default encoding.
};

}  // namespace as3::utils

#endif  // AS3_UTILS_OBJECTENCODING_H_
