// The AMF entry points behind ByteArray (and later Socket) readObject/writeObject, and the
// streams IExternalizable methods receive.
#ifndef AS3NET_LIB_AMF_DETAIL_CODEC_H_
#define AS3NET_LIB_AMF_DETAIL_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amf/detail/Amf3.h"
#include "as3/amf/Codec.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "as3/utils/detail/ByteStream.h"

namespace as3::amf::detail {

/// readObject decodes one value at `in`'s position. On failure the position is left just past
/// the last complete field, as Flash leaves it, and the error propagates.
Value readObject(utils::detail::ByteStream& in, std::uint32_t objectEncoding,
                 const DecodeLimits& limits);
/// writeObject encodes `value` at `out`'s position; nothing is written when it throws.
void writeObject(utils::detail::ByteStream& out, const Value& value, std::uint32_t objectEncoding);

/// The AMF0 codec (Amf0.cpp): one top-level value with its own tables.
void readAmf0(Input& in, Value& out);
void writeAmf0(OutBuffer& out, const Value& value);

/// classAliasGeneration changes whenever registerClassAlias runs: a class found by alias while
/// it stays the same is still the class of that alias.
std::uint64_t classAliasGeneration() noexcept;
/// parseIndex reads a canonical Array index ("0", "17"; not "01", not 2^32 - 1).
bool parseIndex(std::string_view key, std::uint32_t* index);
/// normalizeArray applies AS3's assignment order to a freshly read Array (Amf3.cpp).
void normalizeArray(ArrayNode* node);
/// dropRepeatedKeys keeps the last value of each repeated key of freshly read members, at the
/// first key's place (Amf3.cpp).
void dropRepeatedKeys(Members& members);
/// assignNativeMember stores a value read from AMF in the member `name` of the C++ instance of
/// `node` (which has `native` set), or skips it as Flash skips a failed assignment (Amf3.cpp).
void assignNativeMember(ObjectNode* node, std::string_view name, const Value& value);
/// dedupeDictionary keeps the last value of each repeated key of a freshly read Dictionary.
void dedupeDictionary(DictionaryNode* node);
/// numberToString is AS3's String(Number).
std::string numberToString(double d);

/// ObjectInput is flash.utils.ObjectInput: what readExternal reads from. Primitive reads use its
/// own endian (big until set); readObject continues the enclosing reader's tables.
class ObjectInput final : public utils::IDataInput {
 public:
  explicit ObjectInput(Amf3Reader& reader) noexcept : reader_(reader), in_(reader.input()) {}

  std::uint32_t bytesAvailable() const override;
  utils::Endian endian() const override { return endian_; }
  void endian(utils::Endian value) override { endian_ = value; }
  std::uint32_t objectEncoding() const override { return utils::ObjectEncoding::AMF3; }
  void objectEncoding(std::uint32_t value) override;
  bool readBoolean() override;
  std::int32_t readByte() override;
  std::uint32_t readUnsignedByte() override;
  std::int32_t readShort() override;
  std::uint32_t readUnsignedShort() override;
  std::int32_t readInt() override;
  std::uint32_t readUnsignedInt() override;
  double readFloat() override;
  double readDouble() override;
  void readBytes(utils::ByteArray& bytes, std::uint32_t offset, std::uint32_t length) override;
  std::string readMultiByte(std::uint32_t length, std::string_view charSet) override;
  std::string readUTF() override;
  std::string readUTFBytes(std::uint32_t length) override;
  Value readObject() override;

 private:
  std::uint64_t readBits(std::size_t n);
  Amf3Reader& reader_;
  Input& in_;
  utils::Endian endian_ = utils::Endian::bigEndian;
};

/// ObjectOutput is flash.utils.ObjectOutput: what writeExternal writes to.
class ObjectOutput final : public utils::IDataOutput {
 public:
  explicit ObjectOutput(Amf3Writer& writer) noexcept : writer_(writer), out_(writer.output()) {}

  utils::Endian endian() const override { return endian_; }
  void endian(utils::Endian value) override { endian_ = value; }
  std::uint32_t objectEncoding() const override { return utils::ObjectEncoding::AMF3; }
  void objectEncoding(std::uint32_t value) override;
  void writeBoolean(bool value) override;
  void writeByte(std::int32_t value) override;
  void writeShort(std::int32_t value) override;
  void writeInt(std::int32_t value) override;
  void writeUnsignedInt(std::uint32_t value) override;
  void writeFloat(double value) override;
  void writeDouble(double value) override;
  void writeBytes(const utils::ByteArray& bytes, std::uint32_t offset,
                  std::uint32_t length) override;
  void writeMultiByte(std::string_view value, std::string_view charSet) override;
  void writeUTF(std::string_view value) override;
  void writeUTFBytes(std::string_view value) override;
  void writeObject(const Value& object) override;

 private:
  void writeBits(std::uint64_t bits, std::size_t n);
  Amf3Writer& writer_;
  OutBuffer& out_;
  utils::Endian endian_ = utils::Endian::bigEndian;
};

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_CODEC_H_
