#include "as3/utils/detail/ByteStream.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <utility>

#include "errors/detail/Throw.h"
#include "utils/detail/Charsets.h"
#include "utils/detail/Text.h"

namespace as3::utils::detail {

using errors::detail::throwError;

constexpr std::size_t kAlignment = 64;

void throwEndOfFile() {
  throwError(errors::detail::kEndOfFile);
}

ByteStream::ByteStream(const ByteStream& other) : position_(other.position_) {
  if (other.length_ == 0) return;
  growCapacity(other.length_);
  std::memcpy(data_, other.data_, other.length_);
  length_ = other.length_;
}

ByteStream& ByteStream::operator=(const ByteStream& other) {
  if (this != &other) {
    ByteStream copy(other);
    *this = std::move(copy);
  }
  return *this;
}

ByteStream::ByteStream(ByteStream&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      position_(std::exchange(other.position_, 0)) {}

ByteStream& ByteStream::operator=(ByteStream&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    length_ = std::exchange(other.length_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    position_ = std::exchange(other.position_, 0);
  }
  return *this;
}

ByteStream::~ByteStream() {
  std::free(data_);
}

void ByteStream::growCapacity(std::uint64_t needed) {
  if (needed <= capacity_) return;
  if (needed > kMaxLength) throwError(errors::detail::kOutOfMemory);
  // Doubling keeps appends amortised O(1); small streams start at 64 bytes.
  std::uint64_t target = std::max<std::uint64_t>({needed, std::uint64_t{capacity_} * 2, 64});
  target = std::min<std::uint64_t>(target, kMaxLength);
  // Cache-line alignment: copies between two 16-byte-aligned malloc blocks run at about 0.7x of
  // memcpy's speed between aligned ones, and bulk readBytes/writeBytes is mostly that copy.
  std::size_t bytes = static_cast<std::size_t>((target + kAlignment - 1) / kAlignment * kAlignment);
  void* grown = std::aligned_alloc(kAlignment, bytes);
  if (!grown) throwError(errors::detail::kOutOfMemory);
  if (length_ != 0) std::memcpy(grown, data_, length_);
  std::free(data_);
  data_ = static_cast<std::uint8_t*>(grown);
  capacity_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, kMaxLength));
}

std::uint8_t* ByteStream::writableRange(std::uint32_t offset, std::uint32_t n) {
  std::uint64_t end = std::uint64_t{offset} + n;
  if (end > kMaxLength) throwError(errors::detail::kOutOfMemory);
  if (end > length_) {
    growCapacity(end);
    if (offset > length_) std::memset(data_ + length_, 0, offset - length_);
    length_ = static_cast<std::uint32_t>(end);
  }
  return data_ + offset;
}

std::uint8_t* ByteStream::makeRoomSlow(std::uint32_t n) {
  std::uint8_t* p = writableRange(position_, n);
  position_ += n;
  return p;
}

void ByteStream::write(const void* bytes, std::uint32_t n) {
  if (n == 0) return;
  auto source = reinterpret_cast<std::uintptr_t>(bytes);
  auto base = reinterpret_cast<std::uintptr_t>(data_);
  if (data_ && source >= base && source < base + capacity_) {
    // The source is inside this stream, which may move while it grows: copy by offset.
    std::size_t offset = source - base;
    std::uint8_t* target = makeRoom(n);
    std::memmove(target, data_ + offset, n);
    return;
  }
  std::memcpy(makeRoom(n), bytes, n);
}

void ByteStream::setLength(std::uint32_t length) {
  if (length > length_) {
    growCapacity(length);
    std::memset(data_ + length_, 0, length - length_);
  }
  length_ = length;
  position_ = std::min(position_, length);
}

void ByteStream::clear() noexcept {
  std::free(data_);
  data_ = nullptr;
  length_ = capacity_ = position_ = 0;
}

void ByteStream::reserve(std::uint32_t capacity) {
  growCapacity(capacity);
}

void ByteStream::readBytesInto(ByteStream& target, std::uint32_t offset, std::uint32_t length) {
  if (length == 0) length = bytesAvailable();
  if (length > bytesAvailable()) throwEndOfFile();
  if (std::uint64_t{offset} + length > kMaxLength) throwError(errors::detail::kIndexOutOfBounds);
  if (length == 0) return;
  std::uint32_t from = position_;
  std::uint8_t* to = target.writableRange(offset, length);
  // After writableRange: when target is this stream, data_ may have moved.
  std::memmove(to, data_ + from, length);
  position_ = from + length;
}

void ByteStream::writeBytesFrom(const ByteStream& source, std::uint32_t offset,
                                std::uint32_t length) {
  // AS3 computes the default length before clamping the offset, so an offset past the end wraps
  // to a huge length and fails below.
  if (length == 0) length = source.length_ - offset;
  offset = std::min(offset, source.length_);
  if (length > source.length_ - offset) throwError(errors::detail::kIndexOutOfBounds);
  write(source.data_ + offset, length);
}

std::string ByteStream::readUTFBytes(std::uint32_t length) {
  return decodeUtf8Text(take(length), length);
}

std::string ByteStream::readUTF(Endian endian) {
  // Flash consumes the prefix even when the body then turns out to be short.
  std::uint16_t length = readUnsigned<std::uint16_t>(endian);
  return readUTFBytes(length);
}

std::string ByteStream::readMultiByte(std::uint32_t length, std::string_view charSet) {
  const std::uint8_t* p = take(length);
  // Decoding may throw only for lack of memory; the bytes stay consumed, as in Flash.
  return decodeMultiByte(p, length, charSet);
}

void ByteStream::writeUTF(std::string_view value, Endian endian) {
  if (value.size() > 0xFFFF) throwError(errors::detail::kIndexOutOfBounds);
  std::uint64_t end = std::uint64_t{position_} + 2 + value.size();
  if (end > kMaxLength) throwError(errors::detail::kOutOfMemory);
  // Copy first if the text lives in this stream, which may move when the length prefix grows it.
  std::string copy;
  auto base = reinterpret_cast<std::uintptr_t>(data_);
  auto text = reinterpret_cast<std::uintptr_t>(value.data());
  if (data_ && text >= base && text < base + capacity_) value = copy.assign(value);
  writeUnsigned(static_cast<std::uint16_t>(value.size()), endian);
  write(value.data(), static_cast<std::uint32_t>(value.size()));
}

void ByteStream::writeUTFBytes(std::string_view value) {
  if (value.size() > kMaxLength) throwError(errors::detail::kOutOfMemory);
  write(value.data(), static_cast<std::uint32_t>(value.size()));
}

void ByteStream::writeMultiByte(std::string_view value, std::string_view charSet) {
  std::string encoded = encodeMultiByte(value, charSet);
  if (encoded.size() > kMaxLength) throwError(errors::detail::kOutOfMemory);
  write(encoded.data(), static_cast<std::uint32_t>(encoded.size()));
}

}  // namespace as3::utils::detail
