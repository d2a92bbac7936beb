// Small checks the certificate, identity and socket targets share: a contract failure aborts
// with a message (libFuzzer then saves the input), and the text properties the SDK promises.
#ifndef AS3NET_FUZZ_CHECKS_H_
#define AS3NET_FUZZ_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

// broken reports a contract the library failed and aborts, so that the input is kept.
[[noreturn]] inline void broken(const char* target, const std::string& what) {
  std::fprintf(stderr, "%s: contract broken: %s\n", target, what.c_str());
  std::fflush(stderr);
  std::abort();
}

// known says whether the finding `name` is listed in AS3NET_FUZZ_KNOWN (comma-separated): a
// bug still open, whose check a long run skips so that it can look for others. The corpus keeps
// the finding's input as a regression; CI never sets the variable. fuzz/README.md lists names.
inline bool known(std::string_view name) {
  static const std::string list = [] {
    const char* text = std::getenv("AS3NET_FUZZ_KNOWN");
    return "," + std::string(text ? text : "") + ",";
  }();
  return list.find("," + std::string(name) + ",") != std::string::npos;
}

// isUtf8 says whether `s` is UTF-8 as the SDK's strings hold it: shortest forms up to U+10FFFF;
// encoded surrogates are allowed, as an AS3 String may hold a lone one.
inline bool isUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    unsigned c = p[i];
    std::size_t len = c < 0x80             ? 1
                      : (c & 0xE0) == 0xC0 ? 2
                      : (c & 0xF0) == 0xE0 ? 3
                      : (c & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (len == 0 || n - i < len) return false;
    std::uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (p[i + k] & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

// isHex says whether `s` holds only hexadecimal digits of one case.
inline bool isHex(std::string_view s, bool upper) {
  for (char c : s) {
    bool digit = c >= '0' && c <= '9';
    bool letter = upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f');
    if (!digit && !letter) return false;
  }
  return true;
}

// Reader hands out the input's bytes from the front; past the end it gives zeros.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const noexcept { return pos_ >= size_; }
  std::size_t left() const noexcept { return pos_ < size_ ? size_ - pos_ : 0; }
  std::uint8_t byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    std::uint16_t high = byte();
    return static_cast<std::uint16_t>(high << 8 | byte());
  }
  // bytes takes up to `n` bytes.
  std::string_view bytes(std::size_t n) noexcept {
    n = n < left() ? n : left();
    std::string_view out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }
  std::string_view rest() noexcept { return bytes(left()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace fuzz

#endif  // AS3NET_FUZZ_CHECKS_H_
