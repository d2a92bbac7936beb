#ifndef AS3_UTILS_IDATAOUTPUT_H_
#define AS3_UTILS_IDATAOUTPUT_H_

#include <cstdint>
#include <string_view>

#include "as3/Export.h"
#include "as3/utils/Endian.h"

namespace as3::amf {
class Value;
}

namespace as3::utils {

class ByteArray;

/// IDataOutput is AS3's flash.utils.IDataOutput, implemented by ByteArray and Socket. Integer
/// writes keep the low bits of their argument, as AS3's int and uint coercions do. Strings are
/// UTF-8 in `std::string_view` and are written as they are. writeObject takes an amf::Value:
/// include <as3/amf/Value.h> to use it.
class AS3NET_EXPORT IDataOutput {
 public:
  virtual ~IDataOutput();

  /// endian is the byte order of the multi-byte writes, writeUTF's length prefix included.
  ///@{
  virtual Endian endian() const = 0;
  virtual void endian(Endian value) = 0;
  ///@}
  /// objectEncoding is the AMF version writeObject() encodes: ObjectEncoding::AMF0 or AMF3.
  /// Setting anything else throws errors::ArgumentError #2008.
  ///@{
  virtual std::uint32_t objectEncoding() const = 0;
  virtual void objectEncoding(std::uint32_t value) = 0;
  ///@}

  /// writeBoolean writes 1 byte: 1 for true, 0 for false.
  virtual void writeBoolean(bool value) = 0;
  /// writeByte writes the low 8 bits of `value`.
  virtual void writeByte(std::int32_t value) = 0;
  /// writeShort writes the low 16 bits of `value` in endian() order.
  virtual void writeShort(std::int32_t value) = 0;
  /// writeInt writes `value` as 4 bytes in endian() order.
  virtual void writeInt(std::int32_t value) = 0;
  /// writeUnsignedInt writes `value` as 4 bytes in endian() order.
  virtual void writeUnsignedInt(std::uint32_t value) = 0;
  /// writeFloat rounds to single precision (out-of-range values become infinities).
  virtual void writeFloat(double value) = 0;
  /// writeDouble writes `value` as an IEEE double, 8 bytes in endian() order.
  virtual void writeDouble(double value) = 0;
  /// writeBytes copies `bytes[offset, offset + length)` (length 0: to the end); the source's
  /// position is neither used nor changed. RangeError #2006 when the range passes its end.
  virtual void writeBytes(const ByteArray& bytes, std::uint32_t offset = 0,
                          std::uint32_t length = 0) = 0;
  /// writeMultiByte encodes `value` in `charSet`, with no prefix or terminator; a character the
  /// charset cannot represent becomes '?' (see docs/charsets.md).
  virtual void writeMultiByte(std::string_view value, std::string_view charSet) = 0;
  /// writeObject encodes `object` as AMF in objectEncoding() (docs/amf.md). All or nothing:
  /// when it throws (ArgumentError #2004 for an IExternalizable class without an alias, ...),
  /// nothing has been written. Differs from AS3: Flash may leave part of the value written.
  virtual void writeObject(const amf::Value& object) = 0;
  /// writeUTF writes a u16 byte count then the bytes; RangeError #2006 (nothing written)
  /// over 65535.
  virtual void writeUTF(std::string_view value) = 0;
  /// writeUTFBytes writes the bytes of `value` as they are, with no prefix or terminator.
  virtual void writeUTFBytes(std::string_view value) = 0;

 protected:
  /// The interface has no state; only implementations create, copy or assign it.
  ///@{
  IDataOutput() = default;
  IDataOutput(const IDataOutput&) = default;
  IDataOutput& operator=(const IDataOutput&) = default;
  ///@}
};

}  // namespace as3::utils

#endif  // AS3_UTILS_IDATAOUTPUT_H_
