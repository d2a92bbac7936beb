// The AMF value model used from C++: members, AS3's array rules, vectors, dictionaries,
// equality, conversions and their errors, and the reclaiming of reference cycles.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "as3/amf/Array.h"
#include "as3/amf/Codec.h"
#include "as3/amf/Dictionary.h"
#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/amf/Vector.h"
#include "as3/errors/Error.h"
#include "as3/errors/RangeError.h"
#include "as3/errors/ReferenceError.h"
#include "as3/errors/TypeError.h"
#include "as3/utils/ByteArray.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::Array;
using as3::amf::Dictionary;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;
using as3::amf::VectorInt;
using as3::amf::VectorNumber;
using as3::amf::VectorObject;
using as3::amf::VectorUint;
using test::amf3String;
using test::decode3;
using test::encode3;
using test::hex;
using test::settledCount;

TEST_CASE("Object members are written and read from C++", "[amf][value]") {
  Object obj;
  obj["score"] = 10;
  obj["name"] = "Kestrel";
  Object pos;
  pos["x"] = 1.5;
  obj["pos"] = pos;

  CHECK(obj["score"].asInt() == 10);
  CHECK(obj["score"].type() == Type::Int);
  CHECK(obj["name"].asString() == "Kestrel");
  CHECK(obj["pos"]["x"].asNumber() == 1.5);
  CHECK(obj["missing"].type() == Type::Undefined);
  CHECK(obj.isDynamic());
  CHECK(obj.className().empty());

  // The nested object is shared, not copied: writing through either handle is seen by both.
  obj["pos"].get().asObject()["y"] = -2;
  CHECK(pos["y"].asInt() == -2);
  CHECK(obj["pos"]["y"].asInt() == -2);

  // Dynamic members keep insertion order; overwriting keeps the place.
  obj["score"] = 11;
  REQUIRE(obj.dynamicCount() == 3);
  CHECK(obj.dynamicName(0) == "score");
  CHECK(obj.dynamicName(1) == "name");
  CHECK(obj.dynamicName(2) == "pos");
  CHECK(obj.dynamicValue(0).asInt() == 11);

  CHECK(obj.hasOwnProperty("name"));
  CHECK(obj.deleteProperty("name"));
  CHECK_FALSE(obj.deleteProperty("name"));
  CHECK_FALSE(obj.hasOwnProperty("name"));
  CHECK(obj.dynamicCount() == 2);

  // Member assignment from another member copies the value, not the slot.
  obj["copy"] = obj["score"];
  obj["score"] = 12;
  CHECK(obj["copy"].asInt() == 11);

  Object small;
  small["score"] = 10;
  CHECK(encode3(small) == hex("0A 0B 01" + amf3String("score") + "04 0A 01"));
}

TEST_CASE("Array keeps AS3's dense part and moves keys after a hole aside", "[amf][value]") {
  Array a{1, "two", 3.5};
  CHECK(a.length() == 3);
  CHECK(a.denseLength() == 3);
  CHECK(a[1].asString() == "two");
  CHECK(a[7].type() == Type::Undefined);

  a[5] = "five";  // a hole at 3 and 4
  CHECK(a.length() == 6);
  CHECK(a.denseLength() == 3);
  REQUIRE(a.associativeCount() == 1);
  CHECK(a.associativeName(0) == "5");
  CHECK(a[4].type() == Type::Undefined);
  CHECK(a.get("5").asString() == "five");

  a[3] = 3;
  CHECK(a.denseLength() == 4);
  a[4] = 4;  // closes the gap: "5" joins the dense part
  CHECK(a.denseLength() == 6);
  CHECK(a.associativeCount() == 0);
  CHECK(a[5].asString() == "five");

  a.set("name", true);
  a.set("01", 1);  // not a canonical index: a plain key
  CHECK(a.length() == 6);
  CHECK(a.associativeCount() == 2);
  CHECK(a.get("name").asBoolean());
  CHECK(a.get("01").asInt() == 1);
  CHECK(Value(a)["name"].asBoolean());
  CHECK(Value(a)[2].asNumber() == 3.5);
  CHECK(Value(a)["2"].asNumber() == 3.5);

  CHECK(a.push(7) == 7);
  CHECK(a.denseLength() == 7);

  // Past the index range a const read is the key of the number's text, as in AS3.
  a.set("-1", "minus one");
  a.set("4294967296", "big");
  const Array& constant = a;
  CHECK(constant[-1].asString() == "minus one");
  CHECK(constant[std::size_t{4294967296}].asString() == "big");
  CHECK(constant[std::size_t{4294967296} + 1].type() == Type::Undefined);
  CHECK(constant[0].asInt() == 1);
  // Indices of length()'s own type, and proxies that print.
  std::uint32_t last = a.length() - 1;
  CHECK(a[last].asInt() == 7);
  CHECK(constant[last].asInt() == 7);
  CHECK(a[1].toString() == "two");
}

TEST_CASE("Array holes, setLength and delete follow AS3", "[amf][value]") {
  // Flash's own example: new Array(5); a[0] = "elem0"; a[4] = "elem4"; a[-1] = ...
  Array sparse;
  sparse.setLength(5);
  CHECK(sparse.length() == 5);
  CHECK(sparse.denseLength() == 0);
  sparse[0] = "elem0";
  sparse[4] = "elem4";
  sparse.set("-1", "neg");
  CHECK(sparse.length() == 5);
  CHECK(encode3(sparse) ==
        hex("09 03" + amf3String("4") + "06" + amf3String("elem4") + amf3String("-1") + "06" +
            amf3String("neg") + "01 06" + amf3String("elem0")));
  // The length is not sent: trailing holes are lost, as in Flash.
  CHECK(encode3(Array()) == hex("09 01 01"));
  Array holes;
  holes.setLength(5);
  CHECK(encode3(holes) == hex("09 01 01"));

  Array letters{"a", "b", "c", "d"};
  CHECK(letters.deleteProperty("1"));
  CHECK(letters.length() == 4);
  CHECK(letters.denseLength() == 1);
  CHECK(letters[1].type() == Type::Undefined);
  CHECK(letters[3].asString() == "d");
  CHECK(Value(letters).toString() == "a,,c,d");
  CHECK(encode3(letters) ==
        hex("09 03" + amf3String("2") + "06" + amf3String("c") + amf3String("3") + "06" +
            amf3String("d") + "01 06" + amf3String("a")));
  letters[1] = "B";  // refilling the hole makes the array dense again
  CHECK(letters.denseLength() == 4);
  CHECK(letters.associativeCount() == 0);

  letters.setLength(2);
  CHECK(letters.length() == 2);
  CHECK(letters[2].type() == Type::Undefined);
  letters.setLength(10);
  CHECK(letters.length() == 10);
  CHECK(letters.denseLength() == 2);
  CHECK(letters.push("x") == 11);
  CHECK(letters[10].asString() == "x");
  CHECK(letters.associativeName(0) == "10");

  // Dense undefined elements are elements, not holes.
  Array withUndefined{Value(), 1};
  CHECK(withUndefined.denseLength() == 2);
  CHECK(encode3(withUndefined) == hex("09 05 01 00 04 01"));

  // The largest index is 2^32 - 2; 2^32 - 1 is an ordinary key.
  Array edge;
  edge.set("4294967294", 1);
  CHECK(edge.length() == 4294967295u);
  edge.set("4294967295", 2);
  CHECK(edge.length() == 4294967295u);
  CHECK(edge.associativeCount() == 2);
}

TEST_CASE("Arrays and objects keep every element as they grow, shrink and copy", "[amf][value]") {
  Object shared;
  shared["k"] = 1;
  auto expected = [&shared](std::uint32_t i) {
    if (i % 3 == 0) return Value(std::to_string(i));
    if (i % 3 == 1) return Value(shared);
    return Value(static_cast<std::int32_t>(i));
  };
  Array a;
  for (std::uint32_t i = 0; i < 1000; ++i) a.push(expected(i));
  a.push(a.get(0u));  // an element of the array itself, while its storage grows
  REQUIRE(a.length() == 1001);
  for (std::uint32_t i = 0; i < 1000; ++i) CHECK(a.get(i) == expected(i));
  CHECK(a.get(1000u).asString() == "0");

  Value copy = test::decode3(test::encode3(a));
  a.setLength(10);
  CHECK(a.length() == 10);
  CHECK(a.get(9u).asString() == "9");
  a.setLength(12);
  CHECK(a.get(11u).isUndefined());
  Array back = copy.asArray();
  REQUIRE(back.length() == 1001);
  CHECK(back.get(997u).asObject().get("k").asInt() == 1);

  Object o;
  for (int i = 0; i < 300; ++i) o["m" + std::to_string(i)] = i;
  for (int i = 0; i < 300; i += 2) CHECK(o.deleteProperty("m" + std::to_string(i)));
  REQUIRE(o.dynamicCount() == 150);
  for (std::size_t i = 0; i < o.dynamicCount(); ++i) {
    CHECK(o.dynamicName(i) == "m" + std::to_string(2 * i + 1));
    CHECK(o.dynamicValue(i).asInt() == static_cast<std::int32_t>(2 * i + 1));
  }
  CHECK_THROWS_AS(o.dynamicName(150), std::out_of_range);
  Object decoded = test::decode3(test::encode3(o)).asObject();
  REQUIRE(decoded.dynamicCount() == 150);
  CHECK(decoded.dynamicName(149) == "m299");
}

TEST_CASE("Vector holds typed items and keeps its fixed flag and type name", "[amf][value]") {
  VectorInt ints{4, -20, 12};
  ints.push(7);
  CHECK(ints.size() == 4);
  CHECK(ints[1] == -20);
  CHECK(ints.typeName() == "int");
  CHECK_FALSE(ints.fixed());
  Value v = ints;
  CHECK(v.type() == Type::VectorInt);
  CHECK(v[3].asInt() == 7);
  CHECK(v.toString() == "4,-20,12,7");
  auto message = test::errorOf<as3::errors::RangeError>([&] { (void)v[4]; }, 1125);
  CHECK(message == "Error #1125: The index 4 is out of range 4.");

  VectorUint uints({1, 0xFFFFFFFFu}, /*fixed=*/true);
  CHECK(uints.fixed());
  CHECK(encode3(uints) == hex("0E 05 01 00000001 FFFFFFFF"));

  VectorNumber numbers{-0.0, 1.5};
  CHECK(encode3(numbers) == hex("0F 05 00 8000000000000000 3FF8000000000000"));

  VectorObject objects = VectorObject::typed("MyAlias");
  CHECK(objects.typeName() == "MyAlias");
  objects.push(Object());
  objects.push(nullptr);
  CHECK(Value(objects)[1].isNull());
  CHECK(VectorObject().typeName().empty());

  // Items are shared through every handle to the vector.
  VectorInt alias = v.asVectorInt();
  alias.items().push_back(8);
  CHECK(ints.size() == 5);
  CHECK(alias == ints);
}

TEST_CASE("Dictionary keys objects by identity and primitives by ===", "[amf][value]") {
  Dictionary d;
  Object k1;
  Object k2;
  d.set(k1, "first");
  d.set(k2, "second");
  CHECK(d.size() == 2);
  Object sameAsK1 = k1;
  CHECK(d.get(sameAsK1).asString() == "first");
  d.set(Value(sameAsK1), "again");
  CHECK(d.size() == 2);
  CHECK(d.get(k1).asString() == "again");

  // int 1, uint 1 and Number 1.0 are one key; the string "1" is another.
  d.set(1, "one");
  d.set(std::uint32_t{1}, "uno");
  d.set(1.0, "eins");
  d.set("1", "text");
  CHECK(d.size() == 4);
  CHECK(d.get(1).asString() == "eins");
  CHECK(d.get("1").asString() == "text");
  CHECK_FALSE(d.has(2));
  CHECK(d.get(2).isUndefined());
  CHECK(d.deleteProperty(1.0));
  CHECK_FALSE(d.has(1));
  CHECK(d.size() == 3);
  CHECK(d.keyAt(0) == Value(k1));
  CHECK(d.valueAt(2).asString() == "text");

  CHECK(Dictionary(true).weakKeys());
  CHECK_FALSE(d.weakKeys());

  // An int key goes out as its decimal text, as Flash sends it.
  Dictionary intKey;
  intKey.set(1, "a");
  CHECK(encode3(intKey) == hex("11 03 00 06 03 31 06 03 61"));
  // Other primitive keys are strings in a Flash Dictionary: they go as text and read back so.
  Dictionary primitives;
  primitives.set(1.5, "a");
  primitives.set(true, "b");
  primitives.set(nullptr, "c");
  auto bytes =
      hex("11 07 00 06" + amf3String("1.5") + "06" + amf3String("a") + "06" + amf3String("true") +
          "06" + amf3String("b") + "06" + amf3String("null") + "06" + amf3String("c"));
  CHECK(encode3(primitives) == bytes);
  CHECK(decode3(bytes).asDictionary().get("true").asString() == "b");
}

TEST_CASE("strictEquals is AS3's ===", "[amf][value]") {
  CHECK(Value(1) == Value(1.0));
  CHECK(Value(std::uint32_t{1}) == Value(1));
  CHECK(Value(-1) != Value(std::uint32_t{0xFFFFFFFFu}));
  double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(Value(nan) != Value(nan));
  CHECK_FALSE(Value(nan).strictEquals(Value(nan)));
  CHECK(Value(0.0) == Value(-0.0));
  CHECK(Value("abc") == Value(std::string("abc")));
  CHECK(Value("abc") != Value("abd"));
  CHECK(Value() == Value());
  CHECK(Value(nullptr) == Value(nullptr));
  CHECK(Value() != Value(nullptr));
  CHECK(Value(true) != Value(1));
  CHECK(Value("1") != Value(1));
  Object a;
  Object b;
  CHECK(Value(a) == Value(a));
  CHECK(Value(a) != Value(b));
  CHECK(Value::date(0) != Value::date(0));
  Value d = Value::date(0);
  Value sameDate = d;
  CHECK(d == sameDate);
}

TEST_CASE("toString is AS3's String()", "[amf][value]") {
  CHECK(Value().toString() == "undefined");
  CHECK(Value(nullptr).toString() == "null");
  CHECK(Value(true).toString() == "true");
  CHECK(Value(-7).toString() == "-7");
  CHECK(Value(std::uint32_t{4000000000u}).toString() == "4000000000");
  CHECK(Value(1.5).toString() == "1.5");
  CHECK(Value(0.1).toString() == "0.1");
  CHECK(Value(-0.0).toString() == "0");
  CHECK(Value(1e21).toString() == "1e+21");
  CHECK(Value(123456789012.0).toString() == "123456789012");
  CHECK(Value(1e-7).toString() == "1e-7");
  CHECK(Value(0.000001).toString() == "0.000001");
  CHECK(Value(std::numeric_limits<double>::quiet_NaN()).toString() == "NaN");
  CHECK(Value(-std::numeric_limits<double>::infinity()).toString() == "-Infinity");
  CHECK(Value("text").toString() == "text");
  CHECK(Value(Object()).toString() == "[object Object]");
  CHECK(Value::date(0).toString() == "[object Date]");
  CHECK(Value(Dictionary()).toString() == "[object Dictionary]");
  CHECK(Value(Array{1, "two", nullptr, Value(), 2.5}).toString() == "1,two,,,2.5");
  CHECK(Value::xml("<a/>").toString() == "<a/>");
  // C++ integers take the AS3 type their value fits.
  CHECK(Value(std::int64_t{5}).type() == Type::Int);
  CHECK(Value(std::int64_t{3000000000}).type() == Type::Uint);
  CHECK(Value(std::int64_t{-3000000000}).type() == Type::Number);
}

TEST_CASE("as* accessors throw TypeError #1034 and null access #1009", "[amf][value]") {
  using as3::errors::TypeError;
  CHECK(test::errorOf<TypeError>([] { (void)Value("x").asInt(); }, 1034) ==
        "Error #1034: Type Coercion failed: cannot convert String to int.");
  test::errorOf<TypeError>([] { (void)Value(1.5).asInt(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(-1).asUint(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(1).asBoolean(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(1).asString(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value("1").asNumber(); }, 1034);
  CHECK(test::errorOf<TypeError>([] { (void)Value(Array()).asObject(); }, 1034) ==
        "Error #1034: Type Coercion failed: cannot convert Array to Object.");
  test::errorOf<TypeError>([] { (void)Value(nullptr).asArray(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(Object()).asDictionary(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(VectorInt()).asVectorUint(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value(1).asDate(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value("<a/>").asXML(); }, 1034);
  test::errorOf<TypeError>([] { (void)Value().asByteArray(); }, 1034);
  CHECK(Value(7).asNumber() == 7);
  CHECK(Value(std::uint32_t{7}).asInt() == 7);
  CHECK(Value(7.0).asUint() == 7);

  const std::string nullText =
      "Error #1009: Cannot access a property or method of a null object reference.";
  CHECK(test::errorOf<TypeError>([] { (void)Value(nullptr)["x"]; }, 1009) == nullText);
  test::errorOf<TypeError>([] { (void)Value()["x"]; }, 1009);
  test::errorOf<TypeError>([] { (void)Value(nullptr)[0]; }, 1009);
  Object gone;
  Object moved = std::move(gone);
  test::errorOf<TypeError>([&] { (void)gone.get("x"); }, 1009);
  test::errorOf<TypeError>([&] { gone["x"] = 1; }, 1009);
  Array empty;
  Array taken = std::move(empty);
  test::errorOf<TypeError>([&] { (void)empty.length(); }, 1009);
  CHECK(Value(Object(std::move(moved))).isReference());
  // A primitive has no members: reading one gives undefined, as in AS3.
  CHECK(Value(5)["x"].isUndefined());
}

TEST_CASE("Sealed typed objects refuse new members", "[amf][value]") {
  using as3::errors::ReferenceError;
  Object item = Object::typed("com.example.Item", {"id", "name"});
  CHECK(item.className() == "com.example.Item");
  CHECK_FALSE(item.isDynamic());
  CHECK(item.sealedCount() == 2);
  CHECK(item["id"].type() == Type::Undefined);
  item["id"] = 7;
  item["name"] = "bolt";
  CHECK(test::errorOf<ReferenceError>([&] { item["price"] = 1; }, 1056) ==
        "Error #1056: Cannot create property price on com.example.Item.");
  CHECK(test::errorOf<ReferenceError>([&] { (void)item.get("price"); }, 1069) ==
        "Error #1069: Property price not found on com.example.Item and there is no default value.");
  test::errorOf<ReferenceError>([&] { (void)Value(item)["price"]; }, 1069);
  CHECK_FALSE(item.deleteProperty("id"));  // sealed members stay
  CHECK(item["id"].asInt() == 7);
  CHECK(encode3(item) == hex("0A 23" + amf3String("com.example.Item") + amf3String("id") +
                             amf3String("name") + "04 07 06" + amf3String("bolt")));

  Object open = Object::typed("com.example.Open", {"id"}, /*dynamic=*/true);
  open["extra"] = true;
  CHECK(open.isDynamic());
  CHECK(open.dynamicCount() == 1);
  CHECK(open.get("nothing").isUndefined());
  CHECK(encode3(open) == hex("0A 1B" + amf3String("com.example.Open") + amf3String("id") + "00" +
                             amf3String("extra") + "03 01"));
}

TEST_CASE("Moving a Value hands over its payload, onto itself too", "[amf][value]") {
  Value text = std::string(40, 't');
  Value object = Object();
  Value target = text;
  target = std::move(object);  // lets go of the string, takes the object
  CHECK(target.type() == Type::Object);
  CHECK(object.isUndefined());
  CHECK(text.asString() == std::string(40, 't'));
  Value& same = target;
  target = std::move(same);
  CHECK(target.type() == Type::Object);
  Value& sameText = text;
  text = std::move(sameText);
  CHECK(text.asString() == std::string(40, 't'));
}

TEST_CASE("Handles and Values share one object", "[amf][value]") {
  Object a;
  Object b = a;
  b["x"] = 1;
  CHECK(a["x"].asInt() == 1);
  Value va = a;
  CHECK(va.asObject() == a);
  CHECK(Object() != a);
  Value copy = va;
  copy.asObject()["y"] = 2;
  CHECK(a["y"].asInt() == 2);
  CHECK(va.node() == copy.node());

  // A ByteArray is copied into the Value once; copies of the Value share that ByteArray.
  as3::utils::ByteArray source;
  source.writeByte(1);
  Value bytes = source;
  source.writeByte(2);
  CHECK(bytes.asByteArray().length() == 1);
  Value sameBytes = bytes;
  sameBytes.asByteArray().writeByte(9);
  CHECK(bytes.asByteArray().length() == 2);

  CHECK(Value::date(86400000.0).asDate() == 86400000.0);
  CHECK(std::isnan(Value::date(std::nan("")).asDate()));
  CHECK(Value::xmlDocument("<a />").type() == Type::XMLDocument);
}

TEST_CASE("Unreachable reference cycles are reclaimed", "[amf][value]") {
  std::size_t base = settledCount();
  {
    Array self;
    self.push(self);

    Object left;
    Object right;
    left["peer"] = right;
    right["peer"] = left;

    Dictionary dict;
    Object key;
    dict.set(key, dict);  // the dictionary holds itself as a value
    Object keyedByItself;
    dict.set(dict, keyedByItself);  // and as a key
    keyedByItself["back"] = dict;

    VectorObject vec;
    vec.push(vec);
    Object holder;
    holder["vector"] = vec;
    vec.push(holder);

    CHECK(as3::amf::liveObjectCount() == base + 8);
  }
  // Reference counts alone cannot free any of them (`key` hangs off the dictionary).
  CHECK(as3::amf::liveObjectCount() == base + 8);
  CHECK(as3::amf::collectCycles() == 8);
  CHECK(as3::amf::liveObjectCount() == base);
}

TEST_CASE("Cycles still referenced from C++ survive a collection", "[amf][value]") {
  std::size_t base = settledCount();
  Object kept;
  {
    Object other;
    kept["peer"] = other;
    other["peer"] = kept;
    Array garbage;
    garbage.push(garbage);
    garbage.push(kept);  // garbage may point at live objects: they stay
  }
  CHECK(as3::amf::collectCycles() == 1);
  CHECK(as3::amf::liveObjectCount() == base + 2);
  CHECK(kept["peer"]["peer"] == Value(kept));
  kept = Object();
  CHECK(as3::amf::collectCycles() == 2);
  CHECK(as3::amf::liveObjectCount() == base + 1);  // the new, empty `kept`
}

TEST_CASE("Decoded cyclic graphs are reclaimed", "[amf][value]") {
  std::size_t base = settledCount();
  {
    Value selfArray = decode3(hex("09 03 01 09 00"));
    CHECK(selfArray[0] == selfArray);
    // {a: <itself>, b: [<the object>]}
    Value selfObject = decode3(
        hex("0A 0B 01" + amf3String("a") + "0A 00" + amf3String("b") + "09 03 01 0A 00 01"));
    CHECK(selfObject["a"] == selfObject);
    CHECK(selfObject["b"][0] == selfObject);
    // A Dictionary whose only key is itself, mapped to a Vector.<Object> holding the dictionary.
    Value dict = decode3(hex("11 03 00 11 00 10 03 00 01 11 00"));
    CHECK(dict.asDictionary().keyAt(0) == dict);
    CHECK(dict.asDictionary().valueAt(0)[0] == dict);
    CHECK(as3::amf::liveObjectCount() == base + 5);
  }
  // The array and the object were read into regions (docs/amf.md, "Memory"): unchanged, they go
  // with their last outside reference, cycles and all. A Dictionary is read the ordinary way,
  // and its cycle waits for the collector.
  CHECK(as3::amf::liveObjectCount() == base + 2);
  CHECK(as3::amf::collectCycles() == 2);
  CHECK(as3::amf::liveObjectCount() == base);
}

TEST_CASE("A decoded cycle changed after reading is left to the collector", "[amf][value]") {
  std::size_t base = settledCount();
  {
    // {a: <itself>, b: [<the object>]}
    Value selfObject = decode3(
        hex("0A 0B 01" + amf3String("a") + "0A 00" + amf3String("b") + "09 03 01 0A 00 01"));
    selfObject.asObject()["c"] = 1;  // a change makes its nodes ordinary counted ones
    CHECK(selfObject["c"] == Value(1));
    CHECK(selfObject["b"][0]["a"] == selfObject);
    CHECK(as3::amf::liveObjectCount() == base + 2);
  }
  CHECK(as3::amf::liveObjectCount() == base + 2);
  CHECK(as3::amf::collectCycles() == 2);
  CHECK(as3::amf::liveObjectCount() == base);
}

TEST_CASE("A chain of a million values is freed without deep recursion", "[amf][value]") {
  std::size_t base = settledCount();
  constexpr int kLength = 1000000;
  Value first;
  {
    Value next = nullptr;
    for (int i = 0; i < kLength; ++i) {
      // Every container kind, so each way of holding a child is freed iteratively.
      switch (i % 4) {
        case 0: {
          Object o;
          o["next"] = next;
          next = o;
          break;
        }
        case 1: {
          Array a;
          a.push(next);
          next = a;
          break;
        }
        case 2: {
          VectorObject v;
          v.push(next);
          next = v;
          break;
        }
        default: {
          Dictionary d;
          d.set("next", next);
          next = d;
          break;
        }
      }
      if (i == 0) first = next;
    }
    CHECK(as3::amf::liveObjectCount() >= base + kLength);
  }
  // Dropping the head cascaded through the whole chain.
  CHECK(as3::amf::liveObjectCount() == base + 1);
  first = Value();
  CHECK(as3::amf::liveObjectCount() == base);

  // The same chain closed into a ring is one big cycle for the collector.
  {
    Object head;
    Object tail = head;
    for (int i = 1; i < kLength; ++i) {
      Object o;
      o["next"] = tail;
      tail = o;
    }
    head["next"] = tail;
  }
  CHECK(as3::amf::liveObjectCount() == base + kLength);
  CHECK(as3::amf::collectCycles() == static_cast<std::size_t>(kLength));
  CHECK(as3::amf::liveObjectCount() == base);
}

TEST_CASE("Cycles are collected automatically as values are made", "[amf][value]") {
  std::size_t base = settledCount();
  std::size_t peak = 0;
  for (int i = 0; i < 300000; ++i) {
    Object a;
    Object b;
    a["b"] = b;
    b["a"] = a;
    peak = std::max(peak, as3::amf::liveObjectCount());
  }
  // Without a collection 600,000 objects would be alive; the heap collects every few ten
  // thousand allocations instead.
  CHECK(peak - base < 100000);
  CHECK(as3::amf::liveObjectCount() - base < 100000);
  CHECK(as3::amf::collectCycles() > 0);
  CHECK(as3::amf::liveObjectCount() == base);
}

TEST_CASE("Writing a chain deeper than the writer's limit fails cleanly", "[amf][value]") {
  Value next = nullptr;
  for (int i = 0; i < 5000; ++i) {
    Array a;
    a.push(next);
    next = a;
  }
  as3::utils::ByteArray out;
  out.writeByte(0x55);
  CHECK(test::errorOf<as3::errors::Error>([&] { out.writeObject(next); }, 1023)
            .rfind("Error #1023: Stack overflow occurred.", 0) == 0);
  CHECK(test::bytesOf(out) == std::vector<int>{0x55});
  CHECK(out.position() == 1);
}
