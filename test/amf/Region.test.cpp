// Decoded AMF3 graphs kept in one region (docs/amf.md, "Memory"; docs/design.md): what a porter
// can observe is only that an unchanged decoded graph, cycles included, goes with its last
// outside reference. Everything else must behave as for any other value: children and strings
// outlive the root, changes work, heap values and cycles hold decoded values, and values that
// need the ordinary way decode the same.
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
#include "as3/errors/EOFError.h"
#include "as3/utils/ByteArray.h"
#include "support/Amf.h"
#include "support/Bytes.h"

using as3::amf::Array;
using as3::amf::Object;
using as3::amf::Type;
using as3::amf::Value;
using test::decode3;
using test::encode3;
using test::settledCount;

namespace {

// A world update as a game server sends it: typed objects of a class nobody registered, nested
// anonymous objects, arrays, a date, a ByteArray, vectors, XML, repeated strings and a cycle.
Value makeMessage() {
  Object world = Object::typed("com.example.WorldUpdate", {"seq", "players"}, true);
  world["seq"] = 184467;
  Array players;
  for (int i = 0; i < 3; ++i) {
    Object player = Object::typed("com.example.PlayerState", {"name", "team", "pos"}, false);
    player["name"] = "Player " + std::to_string(i);
    player["team"] = i % 2 ? "red" : "blue";
    Object pos;
    pos["x"] = 1.5 * i;
    pos["y"] = -2.25;
    player["pos"] = pos;
    players.push(player);
  }
  world["players"] = players;
  world["sentAt"] = Value::date(1732233600123.0);
  as3::utils::ByteArray blob;
  blob.writeUTFBytes("payload");
  world["blob"] = blob;
  world["ids"] = as3::amf::Vector<std::int32_t>({7, 8, 9});
  as3::amf::Vector<Value> items;
  items.push(Value("sword"));
  items.push(players[0]);
  world["items"] = items;
  world["notes"] = Value::xml("<note>hi</note>");
  world["self"] = world;
  return world;
}

std::vector<std::uint8_t> messageBytes() {
  static const std::vector<std::uint8_t> bytes = [] {
    Value message = makeMessage();
    std::vector<std::uint8_t> b = encode3(message);
    message.asObject().deleteProperty("self");  // let the hand-made graph go
    return b;
  }();
  return bytes;
}

// An object with 40 flat members, one with a nested object among every six, and one with none.
std::vector<std::uint8_t> manyMembersBytes() {
  Object flat;
  Object mixed;
  for (int i = 0; i < 40; ++i) {
    flat["m" + std::to_string(i)] = i;
    if (i % 6 == 5) {
      Object inner;
      inner["i"] = i;
      mixed["m" + std::to_string(i)] = inner;
    } else {
      mixed["m" + std::to_string(i)] = 0.5 + i;
    }
  }
  Array all;
  all.push(flat);
  all.push(mixed);
  all.push(Object());
  return encode3(all);
}

}  // namespace

TEST_CASE("A decoded graph goes with its last outside reference, cycle and all", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  std::size_t base = settledCount();
  {
    Value message = decode3(bytes);
    CHECK(message["self"] == message);
    CHECK(as3::amf::liveObjectCount() > base);
    CHECK(encode3(message) == bytes);  // a decoded graph writes back the bytes it came from
  }
  CHECK(as3::amf::liveObjectCount() == base);  // no collection needed
}

TEST_CASE("Values taken from a decoded graph outlive its root", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  std::size_t base = settledCount();
  Value player;
  Value name;
  Value blob;
  Value items;
  {
    Value message = decode3(bytes);
    player = message["players"][1];
    name = player["name"];
    blob = message["blob"];
    items = message["items"];
  }
  // The region stays while any of its nodes is referenced from outside.
  CHECK(as3::amf::liveObjectCount() > base);
  CHECK(player["team"] == Value("red"));
  CHECK(player["pos"]["y"] == Value(-2.25));
  CHECK(player.asObject().className() == "com.example.PlayerState");
  CHECK(name == Value("Player 1"));
  CHECK(blob.asByteArray().toString() == "payload");
  CHECK(items[0] == Value("sword"));
  CHECK(items[1]["name"] == Value("Player 0"));
  player = Value();
  blob = Value();
  items = Value();
  CHECK(as3::amf::liveObjectCount() == base);
  CHECK(name == Value("Player 1"));  // a string is its own value
}

TEST_CASE("Strings of a freed graph stay valid while the next messages are read", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  Value kept;
  {
    Value message = decode3(bytes);
    kept = message["players"][2]["name"];
  }
  for (int i = 0; i < 5; ++i) {
    Value again = decode3(bytes);  // reuses the reader's tables and their strings
    CHECK(again["players"][2]["name"] == kept);
  }
  CHECK(kept.asString() == "Player 2");
}

TEST_CASE("Changing a decoded graph works as on any other", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  std::size_t base = settledCount();
  SECTION("an object member") {
    Value message = decode3(bytes);
    Object player = message["players"][0].asObject();
    player["name"] = "Renamed";
    CHECK(message["players"][0]["name"] == Value("Renamed"));
    CHECK(message["self"]["players"][0]["name"] == Value("Renamed"));
    player.deleteProperty("nothing");
    message.asObject()["extra"] = Array{1, 2};
    CHECK(message["extra"][1] == Value(2));
  }
  SECTION("array elements") {
    Value message = decode3(bytes);
    Array players = message["players"].asArray();
    players.push(Value("late"));
    players[0] = Value(nullptr);
    CHECK(players.length() == 4);
    CHECK(message["players"][3] == Value("late"));
    players.setLength(2);
    players.deleteProperty("1");
    CHECK(message["players"][1].isUndefined());
  }
  SECTION("a Vector.<Object>'s items") {
    Value message = decode3(bytes);
    as3::amf::Vector<Value> items = message["items"].asVectorObject();
    items[0] = Value("shield");
    items.push(message);
    CHECK(message["items"][0] == Value("shield"));
    CHECK(message["items"][2] == message);
  }
  SECTION("the changed graph writes what a graph made by hand writes") {
    Value message = decode3(bytes);
    message.asObject()["seq"] = 1;
    Value made = makeMessage();
    made.asObject()["seq"] = 1;
    CHECK(encode3(message) == encode3(made));
    made.asObject().deleteProperty("self");
  }
  // A change turns the graph into ordinary counted values: its cycles are the collector's.
  CHECK(settledCount() == base);
}

TEST_CASE("Changing a value whose root is gone frees the root at once", "[amf][region]") {
  std::size_t base = settledCount();
  Object inner;
  {
    Object outer;
    Object child;
    child["b"] = 1;
    outer["a"] = child;
    outer["c"] = "text";
    Value decoded = decode3(encode3(outer));
    inner = decoded["a"].asObject();
  }
  CHECK(as3::amf::liveObjectCount() == base + 2);  // the root stays with its region
  inner["b"] = 2;
  CHECK(as3::amf::liveObjectCount() == base + 1);
  CHECK(inner["b"] == Value(2));
  inner = Object();
  CHECK(as3::amf::liveObjectCount() == base + 1);  // the new, empty `inner`
}

TEST_CASE("Heap values and their cycles hold decoded values", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  std::size_t base = settledCount();
  SECTION("a heap array keeps a decoded child through a collection") {
    Array holder;
    {
      Value message = decode3(bytes);
      holder.push(message["players"][2]);
    }
    CHECK(as3::amf::collectCycles() == 0);
    CHECK(holder[0]["pos"]["x"] == Value(3.0));
  }
  SECTION("a garbage cycle of heap values lets its decoded value go") {
    {
      Object x;
      Object y;
      x["y"] = y;
      y["x"] = x;
      x["decoded"] = decode3(bytes);
    }
    CHECK(as3::amf::collectCycles() == 2);
  }
  CHECK(settledCount() == base);
}

TEST_CASE("Values that need the ordinary way decode the same", "[amf][region]") {
  std::size_t base = settledCount();
  SECTION("a Dictionary inside") {
    as3::amf::Dictionary d;
    d.set(Value("k"), 1);
    Object o;
    o["before"] = Array{1, 2, 3};
    o["dict"] = d;
    Value back = decode3(encode3(o));
    CHECK(back["dict"].asDictionary().get(Value("k")) == Value(1));
    CHECK(back["before"][2] == Value(3));
  }
  SECTION("an array with named and index-like keys") {
    Array a{1, 2};
    a.set("name", "x");
    std::vector<std::uint8_t> named = encode3(a);
    Value back = decode3(named);
    CHECK(back.asArray().get("name") == Value("x"));
    CHECK(encode3(back) == named);
    // More named keys than the small-array path of normalizeArray handles (the fuzzer's find).
    Array many;
    for (int i = 0; i < 40; ++i) many.set("k" + std::to_string(i), i);
    std::vector<std::uint8_t> manyBytes = encode3(many);
    Value manyBack = decode3(manyBytes);
    CHECK(manyBack.asArray().get("k39") == Value(39));
    CHECK(encode3(manyBack) == manyBytes);
    // [] with the key "0": Flash makes it the first dense element.
    Value indexed = decode3(test::hex("09 01" + test::amf3String("0") + "04 07 01"));
    CHECK(indexed.asArray().denseLength() == 1);
    CHECK(indexed[0] == Value(7));
  }
  SECTION("an object whose dynamic names repeat") {
    // {a: 1, a: 2}: the last assignment stays.
    Value back = decode3(test::hex("0A 0B 01" + test::amf3String("a") + "04 01 00 04 02 01"));
    CHECK(back["a"] == Value(2));
    CHECK(back.asObject().dynamicCount() == 1);
  }
  SECTION("a graph bigger than a region") {
    Array big;
    for (int i = 0; i < 20000; ++i) {
      Object o;
      o["i"] = i;
      big.push(o);
    }
    std::vector<std::uint8_t> bytes = encode3(big);
    big = Array();
    Value back = decode3(bytes);
    CHECK(back[19999]["i"] == Value(19999));
    CHECK(encode3(back) == bytes);
  }
  SECTION("more strings than a region's memory would hold") {
    // A Vector.<Object>'s items are its own memory, so the region stays small while the string
    // table the region keeps a list of grows past the region's size.
    as3::amf::Vector<Value> names;
    for (int i = 0; i < 40000; ++i) names.push(Value("name-" + std::to_string(i)));
    std::vector<std::uint8_t> bytes = encode3(names);
    names = as3::amf::Vector<Value>();
    Value back = decode3(bytes);
    CHECK(back[39999] == Value("name-39999"));
  }
  SECTION("a registered class inside") {
    struct Point {
      double x = 0;
    };
    as3::amf::registerClassAlias("test.region.Point",
                                 as3::amf::Class<Point>().member("x", &Point::x));
    auto point = std::make_shared<Point>();
    point->x = 4.5;
    Object o;
    o["name"] = "p";
    o["point"] = Value(point);
    Value back = decode3(encode3(o));
    REQUIRE(back["point"].as<Point>());
    CHECK(back["point"].as<Point>()->x == 4.5);
    CHECK(back["name"] == Value("p"));
  }
  CHECK(settledCount() == base);
}

TEST_CASE("Dynamic members keep their order however their storage grows", "[amf][region]") {
  // The members' storage grows where it stands while only flat values are read, and moves when
  // a nested object was made in between; a cut anywhere must still leave nothing behind.
  std::size_t base = settledCount();
  std::vector<std::uint8_t> bytes = manyMembersBytes();
  {
    Value back = decode3(bytes);
    REQUIRE(back[0].asObject().dynamicCount() == 40);
    REQUIRE(back[1].asObject().dynamicCount() == 40);
    CHECK(back[2].asObject().dynamicCount() == 0);
    CHECK(back[0]["m39"] == Value(39));
    CHECK(back[1]["m35"]["i"] == Value(35));
    CHECK(back[1]["m36"] == Value(36.5));
    CHECK(encode3(back) == bytes);  // the order is the order read
  }
  for (std::size_t cut = 1; cut < bytes.size(); cut += 3) {
    CHECK_THROWS_AS(as3::amf::decode(bytes.data(), cut), as3::errors::EOFError);
  }
  CHECK(settledCount() == base);
}

TEST_CASE("A decode that fails inside a region leaves nothing behind", "[amf][region]") {
  std::vector<std::uint8_t> bytes = messageBytes();
  std::size_t base = settledCount();
  // Every cut of the message fails; the strings, bytes and items read before the cut must be
  // neither kept nor released twice (AddressSanitizer and LeakSanitizer watch this in CI).
  for (std::size_t cut = 1; cut < bytes.size(); cut += 7) {
    CHECK_THROWS_AS(as3::amf::decode(bytes.data(), cut), as3::errors::EOFError);
  }
  CHECK(settledCount() == base);
  Value whole = decode3(bytes);
  CHECK(whole["players"][0]["name"] == Value("Player 0"));
  CHECK(whole["notes"].asXML() == "<note>hi</note>");
}
