#ifndef AS3_UTILS_BYTEARRAY_H_
#define AS3_UTILS_BYTEARRAY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "as3/Export.h"
#include "as3/utils/CompressionAlgorithm.h"
#include "as3/utils/Endian.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "as3/utils/ObjectEncoding.h"
#include "as3/utils/detail/ByteStream.h"

/// as3::utils holds AS3's flash.utils classes: ByteArray, the IDataInput and IDataOutput
/// interfaces, IExternalizable, Endian, CompressionAlgorithm, and ObjectEncoding.
namespace as3::utils {

/// ByteArray is AS3's flash.utils.ByteArray: bytes with a read/write position, big-endian by
/// default. The position may be set past the length: reads there throw errors::EOFError #2030,
/// writes there zero-fill the gap. Lengths are 32-bit, as in AS3; growing past 4 GiB - 1 throws
/// errors::MemoryError #1000. Not thread-safe, except the two atomicCompareAndSwap members.
/// Differs from AS3: a value type (copying copies the bytes); AS3 properties are a getter `p()`
/// and a setter `p(value)`.
class AS3NET_EXPORT ByteArray : public IDataInput, public IDataOutput {
 public:
  class ByteRef;

  /// Creates an empty array: position 0, big-endian, objectEncoding = defaultObjectEncoding().
  ByteArray();
  /// Creates an array holding a copy of `bytes`, position 0. Not in AS3.
  ByteArray(const void* bytes, std::size_t length);
  /// A copy has its own bytes and the same position, endian, objectEncoding and shareable; a
  /// moved-from array is empty, at position 0.
  ///@{
  ByteArray(const ByteArray&);
  ByteArray& operator=(const ByteArray&);
  ByteArray(ByteArray&&) noexcept;
  ByteArray& operator=(ByteArray&&) noexcept;
  ///@}
  ~ByteArray() override;

  // --- properties --------------------------------------------------------------------------
  /// length is the number of bytes in the array.
  std::uint32_t length() const noexcept { return stream_.length(); }
  /// length(value) zero-fills growth, truncates otherwise; the position is clamped to it.
  void length(std::uint32_t value) { stream_.setLength(value); }
  /// position is where the next read or write starts.
  std::uint32_t position() const noexcept { return stream_.position(); }
  /// position(value) accepts any value, even past the length; it is never clamped.
  void position(std::uint32_t value) noexcept { stream_.setPosition(value); }
  /// bytesAvailable is length() - position(), or 0 when the position is past the length.
  std::uint32_t bytesAvailable() const noexcept final { return stream_.bytesAvailable(); }

  Endian endian() const noexcept final { return endian_; }
  void endian(Endian value) noexcept final { endian_ = value; }
  /// endian(text) takes AS3's strings; anything else throws errors::ArgumentError #2008.
  void endian(std::string_view value) { endian_ = parseEndian(value); }

  std::uint32_t objectEncoding() const noexcept final { return objectEncoding_; }
  void objectEncoding(std::uint32_t value) final;
  /// defaultObjectEncoding applies to arrays created afterwards (initially ObjectEncoding::AMF3).
  static std::uint32_t defaultObjectEncoding() noexcept;
  /// Throws errors::ArgumentError #2008 for anything but 0 or 3.
  static void defaultObjectEncoding(std::uint32_t value);

  /// shareable is kept for porting: as3net has no workers, so it only makes compress() and
  /// uncompress() throw errors::ArgumentError #3735, as Flash does for shared arrays.
  ///@{
  bool shareable() const noexcept { return shareable_; }
  void shareable(bool value) noexcept { shareable_ = value; }
  ///@}

  // --- whole-array operations -------------------------------------------------------------
  /// clear sets length and position to 0 and releases the storage; endian and
  /// objectEncoding are kept.
  void clear() noexcept { stream_.clear(); }

  /// compress replaces the whole array (whatever the position) with its compressed form and puts
  /// the position at the end. `algorithm` is CompressionAlgorithm::ZLIB (level 9), DEFLATE (raw,
  /// level 9) or LZMA (LZMA-alone with the real size); any other name throws errors::IOError
  /// #2058. An empty array stays empty.
  void compress(std::string_view algorithm = CompressionAlgorithm::ZLIB);
  /// uncompress replaces the whole array with its decompressed form and puts the position at 0.
  /// Bad data throws errors::IOError #2058 and leaves the bytes and position as they were.
  void uncompress(std::string_view algorithm = CompressionAlgorithm::ZLIB);
  /// deflate is compress(CompressionAlgorithm::DEFLATE).
  void deflate() { compress(CompressionAlgorithm::DEFLATE); }
  /// inflate is uncompress(CompressionAlgorithm::DEFLATE).
  void inflate() { uncompress(CompressionAlgorithm::DEFLATE); }

  /// atomicCompareAndSwapIntAt atomically replaces the 32-bit int at `byteIndex` (host byte order,
  /// as in Flash) with `newValue` if it equals `expectedValue`, and returns the value it held.
  /// Throws errors::RangeError #1506 unless byteIndex is a multiple of 4 within length() - 4.
  std::int32_t atomicCompareAndSwapIntAt(std::int32_t byteIndex, std::int32_t expectedValue,
                                         std::int32_t newValue);
  /// atomicCompareAndSwapLength sets the length to `newLength` if it equals `expectedLength`,
  /// atomically with respect to the other atomic member, and returns the old length.
  /// A negative newLength means about 4 GiB to Flash: errors::MemoryError #1000.
  std::int32_t atomicCompareAndSwapLength(std::int32_t expectedLength, std::int32_t newLength);

  /// toString decodes the whole array: UTF-8 after an EF BB BF mark, UTF-16 after FE FF or FF FE
  /// (only when length() >= 3), otherwise lenient UTF-8 in which an invalid byte b becomes U+00b.
  /// NUL characters are kept. The position is not used.
  std::string toString() const;
  /// toJSON returns "ByteArray", as AS3's prototype function does.
  std::string toJSON(std::string_view key = {}) const;
  /// toBase64 is RFC 4648 base64 of the whole array, with padding (AIR 51).
  std::string toBase64() const;
  /// toHexString is two lower-case hex digits per byte of the whole array (AIR 51).
  std::string toHexString() const;
  /// writeBase64 decodes RFC 4648 base64 (padding optional) and writes the bytes at the position,
  /// returning how many. Throws errors::ArgumentError #2004, writing nothing, for malformed text.
  std::uint32_t writeBase64(std::string_view base64);
  /// writeHexString decodes hex digits (either case, an even count) like writeBase64.
  std::uint32_t writeHexString(std::string_view hex);
  /// createFromBase64 and createFromHexString return a new array holding the decoded bytes,
  /// its position at the end. They throw as writeBase64() and writeHexString() do.
  ///@{
  static ByteArray createFromBase64(std::string_view base64);
  static ByteArray createFromHexString(std::string_view hex);
  ///@}
  /// writeRandomBytes overwrites the current length() bytes with cryptographically random ones.
  void writeRandomBytes();

  /// `ba[i]` reads the byte at i, or 0 past the length (AS3 gives undefined); assigning stores
  /// `value & 0xFF`, growing the array with zeros as needed. The position is not changed.
  ///@{
  ByteRef operator[](std::uint32_t index) noexcept;
  std::uint8_t operator[](std::uint32_t index) const noexcept {
    return index < length() ? stream_.data()[index] : 0;
  }
  ///@}

  /// data is the storage (length() bytes); it moves when the array grows. Not in AS3.
  ///@{
  std::uint8_t* data() noexcept { return stream_.data(); }
  const std::uint8_t* data() const noexcept { return stream_.data(); }
  ///@}
  /// stream is the reader/writer core under the array, which Socket shares. Internal.
  ///@{
  detail::ByteStream& stream() noexcept { return stream_; }
  const detail::ByteStream& stream() const noexcept { return stream_; }
  ///@}

  /// Two arrays are equal when their bytes are; position, endian and encoding are ignored.
  friend AS3NET_EXPORT bool operator==(const ByteArray& a, const ByteArray& b) noexcept;
  friend bool operator!=(const ByteArray& a, const ByteArray& b) noexcept { return !(a == b); }

  // --- IDataInput --------------------------------------------------------------------------
  bool readBoolean() final { return stream_.take(1)[0] != 0; }
  std::int32_t readByte() final { return static_cast<std::int8_t>(stream_.take(1)[0]); }
  std::uint32_t readUnsignedByte() final { return stream_.take(1)[0]; }
  std::int32_t readShort() final {
    return static_cast<std::int16_t>(stream_.readUnsigned<std::uint16_t>(endian_));
  }
  std::uint32_t readUnsignedShort() final { return stream_.readUnsigned<std::uint16_t>(endian_); }
  std::int32_t readInt() final {
    return static_cast<std::int32_t>(stream_.readUnsigned<std::uint32_t>(endian_));
  }
  std::uint32_t readUnsignedInt() final { return stream_.readUnsigned<std::uint32_t>(endian_); }
  double readFloat() final { return stream_.readFloat(endian_); }
  double readDouble() final { return stream_.readDouble(endian_); }
  void readBytes(ByteArray& bytes, std::uint32_t offset = 0, std::uint32_t length = 0) final;
  std::string readMultiByte(std::uint32_t length, std::string_view charSet) final;
  std::string readUTF() final;
  std::string readUTFBytes(std::uint32_t length) final;

  // --- IDataOutput -------------------------------------------------------------------------
  void writeBoolean(bool value) final { *stream_.makeRoom(1) = value ? 1 : 0; }
  void writeByte(std::int32_t value) final {
    *stream_.makeRoom(1) = static_cast<std::uint8_t>(value);
  }
  void writeShort(std::int32_t value) final {
    stream_.writeUnsigned(static_cast<std::uint16_t>(value), endian_);
  }
  void writeInt(std::int32_t value) final {
    stream_.writeUnsigned(static_cast<std::uint32_t>(value), endian_);
  }
  void writeUnsignedInt(std::uint32_t value) final { stream_.writeUnsigned(value, endian_); }
  void writeFloat(double value) final { stream_.writeFloat(value, endian_); }
  void writeDouble(double value) final { stream_.writeDouble(value, endian_); }
  void writeBytes(const ByteArray& bytes, std::uint32_t offset = 0, std::uint32_t length = 0) final;
  /// writeBytes(pointer, length) copies raw bytes at the position. Not in AS3.
  void writeBytes(const void* bytes, std::size_t length);
  void writeMultiByte(std::string_view value, std::string_view charSet) final;
  void writeUTF(std::string_view value) final;
  void writeUTFBytes(std::string_view value) final;
  amf::Value readObject() final;
  void writeObject(const amf::Value& object) final;

 private:
  friend class ByteRef;
  void setByteAt(std::uint32_t index, std::uint8_t value);

  detail::ByteStream stream_;
  Endian endian_ = Endian::bigEndian;
  std::uint32_t objectEncoding_;
  bool shareable_ = false;
};

/// ByteRef is what a non-const `ba[i]` returns: it reads as the byte and assigns through.
class ByteArray::ByteRef {
 public:
  /// Reads the byte, or 0 past the length.
  operator std::uint8_t() const noexcept { return std::as_const(*array_)[index_]; }
  /// Stores `value & 0xFF`, growing the array with zeros as needed. Throws
  /// errors::MemoryError #1000 at index 0xFFFFFFFF (the array would need 4 GiB).
  ByteRef& operator=(std::int32_t value) {
    array_->setByteAt(index_, static_cast<std::uint8_t>(value));
    return *this;
  }
  /// Stores the byte `other` reads, for `a[i] = b[j]`.
  ByteRef& operator=(const ByteRef& other) { return *this = static_cast<std::uint8_t>(other); }

 private:
  friend class ByteArray;
  ByteRef(ByteArray* array, std::uint32_t index) noexcept : array_(array), index_(index) {}
  ByteArray* array_;
  std::uint32_t index_;
};

inline ByteArray::ByteRef ByteArray::operator[](std::uint32_t index) noexcept {
  return ByteRef(this, index);
}

}  // namespace as3::utils

#endif  // AS3_UTILS_BYTEARRAY_H_
