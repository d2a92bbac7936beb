#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/utils/ByteArray.h"
#include "support/Bytes.h"

using as3::utils::ByteArray;
using as3::utils::Endian;
using as3::utils::ObjectEncoding;

using test::arrayOf;
using test::bytesOf;
using test::requireError;

TEST_CASE("A new ByteArray has AS3's defaults", "[bytearray]") {
  ByteArray a;
  CHECK(a.length() == 0);
  CHECK(a.position() == 0);
  CHECK(a.bytesAvailable() == 0);
  CHECK(a.endian() == Endian::bigEndian);
  CHECK(a.objectEncoding() == ObjectEncoding::AMF3);
  CHECK_FALSE(a.shareable());
  CHECK(a.toString().empty());
  CHECK(a.toJSON("key") == "ByteArray");
}

TEST_CASE("position may pass length, a write there zero-fills the gap", "[bytearray]") {
  ByteArray a;
  a.position(100);
  CHECK(a.position() == 100);
  CHECK(a.length() == 0);
  CHECK(a.bytesAvailable() == 0);
  requireError<as3::errors::EOFError>([&] { a.readByte(); }, 2030);
  CHECK(a.position() == 100);
  a.writeUnsignedInt(0x01020304);
  CHECK(a.length() == 104);
  CHECK(a.position() == 104);
  for (std::uint32_t i = 0; i < 100; ++i) REQUIRE(a[i] == 0);
  CHECK(a[100] == 1);
  CHECK(a[103] == 4);
}

TEST_CASE("length grows with zeros, truncates, and clamps position", "[bytearray]") {
  ByteArray a;
  a.writeUTFBytes("abcdef");
  a.length(10);
  CHECK(bytesOf(a) == std::vector<int>{'a', 'b', 'c', 'd', 'e', 'f', 0, 0, 0, 0});
  CHECK(a.position() == 6);
  a.position(100);
  a.length(2);
  CHECK(a.position() == 2);
  CHECK(a.length() == 2);
  a.position(1);
  a.length(5);
  CHECK(a.position() == 1);
  CHECK(bytesOf(a) == std::vector<int>{'a', 'b', 0, 0, 0});
  CHECK(a.bytesAvailable() == 4);
}

TEST_CASE("Truncated bytes do not come back when the array grows again", "[bytearray]") {
  ByteArray a;
  a.writeUTFBytes("secret");
  a.length(0);
  a.length(6);
  CHECK(bytesOf(a) == std::vector<int>(6, 0));
  a.length(1);
  a.position(3);
  a.writeByte(7);
  CHECK(bytesOf(a) == std::vector<int>{0, 0, 0, 7});
}

TEST_CASE("clear empties the array but keeps endian and objectEncoding", "[bytearray]") {
  ByteArray a;
  a.endian(Endian::littleEndian);
  a.objectEncoding(ObjectEncoding::AMF0);
  a.writeInt(5);
  a.clear();
  CHECK(a.length() == 0);
  CHECK(a.position() == 0);
  CHECK(a.endian() == Endian::littleEndian);
  CHECK(a.objectEncoding() == ObjectEncoding::AMF0);
  a.writeByte(1);
  CHECK(a.length() == 1);
}

TEST_CASE("Fixed-size writes produce the exact bytes in both byte orders", "[bytearray]") {
  ByteArray big;
  big.writeBoolean(true);
  big.writeBoolean(false);
  big.writeByte(-2);
  big.writeByte(0x1FF);     // low 8 bits
  big.writeShort(0x12345);  // low 16 bits
  big.writeInt(0x12345678);
  big.writeUnsignedInt(0xFEDCBA98u);
  CHECK(bytesOf(big) == std::vector<int>{1, 0, 0xFE, 0xFF, 0x23, 0x45, 0x12, 0x34, 0x56, 0x78, 0xFE,
                                         0xDC, 0xBA, 0x98});

  ByteArray little;
  little.endian(Endian::littleEndian);
  little.writeShort(0x1234);
  little.writeInt(0x12345678);
  little.writeUnsignedInt(0xFEDCBA98u);
  CHECK(bytesOf(little) ==
        std::vector<int>{0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x98, 0xBA, 0xDC, 0xFE});
}

TEST_CASE("Floats and doubles are IEEE-754 in the array's byte order", "[bytearray]") {
  ByteArray a;
  a.writeDouble(1.0);
  a.writeFloat(1.0);
  a.endian(Endian::littleEndian);
  a.writeDouble(-2.5);
  a.writeFloat(0.1);
  CHECK(bytesOf(a) == std::vector<int>{0x3F, 0xF0, 0, 0, 0, 0, 0,    0,    0x3F, 0x80, 0,    0,
                                       0,    0,    0, 0, 0, 0, 0x04, 0xC0, 0xCD, 0xCC, 0xCC, 0x3D});
  a.position(0);
  a.endian(Endian::bigEndian);
  CHECK(a.readDouble() == 1.0);
  CHECK(a.readFloat() == 1.0);
  a.endian(Endian::littleEndian);
  CHECK(a.readDouble() == -2.5);
  // A float widened back to Number keeps its single-precision value.
  CHECK(a.readFloat() == static_cast<double>(0.1f));
}

TEST_CASE("writeFloat rounds out-of-range values as IEEE does", "[bytearray]") {
  ByteArray a;
  a.writeFloat(1e300);
  a.writeFloat(-1e300);
  a.writeFloat(std::numeric_limits<double>::quiet_NaN());
  a.writeFloat(3.4028235e38);  // just above FLT_MAX, rounds down to it
  a.writeFloat(-0.0);
  a.position(0);
  CHECK(a.readFloat() == std::numeric_limits<double>::infinity());
  CHECK(a.readFloat() == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(a.readFloat()));
  CHECK(a.readFloat() == static_cast<double>(std::numeric_limits<float>::max()));
  double negativeZero = a.readFloat();
  CHECK(negativeZero == 0.0);
  CHECK(std::signbit(negativeZero));
}

TEST_CASE("Reads return AS3's signed and unsigned values", "[bytearray]") {
  ByteArray a = arrayOf(
      {0xFF, 0xFF, 0x80, 0x00, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0x02});
  CHECK(a.readByte() == -1);
  CHECK(a.readUnsignedByte() == 255);
  CHECK(a.readShort() == -32768);
  CHECK(a.readUnsignedShort() == 32768);
  a.position(6);
  CHECK(a.readInt() == -2);
  a.position(6);
  CHECK(a.readUnsignedInt() == 0xFFFFFFFEu);
  CHECK(a.readBoolean() == true);
  a.position(14);
  CHECK(a.readBoolean() == true);
  ByteArray zero = arrayOf({0});
  CHECK(zero.readBoolean() == false);
}

TEST_CASE("A read that lacks bytes throws EOFError #2030 and consumes nothing", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3});
  a.position(1);
  requireError<as3::errors::EOFError>([&] { a.readInt(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readUnsignedInt(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readFloat(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readDouble(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readUTFBytes(3); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readMultiByte(3, "utf-8"); }, 2030);
  ByteArray target;
  requireError<as3::errors::EOFError>([&] { a.readBytes(target, 0, 3); }, 2030);
  CHECK(a.position() == 1);
  CHECK(target.length() == 0);
  CHECK(a.readShort() == 0x0203);
  requireError<as3::errors::EOFError>([&] { a.readBoolean(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readByte(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readUnsignedByte(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readShort(); }, 2030);
  requireError<as3::errors::EOFError>([&] { a.readUnsignedShort(); }, 2030);
  CHECK(a.position() == 3);
}

TEST_CASE("Writes overwrite in place and advance the position", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3, 4, 5});
  a.position(1);
  a.writeShort(0x0909);
  CHECK(bytesOf(a) == std::vector<int>{1, 9, 9, 4, 5});
  CHECK(a.position() == 3);
  a.position(4);
  a.writeShort(0x0707);
  CHECK(bytesOf(a) == std::vector<int>{1, 9, 9, 4, 7, 7});
}

TEST_CASE("endian takes AS3's strings and rejects others with #2008", "[bytearray]") {
  ByteArray a;
  a.endian("littleEndian");
  CHECK(a.endian() == Endian::littleEndian);
  CHECK(as3::utils::toString(a.endian()) == "littleEndian");
  a.endian("bigEndian");
  CHECK(a.endian() == Endian::bigEndian);
  requireError<as3::errors::ArgumentError>([&] { a.endian("BigEndian"); }, 2008);
  requireError<as3::errors::ArgumentError>([&] { a.endian(""); }, 2008);
  CHECK(a.endian() == Endian::bigEndian);
}

TEST_CASE("objectEncoding accepts 0 and 3, defaultObjectEncoding applies to new arrays",
          "[bytearray]") {
  ByteArray a;
  a.objectEncoding(0);
  CHECK(a.objectEncoding() == 0);
  requireError<as3::errors::ArgumentError>([&] { a.objectEncoding(2); }, 2008);
  CHECK(a.objectEncoding() == 0);

  REQUIRE(ByteArray::defaultObjectEncoding() == ObjectEncoding::AMF3);
  ByteArray::defaultObjectEncoding(ObjectEncoding::AMF0);
  ByteArray created;
  ByteArray::defaultObjectEncoding(ObjectEncoding::AMF3);
  CHECK(created.objectEncoding() == ObjectEncoding::AMF0);
  CHECK(ByteArray().objectEncoding() == ObjectEncoding::AMF3);
  requireError<as3::errors::ArgumentError>([&] { ByteArray::defaultObjectEncoding(1); }, 2008);
  CHECK(ByteArray::defaultObjectEncoding() == ObjectEncoding::AMF3);
}

TEST_CASE("readBytes copies into the target at offset and leaves its position", "[bytearray]") {
  ByteArray source = arrayOf({1, 2, 3, 4, 5});
  source.position(1);
  ByteArray target = arrayOf({9});
  target.position(1);
  source.readBytes(target, 3, 2);
  CHECK(bytesOf(target) == std::vector<int>{9, 0, 0, 2, 3});
  CHECK(target.position() == 1);
  CHECK(source.position() == 3);

  // length 0 means everything available.
  source.readBytes(target, 0);
  CHECK(bytesOf(target) == std::vector<int>{4, 5, 0, 2, 3});
  CHECK(source.bytesAvailable() == 0);

  // Nothing available and length 0: nothing happens.
  source.readBytes(target, 100);
  CHECK(target.length() == 5);
}

TEST_CASE("readBytes refuses offset + length past 2^32 with RangeError #2006", "[bytearray]") {
  ByteArray source = arrayOf({1, 2});
  ByteArray target;
  requireError<as3::errors::RangeError>([&] { source.readBytes(target, 0xFFFFFFFFu, 2); }, 2006);
  CHECK(source.position() == 0);
  CHECK(target.length() == 0);
}

TEST_CASE("readBytes into itself behaves as memmove", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3, 4, 5, 6});
  a.position(0);
  a.readBytes(a, 2, 4);
  CHECK(bytesOf(a) == std::vector<int>{1, 2, 1, 2, 3, 4});
  CHECK(a.position() == 4);

  ByteArray grow = arrayOf({1, 2, 3});
  grow.readBytes(grow, 1000, 3);  // forces the storage to move mid-copy
  CHECK(grow.length() == 1003);
  CHECK(grow[1000] == 1);
  CHECK(grow[1002] == 3);
}

TEST_CASE("writeBytes follows the VM's offset and length rules", "[bytearray]") {
  ByteArray source = arrayOf({1, 2, 3, 4, 5});
  source.position(4);  // ignored and unchanged
  ByteArray a;
  a.writeBytes(source);
  CHECK(bytesOf(a) == std::vector<int>{1, 2, 3, 4, 5});
  a.writeBytes(source, 3);
  CHECK(bytesOf(a) == std::vector<int>{1, 2, 3, 4, 5, 4, 5});
  a.writeBytes(source, 1, 2);
  CHECK(bytesOf(a) == std::vector<int>{1, 2, 3, 4, 5, 4, 5, 2, 3});
  CHECK(source.position() == 4);
  CHECK(a.position() == 9);

  // offset == length with length 0 writes nothing.
  a.writeBytes(source, 5);
  CHECK(a.length() == 9);
  // offset past the end: the default length wraps and fails.
  requireError<as3::errors::RangeError>([&] { a.writeBytes(source, 6); }, 2006);
  // an explicit length past the end fails; the offset alone is clamped.
  requireError<as3::errors::RangeError>([&] { a.writeBytes(source, 3, 3); }, 2006);
  requireError<as3::errors::RangeError>([&] { a.writeBytes(source, 9, 1); }, 2006);
  CHECK(a.length() == 9);
  CHECK(a.position() == 9);
}

TEST_CASE("writeBytes from itself copies the bytes as they were", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3});
  a.position(3);
  a.writeBytes(a);  // grows while copying from itself
  CHECK(bytesOf(a) == std::vector<int>{1, 2, 3, 1, 2, 3});
  a.position(1);
  a.writeBytes(a, 3, 3);
  CHECK(bytesOf(a) == std::vector<int>{1, 1, 2, 3, 2, 3});

  ByteArray big;
  for (int i = 0; i < 1000; ++i) big.writeByte(i);
  big.writeBytes(big.data(), big.length());  // raw pointer into itself, storage moves
  REQUIRE(big.length() == 2000);
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(big[i + 1000] == big[i]);
}

TEST_CASE("Index access reads bytes and grows on assignment", "[bytearray]") {
  ByteArray a;
  CHECK(std::as_const(a)[5] == 0);
  a[3] = 0x1FF;
  CHECK(bytesOf(a) == std::vector<int>{0, 0, 0, 0xFF});
  CHECK(a.position() == 0);
  a[0] = a[3];
  CHECK(a[0] == 0xFF);
  std::uint8_t value = a[3];
  CHECK(value == 0xFF);
  requireError<as3::errors::MemoryError>([&] { a[0xFFFFFFFFu] = 1; }, 1000);
}

TEST_CASE("Growing past 4 GiB - 1 is MemoryError #1000 and changes nothing", "[bytearray]") {
  ByteArray a;
  a.position(0xFFFFFFFEu);
  requireError<as3::errors::MemoryError>([&] { a.writeInt(1); }, 1000);
  requireError<as3::errors::MemoryError>([&] { a.writeUTF("abc"); }, 1000);
  CHECK(a.length() == 0);
  CHECK(a.position() == 0xFFFFFFFEu);
}

TEST_CASE("Copies are deep, moves leave an empty array", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3});
  a.position(2);
  a.endian(Endian::littleEndian);
  ByteArray copy = a;
  copy[0] = 9;
  CHECK(a[0] == 1);
  CHECK(copy.position() == 2);
  CHECK(copy.endian() == Endian::littleEndian);
  ByteArray moved = std::move(copy);
  CHECK(bytesOf(moved) == std::vector<int>{9, 2, 3});
  CHECK(moved.position() == 2);
  a = moved;
  CHECK(a == moved);
  CHECK(a != arrayOf({9, 2}));
  CHECK(ByteArray() == ByteArray());
}

TEST_CASE("atomicCompareAndSwapIntAt swaps only on a match, in host order", "[bytearray]") {
  ByteArray a;
  a.length(8);
  CHECK(a.atomicCompareAndSwapIntAt(4, 0, 0x01020304) == 0);
  CHECK(a.atomicCompareAndSwapIntAt(4, 5, 7) == 0x01020304);  // no match: unchanged
  std::int32_t stored;
  std::memcpy(&stored, a.data() + 4, 4);
  CHECK(stored == 0x01020304);
  CHECK(a.position() == 0);
  requireError<as3::errors::RangeError>([&] { a.atomicCompareAndSwapIntAt(2, 0, 1); }, 1506);
  requireError<as3::errors::RangeError>([&] { a.atomicCompareAndSwapIntAt(8, 0, 1); }, 1506);
  requireError<as3::errors::RangeError>([&] { a.atomicCompareAndSwapIntAt(-4, 0, 1); }, 1506);
  ByteArray tiny = arrayOf({1, 2});
  requireError<as3::errors::RangeError>([&] { tiny.atomicCompareAndSwapIntAt(0, 0, 1); }, 1506);
}

TEST_CASE("atomicCompareAndSwapLength sets the length only on a match", "[bytearray]") {
  ByteArray a = arrayOf({1, 2, 3});
  a.position(3);
  CHECK(a.atomicCompareAndSwapLength(2, 10) == 3);
  CHECK(a.length() == 3);
  CHECK(a.atomicCompareAndSwapLength(3, 1) == 3);
  CHECK(a.length() == 1);
  CHECK(a.position() == 1);
  CHECK(a.atomicCompareAndSwapLength(1, 4) == 1);
  CHECK(bytesOf(a) == std::vector<int>{1, 0, 0, 0});
  requireError<as3::errors::MemoryError>([&] { a.atomicCompareAndSwapLength(4, -1); }, 1000);
  CHECK(a.length() == 4);
}

TEST_CASE("Base64 and hex convert the whole array and write at the position", "[bytearray]") {
  CHECK(arrayOf({}).toBase64().empty());
  CHECK(arrayOf({'f'}).toBase64() == "Zg==");
  CHECK(arrayOf({'f', 'o'}).toBase64() == "Zm8=");
  CHECK(arrayOf({'f', 'o', 'o'}).toBase64() == "Zm9v");
  CHECK(arrayOf({0xFB, 0xFF, 0x00}).toBase64() == "+/8A");
  CHECK(arrayOf({0x00, 0xAB, 0xFF}).toHexString() == "00abff");

  ByteArray a = arrayOf({1, 2});
  a.position(1);
  CHECK(a.writeBase64("Zm9vYg==") == 4);
  CHECK(bytesOf(a) == std::vector<int>{1, 'f', 'o', 'o', 'b'});
  CHECK(a.writeBase64("Zm8") == 2);  // padding optional
  CHECK(a.writeHexString("0aFF") == 2);
  CHECK(bytesOf(a) == std::vector<int>{1, 'f', 'o', 'o', 'b', 'f', 'o', 0x0A, 0xFF});

  for (const char* bad : {"Z", "Zm9v!", "Zm=v", "====", "Zg=", "Z==="}) {
    INFO(bad);
    requireError<as3::errors::ArgumentError>([&] { a.writeBase64(bad); }, 2004);
  }
  for (const char* bad : {"0", "0g", "zz"}) {
    INFO(bad);
    requireError<as3::errors::ArgumentError>([&] { a.writeHexString(bad); }, 2004);
  }
  CHECK(a.length() == 9);

  ByteArray fromBase64 = ByteArray::createFromBase64("AQID");
  CHECK(bytesOf(fromBase64) == std::vector<int>{1, 2, 3});
  CHECK(fromBase64.position() == 3);
  CHECK(bytesOf(ByteArray::createFromHexString("010203")) == std::vector<int>{1, 2, 3});
  requireError<as3::errors::ArgumentError>([&] { ByteArray::createFromHexString("0"); }, 2004);
}

TEST_CASE("writeRandomBytes overwrites every byte and keeps length and position", "[bytearray]") {
  ByteArray a;
  a.length(4096);
  a.position(10);
  a.writeRandomBytes();
  CHECK(a.length() == 4096);
  CHECK(a.position() == 10);
  int zeros = 0;
  for (std::uint32_t i = 0; i < a.length(); ++i) zeros += a[i] == 0;
  CHECK(zeros < 64);  // 16 expected; 64 zeros in 4096 random bytes is astronomically unlikely
  ByteArray b = a;
  b.writeRandomBytes();
  CHECK(a != b);
  ByteArray empty;
  empty.writeRandomBytes();
  CHECK(empty.length() == 0);
}

TEST_CASE("The shareable flag is kept", "[bytearray]") {
  ByteArray a;
  a.shareable(true);
  CHECK(a.shareable());
}

TEST_CASE("ByteArray works through IDataInput and IDataOutput", "[bytearray]") {
  ByteArray a;
  as3::utils::IDataOutput& out = a;
  out.endian(Endian::littleEndian);
  out.writeInt(-5);
  out.writeUTF("hi");
  a.position(0);
  as3::utils::IDataInput& in = a;
  CHECK(in.bytesAvailable() == 8);
  CHECK(in.readInt() == -5);
  CHECK(in.readUTF() == "hi");
}

TEST_CASE("an empty read past the end of an empty array is fine", "[bytearray]") {
  // Found by fuzz_bytearray: a zero-length take at position 5 of an array with no storage.
  ByteArray a;
  a.position(5);
  CHECK(a.readUTFBytes(0).empty());
  CHECK(a.readMultiByte(0, "utf-8").empty());
  CHECK(a.position() == 5);
}
