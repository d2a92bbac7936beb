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

  virtual std::uint32_t bytesAvailable() const = 0;
  virtual Endian endian() const = 0;
  virtual void endian(Endian value) = 0;
  virtual std::uint32_t objectEncoding() const = 0;
  /// Throws errors::ArgumentError #2008 for anything but 0 or 3.
  virtual void objectEncoding(std::uint32_t value) = 0;

  virtual bool readBoolean() = 0;
  virtual std::int32_t readByte() = 0;
  virtual std::uint32_t readUnsignedByte() = 0;
  virtual std::int32_t readShort() = 0;
  virtual std::uint32_t readUnsignedShort() = 0;
  virtual std::int32_t readInt() = 0;
  virtual std::uint32_t readUnsignedInt() = 0;
  virtual double readFloat() = 0;
  virtual double readDouble() = 0;
  /// readBytes copies `length` bytes (0: all available) into `bytes` at `offset`, growing it as
  /// needed; `bytes.position()` is not changed. RangeError #2006 if offset + length passes 2^32.
  virtual void readBytes(ByteArray& bytes, std::uint32_t offset = 0, std::uint32_t length = 0) = 0;
  /// readMultiByte decodes `length` bytes in `charSet` (see docs/charsets.md), cut at the first
  /// NUL character.
  virtual std::string readMultiByte(std::uint32_t length, std::string_view charSet) = 0;
  virtual std::string readUTF() = 0;
  virtual std::string readUTFBytes(std::uint32_t length) = 0;
  /// readObject decodes one AMF value in objectEncoding() (docs/amf.md). Throws what the bytes
  /// call for (EOFError #2030 when they end early, RangeError #2006 for a bad marker or
  /// reference, ...), the position then just after the last complete field read, as in Flash.
  virtual amf::Value readObject() = 0;

 protected:
  IDataInput() = default;
  IDataInput(const IDataInput&) = default;
  IDataInput& operator=(const IDataInput&) = default;
};

}  // namespace as3::utils

#endif  // AS3_UTILS_IDATAINPUT_H_
