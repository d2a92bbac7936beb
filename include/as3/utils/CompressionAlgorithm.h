#ifndef AS3_UTILS_COMPRESSIONALGORITHM_H_
#define AS3_UTILS_COMPRESSIONALGORITHM_H_

namespace as3::utils {

/// CompressionAlgorithm is AS3's flash.utils.CompressionAlgorithm: the names ByteArray's
/// compress() and uncompress() accept. They stay strings, as in AS3, so an unknown name is the
/// same IOError #2058 it is in Flash.
struct CompressionAlgorithm {
  static constexpr const char* ZLIB = "zlib";        ///< RFC 1950 zlib stream.
  static constexpr const char* DEFLATE = "deflate";  ///< RFC 1951 raw deflate.
  static constexpr const char* LZMA = "lzma";        ///< LZMA-alone: properties, size, stream.
};

}  // namespace as3::utils

#endif  // AS3_UTILS_COMPRESSIONALGORITHM_H_
