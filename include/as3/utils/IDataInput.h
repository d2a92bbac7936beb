#ifndef AS3_UTILS_IDATAINPUT_H_
#define AS3_UTILS_IDATAINPUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/utils/Endian.h"

namespace as3::amf {
class Value;
}

namespace as3::utils {

class ByteArray;

/// IDataInput is AS3's flash.utils.IDataInput, implemented by ByteArray and Socket. Every read
/// throws errors::EOFError #2030 when fewer bytes are available than it needs, and then consumes
/// nothing, except readUTF, which has consumed its 2-byte length prefix (as in Flash).
/// Strings are UTF-8 in `std::string`. readObject returns an amf::Value: include
/// <as3/amf/Value.h> to use it.
class AS3NET_EXPORT IDataInput {
 public:
  virtual ~IDataInput();

  /// bytesAvailable counts the bytes that can be read now.
  virtual std::uint32_t bytesAvailable() const = 0;
  /// endian is the byte order of the multi-byte reads, readUTF's length prefix included.
  ///@{
  virtual Endian endian() const = 0;
  virtual void endian(Endian value) = 0;
  ///@}
  /// objectEncoding is the AMF version readObject() decodes: ObjectEncoding::AMF0 or AMF3.
  virtual std::uint32_t objectEncoding() const = 0;
  /// Throws errors::ArgumentError #2008 for anything but 0 or 3.
  virtual void objectEncoding(std::uint32_t value) = 0;

  /// readBoolean consumes 1 byte: false if it is 0, true otherwise.
  virtual bool readBoolean() = 0;
  /// readByte consumes 1 byte as a signed integer, -128 to 127.
  virtual std::int32_t readByte() = 0;
  /// readUnsignedByte consumes 1 byte, 0 to 255.
  virtual std::uint32_t readUnsignedByte() = 0;
  /// readShort consumes 2 bytes as a signed integer in endian() order.
  virtual std::int32_t readShort() = 0;
  /// readUnsignedShort consumes 2 bytes as an unsigned integer in endian() order.
  virtual std::uint32_t readUnsignedShort() = 0;
  /// readInt consumes 4 bytes as a signed integer in endian() order.
  virtual std::int32_t readInt() = 0;
  /// readUnsignedInt consumes 4 bytes as an unsigned integer in endian() order.
  virtual std::uint32_t readUnsignedInt() = 0;
  /// readFloat consumes 4 bytes as an IEEE single in endian() order, widened to double.
  virtual double readFloat() = 0;
  /// readDouble consumes 8 bytes as an IEEE double in endian() order.
  virtual double readDouble() = 0;
  /// readBytes copies `length` bytes (0: all available) into `bytes` at `offset`, growing it as
  /// needed; `bytes.position()` is not changed. RangeError #2006 if offset + length passes 2^32.
  virtual void readBytes(ByteArray& bytes, std::uint32_t offset = 0, std::uint32_t length = 0) = 0;
  /// readMultiByte decodes `length` bytes in `charSet` (see docs/charsets.md), cut at the first
  /// NUL character.
  virtual std::string readMultiByte(std::uint32_t length, std::string_view charSet) = 0;
  /// readUTF consumes a 2-byte length in endian() order, then that many bytes decoded as
  /// readUTFBytes() does. When the text is short it throws errors::EOFError #2030 with the
  /// length already consumed.
  virtual std::string readUTF() = 0;
  /// readUTFBytes consumes `length` bytes of UTF-8 as Flash decodes them: a leading EF BB BF is
  /// dropped, the text ends before the first NUL byte, and a byte that starts no well-formed
  /// sequence becomes the character of its value (0x89 becomes U+0089).
  virtual std::string readUTFBytes(std::uint32_t length) = 0;
  /// readObject decodes one AMF value in objectEncoding() (docs/amf.md). Throws what the bytes
  /// call for (EOFError #2030 when they end early, RangeError #2006 for a bad marker or
  /// reference, ...), the position then just after the last complete field read, as in Flash.
  virtual amf::Value readObject() = 0;

 protected:
  /// The interface has no state; only implementations create, copy or assign it.
  ///@{
  IDataInput() = default;
  IDataInput(const IDataInput&) = default;
  IDataInput& operator=(const IDataInput&) = default;
  ///@}
};

}  // namespace as3::utils

#endif  // AS3_UTILS_IDATAINPUT_H_
