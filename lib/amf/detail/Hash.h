// The byte hash the AMF string tables share: the writer's content table and the interned names
// keep it in StringRep::hash, so a string is hashed once however often it is written.
#ifndef AS3NET_LIB_AMF_DETAIL_HASH_H_
#define AS3NET_LIB_AMF_DETAIL_HASH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace as3::amf::detail {

inline std::uint64_t load64(const char* s) noexcept {
  std::uint64_t w;
  std::memcpy(&w, s, 8);
  return w;
}
inline std::uint32_t load32(const char* s) noexcept {
  std::uint32_t w;
  std::memcpy(&w, s, 4);
  return w;
}

/// equalBytes compares `n` bytes; up to 16 of them with overlapping word loads instead of a call
/// to memcmp (names and short values are most of what AMF compares).
inline bool equalBytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n > 16) return std::memcmp(a, b, n) == 0;
  if (n >= 8) return ((load64(a) ^ load64(b)) | (load64(a + n - 8) ^ load64(b + n - 8))) == 0;
  if (n >= 4) return ((load32(a) ^ load32(b)) | (load32(a + n - 4) ^ load32(b + n - 4))) == 0;
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// hashBytes mixes 8 bytes at a time. The last word overlaps bytes already mixed rather than
/// being assembled a byte at a time: byte stores then a word load stall on store forwarding.
inline std::uint64_t hashBytes(const char* s, std::size_t n) noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  const char* end = s + n;
  std::uint64_t tail;
  if (n >= 8) {
    for (; end - s > 8; s += 8) {
      h = (h ^ load64(s)) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 29;
    }
    tail = load64(end - 8);
  } else if (n >= 4) {
    tail = std::uint64_t{load32(s)} << 32 | load32(end - 4);
  } else if (n > 0) {
    tail = std::uint64_t{static_cast<unsigned char>(s[0])} << 16 |
           std::uint64_t{static_cast<unsigned char>(s[n / 2])} << 8 |
           static_cast<unsigned char>(end[-1]);
  } else {
    tail = 0;
  }
  h = (h ^ tail) * 0x94D049BB133111EBull;
  return h ^ (h >> 32);
}

/// textHash is what StringRep::hash holds: never 0, which means "not made yet".
inline std::uint32_t textHash(const char* s, std::size_t n) noexcept {
  return static_cast<std::uint32_t>(hashBytes(s, n)) | 1u;
}

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_HASH_H_
