// readObject/writeObject for ByteArray (and the Socket), the free encode/decode functions, and the
// ObjectInput/ObjectOutput streams given to IExternalizable classes.
#include "amf/detail/Codec.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "as3/utils/ByteArray.h"
#include "errors/detail/Throw.h"
#include "utils/detail/Charsets.h"
#include "utils/detail/Text.h"

namespace as3::amf {
namespace {

std::mutex gLimitsMutex;
DecodeLimits gLimits;

void checkEncoding(std::uint32_t objectEncoding) {
  if (objectEncoding != utils::ObjectEncoding::AMF0 &&
      objectEncoding != utils::ObjectEncoding::AMF3)
    errors::detail::throwError(errors::detail::kBadEnumValue, {"objectEncoding"});
}

// One scratch buffer per thread: writeObject encodes there, then copies once, so a failure
// leaves the target untouched.
detail::OutBuffer& scratch() {
  thread_local detail::OutBuffer buffer;
  return buffer;
}

// Nested writeObject calls (from writeExternal into another ByteArray) need their own buffer.
thread_local int gScratchDepth = 0;

template <class Fn>
void encodeInto(std::uint32_t objectEncoding, Fn&& consume, const Value& value) {
  checkEncoding(objectEncoding);
  detail::OutBuffer nested;
  detail::OutBuffer& out = gScratchDepth == 0 ? scratch() : nested;
  ++gScratchDepth;
  out.clear();
  try {
    if (objectEncoding == utils::ObjectEncoding::AMF3) {
      detail::Amf3Writer writer(out);
      writer.writeValue(value);
    } else {
      detail::writeAmf0(out, value);
    }
  } catch (...) {
    --gScratchDepth;
    throw;
  }
  --gScratchDepth;
  consume(out.data(), out.size());
}

// forget drops what `v` holds without releasing it: an uncounted reference into a region.
void forget(Value& v) noexcept {
  ::new (&v) Value();
}

// readIntoRegion reads one AMF3 value into a new region (docs/design.md, "Decoded AMF3 graphs in
// one region"). False when the value needs the ordinary way (a registered class, a Dictionary,
// repeated names, more than Region::kMaxBytes): it is then read again from the start. Such a
// value is usually met at once, so the wasted part is small.
bool readIntoRegion(detail::Input& in, Value& out) {
  detail::Region* region = detail::Region::create(detail::currentHeap());
  try {
    detail::Amf3Reader reader(in, region);
    reader.readValue(out);
    if (detail::Node* root = out.node()) {
      reader.freezeRegion();
      detail::retain(root);  // the value's own reference keeps the region
      return true;
    }
    // A string or a primitive: no node, and the string gets the value's reference.
    if (out.type() == Type::String) detail::retain(out.stringRep());
  } catch (const detail::RegionRestart&) {
    forget(out);
    region->discard();
    return false;
  } catch (...) {
    forget(out);
    region->discard();
    throw;
  }
  region->discard();
  return true;
}

Value decodeFrom(const std::uint8_t* data, std::size_t size, std::uint64_t baseOffset,
                 std::uint32_t objectEncoding, const DecodeLimits& limits, std::size_t* consumed) {
  checkEncoding(objectEncoding);
  detail::Input in(data, data + size, baseOffset, limits);
  Value out;
  try {
    if (objectEncoding == utils::ObjectEncoding::AMF3) {
      if (readIntoRegion(in, out)) {
        *consumed = static_cast<std::size_t>(in.p - data);
        return out;
      }
      detail::Input again(data, data + size, baseOffset, limits);
      try {
        detail::Amf3Reader reader(again);
        reader.readValue(out);
      } catch (...) {
        in.p = again.p;
        throw;
      }
      in.p = again.p;
    } else {
      detail::readAmf0(in, out);
    }
  } catch (...) {
    *consumed = static_cast<std::size_t>(in.p - data);
    throw;
  }
  *consumed = static_cast<std::size_t>(in.p - data);
  return out;
}

}  // namespace

DecodeLimits DecodeLimits::defaults() noexcept {
  std::lock_guard<std::mutex> lock(gLimitsMutex);
  return gLimits;
}

void DecodeLimits::setDefaults(const DecodeLimits& limits) noexcept {
  std::lock_guard<std::mutex> lock(gLimitsMutex);
  gLimits = limits;
}

std::vector<std::uint8_t> encode(const Value& value, std::uint32_t objectEncoding) {
  std::vector<std::uint8_t> bytes;
  encodeInto(
      objectEncoding,
      [&bytes](const std::uint8_t* data, std::size_t size) { bytes.assign(data, data + size); },
      value);
  return bytes;
}

Value decode(const void* data, std::size_t size, std::uint32_t objectEncoding,
             std::size_t* consumed, const DecodeLimits& limits) {
  std::size_t used = 0;
  Value v = decodeFrom(static_cast<const std::uint8_t*>(data), size, 0, objectEncoding, limits,
                       consumed ? consumed : &used);
  return v;
}

namespace detail {

Value readObject(utils::detail::ByteStream& in, std::uint32_t objectEncoding,
                 const DecodeLimits& limits) {
  std::uint32_t start = in.position();
  std::size_t consumed = 0;
  std::size_t available = in.bytesAvailable();
  const std::uint8_t* data = in.data() ? in.data() + std::min(start, in.length()) : nullptr;
  static const std::uint8_t kNothing = 0;
  if (!data) data = &kNothing;
  try {
    Value v = decodeFrom(data, available, start, objectEncoding, limits, &consumed);
    in.setPosition(start + static_cast<std::uint32_t>(consumed));
    return v;
  } catch (...) {
    in.setPosition(start + static_cast<std::uint32_t>(consumed));
    throw;
  }
}

void writeObject(utils::detail::ByteStream& out, const Value& value, std::uint32_t objectEncoding) {
  encodeInto(
      objectEncoding,
      [&out](const std::uint8_t* data, std::size_t size) {
        if (size > utils::detail::ByteStream::kMaxLength - out.position())
          errors::detail::throwError(errors::detail::kOutOfMemory);
        out.write(data, static_cast<std::uint32_t>(size));
      },
      value);
}

void dedupeDictionary(DictionaryNode* node) {
  // Keys hash by what === compares: numbers by value, strings by content, objects by identity.
  auto hashKey = [](const Value& k) -> std::size_t {
    if (k.isNumeric()) return std::hash<double>()(k.asNumber());
    if (k.isString()) return std::hash<std::string_view>()(k.asString());
    return std::hash<const void*>()(k.node());
  };
  std::unordered_multimap<std::size_t, std::size_t> seen;
  seen.reserve(node->entries.size());
  std::vector<std::pair<Value, Value>> kept;
  kept.reserve(node->entries.size());
  for (auto& entry : node->entries) {
    std::size_t h = hashKey(entry.first);
    bool merged = false;
    auto range = seen.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      if (kept[it->second].first.strictEquals(entry.first)) {
        kept[it->second].second = std::move(entry.second);
        merged = true;
        break;
      }
    }
    if (!merged) {
      seen.emplace(h, kept.size());
      kept.push_back(std::move(entry));
    }
  }
  node->entries.swap(kept);
}

// ObjectInput -----------------------------------------------------------------------------------

std::uint32_t ObjectInput::bytesAvailable() const {
  return static_cast<std::uint32_t>(std::min<std::size_t>(in_.left(), 0xFFFFFFFFu));
}

void ObjectInput::objectEncoding(std::uint32_t value) {
  // Flash checks the value and then ignores it: the body is always AMF3.
  checkEncoding(value);
}

std::uint64_t ObjectInput::readBits(std::size_t n) {
  const std::uint8_t* p = in_.take(n, "an IExternalizable field");
  std::uint64_t v = 0;
  bool big = endian_ == utils::Endian::bigEndian;
  for (std::size_t i = 0; i < n; ++i) v = v << 8 | p[big ? i : n - 1 - i];
  return v;
}

bool ObjectInput::readBoolean() {
  return readBits(1) != 0;
}
std::int32_t ObjectInput::readByte() {
  return static_cast<std::int8_t>(readBits(1));
}
std::uint32_t ObjectInput::readUnsignedByte() {
  return static_cast<std::uint32_t>(readBits(1));
}
std::int32_t ObjectInput::readShort() {
  return static_cast<std::int16_t>(readBits(2));
}
std::uint32_t ObjectInput::readUnsignedShort() {
  return static_cast<std::uint32_t>(readBits(2));
}
std::int32_t ObjectInput::readInt() {
  return static_cast<std::int32_t>(readBits(4));
}
std::uint32_t ObjectInput::readUnsignedInt() {
  return static_cast<std::uint32_t>(readBits(4));
}
double ObjectInput::readFloat() {
  auto bits = static_cast<std::uint32_t>(readBits(4));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
double ObjectInput::readDouble() {
  std::uint64_t bits = readBits(8);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

void ObjectInput::readBytes(utils::ByteArray& bytes, std::uint32_t offset, std::uint32_t length) {
  if (length == 0) length = bytesAvailable();
  if (length > in_.left()) in_.failEof("IExternalizable bytes", length);
  if (std::uint64_t{offset} + length > 0xFFFFFFFFull)
    errors::detail::throwError(errors::detail::kIndexOutOfBounds);
  const std::uint8_t* p = in_.take(length, "IExternalizable bytes");
  std::uint32_t saved = bytes.position();
  bytes.position(offset);
  bytes.writeBytes(p, length);
  bytes.position(saved);
}

std::string ObjectInput::readMultiByte(std::uint32_t length, std::string_view charSet) {
  const std::uint8_t* p = in_.take(length, "IExternalizable text");
  return utils::detail::decodeMultiByte(p, length, charSet);
}

std::string ObjectInput::readUTF() {
  auto length = static_cast<std::uint32_t>(readBits(2));
  return readUTFBytes(length);
}

std::string ObjectInput::readUTFBytes(std::uint32_t length) {
  const std::uint8_t* p = in_.take(length, "IExternalizable text");
  return utils::detail::decodeUtf8Text(p, length);
}

Value ObjectInput::readObject() {
  Value v;
  reader_.readValue(v);
  return v;
}

// ObjectOutput ----------------------------------------------------------------------------------

void ObjectOutput::objectEncoding(std::uint32_t value) {
  checkEncoding(value);
}

void ObjectOutput::writeBits(std::uint64_t bits, std::size_t n) {
  std::uint8_t* o = out_.room(n);
  bool big = endian_ == utils::Endian::bigEndian;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t shift = 8 * (big ? n - 1 - i : i);
    o[i] = static_cast<std::uint8_t>(bits >> shift);
  }
  out_.commit(o + n);
}

void ObjectOutput::writeBoolean(bool value) {
  writeBits(value ? 1 : 0, 1);
}
void ObjectOutput::writeByte(std::int32_t value) {
  writeBits(static_cast<std::uint32_t>(value), 1);
}
void ObjectOutput::writeShort(std::int32_t value) {
  writeBits(static_cast<std::uint32_t>(value), 2);
}
void ObjectOutput::writeInt(std::int32_t value) {
  writeBits(static_cast<std::uint32_t>(value), 4);
}
void ObjectOutput::writeUnsignedInt(std::uint32_t value) {
  writeBits(value, 4);
}
void ObjectOutput::writeFloat(double value) {
  // The same single-precision rounding as ByteArray.writeFloat.
  utils::ByteArray one;
  one.writeFloat(value);
  std::uint32_t bits;
  std::memcpy(&bits, one.data(), 4);
  writeBits(__builtin_bswap32(bits), 4);
}
void ObjectOutput::writeDouble(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  writeBits(bits, 8);
}

void ObjectOutput::writeBytes(const utils::ByteArray& bytes, std::uint32_t offset,
                              std::uint32_t length) {
  // ByteArray's own writeBytes applies AS3's offset and length rules.
  utils::ByteArray slice;
  slice.writeBytes(bytes, offset, length);
  out_.bytes(slice.data(), slice.length());
}

void ObjectOutput::writeMultiByte(std::string_view value, std::string_view charSet) {
  std::string encoded = utils::detail::encodeMultiByte(value, charSet);
  out_.bytes(encoded.data(), encoded.size());
}

void ObjectOutput::writeUTF(std::string_view value) {
  if (value.size() > 0xFFFF) errors::detail::throwError(errors::detail::kIndexOutOfBounds);
  writeBits(value.size(), 2);
  out_.bytes(value.data(), value.size());
}

void ObjectOutput::writeUTFBytes(std::string_view value) {
  out_.bytes(value.data(), value.size());
}

void ObjectOutput::writeObject(const Value& object) {
  writer_.hold(object);
  writer_.writeValue(object);
}

}  // namespace detail
}  // namespace as3::amf

namespace as3::utils {

amf::Value ByteArray::readObject() {
  return amf::detail::readObject(stream_, objectEncoding_, amf::DecodeLimits::defaults());
}

void ByteArray::writeObject(const amf::Value& object) {
  amf::detail::writeObject(stream_, object, objectEncoding_);
}

}  // namespace as3::utils
