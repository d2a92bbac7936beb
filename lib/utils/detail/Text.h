// Text conversions shared by ByteArray, Socket and the charset table. Strings are UTF-8 in
// std::string throughout the SDK, so "decoding" here means making well-formed UTF-8 out of bytes
// the way Flash's decoder reads them.
#ifndef AS3NET_LIB_UTILS_DETAIL_TEXT_H_
#define AS3NET_LIB_UTILS_DETAIL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace as3::utils::detail {

/// appendCodePoint appends `cp` as UTF-8. Surrogate code points are written as their own 3-byte
/// sequences, so a lone surrogate from UTF-16 survives a round trip, as in an AS3 String.
void appendCodePoint(std::string& out, std::uint32_t cp);

/// decodeUtf8Char decodes the well-formed UTF-8 sequence at `bytes` (encoded surrogates included,
/// as the SDK's strings may hold them) into `*cp` and returns its length, or returns 0 when the
/// byte there starts no such sequence (malformed, overlong, above U+10FFFF, or cut short).
std::size_t decodeUtf8Char(const std::uint8_t* bytes, std::size_t left, std::uint32_t* cp);

/// decodeUtf8Lenient decodes `n` bytes as Flash does: well-formed sequences (including encoded
/// surrogates) are kept; every byte of a malformed or overlong sequence becomes the character with
/// that byte's value (0x89 -> U+0089). With `stopAtNul` the result ends before the first NUL byte.
std::string decodeUtf8Lenient(const std::uint8_t* bytes, std::size_t n, bool stopAtNul);

/// skipUtf8Bom returns how many bytes a leading EF BB BF takes: 3 or 0.
inline std::size_t skipUtf8Bom(const std::uint8_t* bytes, std::size_t n) {
  return n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
}

/// decodeUtf8Text is how AS3 reads UTF-8 text (readUTFBytes, readMultiByte's "utf-8"): a leading
/// EF BB BF is dropped, the rest decoded leniently and cut before the first NUL byte.
inline std::string decodeUtf8Text(const std::uint8_t* bytes, std::size_t n) {
  std::size_t bom = skipUtf8Bom(bytes, n);
  return decodeUtf8Lenient(bytes + bom, n - bom, /*stopAtNul=*/true);
}

/// decodeUtf16 decodes `n` bytes of UTF-16 (an odd last byte is ignored). Unpaired surrogates are
/// kept as code points. With `stopAtNul` the result ends before the first U+0000.
std::string decodeUtf16(const std::uint8_t* bytes, std::size_t n, bool bigEndian, bool stopAtNul);

}  // namespace as3::utils::detail

#endif  // AS3NET_LIB_UTILS_DETAIL_TEXT_H_
