#include "utils/detail/Text.h"

namespace as3::utils::detail {

void appendCodePoint(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// Length of the well-formed sequence starting at p, or 0 if it is malformed.
std::size_t wellFormedLength(const std::uint8_t* p, std::size_t left) {
  std::uint8_t b0 = p[0];
  auto cont = [&](std::size_t i) { return i < left && (p[i] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string decodeUtf8Lenient(const std::uint8_t* bytes, std::size_t n, bool stopAtNul) {
  std::string out;
  out.reserve(n);
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs are copied as they are.
    std::size_t start = i;
    while (i < n && bytes[i] < 0x80 && !(stopAtNul && bytes[i] == 0)) ++i;
    out.append(reinterpret_cast<const char*>(bytes + start), i - start);
    if (i == n || (stopAtNul && bytes[i] == 0)) break;
    std::size_t len = wellFormedLength(bytes + i, n - i);
    if (len) {
      out.append(reinterpret_cast<const char*>(bytes + i), len);
      i += len;
    } else {
      appendCodePoint(out, bytes[i]);
      ++i;
    }
  }
  return out;
}

std::string decodeUtf16(const std::uint8_t* bytes, std::size_t n, bool bigEndian, bool stopAtNul) {
  std::string out;
  out.reserve(n);
  auto unit = [&](std::size_t i) -> std::uint32_t {
    return bigEndian ? (bytes[i] << 8 | bytes[i + 1]) : (bytes[i + 1] << 8 | bytes[i]);
  };
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    std::uint32_t u = unit(i);
    if (u == 0 && stopAtNul) break;
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
      std::uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        appendCodePoint(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    appendCodePoint(out, u);
  }
  return out;
}

}  // namespace as3::utils::detail
