// AMF3 from a peer that lies: every way readObject refuses input, with AS3's error class and id
// and the position Flash leaves behind (just past the last complete field), the limits that
// stand in for Flash's lack of them, and the fuzzers' findings replayed.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "as3/amf/Array.h"
#include "as3/amf/Codec.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/amf/Vector.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/utils/ByteArray.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::DecodeLimits;
using as3::amf::Type;
using as3::amf::Value;
using as3::errors::EOFError;
using as3::errors::RangeError;
using test::amf3String;
using test::hex;
using test::settledCount;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Rejection {
  std::string message;
  std::size_t position;  // where the read stopped: what readObject leaves as the position
};

// Decodes `bytes`, which must fail with exactly E and `id`.
template <class E>
Rejection rejects(const Bytes& bytes, int id, const DecodeLimits& limits = DecodeLimits()) {
  std::size_t consumed = 0xDEAD;
  std::string message = test::errorOf<E>(
      [&] { (void)as3::amf::decode(bytes.data(), bytes.size(), 3, &consumed, limits); }, id);
  return {message, consumed};
}

Value decodeAll(const Bytes& bytes, const DecodeLimits& limits = DecodeLimits()) {
  std::size_t used = 0;
  Value v = as3::amf::decode(bytes.data(), bytes.size(), 3, &used, limits);
  CHECK(used == bytes.size());
  return v;
}

Bytes repeat(const Bytes& unit, std::size_t times) {
  Bytes out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), unit.begin(), unit.end());
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

void putU29(Bytes& out, std::uint32_t v) {
  if (v < 0x80) {
    out.push_back(static_cast<std::uint8_t>(v));
  } else if (v < 0x4000) {
    out.push_back(static_cast<std::uint8_t>(v >> 7 | 0x80));
    out.push_back(static_cast<std::uint8_t>(v & 0x7F));
  } else if (v < 0x200000) {
    out.push_back(static_cast<std::uint8_t>(v >> 14 | 0x80));
    out.push_back(static_cast<std::uint8_t>((v >> 7 & 0x7F) | 0x80));
    out.push_back(static_cast<std::uint8_t>(v & 0x7F));
  } else {
    out.push_back(static_cast<std::uint8_t>(v >> 22 | 0x80));
    out.push_back(static_cast<std::uint8_t>((v >> 15 & 0x7F) | 0x80));
    out.push_back(static_cast<std::uint8_t>((v >> 8 & 0x7F) | 0x80));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  }
}

void putString(Bytes& out, const std::string& s) {
  putU29(out, static_cast<std::uint32_t>(s.size()) << 1 | 1);
  out.insert(out.end(), s.begin(), s.end());
}

}  // namespace

TEST_CASE("Truncation inside every kind of value is EOFError #2030", "[amf][hostile]") {
  struct Case {
    const char* bytes;
    std::size_t position;
  };
  const Case cases[] = {
      {"", 0},                            // no marker
      {"04", 1},                          // integer
      {"04 80 80", 1},                    // integer cut inside its U29: nothing of it is taken
      {"05 00 00 00", 1},                 // double
      {"06", 1},                          // string header
      {"06 07 66 6F", 2},                 // string bytes
      {"07 05 3C", 2},                    // XMLDocument text
      {"0B 07 3C 61", 2},                 // XML text
      {"08", 1},                          // Date header
      {"08 01 00 00 00", 2},              // Date milliseconds
      {"09", 1},                          // Array header
      {"09 03", 2},                       // Array key
      {"09 03 01", 3},                    // Array dense element
      {"09 01 03 61", 4},                 // Array keyed value
      {"09 01 03 61 06", 5},              // a string inside an Array
      {"0A", 1},                          // Object header
      {"0A 0B", 2},                       // class name
      {"0A 13 01", 3},                    // sealed member name
      {"0A 13 01 03 61", 5},              // sealed member value
      {"0A 0B 01 03 61", 5},              // dynamic member value
      {"0A 0B 01 03 61 04 01", 7},        // the next dynamic name or the end marker
      {"0C 05 01", 2},                    // ByteArray bytes
      {"0D 05", 2},                       // Vector fixed flag
      {"0D 05 00 00 00 00 01", 3},        // Vector.<int> items: all are checked before any is read
      {"0E 03 00 00 00", 3},              // Vector.<uint> item
      {"0F 03 00 00 00 00 00 00 00", 3},  // Vector.<Number> item
      {"10 03 00", 3},                    // Vector.<Object> type name
      {"10 03 00 01", 4},                 // Vector.<Object> item
      {"10 05 00 01 04 01", 6},           // Vector.<Object> second item
      {"11 03", 2},                       // Dictionary weak-keys flag
      {"11 03 00 06 03 61", 6},           // Dictionary value
      {"11 05 00 06 03 61 06 03 62 06", 10},  // Dictionary second key
  };
  for (const Case& c : cases) {
    INFO("input: " << c.bytes);
    Rejection r = rejects<EOFError>(hex(c.bytes), 2030);
    CHECK(r.position == c.position);
    CHECK(r.message.rfind("Error #2030: End of file was encountered.", 0) == 0);
    CHECK(r.message.find("at byte " + std::to_string(c.position)) != std::string::npos);
  }
}

TEST_CASE("Markers 0x12 to 0xFF are RangeError #2006 after the marker byte", "[amf][hostile]") {
  for (int marker = 0x12; marker <= 0xFF; ++marker) {
    INFO("marker " << marker);
    Rejection top = rejects<RangeError>(Bytes{static_cast<std::uint8_t>(marker)}, 2006);
    CHECK(top.position == 1);
    Rejection nested =
        rejects<RangeError>(hex("09 05 01 04 01" + std::string(1, "0123456789ABCDEF"[marker >> 4]) +
                                "0123456789ABCDEF"[marker & 15]),
                            2006);
    CHECK(nested.position == 6);
    CHECK(nested.message.find("at byte 5)") != std::string::npos);
  }
  CHECK(rejects<RangeError>(hex("12"), 2006).message ==
        "Error #2006: The supplied index is out of bounds. (AMF: unknown AMF3 marker 0x12 at "
        "byte 0)");
}

TEST_CASE("References past their table are RangeError #2006", "[amf][hostile]") {
  Rejection s = rejects<RangeError>(hex("06 02"), 2006);
  CHECK(s.position == 2);
  CHECK(s.message.find("string reference 1 at byte 1, but the string table holds 0") !=
        std::string::npos);
  CHECK(rejects<RangeError>(hex("09 05 01 06 03 61 06 02"), 2006).position == 8);
  CHECK(rejects<RangeError>(hex("0A 03 02"), 2006).position == 3);  // a class name
  CHECK(rejects<RangeError>(hex("09 01 02"), 2006).position == 3);  // an Array key

  // Every marker with an object reference form, pointing at an empty table.
  for (const char* marker : {"07", "08", "09", "0A", "0B", "0C", "0D", "0E", "0F", "10", "11"}) {
    INFO("marker " << marker);
    Rejection r = rejects<RangeError>(hex(std::string(marker) + " 00"), 2006);
    CHECK(r.position == 2);
    CHECK(r.message.find("object reference 0 at byte 1, but the object table holds 0") !=
          std::string::npos);
  }
  Rejection o = rejects<RangeError>(hex("09 05 01 09 00 09 04"), 2006);
  CHECK(o.position == 7);
  CHECK(o.message.find("object reference 2 at byte 6, but the object table holds 1") !=
        std::string::npos);

  Rejection t = rejects<RangeError>(hex("0A 01"), 2006);
  CHECK(t.position == 2);
  CHECK(t.message.find("traits reference 0 at byte 1, but the traits table holds 0") !=
        std::string::npos);
  CHECK(rejects<RangeError>(hex("09 05 01 0A 03 01 0A 05"), 2006).position == 8);
}

TEST_CASE("Huge counts in tiny inputs are refused before anything is allocated", "[amf][hostile]") {
  DecodeLimits tight;
  tight.maxDecodedBytes = 4096;
  struct Case {
    const char* bytes;
    std::size_t position;
  };
  // Each announces 2^28 - 1 (or, for sealed names, 2^25 - 1) of something in a few bytes.
  const Case cases[] = {
      {"09 FF FF FF FF 01", 6},     // Array dense part
      {"0D FF FF FF FF 00", 6},     // Vector.<int>
      {"0E FF FF FF FF 01", 6},     // Vector.<uint>
      {"0F FF FF FF FF 00", 6},     // Vector.<Number>
      {"10 FF FF FF FF 00 01", 7},  // Vector.<Object>
      {"11 FF FF FF FF 00", 6},     // Dictionary
      {"0A FF FF FF F3 01", 6},     // sealed member names
      {"06 FF FF FF FF", 5},        // string
      {"07 FF FF FF FF", 5},        // XMLDocument
      {"0B FF FF FF FF", 5},        // XML
      {"0C FF FF FF FF", 5},        // ByteArray
  };
  for (const Case& c : cases) {
    INFO("input: " << c.bytes);
    CHECK(rejects<EOFError>(hex(c.bytes), 2030, tight).position == c.position);
    CHECK(rejects<EOFError>(hex(c.bytes), 2030).position == c.position);
  }

  // Present, but more than the caller allows to be built: MemoryError #1000, named "Error".
  Bytes numbers = hex("0F 84 59 00");  // Vector.<Number> of 300
  numbers.resize(numbers.size() + 300 * 8, 0);
  DecodeLimits small;
  small.maxDecodedBytes = 1024;
  Rejection big = rejects<as3::errors::MemoryError>(numbers, 1000, small);
  CHECK(big.position == 4);
  CHECK(big.message.find("DecodeLimits::maxDecodedBytes = 1024 at byte 4") != std::string::npos);
  CHECK(decodeAll(numbers).asVectorNumber().size() == 300);

  Bytes dense;
  dense.push_back(0x09);
  putU29(dense, 100000u << 1 | 1);
  dense.push_back(0x01);
  dense.resize(dense.size() + 100000, 0x01);
  DecodeLimits k64;
  k64.maxDecodedBytes = 64 * 1024;
  CHECK(rejects<as3::errors::MemoryError>(dense, 1000, k64).position == 5);
  CHECK(decodeAll(dense).asArray().denseLength() == 100000);
}

TEST_CASE("The decoded-size cap counts strings and objects", "[amf][hostile]") {
  DecodeLimits small;
  small.maxDecodedBytes = 1024;
  Bytes text = hex("06 AE 71");  // a 3000-byte string
  text.resize(text.size() + 3000, 'x');
  CHECK(rejects<as3::errors::MemoryError>(text, 1000, small).position == 3003);
  CHECK(decodeAll(text).asString().size() == 3000);

  // Many small objects add up: 200 empty Objects (the first with its traits, then references).
  Bytes objects;
  objects.push_back(0x09);
  putU29(objects, 200u << 1 | 1);
  objects.push_back(0x01);
  objects.insert(objects.end(), {0x0A, 0x0B, 0x01, 0x01});
  for (int i = 1; i < 200; ++i) objects.insert(objects.end(), {0x0A, 0x01, 0x01});
  DecodeLimits room;  // for the array's slots, not for 200 objects
  room.maxDecodedBytes = 8192;
  std::string message = rejects<as3::errors::MemoryError>(objects, 1000, room).message;
  CHECK(message.rfind("Error #1000: The system is out of memory.", 0) == 0);
  CHECK(decodeAll(objects).asArray().denseLength() == 200);
}

TEST_CASE("Nesting deeper than DecodeLimits::maxDepth is Error #1023", "[amf][hostile]") {
  Bytes deepest = concat({repeat(hex("09 03 01"), 256), hex("01")});
  CHECK(decodeAll(deepest).type() == Type::Array);  // the default allows 256
  Bytes tooDeep = concat({repeat(hex("09 03 01"), 257), hex("01")});
  Rejection r = rejects<as3::errors::Error>(tooDeep, 1023);
  CHECK(r.position == 3 * 256 + 2);  // just past the 257th header
  CHECK(r.message.find("maxDepth = 256 at byte 770") != std::string::npos);

  // A few kB of nesting is cheap to send; it stops at the limit, not at the stack's end.
  CHECK(rejects<as3::errors::Error>(concat({repeat(hex("09 03 01"), 100000), hex("01")}), 1023)
            .position == 770);

  DecodeLimits three;
  three.maxDepth = 3;
  Bytes objects = hex("0A 0B 01 03 61 0A 01 00 0A 01 00 01 01 01 01");
  CHECK(decodeAll(objects, three)["a"]["a"]["a"].isNull());
  Bytes fourObjects = hex("0A 0B 01 03 61 0A 01 00 0A 01 00 0A 01 00 01 01 01 01 01");
  CHECK(rejects<as3::errors::Error>(fourObjects, 1023, three).position == 13);

  // Vectors of objects, dictionaries and arrays all count.
  DecodeLimits two;
  two.maxDepth = 2;
  CHECK(rejects<as3::errors::Error>(hex("10 03 00 01 11 03 00 06 03 61 09 01 01"), 1023, two)
            .position == 12);

  // ByteArray.readObject uses the process-wide defaults.
  DecodeLimits saved = DecodeLimits::defaults();
  DecodeLimits shallow = saved;
  shallow.maxDepth = 3;
  DecodeLimits::setDefaults(shallow);
  as3::utils::ByteArray bytes = test::arrayOf(fourObjects);
  test::errorOf<as3::errors::Error>([&] { (void)bytes.readObject(); }, 1023);
  CHECK(bytes.position() == 13);
  DecodeLimits::setDefaults(saved);
  bytes.position(0);
  CHECK(bytes.readObject()["a"]["a"]["a"]["a"].isNull());
}

TEST_CASE("Repeated keys keep the last value at the first key's place", "[amf][hostile]") {
  Value o = decodeAll(hex("0A 0B 01 03 61 04 01 03 62 04 02 00 04 03 01"));
  as3::amf::Object obj = o.asObject();
  REQUIRE(obj.dynamicCount() == 2);
  CHECK(obj.dynamicName(0) == "a");
  CHECK(obj.dynamicValue(0).asInt() == 3);
  CHECK(obj.dynamicName(1) == "b");

  // A sealed name sent twice: Flash assigns both, so the second value is the member's. The
  // traits are kept as sent, so the bytes come back unchanged.
  Value twice = decodeAll(hex("0A 23 01 03 61 00 04 01 04 02"));
  CHECK(twice["a"].asInt() == 2);
  CHECK(as3::amf::encode(twice) == hex("0A 23 01 03 61 00 04 01 04 02"));

  // A dynamic member named like a sealed one assigns that member once more.
  Value both = decodeAll(hex("0A 1B 01 03 61 04 01 00 04 02 01"));
  CHECK(both["a"].asInt() == 2);
  CHECK(both.asObject().dynamicCount() == 0);
  CHECK(as3::amf::encode(both) == hex("0A 1B 01 03 61 04 02 01"));

  // More than a handful of keys takes the hashed path: the same rule.
  Bytes many = hex("0A 0B 01");
  for (int i = 0; i < 40; ++i) {
    putString(many, "k" + std::to_string(i));
    many.insert(many.end(), {0x04, 0x00});
  }
  for (int i = 0; i < 40; i += 2) {
    putU29(many, static_cast<std::uint32_t>(i) << 1);  // a reference to "k<i>"
    many.insert(many.end(), {0x04, 0x01});
  }
  many.push_back(0x01);
  obj = decodeAll(many).asObject();
  REQUIRE(obj.dynamicCount() == 40);
  for (std::size_t i = 0; i < 40; ++i) {
    CHECK(obj.dynamicName(i) == "k" + std::to_string(i));
    CHECK(obj.dynamicValue(i).asInt() == (i % 2 == 0 ? 1 : 0));
  }

  // Array keys, and keys that are indices: the dense part wins over a keyed "0".
  Value a = decodeAll(hex("09 03 03 78 04 01 00 04 02 03 30 04 09 01 04 07"));
  REQUIRE(a.asArray().associativeCount() == 1);
  CHECK(a["x"].asInt() == 2);
  CHECK(a[0].asInt() == 7);

  // Dictionary keys: strings by content, objects by identity.
  Value d = decodeAll(hex("11 07 00 06 03 61 04 01 0A 0B 01 01 04 02 06 00 04 03"));
  as3::amf::Dictionary dict = d.asDictionary();
  REQUIRE(dict.size() == 2);
  CHECK(dict.get("a").asInt() == 3);
  Value e = decodeAll(hex("11 07 00 0A 0B 01 01 04 01 0A 02 04 02 06 03 61 04 03"));
  REQUIRE(e.asDictionary().size() == 2);
  CHECK(e.asDictionary().valueAt(0).asInt() == 2);
}

TEST_CASE("A million repeated and numeric keys decode in linear time", "[amf][hostile]") {
  // Quadratic handling of any of these would run for hours, far past the test's time limit.
  constexpr std::uint32_t kKeys = 1000000;
  constexpr std::uint32_t kDistinct = kKeys / 2;

  // An Object whose second half repeats the first half's names.
  Bytes object = hex("0A 0B 01");
  for (std::uint32_t i = 0; i < kKeys; ++i) {
    if (i < kDistinct)
      putString(object, std::to_string(i));
    else
      putU29(object, (i - kDistinct) << 1);
    object.insert(object.end(), {0x04, static_cast<std::uint8_t>(i < kDistinct ? 0 : 1)});
  }
  object.push_back(0x01);
  Value o = decodeAll(object);
  as3::amf::Object obj = o.asObject();
  REQUIRE(obj.dynamicCount() == kDistinct);
  CHECK(obj.dynamicName(kDistinct - 1) == std::to_string(kDistinct - 1));
  CHECK(obj.dynamicValue(kDistinct - 1).asInt() == 1);
  CHECK(as3::amf::encode(o).size() > kDistinct);

  // An Array with only keyed indices, last first: they all join the dense part.
  Bytes array = hex("09 01");
  for (std::uint32_t i = kKeys; i-- > 0;) {
    putString(array, std::to_string(i));
    array.insert(array.end(), {0x04, static_cast<std::uint8_t>(i & 0x7F)});
  }
  array.push_back(0x01);
  as3::amf::Array arr = decodeAll(array).asArray();
  CHECK(arr.denseLength() == kKeys);
  CHECK(arr.associativeCount() == 0);
  CHECK(arr.get(kKeys - 1).asInt() == static_cast<int>((kKeys - 1) & 0x7F));

  // A Dictionary repeating every key.
  Bytes dict;
  dict.push_back(0x11);
  putU29(dict, kKeys << 1 | 1);
  dict.push_back(0x00);
  for (std::uint32_t i = 0; i < kKeys; ++i) {
    dict.push_back(0x06);
    if (i < kDistinct)
      putString(dict, "k" + std::to_string(i));
    else
      putU29(dict, (i - kDistinct) << 1);
    dict.insert(dict.end(), {0x04, static_cast<std::uint8_t>(i < kDistinct ? 0 : 1)});
  }
  as3::amf::Dictionary d = decodeAll(dict).asDictionary();
  REQUIRE(d.size() == kDistinct);
  CHECK(d.get("k0").asInt() == 1);
}

TEST_CASE("Re-encoding many distinct classes takes linear time", "[amf][hostile]") {
  constexpr std::uint32_t kClasses = 200000;
  Bytes bytes;
  bytes.push_back(0x09);
  putU29(bytes, kClasses << 1 | 1);
  bytes.push_back(0x01);
  for (std::uint32_t i = 0; i < kClasses; ++i) {
    bytes.insert(bytes.end(), {0x0A, 0x03});
    putString(bytes, "c" + std::to_string(i));
  }
  Value v = decodeAll(bytes);
  CHECK(as3::amf::encode(v) == bytes);
}

TEST_CASE("Ill-formed UTF-8 is decoded as Flash does, never refused", "[amf][hostile]") {
  // Each byte that starts no valid sequence becomes the character of its value.
  CHECK(decodeAll(hex("06 0B 61 C3 28 80 FF")).asString() == "a\xC3\x83(\xC2\x80\xC3\xBF");
  CHECK(decodeAll(hex("06 05 C0 AF")).asString() == "\xC3\x80\xC2\xAF");  // overlong
  CHECK(decodeAll(hex("06 05 E2 82")).asString() == "\xC3\xA2\xC2\x82");  // cut short
  CHECK(decodeAll(hex("06 09 F4 90 80 80")).asString() ==
        "\xC3\xB4\xC2\x90\xC2\x80\xC2\x80");                                    // > U+10FFFF
  CHECK(decodeAll(hex("06 07 ED A0 80")).asString() == "\xED\xA0\x80");         // a surrogate
  CHECK(decodeAll(hex("06 09 F0 9F 98 80")).asString() == "\xF0\x9F\x98\x80");  // U+1F600
  // In names too, and what is read is written back as well-formed UTF-8.
  Value o = decodeAll(hex("0A 0B 05 41 FF 05 6B FE 04 01 01"));
  CHECK(o.asObject().className() == "A\xC3\xBF");
  CHECK(o["k\xC3\xBE"].asInt() == 1);
  CHECK(as3::amf::encode(o) == hex("0A 0B 07 41 C3 BF 07 6B C3 BE 04 01 01"));
}

TEST_CASE("A reference whose target has another type is accepted as it is", "[amf][hostile]") {
  // [{}, <Date marker, reference #1>]: the second element is the Object.
  Value v = decodeAll(hex("09 05 01 0A 0B 01 01 08 02"));
  CHECK(v[1].type() == Type::Object);
  CHECK(v[1] == v[0]);
  // A Vector.<int> marker naming the enclosing Array.
  Value a = decodeAll(hex("09 03 01 0D 00"));
  CHECK(a[0] == a);
  // A ByteArray marker naming a Dictionary, as a Dictionary key.
  Value d = decodeAll(hex("11 03 00 0C 00 04 01"));
  CHECK(d.asDictionary().keyAt(0) == d);
}

TEST_CASE("Messages give the absolute offset and readObject leaves the position there",
          "[amf][hostile]") {
  as3::utils::ByteArray bytes;
  for (int i = 0; i < 10; ++i) bytes.writeByte(0);
  bytes.writeBytes(hex("09 05 01 06 03 61 06 04").data(), 8);
  bytes.position(10);
  std::string message = test::errorOf<RangeError>([&] { (void)bytes.readObject(); }, 2006);
  CHECK(message.find("string reference 2 at byte 17") != std::string::npos);
  CHECK(bytes.position() == 18);

  as3::utils::ByteArray cut = test::arrayOf(hex("00 00 0A 0B 01 03 61 06"));
  cut.position(2);
  message = test::errorOf<EOFError>([&] { (void)cut.readObject(); }, 2030);
  CHECK(message.find("at byte 8") != std::string::npos);
  CHECK(cut.position() == 8);

  // A failed read leaves nothing alive, cycles built before the failure included.
  std::size_t base = settledCount();
  as3::utils::ByteArray cyclic = test::arrayOf(hex("09 07 01 09 00 0A 0B 01 03 61 0A 02 01 12"));
  test::errorOf<RangeError>([&] { (void)cyclic.readObject(); }, 2006);
  CHECK(cyclic.position() == 14);
  CHECK(settledCount() == base);
}

// Inputs the fuzzers (fuzz/) found problems with. Each is also a file in test/amf/regressions/
// and in the fuzzers' corpus; the replay decodes it with the fuzzers' limits and, when it
// decodes, checks that its encoding is a fixed point.
namespace {

struct Regression {
  const char* name;
  const char* bytes;
};

// Generated from test/amf/regressions/ (see fuzz/README.md).
const Regression kRegressions[] = {
    // REGRESSIONS-BEGIN
    {"amf3-empty-bytearray-memcpy.amf",
     "0C 01 03 07 01 61 20 02 15 3C 61 20 62 3D 01 06 8D B8 3E 07 03 78 09 07 0B 0C 01 03 07 01 "
     "61 20 02 15 3C 61 20 62 3D 01 06 8D B8 3E 07 03 78 "},
    {"amf3-region-named-array-keys.amf",
     "09 03 03 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 0B 0B 0B 0B 0B 7A 0B 0B 0B 0B 0B 0B 0B 0B 00 80 00 00 00 00 00 00 00 00 00 00 "
     "00 00 09 05 01 00 00 00 00 00 00 00 00 00 0B 0B 0B 0B 0B 00 00 7F FE 3C 27 91 BA 0B 6F 72 "
     "C2 99 C3 8C 61 6D 66 0A 01 01 06 00 00 6F 72 C2 99 C3 8C 61 6D 66 0A 01 01 06 00 01 01 0A "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B ED 0B 0B 0B "
     "0B 0B 0B 0B 0B 0B 0B 0B 0B F2 01 0B 0B 0B 00 00 03 00 0B 00 0B 01 01 0B 0B 0B 0B 0B 0B 0B "
     "0B 0B 0B 0B 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0B 0B 0B 0B 0B 7A 0B "
     "0B 0B 0B 0B 0B 0B 0B 00 00 00 00 00 00 00 00 00 00 00 00 00 00 09 05 01 00 00 00 00 00 00 "
     "00 00 00 0B 0B 0B 0B 0B 00 00 7F FE 3C 27 91 BA 0B 6F 72 C2 99 C3 8C 61 6D 66 0A 01 01 06 "
     "00 00 6F 72 C2 99 FF FF FF FF FF FF FF 63 06 00 01 01 0A 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 00 00 0B 0B "
     "0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B ED 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B F2 01 "
     "00 00 0B 0B 03 0B 00 0B 00 0B 01 01 0B 0B 0B 0B 0B 00 00 60 60 00 0B 0B 0B 0B ED 0B 0B 0B "
     "0B 0B 0B 0B 0B 0B 0B 0B 0B F2 01 00 00 0B 0B 03 0B 0B 0B 01 00 00 09 5B 05 00 0A 00 01 01 "
     "0A 23 1F 6F 72 99 CC 61 FF FF 60 10 09 05 01 0A 23 1F 6F 72 67 2E 61 6D 66 2E 41 B5 BC 93 "
     "9E 84 8C F8 9D 61 7A 07 66 38 6F 6F 01 06 04 0A 01 01 06 07 62 61 72 00 0A 00 01 01 0A 23 "
     "1F 6F 72 99 CC 97 92 99 F5 01 01 06 01 05 00 0A 00 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A "
     "01 01 06 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0A 00 01 01 0A 23 1F 6F 72 99 CC "
     "61 6D 66 0A 01 01 06 01 05 00 0A 00 01 01 0A 23 23 1F 6F 72 40 63 33 9E 92 66 0A 01 01 06 "
     "01 01 01 01 03 01 01 01 01 09 5B 05 00 0A 00 01 01 0A 23 1F 6F 72 99 CC 69 6D 66 0A 01 01 "
     "06 01 05 00 0A 0A 00 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A 01 01 06 01 05 00 0A 00 01 01 "
     "0A 23 23 1F 6F 72 40 63 33 9E 92 66 0A 01 01 06 01 01 01 01 03 01 01 01 01 09 5B 05 00 0A "
     "00 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A 01 01 06 01 05 00 0A 00 01 01 0A 01 0B 0B 0B 0B "
     "0B 00 00 60 60 00 0B AD 6B 0B 0B 0B 0B 0B 0B 0B 0B 0B 74 00 00 00 00 00 10 23 1F 6F 72 99 "
     "CC 61 6D 66 0A 01 01 06 00 00 00 FD 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 0A 23 1F 6F 72 99 CC 61 6D 00 00 66 0A 00 04 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 01 01 03 01 01 01 01 01 "
     "01 03 01 01 01 00 01 01 03 01 01 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A 01 01 06 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 0A 23 1F 6F 59 59 59 59 59 59 59 59 "
     "59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 "
     "59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 59 01 06 01 05 00 "
     "0A 0A 00 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A 01 01 06 01 05 00 0A 00 01 01 0A 23 23 1F "
     "00 03 07 62 3F 01 06 6F 72 40 63 33 21 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 68 00 00 60 60 00 0B 0B 0B 0B ED 0B "
     "0B 0B 0B 0B 0B 0B 0B 0B 0B 0B 0B F2 01 00 00 0B 0B 03 0B 0B 0B 01 00 00 01 0B 0B 0B 0B 0B "
     "00 00 60 60 01 01 0A 23 1F 6F 72 99 CC 61 6D 66 0A 00 00 00 04 00 00 00 00 00 0B AD "},
    {"amf3-traits-table-full-hang.amf",
     "09 23 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 "
     "0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 0A 03 01 "},
    // REGRESSIONS-END
};

void replay(const Bytes& bytes) {
  DecodeLimits limits;
  limits.maxDepth = 64;
  limits.maxDecodedBytes = 1u << 20;
  Value first;
  std::size_t used = 0;
  try {
    first = as3::amf::decode(bytes.data(), bytes.size(), 3, &used, limits);
  } catch (const as3::errors::Error&) {
    return;
  }
  Bytes a = as3::amf::encode(first);
  DecodeLimits roomy;
  roomy.maxDepth = 4096;
  roomy.maxDecodedBytes = std::uint64_t{1} << 26;
  Value second = as3::amf::decode(a.data(), a.size(), 3, &used, roomy);
  CHECK(used == a.size());
  CHECK(as3::amf::encode(second) == a);
}

}  // namespace

TEST_CASE("Fuzzer findings replay cleanly", "[amf][hostile]") {
  std::size_t base = settledCount();
  for (const Regression& r : kRegressions) {
    INFO("regression " << r.name);
    replay(hex(r.bytes));
    CHECK(settledCount() == base);
  }
}

TEST_CASE("Every file in test/amf/regressions is replayed here", "[amf][hostile]") {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(__FILE__).parent_path() / "regressions";
  if (!fs::is_directory(folder)) return;  // built from a copy without the sources
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("amf3-", 0) != 0) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool embedded = false;
    for (const Regression& r : kRegressions)
      if (name == r.name) embedded = hex(r.bytes) == content;
    INFO(name << " must be embedded in kRegressions with the same bytes");
    CHECK(embedded);
  }
  CHECK(files == sizeof kRegressions / sizeof kRegressions[0]);
}
