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

std::size_t decodeUtf8Char(const std::uint8_t* p, std::size_t left, std::uint32_t* cp) {
  std::uint8_t b0 = p[0];
  auto cont = [&](std::size_t i) { return i < left && (p[i] & 0xC0) == 0x80; };
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    *cp = (b0 & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    return 2;
  }
  // E0 80..9F and F0 80..8F would be overlong; F4 90.. is past U+10FFFF.
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2) && !(b0 == 0xE0 && p[1] < 0xA0)) {
    *cp = (b0 & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3) && !(b0 == 0xF0 && p[1] < 0x90) &&
      !(b0 == 0xF4 && p[1] > 0x8F)) {
    *cp = (b0 & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
    return 4;
  }
  return 0;
}

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
    std::uint32_t cp;
    std::size_t len = decodeUtf8Char(bytes + i, n - i, &cp);
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
