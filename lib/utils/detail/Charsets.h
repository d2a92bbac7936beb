// The charset table behind readMultiByte and writeMultiByte: a fixed map from AS3's charset
// labels (case-insensitive, with Flash's aliases) to codecs, identical on every machine.
// docs/charsets.md lists it.
#ifndef AS3NET_LIB_UTILS_DETAIL_CHARSETS_H_
#define AS3NET_LIB_UTILS_DETAIL_CHARSETS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace as3::utils::detail {

/// decodeMultiByte decodes `n` bytes in `charSet` to UTF-8, cut at the first NUL character.
/// An unknown label decodes as UTF-8 (never the OS code page).
std::string decodeMultiByte(const std::uint8_t* bytes, std::size_t n, std::string_view charSet);

/// encodeMultiByte encodes UTF-8 `text` in `charSet`; a character the charset lacks becomes '?'.
/// An unknown label encodes as UTF-8.
std::string encodeMultiByte(std::string_view text, std::string_view charSet);

}  // namespace as3::utils::detail

#endif  // AS3NET_LIB_UTILS_DETAIL_CHARSETS_H_
