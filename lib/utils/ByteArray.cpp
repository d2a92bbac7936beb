#include "as3/utils/ByteArray.h"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <vector>

#include "errors/detail/Throw.h"
#include "utils/detail/Text.h"

namespace as3::utils {
namespace {

using errors::detail::throwError;

std::atomic<std::uint32_t> gDefaultObjectEncoding{ObjectEncoding::DEFAULT};

void checkObjectEncoding(std::uint32_t value) {
  if (value != ObjectEncoding::AMF0 && value != ObjectEncoding::AMF3)
    throwError(errors::detail::kBadEnumValue, {"objectEncoding"});
}

// The two atomic members are atomic with respect to each other. A few striped locks serve every
// array, so an array does not carry a mutex of its own.
std::mutex& atomicLockFor(const void* array) {
  static std::array<std::mutex, 16> locks;
  return locks[std::hash<const void*>{}(array) % locks.size()];
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes all of `text` or throws ArgumentError #2004 having produced nothing.
std::vector<std::uint8_t> decodeBase64(std::string_view text) {
  std::size_t end = text.size();
  if (end % 4 == 0 && end >= 4) {
    // Padding is optional, but where present it must close a full quantum.
    if (text[end - 1] == '=') --end;
    if (text[end - 1] == '=') --end;
  }
  if (end % 4 == 1) throwError(errors::detail::kInvalidParameter);
  std::vector<std::uint8_t> out;
  out.reserve(end / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < end; ++i) {
    int v = base64Value(text[i]);
    if (v < 0) throwError(errors::detail::kInvalidParameter);
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<std::uint8_t>(bits >> 16));
      out.push_back(static_cast<std::uint8_t>(bits >> 8));
      out.push_back(static_cast<std::uint8_t>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) out.push_back(static_cast<std::uint8_t>(bits >> 4));
  if (count == 3) {
    out.push_back(static_cast<std::uint8_t>(bits >> 10));
    out.push_back(static_cast<std::uint8_t>(bits >> 2));
  }
  return out;
}

std::vector<std::uint8_t> decodeHex(std::string_view text) {
  if (text.size() % 2 != 0) throwError(errors::detail::kInvalidParameter);
  std::vector<std::uint8_t> out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int high = hexValue(text[2 * i]), low = hexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) throwError(errors::detail::kInvalidParameter);
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return out;
}

}  // namespace

ByteArray::ByteArray() : objectEncoding_(defaultObjectEncoding()) {}

ByteArray::ByteArray(const void* bytes, std::size_t length) : ByteArray() {
  writeBytes(bytes, length);
  stream_.setPosition(0);
}

ByteArray::ByteArray(const ByteArray&) = default;
ByteArray& ByteArray::operator=(const ByteArray&) = default;
ByteArray::ByteArray(ByteArray&&) noexcept = default;
ByteArray& ByteArray::operator=(ByteArray&&) noexcept = default;
ByteArray::~ByteArray() = default;

void ByteArray::objectEncoding(std::uint32_t value) {
  checkObjectEncoding(value);
  objectEncoding_ = value;
}

std::uint32_t ByteArray::defaultObjectEncoding() noexcept {
  return gDefaultObjectEncoding.load();
}

void ByteArray::defaultObjectEncoding(std::uint32_t value) {
  checkObjectEncoding(value);
  gDefaultObjectEncoding.store(value);
}

std::int32_t ByteArray::atomicCompareAndSwapIntAt(std::int32_t byteIndex,
                                                  std::int32_t expectedValue,
                                                  std::int32_t newValue) {
  std::lock_guard<std::mutex> lock(atomicLockFor(this));
  if (byteIndex < 0 || byteIndex % 4 != 0 || std::int64_t{byteIndex} > std::int64_t{length()} - 4)
    throwError(errors::detail::kInvalidRange);
  // Storage comes from malloc and the index is a multiple of 4, so the int is aligned.
  auto* word = reinterpret_cast<std::int32_t*>(stream_.data() + byteIndex);
  std::int32_t previous = expectedValue;
  __atomic_compare_exchange_n(word, &previous, newValue, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return previous;
}

std::int32_t ByteArray::atomicCompareAndSwapLength(std::int32_t expectedLength,
                                                   std::int32_t newLength) {
  std::lock_guard<std::mutex> lock(atomicLockFor(this));
  // Flash reads newLength as a uint, so a negative one asks for about 4 GiB.
  if (newLength < 0) throwError(errors::detail::kOutOfMemory);
  auto previous = static_cast<std::int32_t>(length());
  if (previous == expectedLength) stream_.setLength(static_cast<std::uint32_t>(newLength));
  return previous;
}

std::string ByteArray::toString() const {
  const std::uint8_t* p = data();
  std::uint32_t n = length();
  if (n >= 3) {
    if (std::size_t bom = detail::skipUtf8Bom(p, n))
      return detail::decodeUtf8Lenient(p + bom, n - bom, /*stopAtNul=*/false);
    if (p[0] == 0xFE && p[1] == 0xFF) return detail::decodeUtf16(p + 2, n - 2, true, false);
    if (p[0] == 0xFF && p[1] == 0xFE) return detail::decodeUtf16(p + 2, n - 2, false, false);
  }
  return detail::decodeUtf8Lenient(p, n, /*stopAtNul=*/false);
}

std::string ByteArray::toJSON(std::string_view) const {
  return "ByteArray";
}

std::string ByteArray::toBase64() const {
  const std::uint8_t* p = data();
  std::uint32_t n = length();
  std::string out;
  out.reserve((std::size_t{n} + 2) / 3 * 4);
  std::uint32_t i = 0;
  for (; i + 3 <= n; i += 3) {
    std::uint32_t bits = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8 | p[i + 2];
    out += kBase64Alphabet[bits >> 18];
    out += kBase64Alphabet[bits >> 12 & 63];
    out += kBase64Alphabet[bits >> 6 & 63];
    out += kBase64Alphabet[bits & 63];
  }
  if (n - i == 1) {
    std::uint32_t bits = std::uint32_t{p[i]} << 16;
    out += kBase64Alphabet[bits >> 18];
    out += kBase64Alphabet[bits >> 12 & 63];
    out += "==";
  } else if (n - i == 2) {
    std::uint32_t bits = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8;
    out += kBase64Alphabet[bits >> 18];
    out += kBase64Alphabet[bits >> 12 & 63];
    out += kBase64Alphabet[bits >> 6 & 63];
    out += '=';
  }
  return out;
}

std::string ByteArray::toHexString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{length()} * 2);
  for (std::uint32_t i = 0; i < length(); ++i) {
    out += kDigits[data()[i] >> 4];
    out += kDigits[data()[i] & 15];
  }
  return out;
}

std::uint32_t ByteArray::writeBase64(std::string_view base64) {
  std::vector<std::uint8_t> bytes = decodeBase64(base64);
  writeBytes(bytes.data(), bytes.size());
  return static_cast<std::uint32_t>(bytes.size());
}

std::uint32_t ByteArray::writeHexString(std::string_view hex) {
  std::vector<std::uint8_t> bytes = decodeHex(hex);
  writeBytes(bytes.data(), bytes.size());
  return static_cast<std::uint32_t>(bytes.size());
}

ByteArray ByteArray::createFromBase64(std::string_view base64) {
  ByteArray array;
  array.writeBase64(base64);
  return array;
}

ByteArray ByteArray::createFromHexString(std::string_view hex) {
  ByteArray array;
  array.writeHexString(hex);
  return array;
}

void ByteArray::writeRandomBytes() {
  if (length() != 0) RAND_bytes(data(), length());
}

bool operator==(const ByteArray& a, const ByteArray& b) noexcept {
  return a.length() == b.length() &&
         (a.length() == 0 || std::memcmp(a.data(), b.data(), a.length()) == 0);
}

void ByteArray::setByteAt(std::uint32_t index, std::uint8_t value) {
  // The array would need 2^32 bytes.
  if (index == detail::ByteStream::kMaxLength) throwError(errors::detail::kOutOfMemory);
  stream_.writableRange(index, 1)[0] = value;
}

void ByteArray::readBytes(ByteArray& bytes, std::uint32_t offset, std::uint32_t length) {
  stream_.readBytesInto(bytes.stream_, offset, length);
}

std::string ByteArray::readMultiByte(std::uint32_t length, std::string_view charSet) {
  return stream_.readMultiByte(length, charSet);
}

std::string ByteArray::readUTF() {
  return stream_.readUTF(endian_);
}

std::string ByteArray::readUTFBytes(std::uint32_t length) {
  return stream_.readUTFBytes(length);
}

void ByteArray::writeBytes(const ByteArray& bytes, std::uint32_t offset, std::uint32_t length) {
  stream_.writeBytesFrom(bytes.stream_, offset, length);
}

void ByteArray::writeBytes(const void* bytes, std::size_t length) {
  if (length > detail::ByteStream::kMaxLength) throwError(errors::detail::kOutOfMemory);
  stream_.write(bytes, static_cast<std::uint32_t>(length));
}

void ByteArray::writeMultiByte(std::string_view value, std::string_view charSet) {
  stream_.writeMultiByte(value, charSet);
}

void ByteArray::writeUTF(std::string_view value) {
  stream_.writeUTF(value, endian_);
}

void ByteArray::writeUTFBytes(std::string_view value) {
  stream_.writeUTFBytes(value);
}

}  // namespace as3::utils
