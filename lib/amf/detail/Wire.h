// The byte-level rules every AMF reader and writer shares: U29 integers, their limits, and the
// integer range AMF3 sends with the integer marker. Header-only so the codec's hot loops inline it
// and the command-line tool's wire dissector uses the very same rules.
#ifndef AS3NET_LIB_AMF_DETAIL_WIRE_H_
#define AS3NET_LIB_AMF_DETAIL_WIRE_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace as3::amf::detail {

/// kU29Max is the largest U29 (2^29 - 1); kU28Max the largest length, count or index that a
/// U29 with a flag bit carries (2^28 - 1).
inline constexpr std::uint32_t kU29Max = 0x1FFFFFFFu;
inline constexpr std::uint32_t kU28Max = 0x0FFFFFFFu;
/// AMF3 sends an integral value with the integer marker only inside [-2^28, 2^28 - 1].
inline constexpr std::int32_t kAmf3IntMin = -0x10000000;
inline constexpr std::int32_t kAmf3IntMax = 0x0FFFFFFF;

/// U29Result is a decoded U29 and the bytes it took; `size` is 0 when the input ended first.
struct U29Result {
  std::uint32_t value;
  std::uint32_t size;
};

/// decodeU29 reads one U29 from [p, end): up to three 7-bit groups with a continuation bit, then
/// a full 8-bit group. Non-minimal forms are accepted, as every Flash-era reader does.
inline U29Result decodeU29(const std::uint8_t* p, const std::uint8_t* end) noexcept {
  std::uint32_t value = 0;
  for (std::uint32_t i = 0; i < 3; ++i) {
    if (p + i >= end) return {0, 0};
    std::uint8_t b = p[i];
    if (b < 0x80) return {(value << 7) | b, i + 1};
    value = (value << 7) | (b & 0x7Fu);
  }
  if (p + 3 >= end) return {0, 0};
  return {(value << 8) | p[3], 4};
}

/// u29Size is how many bytes encodeU29 writes for `value` (at most kU29Max).
inline constexpr std::uint32_t u29Size(std::uint32_t value) noexcept {
  return value < 0x80u ? 1 : value < 0x4000u ? 2 : value < 0x200000u ? 3 : 4;
}

/// encodeU29 writes the shortest form of `value` (at most kU29Max) at `out` and returns the
/// bytes written; `out` must have room for 4.
inline std::uint32_t encodeU29(std::uint8_t* out, std::uint32_t value) noexcept {
  if (value < 0x80u) {
    out[0] = static_cast<std::uint8_t>(value);
    return 1;
  }
  if (value < 0x4000u) {
    out[0] = static_cast<std::uint8_t>((value >> 7) | 0x80u);
    out[1] = static_cast<std::uint8_t>(value & 0x7Fu);
    return 2;
  }
  if (value < 0x200000u) {
    out[0] = static_cast<std::uint8_t>((value >> 14) | 0x80u);
    out[1] = static_cast<std::uint8_t>(((value >> 7) & 0x7Fu) | 0x80u);
    out[2] = static_cast<std::uint8_t>(value & 0x7Fu);
    return 3;
  }
  out[0] = static_cast<std::uint8_t>(((value >> 22) & 0x7Fu) | 0x80u);
  out[1] = static_cast<std::uint8_t>(((value >> 15) & 0x7Fu) | 0x80u);
  out[2] = static_cast<std::uint8_t>(((value >> 8) & 0x7Fu) | 0x80u);
  out[3] = static_cast<std::uint8_t>(value & 0xFFu);
  return 4;
}

/// signedFromU29 turns the 29-bit two's complement of the integer marker into an int.
inline constexpr std::int32_t signedFromU29(std::uint32_t u) noexcept {
  return (u & 0x10000000u) ? static_cast<std::int32_t>(u) - 0x20000000
                           : static_cast<std::int32_t>(u);
}

/// fitsAmf3Int tells whether `value` is integral, not -0, and inside the integer marker's range:
/// what avmplus stores as an int atom and so writes with the integer marker.
/// Decided on the bits: converting to int and back costs a long dependency chain per Number.
inline bool fitsAmf3Int(double value) noexcept {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (bits == 0) return true;  // +0; -0 stays a double
  int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  // Below 1 in size (zero done), or 2^29 and beyond, NaN and the infinities among them.
  if (exponent < 0 || exponent > 28) return false;
  // Of the values in [2^28, 2^29) in size only -2^28 is inside the range.
  if (exponent == 28) return bits == 0xC1B0000000000000ull;
  // Integral when no mantissa bit is left below the units.
  return (bits << (12 + exponent)) == 0;
}

/// bigEndianDouble reads the 8-byte big-endian double at `p`, bits as they are.
inline double bigEndianDouble(const std::uint8_t* p) noexcept {
  std::uint64_t bits;
  std::memcpy(&bits, p, sizeof bits);
  bits = __builtin_bswap64(bits);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

/// Flash writes NaN as x86's default NaN, sign bit set.
inline constexpr std::uint64_t kFlashNaNBits = 0xFFF8000000000000ull;

/// storeFlashDouble writes `d` as 8 big-endian bytes at `o`, as Flash does: every NaN as
/// Flash's NaN.
inline void storeFlashDouble(std::uint8_t* o, double d) noexcept {
  std::uint64_t bits = kFlashNaNBits;
  if (!std::isnan(d)) std::memcpy(&bits, &d, sizeof bits);
  bits = __builtin_bswap64(bits);
  std::memcpy(o, &bits, sizeof bits);
}

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_WIRE_H_
