#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "as3/errors/EOFError.h"
#include "as3/errors/RangeError.h"
#include "as3/utils/ByteArray.h"
#include "support/Bytes.h"

using as3::utils::ByteArray;
using as3::utils::Endian;

using test::arrayOf;
using test::bytesOf;
using test::requireError;

TEST_CASE("writeUTF writes a u16 byte count in the array's order, then UTF-8", "[bytearray][utf]") {
  ByteArray big;
  big.writeUTF("h\xC3\xA9");  // "hé": 3 bytes
  CHECK(bytesOf(big) == std::vector<int>{0, 3, 'h', 0xC3, 0xA9});
  ByteArray little;
  little.endian(Endian::littleEndian);
  little.writeUTF("ab");
  CHECK(bytesOf(little) == std::vector<int>{2, 0, 'a', 'b'});
  little.position(0);
  CHECK(little.readUTF() == "ab");
  ByteArray empty;
  empty.writeUTF("");
  CHECK(bytesOf(empty) == std::vector<int>{0, 0});
}

TEST_CASE("writeUTF takes 65535 bytes and refuses 65536 with RangeError #2006, writing nothing",
          "[bytearray][utf]") {
  ByteArray a;
  a.writeUTF(std::string(65535, 'x'));
  CHECK(a.length() == 65537);
  CHECK(a[0] == 0xFF);
  CHECK(a[1] == 0xFF);
  a.position(0);
  CHECK(a.readUTF().size() == 65535);

  ByteArray b;
  try {
    b.writeUTF(std::string(65536, 'x'));
    FAIL("no throw");
  } catch (const as3::errors::RangeError& e) {
    CHECK(e.errorID() == 2006);
  }
  CHECK(b.length() == 0);
  CHECK(b.position() == 0);
}

TEST_CASE("readUTF consumes its prefix even when the body is short (Flash quirk)",
          "[bytearray][utf]") {
  ByteArray a = arrayOf({0, 5, 'a', 'b'});
  CHECK_THROWS_AS(a.readUTF(), as3::errors::EOFError);
  CHECK(a.position() == 2);
  CHECK(a.readUTFBytes(2) == "ab");

  ByteArray one = arrayOf({0});
  CHECK_THROWS_AS(one.readUTF(), as3::errors::EOFError);
  CHECK(one.position() == 0);
}

TEST_CASE("readUTFBytes drops a leading BOM, stops at NUL, and consumes all n bytes",
          "[bytearray][utf]") {
  ByteArray a = arrayOf({0xEF, 0xBB, 0xBF, 'h', 'i', 0, 'x', 'y', 'z'});
  CHECK(a.readUTFBytes(9) == "hi");
  CHECK(a.position() == 9);

  ByteArray middle = arrayOf({'a', 0xEF, 0xBB, 0xBF, 'b'});
  CHECK(middle.readUTFBytes(5) ==
        "a\xEF\xBB\xBF"
        "b");  // only a leading mark is dropped

  ByteArray nulFirst = arrayOf({0, 'a'});
  CHECK(nulFirst.readUTFBytes(2).empty());
  CHECK(nulFirst.position() == 2);

  ByteArray zero = arrayOf({'a'});
  CHECK(zero.readUTFBytes(0).empty());
  CHECK(zero.position() == 0);
}

TEST_CASE("Malformed UTF-8 decodes byte by byte to the characters of those bytes",
          "[bytearray][utf]") {
  // 0x89 alone is U+0089; E2 28 A1 is a broken 3-byte sequence.
  ByteArray a = arrayOf({0x89, 'A', 0xE2, 0x28, 0xA1});
  CHECK(a.readUTFBytes(5) ==
        "\xC2\x89"
        "A"
        "\xC3\xA2(\xC2\xA1");
  // Overlong encodings are not accepted as the character they spell.
  ByteArray overlong = arrayOf({0xC0, 0xAF, 0xE0, 0x80, 0xAF});
  CHECK(overlong.readUTFBytes(5) == "\xC3\x80\xC2\xAF\xC3\xA0\xC2\x80\xC2\xAF");
  // A truncated sequence at the end.
  ByteArray truncated = arrayOf({'o', 'k', 0xE2, 0x82});
  CHECK(truncated.readUTFBytes(4) == "ok\xC3\xA2\xC2\x82");
  // Well-formed sequences of every length pass through.
  ByteArray valid = arrayOf({0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80});
  CHECK(valid.readUTFBytes(9) == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  // An encoded lone surrogate is kept, as an AS3 String keeps it.
  ByteArray surrogate = arrayOf({0xED, 0xA0, 0x80});
  CHECK(surrogate.readUTFBytes(3) == "\xED\xA0\x80");
}

TEST_CASE("writeUTFBytes writes the bytes as they are, with no prefix", "[bytearray][utf]") {
  ByteArray a;
  a.writeUTFBytes(std::string("a\0b", 3));
  CHECK(bytesOf(a) == std::vector<int>{'a', 0, 'b'});
  a.writeUTFBytes("");
  CHECK(a.length() == 3);
}

TEST_CASE("Writing a string that lives inside the same array is safe", "[bytearray][utf]") {
  ByteArray a;
  a.writeUTFBytes("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
  std::string_view inside(reinterpret_cast<const char*>(a.data()), a.length());
  a.writeUTF(inside);  // grows, so the storage moves under the view
  a.position(62);
  CHECK(a.readUTF() == "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
}

TEST_CASE("toString decodes the whole array and honours byte-order marks", "[bytearray][utf]") {
  ByteArray plain = arrayOf({'h', 'e', 'l', 'l', 'o', 0, 'w', 'o', 'r', 'l', 'd'});
  plain.position(5);
  std::string text = plain.toString();
  CHECK(text.size() == 11);  // NUL kept, unlike readUTFBytes
  CHECK(text == std::string("hello\0world", 11));
  CHECK(plain.position() == 5);

  CHECK(arrayOf({0xEF, 0xBB, 0xBF, 'h', 'i'}).toString() == "hi");
  CHECK(arrayOf({0xFE, 0xFF, 0x00, 'h', 0x00, 'i'}).toString() == "hi");
  CHECK(arrayOf({0xFF, 0xFE, 'h', 0x00, 'i', 0x00, 'x'}).toString() == "hi");  // odd byte ignored
  CHECK(arrayOf({0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE}).toString() == "\xF0\x9F\x98\x80");
  // The marks count only from three bytes on.
  CHECK(arrayOf({0xFE, 0xFF}).toString() == "\xC3\xBE\xC3\xBF");
  CHECK(arrayOf({0xEF, 0xBB, 0xBF}).toString().empty());
  CHECK(arrayOf({0x89}).toString() == "\xC2\x89");
}
