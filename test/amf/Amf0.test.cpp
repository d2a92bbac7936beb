// AMF0 against the byte-level examples of real Flash/AIR output (spec/amf.md sections 2 and 8),
// the 0x11 switch to AMF3, and the decoder hardening of section 6.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "as3/amf/Array.h"
#include "as3/amf/ClassAlias.h"
#include "as3/amf/Codec.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/amf/Vector.h"
#include "as3/errors/ArgumentError.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "as3/utils/IExternalizable.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::Array;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;

using test::decode0;
using test::encode0;

namespace {

std::vector<std::uint8_t> hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a,
                                    const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Reads `hexText` with ByteArray.readObject in AMF0 mode and checks the error and where the
// position was left: just past the last complete field.
template <class E>
void rejectsAt(const std::string& hexText, int id, std::uint32_t position) {
  INFO("input: " << hexText);
  as3::utils::ByteArray bytes = test::arrayOf(hex(hexText));
  bytes.objectEncoding(as3::utils::ObjectEncoding::AMF0);
  test::requireError<E>([&] { bytes.readObject(); }, id);
  CHECK(bytes.position() == position);
}

struct Amf0Item {
  int id = 0;
  std::string name;
};

struct Amf0Plain {
  int x = 0;
};

struct Amf0Point : as3::utils::IExternalizable {
  double a = 0;
  double b = 0;
  void writeExternal(as3::utils::IDataOutput& output) const override {
    output.writeDouble(a);
    output.writeDouble(b);
  }
  void readExternal(as3::utils::IDataInput& input) override {
    a = input.readDouble();
    b = input.readDouble();
  }
};

struct Amf0Unaliased : as3::utils::IExternalizable {
  void writeExternal(as3::utils::IDataOutput&) const override {}
  void readExternal(as3::utils::IDataInput&) override {}
};

// Describing a class adds members each time: do it once per process.
void describeClasses() {
  static const bool done = [] {
    as3::amf::registerClassAlias(
        "test.amf0.Item",
        as3::amf::Class<Amf0Item>().member("id", &Amf0Item::id).member("name", &Amf0Item::name));
    as3::amf::Class<Amf0Plain>().member("x", &Amf0Plain::x);
    as3::amf::registerClassAlias("test.amf0.Point", as3::amf::Class<Amf0Point>());
    as3::amf::Class<Amf0Unaliased>();
    return true;
  }();
  (void)done;
}

const char kItemAlias[] = "000E 746573742E616D66302E4974656D";  // "test.amf0.Item"

}  // namespace

TEST_CASE("AMF0 objects match Flash's bytes", "[amf0]") {
  auto bytes = hex("03 0003 626172 00 40091EB851EB851F 0003 666F6F 02 0003 62617A 0000 09");
  Object o;
  o["bar"] = 3.14;
  o["foo"] = "baz";
  CHECK(encode0(o) == bytes);

  Value back = decode0(bytes);
  REQUIRE(back.type() == Type::Object);
  CHECK(back.asObject().className().empty());
  CHECK(back["bar"].type() == Type::Number);
  CHECK(back["bar"].asNumber() == 3.14);
  CHECK(back["foo"].asString() == "baz");
  CHECK(encode0(back) == bytes);
}

TEST_CASE("AMF0 primitives: numbers only, NaN as Flash writes it, strings by byte length",
          "[amf0]") {
  CHECK(encode0(Value(7)) == hex("00 401C000000000000"));
  CHECK(encode0(Value(std::uint32_t{7})) == hex("00 401C000000000000"));
  CHECK(encode0(Value(std::nan(""))) == hex("00 FFF8000000000000"));
  CHECK(encode0(Value(-0.0)) == hex("00 8000000000000000"));
  CHECK(encode0(Value(true)) == hex("01 01"));
  CHECK(encode0(Value(false)) == hex("01 00"));
  CHECK(encode0(Value(nullptr)) == hex("05"));
  CHECK(encode0(Value()) == hex("06"));
  CHECK(encode0(Value("")) == hex("02 0000"));
  CHECK(decode0(hex("00 401C000000000000")).type() == Type::Number);
  CHECK(decode0(hex("01 7F")).asBoolean());
  CHECK(decode0(hex("0D")).isUndefined());  // unsupported
  CHECK(decode0(hex("0C 00000003 616263")).asString() == "abc");
}

TEST_CASE("AMF0 long strings start past 65535 UTF-8 bytes", "[amf0]") {
  std::string shortest(65535, 'x');
  auto a = encode0(Value(shortest));
  REQUIRE(a.size() == 3 + 65535);
  CHECK(std::vector<std::uint8_t>(a.begin(), a.begin() + 3) == hex("02 FFFF"));
  CHECK(decode0(a).asString() == shortest);

  std::string longer(65536, 'x');
  auto b = encode0(Value(longer));
  REQUIRE(b.size() == 5 + 65536);
  CHECK(std::vector<std::uint8_t>(b.begin(), b.begin() + 5) == hex("0C 00010000"));
  CHECK(decode0(b).asString() == longer);
  CHECK(encode0(decode0(b)) == b);

  // 32768 characters, 65536 bytes: the test is on bytes.
  std::string accents;
  for (int i = 0; i < 32768; ++i) accents += "\xC3\xA9";
  auto c = encode0(Value(accents));
  CHECK(c[0] == 0x0C);
  CHECK(decode0(c).asString() == accents);
}

TEST_CASE("AMF0 arrays are ecma-arrays counted by length", "[amf0]") {
  auto abcd =
      hex("08 00000004 0001 30 02 0001 61 0001 31 02 0001 62 0001 32 02 0001 63 0001 33 02 0001 64 "
          "0000 09");
  CHECK(encode0(Array{"a", "b", "c", "d"}) == abcd);
  Value back = decode0(abcd);
  Array a = back.asArray();
  CHECK(a.length() == 4);
  CHECK(a.denseLength() == 4);
  CHECK(a.get(3u).asString() == "d");
  CHECK(encode0(back) == abcd);

  Array sparse;  // new Array(15)
  sparse.setLength(15);
  auto fifteen = hex("08 0000000F 000009");
  CHECK(encode0(sparse) == fifteen);
  Array empty = decode0(fifteen).asArray();
  CHECK(empty.length() == 15);
  CHECK(empty.denseLength() == 0);
  CHECK(empty.associativeCount() == 0);
  CHECK(encode0(empty) == fifteen);

  Array second;  // only [1] set
  second.set(1u, "x");
  auto secondBytes = hex("08 00000002 0001 31 02 0001 78 000009");
  CHECK(encode0(second) == secondBytes);
  Array secondBack = decode0(secondBytes).asArray();
  CHECK(secondBack.length() == 2);
  CHECK(secondBack.denseLength() == 0);
  CHECK(secondBack.get(1u).asString() == "x");

  Array named{"first", "second"};
  named.set("propertyA", 1);
  CHECK(encode0(named) == hex("08 00000002 0001 30 02 0005 6669727374 0001 31 02 0006 7365636F6E64 "
                              "0009 70726F70657274794100 3FF0000000000000 000009"));

  // Present indices in index order, then the named keys, whatever the insertion order.
  Array mixed;
  mixed.set("name", true);
  mixed.set(5u, 2);
  mixed.set(0u, nullptr);
  CHECK(encode0(mixed) ==
        hex("08 00000006 0001 30 05 0001 35 00 4000000000000000 0004 6E616D65 01 01 000009"));
}

TEST_CASE("AMF0 strict arrays read as dense Arrays", "[amf0]") {
  Array a = decode0(hex("0A 00000003 00 3FF0000000000000 02 0001 62 05")).asArray();
  CHECK(a.length() == 3);
  CHECK(a.denseLength() == 3);
  CHECK(a.get(0u).asNumber() == 1.0);
  CHECK(a.get(1u).asString() == "b");
  CHECK(a.get(2u).isNull());
  // AS3 never writes them: the Array comes back as an ecma-array.
  CHECK(encode0(a)[0] == 0x08);
}

TEST_CASE("AMF0 references name objects, arrays, dates and xml-documents in pre-order", "[amf0]") {
  Object inner;
  inner["foo"] = "bar";
  Object outer;
  outer["a"] = inner;
  outer["b"] = inner;
  auto nested = hex("03 0001 61 03 0003 666F6F 02 0003 626172 000009 0001 62 07 0001 000009");
  CHECK(encode0(outer) == nested);
  Value back = decode0(nested);
  CHECK(back["a"] == back["b"]);
  CHECK(back["b"]["foo"].asString() == "bar");

  Value d = Value::date(0);
  auto dates = hex("08 00000002 0001 30 0B 0000000000000000 0000 0001 31 07 0001 000009");
  CHECK(encode0(Array{d, d}) == dates);
  Value datesBack = decode0(dates);
  CHECK(datesBack[0] == datesBack[1]);
  CHECK(datesBack[0].asDate() == 0);

  // A date takes a slot, so the object after it is #2 (what Flash does, unlike the spec text).
  Object o;
  auto afterDate =
      hex("08 00000003 0001 30 0B 0000000000000000 0000 0001 31 03 000009 0001 32 07 0002 000009");
  CHECK(encode0(Array{d, o, o}) == afterDate);
  Value afterBack = decode0(afterDate);
  CHECK(afterBack[1].type() == Type::Object);
  CHECK(afterBack[2] == afterBack[1]);

  // The AVM1 NetConnection case: args #0, XML #1, object #2.
  Value xml = decode0(hex("0A 00000003 0F 00000004 3C612F3E 03 000009 07 0002"));
  CHECK(xml[0].type() == Type::XMLDocument);
  CHECK(xml[0].asXML() == "<a/>");
  CHECK(xml[2] == xml[1]);
  Value doc = Value::xmlDocument("<a/>");
  CHECK(encode0(Array{doc, doc}) ==
        hex("08 00000002 0001 30 0F 00000004 3C612F3E 0001 31 07 0001 000009"));
}

TEST_CASE("AMF0 self-references are registered before the members", "[amf0]") {
  Object o;
  o["self"] = o;
  auto bytes = hex("03 0004 73656C66 07 0000 000009");
  CHECK(encode0(o) == bytes);
  Value back = decode0(bytes);
  CHECK(back["self"] == back);

  Array a;
  a.push(a);
  auto arrayBytes = hex("08 00000001 0001 30 07 0000 000009");
  CHECK(encode0(a) == arrayBytes);
  Value arrayBack = decode0(arrayBytes);
  CHECK(arrayBack[0] == arrayBack);
  o["self"] = nullptr;
  a.set(0u, nullptr);
}

TEST_CASE("AMF0 references stop at index 65535, later repeats are written inline", "[amf0]") {
  Array many;  // slot 0; element i takes slot i + 1
  for (int i = 0; i < 65536; ++i) many.push(Object());
  many.push(many[65534]);  // slot 65535: still referenceable
  many.push(many[65535]);  // slot 65536: inline again
  auto bytes = encode0(many);
  auto tail = hex("0005 3635353336 07 FFFF 0005 3635353337 03 000009 000009");
  REQUIRE(bytes.size() > tail.size());
  CHECK(std::vector<std::uint8_t>(bytes.end() - static_cast<std::ptrdiff_t>(tail.size()),
                                  bytes.end()) == tail);
  Array back = decode0(bytes).asArray();
  REQUIRE(back.length() == 65538);
  CHECK(back.get(65536u) == back.get(65534u));
  CHECK(back.get(65537u) != back.get(65535u));
  CHECK(back.get(65537u).type() == Type::Object);
}

TEST_CASE("AMF0 dates ignore the time zone on read and write 0", "[amf0]") {
  CHECK(decode0(hex("0B 4275D3EF79800000 012C")).asDate() == 1.5e12);
  CHECK(decode0(hex("0B 4275D3EF79800000 FF88")).asDate() == 1.5e12);
  CHECK(encode0(Value::date(1.5e12)) == hex("0B 4275D3EF79800000 0000"));
  CHECK(encode0(Value::date(std::nan(""))) == hex("0B FFF8000000000000 0000"));
}

TEST_CASE("AMF0 reads the 0x11 switch as one AMF3 value", "[amf0]") {
  Value v = decode0(hex("11 0A 0B 01 03 61 04 01 01"));
  REQUIRE(v.type() == Type::Object);
  CHECK(v["a"].type() == Type::Int);
  CHECK(v["a"].asInt() == 1);
}

TEST_CASE("AMF0 writes what it cannot express through the 0x11 switch", "[amf0]") {
  as3::utils::ByteArray raw;
  raw.writeByte(1);
  raw.writeByte(2);
  raw.writeByte(3);
  auto bytes = hex("11 0C 07 010203");
  CHECK(encode0(Value(raw)) == bytes);
  Value rawBack = decode0(bytes);
  REQUIRE(rawBack.type() == Type::ByteArray);
  CHECK(test::bytesOf(rawBack.asByteArray()) == std::vector<int>{1, 2, 3});

  as3::amf::VectorInt ints{4, -20, 12};
  auto intBytes = hex("11 0D 07 00 00000004 FFFFFFEC 0000000C");
  CHECK(encode0(ints) == intBytes);
  CHECK(decode0(intBytes).asVectorInt().items() == std::vector<std::int32_t>{4, -20, 12});

  as3::amf::VectorNumber numbers{1.0};
  CHECK(encode0(numbers) == hex("11 0F 03 00 3FF0000000000000"));
  as3::amf::VectorUint uints{7u};
  CHECK(encode0(uints) == hex("11 0E 03 00 00000007"));
  as3::amf::VectorObject objects{1, "a"};
  auto objectBytes = hex("11 10 05 00 01 04 01 06 03 61");
  CHECK(encode0(objects) == objectBytes);
  CHECK(decode0(objectBytes).asVectorObject().items()[1].asString() == "a");

  as3::amf::Dictionary dict;
  dict.set("bar", "baz");
  auto dictBytes = hex("11 11 03 00 06 07 626172 06 07 62617A");
  CHECK(encode0(dict) == dictBytes);
  CHECK(decode0(dictBytes).asDictionary().get("bar").asString() == "baz");

  auto xmlBytes = hex("11 0B 09 3C612F3E");
  CHECK(encode0(Value::xml("<a/>")) == xmlBytes);
  CHECK(decode0(xmlBytes).type() == Type::XML);
}

TEST_CASE("AMF0 switches share one AMF3 context per top-level value", "[amf0]") {
  // A string and an object defined in the first switch, referenced from the second.
  Value strings = decode0(hex("08 00000002 0001 30 11 06 07 666F6F 0001 31 11 06 00 000009"));
  CHECK(strings[0].asString() == "foo");
  CHECK(strings[1].asString() == "foo");
  Value same = decode0(hex("0A 00000002 11 0C 07 010203 11 0C 00"));
  CHECK(same[0].type() == Type::ByteArray);
  CHECK(same[1] == same[0]);

  as3::utils::ByteArray raw;
  raw.writeByte(1);
  Value b(raw);
  auto twice = hex("08 00000002 0001 30 11 0C 03 01 0001 31 11 0C 00 000009");
  CHECK(encode0(Array{b, b}) == twice);
  Value twiceBack = decode0(twice);
  CHECK(twiceBack[1] == twiceBack[0]);

  // References inside a later switch count the earlier switches' entries: they must resolve to
  // the right values, which they would not with a fresh AMF3 context per switch on one side.
  Object o;
  o["k"] = 1;
  as3::amf::VectorObject pair{o, o};
  Value mixed = decode0(encode0(Array{b, pair, Array{"k"}}));
  as3::amf::VectorObject pairBack = mixed[1].asVectorObject();
  REQUIRE(pairBack.size() == 2);
  CHECK(pairBack[0].type() == Type::Object);
  CHECK(pairBack[1] == pairBack[0]);
  CHECK(pairBack[0]["k"].asInt() == 1);
  CHECK(mixed[0].type() == Type::ByteArray);
}

TEST_CASE("AMF0 typed objects keep unknown class names and become registered classes", "[amf0]") {
  describeClasses();
  auto unknown = hex("10 0003 466F6F 0001 61 00 3FF0000000000000 0001 62 05 000009");
  Value u = decode0(unknown);
  REQUIRE(u.type() == Type::Object);
  Object uo = u.asObject();
  CHECK(uo.className() == "Foo");
  CHECK(uo.dynamicCount() == 2);
  CHECK(uo.dynamicName(0) == "a");
  CHECK(u["a"].asNumber() == 1.0);
  CHECK(encode0(u) == unknown);

  Object typed = Object::typed("Foo", {"a", "b"});
  typed["a"] = 1;
  typed["b"] = nullptr;
  CHECK(encode0(typed) == unknown);

  CHECK(decode0(hex("10 0000 0001 61 05 000009")).asObject().className().empty());

  auto item = std::make_shared<Amf0Item>();
  item->id = 7;
  item->name = "abc";
  auto itemBytes = hex(std::string("10 ") + kItemAlias +
                       " 0002 6964 00 401C000000000000 0004 6E616D65 02 0003 616263 000009");
  CHECK(encode0(Value(item)) == itemBytes);
  Value itemBack = decode0(itemBytes);
  auto itemPtr = itemBack.as<Amf0Item>();
  REQUIRE(itemPtr);
  CHECK(itemPtr->id == 7);
  CHECK(itemPtr->name == "abc");
  CHECK(encode0(itemBack) == itemBytes);

  // Members the class lacks, or values that do not fit, are skipped as Flash skips them.
  Value lenient = decode0(hex(std::string("10 ") + kItemAlias +
                              " 0005 6578747261 05 0002 6964 02 0001 78 0004 6E616D65 02 0001 7A "
                              "000009"));
  REQUIRE(lenient.as<Amf0Item>());
  CHECK(lenient.as<Amf0Item>()->id == 0);
  CHECK(lenient.as<Amf0Item>()->name == "z");

  // One C++ object in two places is one AS3 object.
  CHECK(encode0(Array{Value(item), Value(item)}) ==
        hex(std::string("08 00000002 0001 30 10 ") + kItemAlias +
            " 0002 6964 00 401C000000000000 0004 6E616D65 02 0003 616263 000009 "
            "0001 31 07 0001 000009"));

  auto plain = std::make_shared<Amf0Plain>();
  plain->x = 2;
  CHECK(encode0(Value(plain)) == hex("03 0001 78 00 4000000000000000 000009"));
}

TEST_CASE("AMF0 writes IExternalizable objects through the switch", "[amf0]") {
  describeClasses();
  auto point = std::make_shared<Amf0Point>();
  point->a = 1.0;
  point->b = 2.0;
  auto bytes = hex("11 0A 07 1F 746573742E616D66302E506F696E74 3FF0000000000000 4000000000000000");
  CHECK(encode0(Value(point)) == bytes);
  auto back = decode0(bytes).as<Amf0Point>();
  REQUIRE(back);
  CHECK(back->a == 1.0);
  CHECK(back->b == 2.0);

  test::requireError<as3::errors::ArgumentError>(
      [] { encode0(Value(std::make_shared<Amf0Unaliased>())); }, 2004);
}

TEST_CASE("AMF0 property lists: '' tolerated on read, never written, repeats keep the last",
          "[amf0]") {
  Value v = decode0(hex("03 0000 02 0001 78 0001 61 05 000009"));
  CHECK(v[""].asString() == "x");
  CHECK(v.asObject().dynamicCount() == 2);
  CHECK(encode0(v) == hex("03 0001 61 05 000009"));

  Value twice = decode0(hex("03 0001 61 00 3FF0000000000000 0001 61 00 4000000000000000 000009"));
  CHECK(twice.asObject().dynamicCount() == 1);
  CHECK(twice["a"].asNumber() == 2.0);

  Array withEmpty{1};
  withEmpty.set("", 2);
  CHECK(encode0(withEmpty) == hex("08 00000001 0001 30 00 3FF0000000000000 000009"));
}

TEST_CASE("AMF0 refuses names past 65535 bytes on write", "[amf0]") {
  Object o;
  o[std::string(65536, 'k')] = 1;
  test::requireError<as3::errors::RangeError>([&] { encode0(o); }, 2006);
  Object longClass = Object::typed(std::string(70000, 'C'));
  test::requireError<as3::errors::RangeError>([&] { encode0(longClass); }, 2006);
  Object fits;
  fits[std::string(65535, 'k')] = 1;
  CHECK(encode0(fits).size() == 1 + 2 + 65535 + 9 + 3);
}

TEST_CASE("AMF0 rejects what it cannot trust and stops after the last complete field", "[amf0]") {
  using as3::errors::EOFError;
  using as3::errors::RangeError;
  rejectsAt<EOFError>("", 2030, 0);
  rejectsAt<EOFError>("00 40 09", 2030, 1);
  rejectsAt<EOFError>("01", 2030, 1);
  rejectsAt<EOFError>("02 0005 6162", 2030, 3);
  rejectsAt<EOFError>("02 00", 2030, 1);
  rejectsAt<EOFError>("03 0001 61", 2030, 4);
  rejectsAt<EOFError>("03 0001 61 05", 2030, 5);
  rejectsAt<EOFError>("08 00000000 0001 61 05", 2030, 9);
  rejectsAt<EOFError>("0B 0000000000000000", 2030, 9);
  rejectsAt<EOFError>("10 0005 4142", 2030, 3);
  rejectsAt<EOFError>("07 00", 2030, 1);

  // Counts and lengths past the input, refused before anything is allocated.
  rejectsAt<EOFError>("0A FFFFFFFF", 2030, 5);
  rejectsAt<EOFError>("0A 00000002 05", 2030, 5);
  rejectsAt<EOFError>("0C FFFFFFFF 41", 2030, 5);
  rejectsAt<EOFError>("0F 00000010 3C", 2030, 5);

  rejectsAt<RangeError>("12", 2006, 1);
  rejectsAt<RangeError>("FF", 2006, 1);
  rejectsAt<RangeError>("04", 2006, 1);
  rejectsAt<RangeError>("0E", 2006, 1);
  rejectsAt<RangeError>("09", 2006, 1);
  rejectsAt<RangeError>("0A 00000001 09", 2006, 6);
  rejectsAt<RangeError>("03 0001 61 09", 2006, 5);
  rejectsAt<RangeError>("08 00000000 0001 61 09", 2006, 9);
  rejectsAt<RangeError>("07 0000", 2006, 3);
  rejectsAt<RangeError>("03 0001 61 07 0001 000009", 2006, 7);
  rejectsAt<RangeError>("03 0001 61 04 000009", 2006, 5);
  rejectsAt<RangeError>("11 12", 2006, 2);
  rejectsAt<RangeError>("11 06 02", 2006, 3);

  // The ecma-array count is informational: a huge one costs nothing.
  Array huge = decode0(hex("08 FFFFFFFF 000009")).asArray();
  CHECK(huge.length() == 0xFFFFFFFFu);
  CHECK(huge.denseLength() == 0);
}

TEST_CASE("AMF0 bounds nesting and decoded size", "[amf0]") {
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "03 0001 61 ";
  deep += "05";
  for (int i = 0; i < 300; ++i) deep += " 000009";
  // The 257th object fails as its marker is read.
  rejectsAt<as3::errors::Error>(deep, 1023, 4 * 256 + 1);

  std::string arrays;
  for (int i = 0; i < 300; ++i) arrays += "0A 00000001 ";
  arrays += "05";
  rejectsAt<as3::errors::Error>(arrays, 1023, 5 * 257);  // after the count

  // AMF0 and AMF3 containers count together.
  as3::amf::DecodeLimits limits;
  limits.maxDepth = 3;
  auto mixed = hex("03 0001 61 03 0001 61 11 09 03 01 09 03 01 01 000009 000009");
  test::requireError<as3::errors::Error>(
      [&] { as3::amf::decode(mixed.data(), mixed.size(), 0, nullptr, limits); }, 1023);
  limits.maxDepth = 4;
  CHECK(as3::amf::decode(mixed.data(), mixed.size(), 0, nullptr, limits)["a"]["a"][0][0].isNull());

  as3::amf::DecodeLimits small;
  small.maxDecodedBytes = 64;
  auto text = hex("02 0064") + std::vector<std::uint8_t>(100, 0x41);
  test::requireError<as3::errors::MemoryError>(
      [&] { as3::amf::decode(text.data(), text.size(), 0, nullptr, small); }, 1000);

  Array root;
  Array at = root;
  for (int i = 0; i < 5000; ++i) {
    Array next;
    at.push(next);
    at = next;
  }
  test::requireError<as3::errors::Error>([&] { encode0(root); }, 1023);
  Object top;
  Object cur = top;
  for (int i = 0; i < 5000; ++i) {
    Object next;
    cur["n"] = next;
    cur = next;
  }
  test::requireError<as3::errors::Error>([&] { encode0(top); }, 1023);
}

TEST_CASE("AMF0 canonical inputs decode and encode to the same bytes", "[amf0]") {
  const char* canonical[] = {
      "00 3FF8000000000000",
      "00 FFF8000000000000",
      "00 8000000000000000",
      "01 00",
      "01 01",
      "02 0000",
      "02 0003 616263",
      "05",
      "06",
      "03 000009",
      "03 0001 61 03 0001 62 06 000009 000009",
      "08 00000000 000009",
      "08 00000003 0001 30 05 0001 32 06 0004 6E616D65 01 01 000009",
      "08 00000001 0001 30 08 00000000 0001 78 07 0000 000009 000009",
      "0B 0000000000000000 0000",
      "0F 00000004 3C612F3E",
      "10 0003 466F6F 000009",
      "11 0C 03 FF",
      "11 0D 03 00 00000001",
      "08 00000002 0001 30 11 0C 03 01 0001 31 11 0C 00 000009",
  };
  for (const char* text : canonical) {
    INFO(text);
    auto bytes = hex(text);
    CHECK(encode0(decode0(bytes)) == bytes);
  }
}

TEST_CASE("ByteArray readObject and writeObject with objectEncoding 0", "[amf0]") {
  as3::utils::ByteArray bytes;
  bytes.objectEncoding(as3::utils::ObjectEncoding::AMF0);
  Object o;
  o["score"] = 10;
  o["name"] = "Kestrel";
  bytes.writeObject(o);
  bytes.writeObject(Value(3.5));
  CHECK(test::bytesOf(bytes) ==
        test::bytesOf(test::arrayOf(
            hex("03 0005 73636F7265 00 4024000000000000 0004 6E616D65 02 0007 4B65737472656C "
                "000009 00 400C000000000000"))));
  bytes.position(0);
  Value back = bytes.readObject();
  CHECK(back["score"].asNumber() == 10);
  CHECK(back["name"].asString() == "Kestrel");
  CHECK(bytes.readObject().asNumber() == 3.5);
  CHECK(bytes.bytesAvailable() == 0);
}

TEST_CASE("AMF0 writes a repeated sealed name once, with the member's last value", "[amf0]") {
  // Found by fuzz_amf0: AMF3 traits may name a member twice; Flash assigns in order, so the
  // member holds the second value, and AMF0 must not write the name twice.
  auto input = hex("11 0A 23 01 03 61 00 04 01 04 02");
  Value v = decode0(input);
  CHECK(v["a"].asInt() == 2);
  auto written = encode0(v);
  CHECK(written == hex("03 0001 61 00 4000000000000000 0000 09"));
  CHECK(encode0(decode0(written)) == written);
}
