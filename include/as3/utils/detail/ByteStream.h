// ByteStream is the one bounds-checked reader/writer core under ByteArray and Socket. It lives in a
// public header only so that the fixed-size reads and writes inline into the caller; applications
// use ByteArray and Socket, never this.
#ifndef AS3_UTILS_DETAIL_BYTESTREAM_H_
#define AS3_UTILS_DETAIL_BYTESTREAM_H_

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "as3/Export.h"
#include "as3/utils/Endian.h"

namespace as3::utils::detail {

/// throwEndOfFile throws errors::EOFError #2030. Out of line and cold, so the checks stay small.
[[noreturn]] AS3NET_EXPORT void throwEndOfFile();

/// ByteStream is a growable byte buffer with a position that may lie past its length, as a
/// ByteArray's does. Reads compare against what is left and consume nothing when they fail;
/// writes at the position overwrite, grow the buffer and zero-fill any gap they leave.
/// Lengths and positions are 32-bit, as in AS3: a write that would pass 4 GiB - 1 throws
/// errors::MemoryError #1000 and changes nothing.
class AS3NET_EXPORT ByteStream {
 public:
  static constexpr std::uint32_t kMaxLength = 0xFFFFFFFFu;

  ByteStream() noexcept = default;
  ByteStream(const ByteStream& other);
  ByteStream& operator=(const ByteStream& other);
  ByteStream(ByteStream&& other) noexcept;
  ByteStream& operator=(ByteStream&& other) noexcept;
  ~ByteStream();
  /// swap exchanges the two streams' buffers: what sockets do with their spare buffers on every
  /// read, so it costs four exchanges and none of std::swap's moves and frees.
  friend void swap(ByteStream& a, ByteStream& b) noexcept {
    std::swap(a.data_, b.data_);
    std::swap(a.length_, b.length_);
    std::swap(a.capacity_, b.capacity_);
    std::swap(a.position_, b.position_);
  }

  std::uint8_t* data() noexcept { return data_; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::uint32_t length() const noexcept { return length_; }
  std::uint32_t position() const noexcept { return position_; }
  std::uint32_t capacity() const noexcept { return capacity_; }
  void setPosition(std::uint32_t position) noexcept { position_ = position; }
  std::uint32_t bytesAvailable() const noexcept {
    return position_ < length_ ? length_ - position_ : 0;
  }

  /// setLength zero-fills growth, truncates otherwise, and clamps the position to the new length.
  void setLength(std::uint32_t length);
  /// clear empties the stream and releases its storage.
  void clear() noexcept;
  /// reserve makes room for `capacity` bytes without changing the length.
  void reserve(std::uint32_t capacity);

  /// take consumes `n` bytes at the position and returns them, or throws EOFError #2030 and
  /// consumes nothing. The pointer is valid until the next write.
  const std::uint8_t* take(std::uint32_t n) {
    if (n > bytesAvailable()) throwEndOfFile();
    // An empty take may sit past the end of an empty stream, where data_ is null.
    if (n == 0) return data_;
    const std::uint8_t* p = data_ + position_;
    position_ += n;
    return p;
  }

  /// makeRoom returns where `n` bytes may be written at the position, after advancing the position
  /// past them; the length grows to cover them, and any gap before them is zero-filled.
  std::uint8_t* makeRoom(std::uint32_t n) {
    if (position_ <= length_ && n <= capacity_ - position_) {
      std::uint8_t* p = data_ + position_;
      position_ += n;
      if (position_ > length_) length_ = position_;
      return p;
    }
    return makeRoomSlow(n);
  }

  /// write copies `n` bytes to the position; `bytes` may point into this stream.
  void write(const void* bytes, std::uint32_t n);

  /// writableRange makes `[offset, offset + n)` part of the stream (zero-filling any gap before
  /// it, not the range itself) and returns where it starts. The position is not changed.
  std::uint8_t* writableRange(std::uint32_t offset, std::uint32_t n);

  // The operations ByteArray and Socket share, with AS3's rules (see IDataInput, IDataOutput).
  void readBytesInto(ByteStream& target, std::uint32_t offset, std::uint32_t length);
  void writeBytesFrom(const ByteStream& source, std::uint32_t offset, std::uint32_t length);
  std::string readUTF(Endian endian);
  std::string readUTFBytes(std::uint32_t length);
  std::string readMultiByte(std::uint32_t length, std::string_view charSet);
  void writeUTF(std::string_view value, Endian endian);
  void writeUTFBytes(std::string_view value);
  void writeMultiByte(std::string_view value, std::string_view charSet);

  template <class T>
  T readUnsigned(Endian endian) {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return needsSwap(endian) ? swap(value) : value;
  }

  template <class T>
  void writeUnsigned(T value, Endian endian) {
    if (needsSwap(endian)) value = swap(value);
    std::memcpy(makeRoom(sizeof(T)), &value, sizeof(T));
  }

  double readFloat(Endian endian) {
    std::uint32_t bits = readUnsigned<std::uint32_t>(endian);
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

  double readDouble(Endian endian) {
    std::uint64_t bits = readUnsigned<std::uint64_t>(endian);
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

  void writeFloat(double value, Endian endian) {
    float single = toSingle(value);
    std::uint32_t bits;
    std::memcpy(&bits, &single, sizeof bits);
    writeUnsigned(bits, endian);
  }

  void writeDouble(double value, Endian endian) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    writeUnsigned(bits, endian);
  }

 private:
  static constexpr bool needsSwap(Endian endian) noexcept {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return endian == Endian::bigEndian;
#else
    return endian == Endian::littleEndian;
#endif
  }
  static std::uint16_t swap(std::uint16_t v) noexcept {
    return __builtin_bswap16(v);
  }
  static std::uint32_t swap(std::uint32_t v) noexcept {
    return __builtin_bswap32(v);
  }
  static std::uint64_t swap(std::uint64_t v) noexcept {
    return __builtin_bswap64(v);
  }

  // Rounds to the nearest single as IEEE does; C++ leaves out-of-range finite conversions
  // undefined.
  static float toSingle(double value) noexcept {
    if (std::isfinite(value) && std::fabs(value) > FLT_MAX) {
      // Above FLT_MAX by half an ulp (2^103) or more rounds to infinity.
      const double limit = static_cast<double>(FLT_MAX) + 0x1p103;
      float magnitude = std::fabs(value) >= limit ? HUGE_VALF : FLT_MAX;
      return value < 0 ? -magnitude : magnitude;
    }
    return static_cast<float>(value);
  }

  std::uint8_t* makeRoomSlow(std::uint32_t n);
  void growCapacity(std::uint64_t needed);

  std::uint8_t* data_ = nullptr;
  std::uint32_t length_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t position_ = 0;
};

}  // namespace as3::utils::detail

#endif  // AS3_UTILS_DETAIL_BYTESTREAM_H_
