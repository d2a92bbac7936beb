// AMF3 against the byte-level examples of real Flash/AIR output (spec/amf.md section 8) and the
// encoding rules of sections 3 and 4.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "as3/amf/Array.h"
#include "as3/amf/Codec.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/amf/Vector.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/RangeError.h"
#include "as3/utils/ByteArray.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::Array;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;

using test::decode3;
using test::encode3;
using test::hex;

TEST_CASE("AMF3 integers use the marker only inside [-2^28, 2^28 - 1]", "[amf3]") {
  CHECK(encode3(Value(0)) == hex("04 00"));
  CHECK(encode3(Value(0x0FFFFFFF)) == hex("04 BF FF FF FF"));
  CHECK(encode3(Value(-0x10000000)) == hex("04 C0 80 80 00"));
  CHECK(encode3(Value(-1)) == hex("04 FF FF FF FF"));
  CHECK(encode3(Value(0x10000000)) == hex("05 41 B0 00 00 00 00 00 00"));
  CHECK(encode3(Value(std::uint32_t{0x10000000})) == hex("05 41 B0 00 00 00 00 00 00"));
  CHECK(encode3(Value(3.0)) == hex("04 03"));
  CHECK(encode3(Value(-0.0)) == hex("05 80 00 00 00 00 00 00 00"));
  CHECK(encode3(Value(std::nan(""))) == hex("05 FF F8 00 00 00 00 00 00"));
  CHECK(decode3(hex("04 C0 80 80 00")).asInt() == -0x10000000);
  CHECK(decode3(hex("04 BF FF FF FF")).asInt() == 0x0FFFFFFF);
  CHECK(decode3(hex("04 80 01")).asInt() == 1);  // not minimal, still read

  // The same inside a container, where short forms take a quicker path.
  Array items = decode3(hex("09 0B 01 04 7F 04 81 00 04 FF 7F 04 81 80 00 04 80 01")).asArray();
  REQUIRE(items.length() == 5);
  CHECK(items.get(0u).asInt() == 127);
  CHECK(items.get(1u).asInt() == 128);
  CHECK(items.get(2u).asInt() == 16383);
  CHECK(items.get(3u).asInt() == 16384);
  CHECK(items.get(4u).asInt() == 1);
  CHECK(encode3(items) == hex("09 0B 01 04 7F 04 81 00 04 FF 7F 04 81 80 00 04 01"));
}

TEST_CASE("AMF3 Numbers holding an int inside the range take the integer marker", "[amf3]") {
  // Each alone, and as an Array element and an Object member (the container loops' own path).
  struct Case {
    double number;
    bool asInt;
  };
  const Case cases[] = {
      {0.0, true},           {-0.0, false},         {1.0, true},           {-1.0, true},
      {0.5, false},          {-0.5, false},         {1.5, false},          {127.0, true},
      {16384.0, true},       {134217728.0, true},   {134217727.5, false},  {268435455.0, true},
      {268435455.5, false},  {268435456.0, false},  {-268435455.5, false}, {-268435456.0, true},
      {-268435457.0, false}, {-268435456.5, false}, {4294967296.0, false}, {1e-310, false},
      {5e-324, false},       {1e300, false},        {HUGE_VAL, false},     {-HUGE_VAL, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.number);
    std::vector<std::uint8_t> alone = encode3(Value(c.number));
    CHECK(alone[0] == (c.asInt ? 0x04 : 0x05));
    Value back = decode3(alone);
    CHECK(back.type() == (c.asInt ? Type::Int : Type::Number));
    CHECK(back.asNumber() == c.number);
    CHECK(std::signbit(back.asNumber()) == std::signbit(c.number));

    Object holder;
    holder["n"] = c.number;
    Array list{c.number, c.number};
    for (const Value& container : {Value(holder), Value(list)}) {
      std::vector<std::uint8_t> bytes = encode3(container);
      std::vector<std::uint8_t> item(alone.begin(), alone.end());
      CHECK(std::search(bytes.begin(), bytes.end(), item.begin(), item.end()) != bytes.end());
      Value decoded = decode3(bytes);
      Value inner = container.type() == Type::Array ? decoded[0] : decoded["n"];
      CHECK(inner.type() == back.type());
      CHECK(inner.asNumber() == c.number);
    }
  }
}

TEST_CASE("AMF3 strings are referenced by value and '' never", "[amf3]") {
  auto bytes = hex("09 0D 01 06 07 666F6F 06 07 737472 06 00 06 02 06 00 0A 0B 01 02 06 00 01");
  Value v = decode3(bytes);
  Array a = v.asArray();
  REQUIRE(a.length() == 6);
  CHECK(a.get(2u).asString() == "foo");
  CHECK(a.get(5u)["str"].asString() == "foo");
  CHECK(encode3(v) == bytes);

  auto empties = hex("09 05 01 06 01 06 01");
  CHECK(encode3(decode3(empties)) == empties);
  CHECK(encode3(Array{"", ""}) == empties);
}

TEST_CASE("AMF3 finds what a value wrote before by content and identity, never by stale marks",
          "[amf3]") {
  // Strings longer than the interned ones: equal text in two strings is still one entry.
  std::string longText(40, 'x');
  auto longInline = "06 " + test::amf3String(longText);
  CHECK(encode3(Array{Value(longText), Value(std::string(longText))}) ==
        hex("09 05 01" + longInline + "06 00"));

  // Objects and strings written in one order, then again in another: each value's index in the
  // earlier write must not pass for its index in the next one.
  Object a;
  a["n"] = 1;
  Object b;
  b["n"] = 2;
  Value other = "other";
  Value text(longText);
  encode3(Array{a, b, text, other});
  CHECK(encode3(Array{b, other, a, text, b, text}) ==
        hex("09 0D 01 0A 0B 01 " + test::amf3String("n") + "04 02 01 06 " +
            test::amf3String("other") + "0A 01 00 04 01 01 " + longInline + "0A 02 06 04"));

  // A string made apart from an equal one takes that one's index; in the next value the same
  // index may hold other text, and then it is written anew.
  Value red = "red";
  Value otherRed = std::string("red");
  CHECK(encode3(Array{red, otherRed}) == hex("09 05 01 06 " + test::amf3String("red") + "06 00"));
  CHECK(encode3(Array{Value("blue"), otherRed, red}) ==
        hex("09 07 01 06 " + test::amf3String("blue") + "06 " + test::amf3String("red") + "06 02"));

  // The same for member names too long to share one string.
  std::string longName(40, 'k');
  Object first;
  first[longName] = 1;
  Object second;
  second[std::string(longName)] = 2;
  auto twoObjects =
      hex("09 05 01 0A 0B 01 " + test::amf3String(longName) + "04 01 01 0A 01 00 04 02 01");
  CHECK(encode3(Array{first, second}) == twoObjects);
  CHECK(encode3(Array{first, second}) == twoObjects);  // now through the names' marks
}

TEST_CASE("AMF3 strings read again at an index the last value used are the new bytes' text",
          "[amf3]") {
  // The reader guesses that a message repeats the last one's strings at the same indices; the
  // guess must never stand in for other bytes of the same length.
  auto pair = [](const std::string& first, const std::string& second) {
    return hex("09 05 01 06 " + test::amf3String(first) + "06 " + test::amf3String(second));
  };
  Value v = decode3(pair("abc", "xyz"));
  CHECK(v[0].asString() == "abc");
  v = decode3(pair("abd", "xyz"));
  CHECK(v[0].asString() == "abd");
  CHECK(v[1].asString() == "xyz");
  v = decode3(pair("xyz", "abd"));  // each other's index
  CHECK(v[0].asString() == "xyz");
  CHECK(v[1].asString() == "abd");
  v = decode3(pair("xyzw", "ab"));  // one byte longer and shorter
  CHECK(v[0].asString() == "xyzw");
  CHECK(v[1].asString() == "ab");

  // Past what is kept (long strings), and after a value with fewer strings.
  std::string a(100, 'a'), b = std::string(99, 'a') + "b";
  CHECK(decode3(pair(a, "x"))[0].asString() == a);
  CHECK(decode3(pair(b, "x"))[0].asString() == b);
  CHECK(decode3(hex("06 " + test::amf3String("q"))).asString() == "q");
  CHECK(decode3(pair("q", "r"))[1].asString() == "r");

  // Ill-formed bytes, then the well-formed text they were read as, then the ill-formed bytes
  // again: the text is the same each time, and the bytes decide it.
  std::string lenient = "a\xC3\x83(\xC2\x80\xC3\xBF";
  CHECK(decode3(hex("09 05 01 06 0B 61 C3 28 80 FF 06 03 78"))[0].asString() == lenient);
  CHECK(decode3(pair(lenient, "x"))[0].asString() == lenient);
  CHECK(decode3(hex("09 05 01 06 0B 61 C3 28 80 FF 06 03 78"))[0].asString() == lenient);
  CHECK(decode3(hex("09 05 01 06 07 ED A0 80 06 03 78"))[0].asString() == "\xED\xA0\x80");
  CHECK(decode3(hex("09 05 01 06 07 ED A0 80 06 03 78"))[0].asString() == "\xED\xA0\x80");
}

TEST_CASE("AMF3 dates, arrays and vectors keep Flash's bytes", "[amf3]") {
  Value d = Value::date(0);
  CHECK(encode3(Array{d, d}) == hex("09 05 01 08 01 00 00 00 00 00 00 00 00 08 02"));
  // The invalid Date goes out as Flash's NaN (sign bit set), whatever NaN it holds.
  CHECK(encode3(Value::date(std::nan(""))) == hex("08 01 FF F8 00 00 00 00 00 00"));
  CHECK(encode3(Array{}) == hex("09 01 01"));
  CHECK(encode3(Array{1, 2, 3}) == hex("09 07 01 04 01 04 02 04 03"));
  as3::amf::VectorInt vi{4, -20, 12};
  CHECK(encode3(vi) == hex("0D 07 00 00000004 FFFFFFEC 0000000C"));
  Value back = decode3(hex("0D 07 00 00000004 FFFFFFEC 0000000C"));
  CHECK(back.asVectorInt().items() == std::vector<std::int32_t>{4, -20, 12});
  // A Vector.<Number> keeps a NaN's payload both ways, as Flash's ByteArray did.
  std::vector<std::uint8_t> payloadNaN = hex("0F 03 00 7F F8 00 00 00 00 00 01");
  std::vector<double> items = decode3(payloadNaN).asVectorNumber().items();
  REQUIRE(items.size() == 1);
  std::uint64_t bits;
  std::memcpy(&bits, &items[0], sizeof bits);
  CHECK(bits == 0x7FF8000000000001ull);
  CHECK(encode3(decode3(payloadNaN)) == payloadNaN);
}

TEST_CASE("AMF3 typed objects share traits and keep their class name", "[amf3]") {
  std::string alias = "0A 23 1F 6F72672E616D662E4153436C617373 07 62617A 07 666F6F";
  auto bytes = hex("09 05 01 " + alias + " 01 06 04 0A 01 01 06 07 626172");
  Value v = decode3(bytes);
  Object first = v[0].asObject();
  CHECK(first.className() == "org.amf.ASClass");
  CHECK(first.sealedCount() == 2);
  CHECK(first["baz"].type() == Type::Null);
  CHECK(first["foo"].asString() == "foo");
  CHECK(v[1]["foo"].asString() == "bar");
  CHECK(encode3(v) == bytes);
}

TEST_CASE("AMF3 keeps shared and cyclic references", "[amf3]") {
  Array a;
  a.push(a);
  CHECK(encode3(a) == hex("09 03 01 09 00"));
  Value back = decode3(hex("09 03 01 09 00"));
  CHECK(back[0] == back);
  Object o;
  Array pair{o, o};
  Value twice = decode3(encode3(pair));
  CHECK(twice[0] == twice[1]);
  CHECK(twice[0] != Value(o));
}

TEST_CASE("AMF3 rejects what it cannot trust", "[amf3]") {
  test::requireError<as3::errors::EOFError>([] { decode3(hex("09 FF FF FF 0F 01")); }, 2030);
  test::requireError<as3::errors::RangeError>([] { decode3(hex("06 02")); }, 2006);
  test::requireError<as3::errors::RangeError>([] { decode3(hex("12")); }, 2006);
  test::requireError<as3::errors::RangeError>([] { decode3(hex("0A 00")); }, 2006);
}

TEST_CASE("readObject and writeObject on ByteArray honour objectEncoding", "[amf3]") {
  as3::utils::ByteArray bytes;
  Object o;
  o["score"] = 10;
  o["name"] = "Kestrel";
  bytes.writeObject(o);
  bytes.writeObject(Value(3.5));
  bytes.position(0);
  Value back = bytes.readObject();
  CHECK(back["score"].asInt() == 10);
  CHECK(back["name"].asString() == "Kestrel");
  CHECK(bytes.readObject().asNumber() == 3.5);
  CHECK(bytes.bytesAvailable() == 0);
}
