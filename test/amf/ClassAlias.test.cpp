// Class aliases, C++ classes described to AMF, and IExternalizable, against Flash's bytes
// (spec/amf.md sections 3.5, 3.8, 4 and 8; spec/as3-api.md section 7).
#include <catch2/catch.hpp>

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
#include "as3/errors/ReferenceError.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "as3/utils/IExternalizable.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::Array;
using as3::amf::Class;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;
using as3::utils::IDataInput;
using as3::utils::IDataOutput;
using test::amf3String;
using test::decode3;
using test::encode3;
using test::hex;

namespace {

std::string doubleHex(double d) {
  as3::utils::ByteArray b;
  b.writeDouble(d);
  return b.toHexString();
}

struct Vec2 {
  double x = 0;
  double y = 0;
};

struct Player {
  std::string name;
  std::int32_t score = 0;
  std::shared_ptr<Vec2> pos;
  std::shared_ptr<Vec2> spawn;
  int level = 0;
};

void registerGameClasses() {
  as3::amf::registerClassAlias("test.Vec2",
                               Class<Vec2>().member("x", &Vec2::x).member("y", &Vec2::y));
  as3::amf::registerClassAlias("test.Player",
                               Class<Player>()
                                   .member("name", &Player::name)
                                   .member("score", &Player::score)
                                   .member("pos", &Player::pos)
                                   .member("spawn", &Player::spawn)
                                   .property(
                                       "level", [](const Player& p) { return p.level; },
                                       [](Player& p, int level) { p.level = level; }));
}

std::string playerTraits() {
  return "0A 53" + amf3String("test.Player") + amf3String("name") + amf3String("score") +
         amf3String("pos") + amf3String("spawn") + amf3String("level");
}

// Writes two doubles, as the class behind Flash's "ExternalizableTest" sample does.
class Pair : public as3::utils::IExternalizable {
 public:
  Pair() = default;
  Pair(double first, double second) : a(first), b(second) {}
  void writeExternal(IDataOutput& out) const override {
    out.writeDouble(a);
    out.writeDouble(b);
  }
  void readExternal(IDataInput& in) override {
    a = in.readDouble();
    b = in.readDouble();
  }
  double a = 0;
  double b = 0;
};

// Writes its number twice: in the stream's default order, then little-endian.
class BothEnds : public as3::utils::IExternalizable {
 public:
  BothEnds() = default;
  explicit BothEnds(std::int32_t v) : value(v) {}
  void writeExternal(IDataOutput& out) const override {
    CHECK(out.endian() == as3::utils::Endian::bigEndian);
    out.writeInt(value);
    out.endian(as3::utils::Endian::littleEndian);
    out.writeInt(value);
  }
  void readExternal(IDataInput& in) override {
    CHECK(in.endian() == as3::utils::Endian::bigEndian);
    value = in.readInt();
    in.endian(as3::utils::Endian::littleEndian);
    secondRead = in.readInt();
  }
  std::int32_t value = 0;
  std::int32_t secondRead = 0;
};

// Nests whole values in its body, which continue the enclosing reference tables.
class Wrapper : public as3::utils::IExternalizable {
 public:
  void writeExternal(IDataOutput& out) const override {
    out.writeObject(Value(label));
    out.writeObject(payload);
    out.writeShort(tag);
  }
  void readExternal(IDataInput& in) override {
    label = std::string(in.readObject().asString());
    payload = in.readObject();
    tag = in.readShort();
  }
  std::string label;
  Value payload;
  std::int32_t tag = 0;
};

// Encodes its payload on its own first: a second writer running inside the enclosing one.
class Snapshot : public as3::utils::IExternalizable {
 public:
  void writeExternal(IDataOutput& out) const override {
    as3::utils::ByteArray alone;
    alone.writeObject(payload);
    standalone.assign(alone.data(), alone.data() + alone.length());
    out.writeObject(payload);
  }
  void readExternal(IDataInput& in) override { payload = in.readObject(); }
  Value payload;
  mutable std::vector<std::uint8_t> standalone;
};

class NeverAliased : public as3::utils::IExternalizable {
 public:
  void writeExternal(IDataOutput& out) const override { out.writeInt(1); }
  void readExternal(IDataInput& in) override { (void)in.readInt(); }
};

struct Aliased {
  std::string otherField;
};

struct NeedsArgument {
  explicit NeedsArgument(int v) : value(v) {}
  int value;
};

struct RegA {};
struct RegB {};
struct ReuseProbe {};

void registerExternalizables() {
  as3::amf::registerClassAlias("ExternalizableTest", Class<Pair>());
  as3::amf::registerClassAlias("test.BothEnds", Class<BothEnds>());
  as3::amf::registerClassAlias("test.Wrapper", Class<Wrapper>());
  as3::amf::registerClassAlias("test.Snapshot", Class<Snapshot>());
}

}  // namespace

TEST_CASE("registerClassAlias and getClassByAlias follow flash.net", "[amf][alias]") {
  using as3::errors::ArgumentError;
  using as3::errors::ReferenceError;
  const as3::amf::ClassInfo& a = Class<RegA>();
  const as3::amf::ClassInfo& b = Class<RegB>();
  CHECK(test::errorOf<ArgumentError>([&] { as3::amf::registerClassAlias("", a); }, 2085) ==
        "Error #2085: Parameter aliasName must be non-empty string.");
  test::errorOf<ArgumentError>([] { (void)as3::amf::getClassByAlias(""); }, 2085);
  CHECK(test::errorOf<ReferenceError>([] { (void)as3::amf::getClassByAlias("test.reg.none"); },
                                      1014) ==
        "Error #1014: Class test.reg.none could not be found.");
  CHECK(as3::amf::findClassByAlias("test.reg.none") == nullptr);
  CHECK(as3::amf::findClassByAlias("") == nullptr);

  as3::amf::registerClassAlias("test.reg.A", a);
  CHECK(&as3::amf::getClassByAlias("test.reg.A") == &a);
  CHECK(as3::amf::findClassByAlias("test.reg.A") == &a);
  CHECK(a.alias() == "test.reg.A");
  CHECK(a.typeName().find("RegA") != std::string_view::npos);
  CHECK_FALSE(a.isExternalizable());
  CHECK(Class<Pair>().info().isExternalizable());

  // The class takes the alias it was registered under last...
  as3::amf::registerClassAlias("test.reg.A2", a);
  CHECK(a.alias() == "test.reg.A2");
  CHECK(as3::amf::findClassByAlias("test.reg.A") == &a);
  CHECK(encode3(Value(std::make_shared<RegA>())) == hex("0A 03" + amf3String("test.reg.A2")));
  // ...and the alias the class registered under it last.
  as3::amf::registerClassAlias("test.reg.A", b);
  CHECK(&as3::amf::getClassByAlias("test.reg.A") == &b);
  CHECK(b.alias() == "test.reg.A");
  CHECK(a.alias() == "test.reg.A2");
  CHECK(decode3(hex("0A 03" + amf3String("test.reg.A"))).as<RegB>() != nullptr);
  CHECK(decode3(hex("0A 03" + amf3String("test.reg.A"))).as<RegA>() == nullptr);
}

TEST_CASE("A class read again is the class its alias names now, with the names sent now",
          "[amf][alias]") {
  // The reader gives a class sent again at the same traits index the last value's traits; a
  // registration in between, or other flags or member names, must make new ones.
  std::string bytes = "0A 13" + amf3String("test.reuse.Probe") + amf3String("score") + "04 05";
  Value before = decode3(hex(bytes));
  CHECK(before.asObject().className() == "test.reuse.Probe");
  CHECK(before.as<ReuseProbe>() == nullptr);
  as3::amf::registerClassAlias("test.reuse.Probe", Class<ReuseProbe>());
  CHECK(decode3(hex(bytes)).as<ReuseProbe>() != nullptr);

  std::string twoNames =
      "0A 23" + amf3String("test.reuse.Other") + amf3String("x") + amf3String("y") + "04 01 04 02";
  Object first = decode3(hex(twoNames)).asObject();
  CHECK(first.sealedName(1) == "y");
  Object renamed = decode3(hex("0A 23" + amf3String("test.reuse.Other") + amf3String("x") +
                               amf3String("z") + "04 01 04 02"))
                       .asObject();
  CHECK(renamed.sealedName(0) == "x");
  CHECK(renamed.sealedName(1) == "z");
  CHECK(renamed["z"].asInt() == 2);
  Object dynamic = decode3(hex("0A 2B" + amf3String("test.reuse.Other") + amf3String("x") +
                               amf3String("y") + "04 01 04 02" + amf3String("w") + "04 03 01"))
                       .asObject();
  CHECK(dynamic.isDynamic());
  CHECK(dynamic["w"].asInt() == 3);
  CHECK_FALSE(decode3(hex(twoNames)).asObject().isDynamic());
  CHECK(decode3(hex(twoNames)).asObject().sealedName(1) == "y");
}

TEST_CASE("A described C++ class is written as a typed object", "[amf][alias]") {
  registerGameClasses();
  auto player = std::make_shared<Player>();
  player->name = "Ann";
  player->score = 42;
  player->pos = std::make_shared<Vec2>(Vec2{1.5, 2});
  player->spawn = player->pos;  // one object twice: the second time a reference
  player->level = 3;

  auto expected =
      hex(playerTraits() + "06" + amf3String("Ann") + "04 2A" + "0A 23" + amf3String("test.Vec2") +
          amf3String("x") + amf3String("y") + "05" + doubleHex(1.5) + "04 02" + "0A 02" + "04 03");
  CHECK(encode3(Value(player)) == expected);

  Value back = decode3(expected);
  auto read = back.as<Player>();
  REQUIRE(read != nullptr);
  CHECK(read != player);
  CHECK(read->name == "Ann");
  CHECK(read->score == 42);
  CHECK(read->level == 3);
  REQUIRE(read->pos != nullptr);
  CHECK(read->pos->x == 1.5);
  CHECK(read->pos->y == 2);
  CHECK(read->spawn == read->pos);
  CHECK(back.as<Vec2>() == nullptr);
  CHECK(encode3(back) == expected);

  // Through the Object interface a native instance shows its class's members.
  Object o = back.asObject();
  REQUIRE(o.sealedCount() == 5);
  CHECK(o.sealedName(4) == "level");
  CHECK(o["score"].asInt() == 42);
  o["score"] = 43;
  CHECK(read->score == 43);
  test::errorOf<as3::errors::ReferenceError>([&] { o["nope"] = 1; }, 1056);

  // Two Values made from one C++ object are one AS3 object.
  Value again(player);
  CHECK(again == Value(player));
  CHECK(again.as<Player>() == player);
  auto twice = encode3(Array{again, Value(player)});
  CHECK(twice.size() == 3 + expected.size() + 2);
  CHECK(std::vector<std::uint8_t>(twice.end() - 2, twice.end()) == hex("0A 02"));
}

TEST_CASE("Members whose value does not fit are skipped, as Flash swallows them", "[amf][alias]") {
  registerGameClasses();
  // name: 5, score: "abc", pos: "x", spawn: null, level: 1.5, then a member the class lacks.
  auto bytes = hex("0A 63" + amf3String("test.Player") + amf3String("name") + amf3String("score") +
                   amf3String("pos") + amf3String("spawn") + amf3String("level") +
                   amf3String("extra") + "04 05 06" + amf3String("abc") + "06" + amf3String("x") +
                   "01 05" + doubleHex(1.5) + "03");
  Value v = decode3(bytes);
  auto p = v.as<Player>();
  REQUIRE(p != nullptr);
  CHECK(p->name.empty());
  CHECK(p->score == 0);
  CHECK(p->pos == nullptr);
  CHECK(p->spawn == nullptr);
  CHECK(p->level == 1);  // int coercion truncates
  // Written back, it carries its class's members only.
  CHECK(encode3(v) == hex(playerTraits() + "06 01 04 00 01 01 04 01"));
}

TEST_CASE("IExternalizable: Flash's two-doubles sample byte for byte", "[amf][alias]") {
  registerExternalizables();
  auto expected = hex("09 05 01 0A 07" + amf3String("ExternalizableTest") + doubleHex(1) +
                      doubleHex(2) + "0A 01" + doubleHex(3) + doubleHex(4));
  Array pair{Value(std::make_shared<Pair>(1, 2)), Value(std::make_shared<Pair>(3, 4))};
  CHECK(encode3(pair) == expected);
  Value back = decode3(expected);
  REQUIRE(back[1].as<Pair>() != nullptr);
  CHECK(back[0].as<Pair>()->a == 1);
  CHECK(back[0].as<Pair>()->b == 2);
  CHECK(back[1].as<Pair>()->a == 3);
  CHECK(back[1].as<Pair>()->b == 4);
  CHECK(encode3(back) == expected);
}

TEST_CASE("IExternalizable bodies are big-endian whatever the ByteArray's endian", "[amf][alias]") {
  registerExternalizables();
  as3::utils::ByteArray bytes;
  bytes.endian(as3::utils::Endian::littleEndian);
  bytes.writeObject(
      Array{Value(std::make_shared<BothEnds>(1)), Value(std::make_shared<BothEnds>(2))});
  CHECK(bytes.endian() == as3::utils::Endian::littleEndian);
  // The second body starts big-endian again: each call gets a fresh stream.
  CHECK(test::bytesOf(bytes) ==
        test::bytesOf(test::arrayOf(hex("09 05 01 0A 07" + amf3String("test.BothEnds") +
                                        "00000001 01000000 0A 01 00000002 02000000"))));
  bytes.position(0);
  Value back = bytes.readObject();
  CHECK(bytes.bytesAvailable() == 0);
  CHECK(back[0].as<BothEnds>()->value == 1);
  CHECK(back[0].as<BothEnds>()->secondRead == 1);
  CHECK(back[1].as<BothEnds>()->value == 2);
  CHECK(back[1].as<BothEnds>()->secondRead == 2);
}

TEST_CASE("Nested writeObject and readObject share the enclosing tables", "[amf][alias]") {
  registerExternalizables();
  Object shared;
  shared["k"] = 1;
  auto first = std::make_shared<Wrapper>();
  first->label = "hello";   // already in the string table: a reference inside the body
  first->payload = shared;  // already in the object table: a reference too
  first->tag = 7;
  auto second = std::make_shared<Wrapper>();
  second->label = "k";  // a member name from the outer stream
  second->payload = 3;
  second->tag = -1;
  Array top{"hello", shared, Value(first), Value(second)};
  auto expected =
      hex("09 09 01 06" + amf3String("hello") + "0A 0B 01" + amf3String("k") + "04 01 01" +
          "0A 07" + amf3String("test.Wrapper") + "06 00 0A 02 00 07" + "0A 05 06 02 04 03 FF FF");
  CHECK(encode3(top) == expected);

  Value back = decode3(expected);
  auto w1 = back[2].as<Wrapper>();
  auto w2 = back[3].as<Wrapper>();
  REQUIRE(w1 != nullptr);
  REQUIRE(w2 != nullptr);
  CHECK(w1->label == "hello");
  CHECK(w1->payload == back[1]);
  CHECK(w1->tag == 7);
  CHECK(w2->label == "k");
  CHECK(w2->payload.asInt() == 3);
  CHECK(w2->tag == -1);
  CHECK(encode3(back) == expected);
}

TEST_CASE("A writer started inside writeExternal leaves the enclosing tables whole",
          "[amf][alias]") {
  registerExternalizables();
  Object shared;
  shared["k"] = 1;
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->payload = shared;
  Array top{shared, Value(snapshot), shared, "k"};
  auto sharedAlone = "0A 0B 01" + amf3String("k") + "04 01 01";
  CHECK(encode3(top) == hex("09 09 01" + sharedAlone + "0A 07" + amf3String("test.Snapshot") +
                            "0A 02" + "0A 02" + "06 00"));
  CHECK(snapshot->standalone == hex(sharedAlone));
}

TEST_CASE("IExternalizable errors: #2004 without an alias, #2173 for unusable traits",
          "[amf][alias]") {
  using as3::errors::ArgumentError;
  registerGameClasses();
  as3::utils::ByteArray out;
  out.writeInt(5);
  auto message = test::errorOf<ArgumentError>(
      [&] {
        out.writeObject(Array{1, Value(std::make_shared<NeverAliased>())});
      },
      2004);
  CHECK(message.rfind("Error #2004: One of the parameters is invalid.", 0) == 0);
  CHECK(out.length() == 4);  // all or nothing
  CHECK(out.position() == 4);

  // An externalizable alias nobody registered.
  as3::utils::ByteArray unknown(test::arrayOf(hex("0A 07" + amf3String("no.such.Ext") + "00")));
  CHECK(test::errorOf<ArgumentError>([&] { (void)unknown.readObject(); }, 2173)
            .rfind("Error #2173: Unable to read object in stream.  The class no.such.Ext does not "
                   "implement flash.utils.IExternalizable but is aliased to an externalizable "
                   "class.",
                   0) == 0);
  CHECK(unknown.position() == 14);  // just past the class name

  // A registered class that is not IExternalizable, sent with externalizable traits.
  auto wrongKind = hex("0A 07" + amf3String("test.Vec2") + "00");
  CHECK(test::errorOf<ArgumentError>([&] { (void)decode3(wrongKind); }, 2173)
            .find("The class test.Vec2 does not implement") != std::string::npos);
}

TEST_CASE("A class without a default constructor cannot be read back: #1063", "[amf][alias]") {
  as3::amf::registerClassAlias("test.NeedsArgument",
                               Class<NeedsArgument>().member("value", &NeedsArgument::value));
  auto bytes = hex("0A 13" + amf3String("test.NeedsArgument") + amf3String("value") + "04 05");
  CHECK(encode3(Value(std::make_shared<NeedsArgument>(5))) == bytes);
  CHECK(test::errorOf<as3::errors::ArgumentError>([&] { (void)decode3(bytes); }, 1063)
            .rfind("Error #1063: Argument count mismatch on ", 0) == 0);
  // AMF0's typed object (0x10) fails the same way.
  auto amf0 = test::encode0(Value(std::make_shared<NeedsArgument>(5)));
  REQUIRE(amf0.at(0) == 0x10);
  CHECK(test::errorOf<as3::errors::ArgumentError>([&] { (void)test::decode0(amf0); }, 1063)
            .rfind("Error #1063: Argument count mismatch on ", 0) == 0);
}

TEST_CASE("Flash's Vector.<AliasClass> sample reads as that class and writes back the same",
          "[amf][alias]") {
  as3::amf::registerClassAlias("MyAlias",
                               Class<Aliased>().member("otherField", &Aliased::otherField));
  auto bytes =
      hex("10 05 00 0F 4D79416C696173 0A 13 00 15 6F746865724669656C64 06 0B 5468697264"
          "0A 01 06 0D 466F75727468");
  Value v = decode3(bytes);
  REQUIRE(v.type() == Type::VectorObject);
  as3::amf::VectorObject items = v.asVectorObject();
  CHECK(items.typeName() == "MyAlias");
  REQUIRE(items.size() == 2);
  REQUIRE(items[0].as<Aliased>() != nullptr);
  CHECK(items[0].as<Aliased>()->otherField == "Third");
  CHECK(items[1].as<Aliased>()->otherField == "Fourth");
  CHECK(encode3(v) == bytes);

  // Built in C++, the same vector gives the same bytes.
  as3::amf::VectorObject built = as3::amf::VectorObject::typed("MyAlias");
  built.push(Value(std::make_shared<Aliased>(Aliased{"Third"})));
  built.push(Value(std::make_shared<Aliased>(Aliased{"Fourth"})));
  CHECK(encode3(built) == bytes);
}

TEST_CASE("Flash's Dictionary sample and unknown aliases round-trip byte for byte",
          "[amf][alias]") {
  // {"bar": "asdf1", ASClass{baz: null, foo: "baz"}: "asdf2"}; org.amf.ASClass is never
  // registered here, so it reads as an Object keeping its class name.
  auto bytes =
      hex("11 05 00 06 07 626172 06 0B 6173646631 0A 23 1F 6F72672E616D662E4153436C617373"
          "07 62617A 07 666F6F 01 06 06 06 0B 6173646632");
  Value v = decode3(bytes);
  as3::amf::Dictionary d = v.asDictionary();
  REQUIRE(d.size() == 2);
  CHECK_FALSE(d.weakKeys());
  CHECK(d.get("bar").asString() == "asdf1");
  Object key = d.keyAt(1).asObject();
  CHECK(key.className() == "org.amf.ASClass");
  CHECK_FALSE(key.isDynamic());
  REQUIRE(key.sealedCount() == 2);
  CHECK(key.sealedName(0) == "baz");
  CHECK(key.get("baz").isNull());
  CHECK(key["foo"].asString() == "baz");
  CHECK(d.get(key).asString() == "asdf2");
  CHECK(encode3(v) == bytes);

  // A dynamic class nobody knows: sealed and dynamic members both survive.
  auto dynamicBytes = hex("0A 1B" + amf3String("com.unknown.Thing") + amf3String("id") + "04 05" +
                          amf3String("note") + "06" + amf3String("hi") + "01");
  Value thing = decode3(dynamicBytes);
  CHECK(thing.asObject().className() == "com.unknown.Thing");
  CHECK(thing.asObject().isDynamic());
  CHECK(thing["note"].asString() == "hi");
  CHECK(thing.as<Vec2>() == nullptr);
  CHECK(encode3(thing) == dynamicBytes);
}
