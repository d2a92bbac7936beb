#ifndef AS3_UTILS_COMPRESSIONALGORITHM_H_
#define AS3_UTILS_COMPRESSIONALGORITHM_H_

#include <string_view>

namespace as3::utils {

/// CompressionAlgorithm is AS3's flash.utils.CompressionAlgorithm: the names ByteArray's
/// compress() and uncompress() accept. They stay strings, as in AS3, so an unknown name is the
/// same IOError #2058 it is in Flash.
struct CompressionAlgorithm {
  static constexpr std::string_view ZLIB = "zlib";        ///< RFC 1950 zlib stream.
  static constexpr std::string_view DEFLATE = "deflate";  ///< RFC 1951 raw deflate.
  static constexpr std::string_view LZMA = "lzma";        ///< LZMA-alone: properties, size, stream.
};

}  // namespace as3::utils

#endif  // AS3_UTILS_COMPRESSIONALGORITHM_H_
