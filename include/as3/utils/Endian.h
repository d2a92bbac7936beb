#ifndef AS3_UTILS_ENDIAN_H_
#define AS3_UTILS_ENDIAN_H_

#include <string_view>

#include "as3/Export.h"

namespace as3::utils {

/// Endian is AS3's flash.utils.Endian: the byte order of multi-byte values.
/// Differs from AS3: an enum whose constants are spelled like AS3's string values
/// (`Endian::bigEndian`), because glibc defines BIG_ENDIAN and LITTLE_ENDIAN as macros.
enum class Endian : unsigned char {
  bigEndian,     ///< "bigEndian": 0x12345678 is written 12 34 56 78 (the default).
  littleEndian,  ///< "littleEndian": 0x12345678 is written 78 56 34 12.
};

/// toString returns AS3's string for `endian`: "bigEndian" or "littleEndian".
constexpr std::string_view toString(Endian endian) noexcept {
  return endian == Endian::bigEndian ? "bigEndian" : "littleEndian";
}

/// parseEndian converts AS3's string form. Throws errors::ArgumentError #2008 for any other text.
AS3NET_EXPORT Endian parseEndian(std::string_view value);

}  // namespace as3::utils

#endif  // AS3_UTILS_ENDIAN_H_
