// The tool's JSON model and its wire-level AMF dissector/assembler (tools/as3net/AmfJson.h).
// Expected bytes are amf.md's examples (most of them Flash's own output) or spelled out by hand
// from the format; expected JSON is amf-json.md's form, written out in full.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "AmfJson.h"
#include "Json.h"

using as3net_tool::AmfAssembleError;
using as3net_tool::AmfEncoding;
using as3net_tool::AmfFormatError;
using as3net_tool::DissectOptions;
using as3net_tool::ExternalizableLayout;
namespace json = as3net_tool::json;

namespace {

constexpr AmfEncoding kAmf0 = AmfEncoding::kAmf0;
constexpr AmfEncoding kAmf3 = AmfEncoding::kAmf3;

// bytesOf reads hex digits, skipping whitespace; 'text' between single quotes stands for its
// ASCII bytes, so the examples read as amf.md prints them.
std::vector<std::uint8_t> bytesOf(std::string_view text) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n') continue;
    if (c == '\'') {
      std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) FAIL("unclosed quote in " << text);
      out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                 text.begin() + static_cast<std::ptrdiff_t>(close));
      i = close;
      continue;
    }
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) FAIL("not a hex digit: " << c);
    if (high < 0) {
      high = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | d));
      high = -1;
    }
  }
  REQUIRE(high < 0);
  return out;
}

std::string hexOf(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xF];
  }
  return s;
}

DissectOptions optionsFor(AmfEncoding encoding, bool all = false) {
  DissectOptions options;
  options.encoding = encoding;
  options.all = all;
  return options;
}

// decoded is the dissector's output, one line per top-level value.
std::string decoded(const std::vector<std::uint8_t>& bytes, const DissectOptions& options) {
  std::string lines;
  for (const json::Value& node : as3net_tool::dissect(bytes, options)) {
    if (!lines.empty()) lines += '\n';
    lines += json::print(node);
  }
  return lines;
}

std::string decoded(std::string_view hex, AmfEncoding encoding) {
  return decoded(bytesOf(hex), optionsFor(encoding));
}

// assembled is the bytes for the JSON nodes in `text`, as hex.
std::string assembled(std::string_view text, AmfEncoding encoding) {
  return hexOf(as3net_tool::assemble(json::parseSequence(text), encoding));
}

// roundTrip checks that `hex` decodes to `expectedJson` and that the printed JSON, parsed and
// assembled again, gives the very same bytes.
void roundTrip(std::string_view hex, AmfEncoding encoding, const std::string& expectedJson,
               const DissectOptions* custom = nullptr) {
  std::vector<std::uint8_t> bytes = bytesOf(hex);
  DissectOptions options = custom ? *custom : optionsFor(encoding, true);
  options.encoding = encoding;
  options.all = true;
  std::string text = decoded(bytes, options);
  CHECK(text == expectedJson);
  CHECK(assembled(text, encoding) == hexOf(bytes));
}

// formatError is the message of the AmfFormatError that dissecting `bytes` throws.
std::string formatError(const std::vector<std::uint8_t>& bytes, const DissectOptions& options,
                        std::size_t expectedOffset) {
  try {
    as3net_tool::dissect(bytes, options);
  } catch (const AmfFormatError& e) {
    CHECK(e.offset() == expectedOffset);
    return e.what();
  }
  FAIL("dissect accepted the input");
  return {};
}

std::string formatError(std::string_view hex, AmfEncoding encoding, std::size_t expectedOffset) {
  return formatError(bytesOf(hex), optionsFor(encoding), expectedOffset);
}

// assembleError is the message of the AmfAssembleError that assembling `text` throws.
std::string assembleError(std::string_view text, AmfEncoding encoding) {
  try {
    as3net_tool::assemble(json::parseSequence(text), encoding);
  } catch (const AmfAssembleError& e) {
    return e.what();
  }
  FAIL("assemble accepted the node");
  return {};
}

std::string parseError(std::string_view text, std::size_t expectedOffset,
                       const json::ParseOptions& options = {}) {
  try {
    json::parse(text, options);
  } catch (const json::ParseError& e) {
    CHECK(e.offset() == expectedOffset);
    return e.what();
  }
  FAIL("parse accepted the text");
  return {};
}

const std::string kASClassTraits = "0A 23 1F 'org.amf.ASClass' 07 'baz' 07 'foo'";

}  // namespace

using Catch::Matchers::Contains;

// --- JSON --------------------------------------------------------------------------------------

TEST_CASE("Json: numbers keep integer and double apart by their token", "[json]") {
  CHECK(json::parse("1").isInt());
  CHECK(json::parse("1").asInt() == 1);
  CHECK(json::parse("-0").isInt());
  CHECK(json::parse("1.0").isDouble());
  CHECK(json::parse("1e2").isDouble());
  CHECK(json::parse("1e2").asDouble() == 100.0);
  CHECK(json::parse("-9223372036854775808").asInt() == INT64_MIN);
  json::Value big = json::parse("9223372036854775808");  // one past int64
  CHECK(big.isDouble());
  CHECK(big.asDouble() == 9223372036854775808.0);
  json::Value negativeZero = json::parse("-0.0");
  CHECK(std::signbit(negativeZero.asDouble()));
  CHECK(json::parse("1") != json::parse("1.0"));
  CHECK_THAT(parseError("1e999", 0), Contains("out of a double's range"));
  CHECK_THAT(parseError("012", 1), Contains("leading zeros"));
  CHECK_THAT(parseError("1.", 2), Contains("digit must follow '.'"));
  CHECK_THAT(parseError("-", 1), Contains("digit must follow '-'"));
}

TEST_CASE("Json: strings decode escapes and surrogate pairs and refuse bad UTF-8", "[json]") {
  CHECK(json::parse(R"("a\"b\\c\/d\b\f\n\r\t")").asString() == "a\"b\\c/d\b\f\n\r\t");
  CHECK(json::parse(R"("\u00e9\u20AC")").asString() == "\xC3\xA9\xE2\x82\xAC");
  CHECK(json::parse(R"("\ud83d\ude00")").asString() == "\xF0\x9F\x98\x80");
  CHECK(json::parse("\"\xF0\x9F\x98\x80\"").asString() == "\xF0\x9F\x98\x80");
  CHECK_THAT(parseError(R"("\ud83d")", 1), Contains("without a low surrogate"));
  CHECK_THAT(parseError(R"("\ude00")", 1), Contains("lone low surrogate"));
  CHECK_THAT(parseError(R"("\x")", 1), Contains("invalid escape"));
  CHECK_THAT(parseError(R"("\u12g4")", 5), Contains("invalid hex digit"));
  CHECK_THAT(parseError("\"ab\xC3(\"", 3), Contains("ill-formed UTF-8"));
  CHECK_THAT(parseError("\"\xED\xA0\x80\"", 1), Contains("ill-formed UTF-8"));  // a surrogate
  CHECK_THAT(parseError("\"\xC0\xAF\"", 1), Contains("ill-formed UTF-8"));      // overlong
  CHECK_THAT(parseError("\"a\nb\"", 2), Contains("control character"));
  CHECK_THAT(parseError("\"abc", 4), Contains("end of input in a string"));
}

TEST_CASE("Json: objects keep document order and refuse duplicate keys", "[json]") {
  json::Value v = json::parse(R"({"z":1,"a":2,"m":[true,false,null]})");
  const json::Object& o = v.asObject();
  REQUIRE(o.size() == 3);
  CHECK(o[0].first == "z");
  CHECK(o[1].first == "a");
  CHECK(o[2].first == "m");
  CHECK(v.find("a")->asInt() == 2);
  CHECK(v.find("missing") == nullptr);
  CHECK_THAT(parseError(R"({"a":1,"a":2})", 7), Contains("duplicate key \"a\""));
  // Past the scanning limit the check goes through a set; it must still find the duplicate.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  std::size_t duplicateAt = many.size();
  many += "\"k7\":0}";
  CHECK_THAT(parseError(many, duplicateAt), Contains("duplicate key \"k7\""));
}

TEST_CASE("Json: syntax errors name the offset", "[json]") {
  CHECK_THAT(parseError("[1,]", 3), Contains("expected a value"));
  CHECK_THAT(parseError("{\"a\" 1}", 5), Contains("expected ':'"));
  CHECK_THAT(parseError("{\"a\":1 \"b\":2}", 7), Contains("expected ',' or '}'"));
  CHECK_THAT(parseError("[1 2]", 3), Contains("expected ',' or ']'"));
  CHECK_THAT(parseError("{1:2}", 1), Contains("expected a string key"));
  CHECK_THAT(parseError("tru", 0), Contains("expected a value"));
  CHECK_THAT(parseError("1 2", 2), Contains("after the value"));
  CHECK_THAT(parseError("", 0), Contains("end of input"));
  CHECK_THAT(parseError("\x01", 0), Contains("unexpected byte 0x01"));
}

TEST_CASE("Json: nesting deeper than the limit is refused", "[json]") {
  json::ParseOptions options;
  options.maxDepth = 512;
  std::string ok = std::string(512, '[') + std::string(512, ']');
  CHECK(json::parse(ok, options).isArray());
  std::string deep = std::string(513, '[') + std::string(513, ']');
  CHECK_THAT(parseError(deep, 512, options), Contains("nesting deeper than 512"));
  // A megabyte of brackets must fail cleanly, not exhaust the stack.
  std::string hostile(1 << 20, '[');
  CHECK_THAT(parseError(hostile, 512), Contains("nesting"));
}

TEST_CASE("Json: a sequence of values separated by whitespace", "[json]") {
  std::vector<json::Value> values = json::parseSequence(" 1 {\"a\":2}\n[3]\n\"x\" ");
  REQUIRE(values.size() == 4);
  CHECK(values[0].asInt() == 1);
  CHECK(values[1].find("a")->asInt() == 2);
  CHECK(values[2].asArray()[0].asInt() == 3);
  CHECK(values[3].asString() == "x");
  CHECK(json::parseSequence("  \n").empty());
  try {
    json::parseSequence("true false truefalse");
    FAIL("accepted two values without whitespace between them");
  } catch (const json::ParseError& e) {
    CHECK(e.offset() == 15);
    CHECK_THAT(e.what(), Contains("expected whitespace between values"));
  }
}

TEST_CASE("Json: the printer is compact and round-trips doubles", "[json]") {
  json::Object o;
  o.emplace_back("i", -7);
  o.emplace_back("d", 3.0);
  o.emplace_back("f", 0.1);
  o.emplace_back("big", 1e21);
  o.emplace_back("tiny", 5e-324);
  o.emplace_back("s", "q\"\\\x01\n\xC3\xA9");
  o.emplace_back("a", json::Array{json::Value(true), json::Value(nullptr), json::Value(false)});
  json::Value v(std::move(o));
  std::string text = json::print(v);
  CHECK(text == R"({"i":-7,"d":3.0,"f":0.1,"big":1e+21,"tiny":5e-324,"s":"q\"\\\u0001\n)"
                "\xC3\xA9"
                R"(","a":[true,null,false]})");
  CHECK(json::parse(text) == v);
  CHECK(json::print(json::Value(0.30000000000000004)) == "0.30000000000000004");
  CHECK(json::print(json::Value(-0.0)) == "-0.0");
  CHECK(json::print(json::Value("bad \xFF byte")) == "\"bad \xEF\xBF\xBD byte\"");
  CHECK_THROWS_AS(json::print(json::Value(std::nan(""))), std::domain_error);
}

TEST_CASE("Json: findInvalidUtf8 finds the first bad byte", "[json]") {
  CHECK(json::findInvalidUtf8("plain \xC3\xA9 \xF4\x8F\xBF\xBF") == std::string_view::npos);
  CHECK(json::findInvalidUtf8("ab\xF4\x90\x80\x80") == 2);  // above U+10FFFF
  CHECK(json::findInvalidUtf8("abc\xE2\x82") == 3);         // truncated
  CHECK(json::findInvalidUtf8("\x80") == 0);
}

// --- AMF: amf.md section 8 ---------------------------------------------------------------------

TEST_CASE("TaggedJson: amf.md 8 integers and the first double", "[amfjson]") {
  roundTrip("04 00", kAmf3, R"({"t":"int","v":0})");
  roundTrip("04 BF FF FF FF", kAmf3, R"({"t":"int","v":268435455})");
  roundTrip("04 C0 80 80 00", kAmf3, R"({"t":"int","v":-268435456})");
  roundTrip("05 41 B0 00 00 00 00 00 00", kAmf3, R"({"t":"double","v":268435456.0})");
}

TEST_CASE("TaggedJson: amf.md 8 string references in an array", "[amfjson]") {
  roundTrip("09 0D 01 06 07 666F6F 06 07 737472 06 00 06 02 06 00 0A 0B 01 02 06 00 01", kAmf3,
            R"({"t":"array","id":0,"dense":[{"t":"string","v":"foo"},{"t":"string","v":"str"},)"
            R"({"t":"string","v":"foo"},{"t":"string","v":"str"},{"t":"string","v":"foo"},)"
            R"({"t":"object","id":1,"class":"","dynamic":true,"sealed":[],)"
            R"("members":[["str",{"t":"string","v":"foo"}]]}],"assoc":[]})");
  roundTrip("09 05 01 06 01 06 01", kAmf3,
            R"({"t":"array","id":0,"dense":[{"t":"string","v":""},{"t":"string","v":""}],)"
            R"("assoc":[]})");
}

TEST_CASE("TaggedJson: amf.md 8 a date twice and two typed objects", "[amfjson]") {
  roundTrip("09 05 01 08 01 0000000000000000 08 02", kAmf3,
            R"({"t":"array","id":0,"dense":[{"t":"date","id":1,"v":0.0},{"t":"ref","id":1}],)"
            R"("assoc":[]})");
  roundTrip("09 05 01" + kASClassTraits + " 01 06 04 0A 01 01 06 07 626172", kAmf3,
            R"({"t":"array","id":0,"dense":[)"
            R"({"t":"object","id":1,"class":"org.amf.ASClass","dynamic":false,)"
            R"("sealed":[["baz",{"t":"null"}],["foo",{"t":"string","v":"foo"}]],"members":[]},)"
            R"({"t":"object","id":2,"class":"org.amf.ASClass","dynamic":false,)"
            R"("sealed":[["baz",{"t":"null"}],["foo",{"t":"string","v":"bar"}]],"members":[]}],)"
            R"("assoc":[]})");
}

TEST_CASE("TaggedJson: amf.md 8 an unknown externalizable is rejected, a declared one is read",
          "[amfjson]") {
  const std::string hex =
      "09 05 01 0A 07 25 'ExternalizableTest' 3FF0000000000000 4000000000000000"
      " 0A 01 4008000000000000 4010000000000000";
  CHECK_THAT(formatError(hex, kAmf3, 3),
             Contains("externalizable class \"ExternalizableTest\" has no known payload layout") &&
                 Contains("at offset 3"));
  DissectOptions options;
  options.externalizables["ExternalizableTest"] = {ExternalizableLayout::Kind::kBytes, 16};
  roundTrip(hex, kAmf3,
            R"({"t":"array","id":0,"dense":[)"
            R"({"t":"object","id":1,"class":"ExternalizableTest","externalizable":true,)"
            R"("ext":{"kind":"bytes","hex":"3ff00000000000004000000000000000"}},)"
            R"({"t":"object","id":2,"class":"ExternalizableTest","externalizable":true,)"
            R"("ext":{"kind":"bytes","hex":"40080000000000004010000000000000"}}],"assoc":[]})",
            &options);
}

TEST_CASE("TaggedJson: amf.md 8 vectors and a dictionary", "[amfjson]") {
  roundTrip("0D 07 00 00000004 FFFFFFEC 0000000C", kAmf3,
            R"({"t":"vector_int","id":0,"fixed":false,"v":[4,-20,12]})");
  roundTrip("10 05 00 0F 'MyAlias' 0A 13 00 15 'otherField' 06 0B 'Third' 0A 01 06 0D 'Fourth'",
            kAmf3,
            R"({"t":"vector_object","id":0,"fixed":false,"type":"MyAlias","v":[)"
            R"({"t":"object","id":1,"class":"MyAlias","dynamic":false,)"
            R"("sealed":[["otherField",{"t":"string","v":"Third"}]],"members":[]},)"
            R"({"t":"object","id":2,"class":"MyAlias","dynamic":false,)"
            R"("sealed":[["otherField",{"t":"string","v":"Fourth"}]],"members":[]}]})");
  roundTrip(
      "11 05 00 06 07 626172 06 0B 6173646631" + kASClassTraits + " 01 06 06 06 0B 6173646632",
      kAmf3,
      R"({"t":"dictionary","id":0,"weak":false,"entries":[)"
      R"([{"t":"string","v":"bar"},{"t":"string","v":"asdf1"}],)"
      R"([{"t":"object","id":1,"class":"org.amf.ASClass","dynamic":false,)"
      R"("sealed":[["baz",{"t":"null"}],["foo",{"t":"string","v":"baz"}]],"members":[]},)"
      R"({"t":"string","v":"asdf2"}]]})");
}

TEST_CASE("TaggedJson: amf.md 8 AMF0 object, ecma array and switch", "[amfjson]") {
  roundTrip("03 0003 626172 00 40091EB851EB851F 0003 666F6F 02 0003 62617A 0000 09", kAmf0,
            R"({"t":"object","id":0,"class":"","members":[["bar",{"t":"double","v":3.14}],)"
            R"(["foo",{"t":"string","v":"baz"}]]})");
  roundTrip(
      "08 00000004 0001 30 02 0001 61 0001 31 02 0001 62 0001 32 02 0001 63 0001 33 02 0001 64"
      " 0000 09",
      kAmf0,
      R"({"t":"ecma_array","id":0,"count":4,"assoc":[["0",{"t":"string","v":"a"}],)"
      R"(["1",{"t":"string","v":"b"}],["2",{"t":"string","v":"c"}],["3",{"t":"string","v":"d"}]]})");
  roundTrip("11 0A 0B 01 03 61 04 01 01", kAmf0,
            R"({"t":"amf3","v":{"t":"object","id":0,"class":"","dynamic":true,"sealed":[],)"
            R"("members":[["a",{"t":"int","v":1}]]}})");
}

// --- AMF3: every marker ------------------------------------------------------------------------

TEST_CASE("TaggedJson: every AMF3 marker", "[amfjson]") {
  roundTrip("00", kAmf3, R"({"t":"undefined"})");
  roundTrip("01", kAmf3, R"({"t":"null"})");
  roundTrip("02", kAmf3, R"({"t":"bool","v":false})");
  roundTrip("03", kAmf3, R"({"t":"bool","v":true})");
  roundTrip("04 FF FF FF FF", kAmf3, R"({"t":"int","v":-1})");
  roundTrip("05 3FF8000000000000", kAmf3, R"({"t":"double","v":1.5})");
  roundTrip("06 0D 'h\xC3\xA9llo'", kAmf3, "{\"t\":\"string\",\"v\":\"h\xC3\xA9llo\"}");
  roundTrip("07 2B '<child prop=\"test\" />'", kAmf3,
            R"({"t":"xmldoc","id":0,"v":"<child prop=\"test\" />"})");
  roundTrip("08 01 4272AB36ED780000", kAmf3, R"({"t":"date","id":0,"v":1282910640000.0})");
  roundTrip("09 01 01", kAmf3, R"({"t":"array","id":0,"dense":[],"assoc":[]})");
  roundTrip("0A 0B 01 01", kAmf3,
            R"({"t":"object","id":0,"class":"","dynamic":true,"sealed":[],"members":[]})");
  roundTrip("0B 09 '<a/>'", kAmf3, R"({"t":"xml","id":0,"v":"<a/>"})");
  roundTrip("0C 07 00FF10", kAmf3, R"({"t":"bytearray","id":0,"hex":"00ff10"})");
  roundTrip("0E 05 01 FFFFFFFF 10000000", kAmf3,
            R"({"t":"vector_uint","id":0,"fixed":true,"v":[4294967295,268435456]})");
  roundTrip(
      "0F 0B 00 3FF0000000000000 8000000000000000 FFF8000000000000 7FF0000000000000"
      " FFF0000000000000",
      kAmf3,
      R"({"t":"vector_double","id":0,"fixed":false,)"
      R"("v":[1.0,"-0","NaN:fff8000000000000","Infinity","-Infinity"]})");
  roundTrip("10 03 01 01 09 01 01", kAmf3,
            R"({"t":"vector_object","id":0,"fixed":true,"type":"",)"
            R"("v":[{"t":"array","id":1,"dense":[],"assoc":[]}]})");
  roundTrip("11 03 01 04 05 06 03 'x'", kAmf3,
            R"({"t":"dictionary","id":0,"weak":true,"entries":[[{"t":"int","v":5},)"
            R"({"t":"string","v":"x"}]]})");
}

TEST_CASE("TaggedJson: AMF3 doubles keep -0, infinities and NaN payloads", "[amfjson]") {
  roundTrip("05 8000000000000000", kAmf3, R"({"t":"double","v":"-0"})");
  roundTrip("05 7FF0000000000000", kAmf3, R"({"t":"double","v":"Infinity"})");
  roundTrip("05 FFF0000000000000", kAmf3, R"({"t":"double","v":"-Infinity"})");
  roundTrip("05 FFF8000000000000", kAmf3, R"({"t":"double","v":"NaN","bits":"fff8000000000000"})");
  roundTrip("05 7FF8000000000001", kAmf3, R"({"t":"double","v":"NaN","bits":"7ff8000000000001"})");
  // Without bits a NaN is Flash's, and a bare "NaN" vector item too.
  CHECK(assembled(R"({"t":"double","v":"NaN"})", kAmf3) == "05fff8000000000000");
  CHECK(assembled(R"({"t":"vector_double","v":["NaN",2]})", kAmf3) ==
        "0f0500fff80000000000004000000000000000");
  // A double node always uses the double marker, even for an integral value.
  CHECK(assembled(R"({"t":"double","v":3})", kAmf3) == "054008000000000000");
  CHECK_THAT(assembleError(R"({"t":"double","v":"NaN","bits":"3ff0000000000000"})", kAmf3),
             Contains("are not a NaN"));
  CHECK_THAT(assembleError(R"({"t":"double","v":1,"bits":"fff8000000000000"})", kAmf3),
             Contains("belongs to a NaN only"));
}

TEST_CASE("TaggedJson: array associative keys and a self-referencing array", "[amfjson]") {
  // new Array(5); a[0]="elem0"; a[4]="elem4"; a[-1]="m1" (amf.md 3.7)
  roundTrip("09 03 03 '4' 06 0B 'elem4' 05 '-1' 06 05 'm1' 01 06 0B 'elem0'", kAmf3,
            R"({"t":"array","id":0,"dense":[{"t":"string","v":"elem0"}],)"
            R"("assoc":[["4",{"t":"string","v":"elem4"}],["-1",{"t":"string","v":"m1"}]]})");
  roundTrip("09 03 01 09 00", kAmf3,
            R"({"t":"array","id":0,"dense":[{"t":"ref","id":0}],"assoc":[]})");
}

TEST_CASE("TaggedJson: a dynamic typed object and a traits reference reused by class",
          "[amfjson]") {
  roundTrip("09 05 01 0A 1B 01 0F 'myField' 04 01 19 'dynamicField' 06 00 01 0A 01 04 02 01", kAmf3,
            R"({"t":"array","id":0,"dense":[)"
            R"({"t":"object","id":1,"class":"","dynamic":true,)"
            R"("sealed":[["myField",{"t":"int","v":1}]],)"
            R"("members":[["dynamicField",{"t":"string","v":"myField"}]]},)"
            R"({"t":"object","id":2,"class":"","dynamic":true,)"
            R"("sealed":[["myField",{"t":"int","v":2}]],"members":[]}],"assoc":[]})");
}

TEST_CASE("TaggedJson: externalizable ArrayCollections share the enclosing tables", "[amfjson]") {
  const std::string hex =
      "09 05 01 0A 07 43 'flex.messaging.io.ArrayCollection' 09 05 01 06 07 'foo' 06 02"
      " 0A 01 09 03 01 06 00";
  roundTrip(hex, kAmf3,
            R"({"t":"array","id":0,"dense":[)"
            R"({"t":"object","id":1,"class":"flex.messaging.io.ArrayCollection",)"
            R"("externalizable":true,"ext":{"kind":"amf","values":[{"t":"array","id":2,)"
            R"("dense":[{"t":"string","v":"foo"},{"t":"string","v":"foo"}],"assoc":[]}]}},)"
            R"({"t":"object","id":3,"class":"flex.messaging.io.ArrayCollection",)"
            R"("externalizable":true,"ext":{"kind":"amf","values":[{"t":"array","id":4,)"
            R"("dense":[{"t":"string","v":"flex.messaging.io.ArrayCollection"}],"assoc":[]}]}}],)"
            R"("assoc":[]})");
  roundTrip("0A 07 3B 'flex.messaging.io.ObjectProxy' 0A 0B 01 03 'a' 03 01", kAmf3,
            R"({"t":"object","id":0,"class":"flex.messaging.io.ObjectProxy",)"
            R"("externalizable":true,"ext":{"kind":"amf","values":[{"t":"object","id":1,)"
            R"("class":"","dynamic":true,"sealed":[],"members":[["a",{"t":"bool","v":true}]]}]}})");
}

// --- AMF0: every marker and the reference table ------------------------------------------------

TEST_CASE("TaggedJson: every AMF0 marker", "[amfjson]") {
  roundTrip("00 4045000000000000", kAmf0, R"({"t":"double","v":42.0})");
  roundTrip("01 00", kAmf0, R"({"t":"bool","v":false})");
  roundTrip("01 01", kAmf0, R"({"t":"bool","v":true})");
  roundTrip("01 07", kAmf0, R"({"t":"bool","v":true,"raw":7})");
  roundTrip("02 0002 'hi'", kAmf0, R"({"t":"string","v":"hi"})");
  roundTrip("03 0000 09", kAmf0, R"({"t":"object","id":0,"class":"","members":[]})");
  roundTrip("05", kAmf0, R"({"t":"null"})");
  roundTrip("06", kAmf0, R"({"t":"undefined"})");
  roundTrip("03 0004 'self' 07 0000 0000 09", kAmf0,
            R"({"t":"object","id":0,"class":"","members":[["self",{"t":"ref","id":0}]]})");
  roundTrip("08 0000000F 0000 09", kAmf0, R"({"t":"ecma_array","id":0,"count":15,"assoc":[]})");
  roundTrip("0A 00000002 05 06", kAmf0,
            R"({"t":"array","id":0,"dense":[{"t":"null"},{"t":"undefined"}],"assoc":[]})");
  roundTrip("0B 426E6AB1B5100000 012C", kAmf0,  // 2003-02-13, EST (AIR amf0-time)
            R"({"t":"date","id":0,"v":1045112400000.0,"tz":300})");
  roundTrip("0B 0000000000000000 FF88", kAmf0, R"({"t":"date","id":0,"v":0.0,"tz":-120})");
  roundTrip("0C 00000003 'abc'", kAmf0, R"({"t":"string","v":"abc","long":true})");
  roundTrip("0D", kAmf0, R"({"t":"unsupported"})");
  roundTrip("0F 00000004 '<a/>'", kAmf0, R"({"t":"xmldoc","id":0,"v":"<a/>"})");
  roundTrip("10 0001 'C' 0001 'x' 00 3FF0000000000000 0000 09", kAmf0,
            R"({"t":"object","id":0,"class":"C","typed":true,)"
            R"("members":[["x",{"t":"double","v":1.0}]]})");
  roundTrip("10 0000 0000 09", kAmf0,
            R"({"t":"object","id":0,"class":"","typed":true,"members":[]})");
  roundTrip("11 04 05", kAmf0, R"({"t":"amf3","v":{"t":"int","v":5}})");
}

TEST_CASE("TaggedJson: AMF0 dates and XML documents take reference slots", "[amfjson]") {
  // An AVM1 NetConnection call (amf.md 2.3): args strict-array #0, date #1, XML #2, object #3;
  // the last two items refer back to the XML and to the object.
  roundTrip("0A 00000005 0B 0000000000000000 0000 0F 00000004 '<a/>' 03 0000 09 07 0002 07 0003",
            kAmf0,
            R"({"t":"array","id":0,"dense":[{"t":"date","id":1,"v":0.0,"tz":0},)"
            R"({"t":"xmldoc","id":2,"v":"<a/>"},{"t":"object","id":3,"class":"","members":[]},)"
            R"({"t":"ref","id":2},{"t":"ref","id":3}],"assoc":[]})");
  // Members are registered after their container: outer #0, inner #1 (AIR amf0-ref-test).
  roundTrip("03 0001 'a' 03 0000 09 0001 'b' 07 0001 0000 09", kAmf0,
            R"({"t":"object","id":0,"class":"","members":[["a",{"t":"object","id":1,)"
            R"("class":"","members":[]}],["b",{"t":"ref","id":1}]]})");
  CHECK_THAT(formatError("0A 00000002 0B 0000000000000000 0000 07 0002", kAmf0, 16),
             Contains("reference #2 but the reference table holds 2 entries at offset 16"));
}

TEST_CASE("TaggedJson: 0x11 switches share AMF3 tables within one AMF0 value", "[amfjson]") {
  // Later switches refer to the first one's string and the third one's traits: readers keep
  // the tables, and object ids go on counting.
  std::vector<std::uint8_t> bytes =
      bytesOf("0A 00000004 11 06 07 'foo' 11 06 00 11 0A 0B 01 01 11 0A 01 01");
  CHECK(decoded(bytes, optionsFor(kAmf0)) ==
        R"({"t":"array","id":0,"dense":[{"t":"amf3","v":{"t":"string","v":"foo"}},)"
        R"({"t":"amf3","v":{"t":"string","v":"foo"}},{"t":"amf3","v":{"t":"object","id":0,)"
        R"("class":"","dynamic":true,"sealed":[],"members":[]}},{"t":"amf3","v":{"t":"object",)"
        R"("id":1,"class":"","dynamic":true,"sealed":[],"members":[]}}],"assoc":[]})");
  // The writer keeps one AMF3 context across the switches too, so it reproduces the input.
  CHECK(assembled(decoded(bytes, optionsFor(kAmf0)), kAmf0) == hexOf(bytes));
  // Each top-level value starts with fresh tables, so the same reference in a second value fails.
  CHECK_THAT(formatError(bytesOf("11 06 07 'foo' 11 06 00"), optionsFor(kAmf0, true), 8),
             Contains("string reference #0 (a string) but the string table holds 0 strings"));
  // A ref across switches is written as a reference into the shared table.
  CHECK(assembled(R"({"t":"array","dense":[{"t":"amf3","v":{"t":"array","id":"x"}},)"
                  R"({"t":"amf3","v":{"t":"ref","id":"x"}}]})",
                  kAmf0) == hexOf(bytesOf("0A 00000002 11 09 01 01 11 09 00")));
}

TEST_CASE("TaggedJson: --all reads consecutive values, each with fresh tables", "[amfjson]") {
  std::vector<std::uint8_t> bytes = bytesOf("06 07 'foo' 06 07 'foo' 09 01 01 09 01 01");
  CHECK(decoded(bytes, optionsFor(kAmf3, true)) ==
        "{\"t\":\"string\",\"v\":\"foo\"}\n{\"t\":\"string\",\"v\":\"foo\"}\n"
        "{\"t\":\"array\",\"id\":0,\"dense\":[],\"assoc\":[]}\n"
        "{\"t\":\"array\",\"id\":0,\"dense\":[],\"assoc\":[]}");
  CHECK(as3net_tool::dissect(std::vector<std::uint8_t>(), optionsFor(kAmf3, true)).empty());
}

// --- rejections --------------------------------------------------------------------------------

TEST_CASE("TaggedJson: truncation anywhere is rejected with its offset", "[amfjson]") {
  CHECK_THAT(formatError("05 3FF0", kAmf3, 1),
             Contains("input ends inside a double (8 bytes needed, 2 left) at offset 1"));
  CHECK_THAT(formatError("04 FF FF", kAmf3, 1),
             Contains("input ends inside the U29 of an integer at offset 1"));
  CHECK_THAT(formatError("06 09 'ab'", kAmf3, 2), Contains("input ends inside a string"));
  CHECK_THAT(formatError("09 05 01 04 01", kAmf3, 5), Contains("input ends inside an AMF3 marker"));
  CHECK_THAT(formatError("0A 0B 01 03 'a'", kAmf3, 5), Contains("AMF3 marker"));
  CHECK_THAT(formatError("03 0001 'a' 05 0000", kAmf0, 7), Contains("AMF0 marker"));
  CHECK_THAT(formatError("02 0005 'abc'", kAmf0, 3), Contains("a string (5 bytes needed, 3 left)"));
  CHECK_THAT(formatError("0B 0000000000000000 00", kAmf0, 9), Contains("time zone"));
  CHECK_THAT(formatError("", kAmf3, 0), Contains("empty input"));
}

TEST_CASE("TaggedJson: unknown and reserved markers are rejected", "[amfjson]") {
  CHECK_THAT(formatError("09 03 01 12", kAmf3, 3),
             Contains("unknown AMF3 marker 0x12 at offset 3"));
  CHECK_THAT(formatError("04", kAmf0, 0), Contains("reserved AMF0 marker 0x04 (movieclip)"));
  CHECK_THAT(formatError("0E", kAmf0, 0), Contains("reserved AMF0 marker 0x0e (recordset)"));
  CHECK_THAT(formatError("0A 00000001 12", kAmf0, 5), Contains("unknown AMF0 marker 0x12"));
  CHECK_THAT(formatError("09", kAmf0, 0), Contains("object-end marker 0x09 where a value"));
  CHECK_THAT(formatError("0A 00000001 09", kAmf0, 5), Contains("object-end marker 0x09 where"));
}

TEST_CASE("TaggedJson: a non-empty AMF0 property name before 0x09 is rejected", "[amfjson]") {
  CHECK_THAT(formatError("03 0003 'foo' 09", kAmf0, 6),
             Contains("object-end marker 0x09 after the non-empty property name \"foo\""));
  // An empty name before a value is a property "" to every reader, so it is shown.
  CHECK(decoded("03 0000 05 0000 09", kAmf0) ==
        R"({"t":"object","id":0,"class":"","members":[["",{"t":"null"}]]})");
  CHECK_THAT(assembleError(R"({"t":"object","members":[["",{"t":"null"}]]})", kAmf0),
             Contains("an empty property name would end the object"));
}

TEST_CASE("TaggedJson: ill-formed UTF-8 is rejected where it starts", "[amfjson]") {
  CHECK_THAT(formatError("06 07 61 C3 28", kAmf3, 3),
             Contains("ill-formed UTF-8 in a string (which starts at offset 2) at offset 3"));
  CHECK_THAT(formatError("02 0003 61 62 FF", kAmf0, 5), Contains("ill-formed UTF-8 in a string"));
  CHECK_THAT(formatError("03 0002 ED A0 05 0000 09", kAmf0, 3),
             Contains("ill-formed UTF-8 in a property name"));
  CHECK_THAT(formatError("0B 05 C0 80", kAmf3, 2), Contains("ill-formed UTF-8 in XML text"));
}

TEST_CASE("TaggedJson: references outside their table are rejected", "[amfjson]") {
  CHECK_THAT(formatError("09 05 01 06 07 'foo' 06 02", kAmf3, 9),
             Contains("string reference #1 (a string) but the string table holds 1 strings"));
  CHECK_THAT(formatError("09 03 01 09 02", kAmf3, 3),
             Contains("object reference #1 but the object table holds 1 entries at offset 3"));
  CHECK_THAT(formatError("0A 05 01", kAmf3, 0),
             Contains("traits reference #1 but the traits table holds 0 entries at offset 0"));
  CHECK_THAT(formatError("07 0000", kAmf0, 0),
             Contains("reference #0 but the reference table holds 0 entries"));
  // The tagged form shows a ref without its marker: a marker that disagrees is refused.
  CHECK_THAT(formatError("09 03 01 08 00", kAmf3, 3),
             Contains("a date marker refers to object #0, whose type is array at offset 3"));
}

TEST_CASE("TaggedJson: the nesting depth is bounded", "[amfjson]") {
  std::string nested;
  for (int i = 0; i < 256; ++i) nested += "09 03 01 ";
  CHECK(as3net_tool::dissect(bytesOf(nested + "01"), optionsFor(kAmf3)).size() == 1);
  std::string deeper = nested + "09 03 01 01";
  CHECK_THAT(formatError(bytesOf(deeper), optionsFor(kAmf3), 256 * 3),
             Contains("containers nested deeper than 256"));
  DissectOptions shallow = optionsFor(kAmf0);
  shallow.maxDepth = 2;
  CHECK_THAT(
      formatError(bytesOf("0A 00000001 03 0001 'a' 08 00000000 0000 09 0000 09"), shallow, 9),
      Contains("containers nested deeper than 2"));
  // A hostile megabyte of array headers fails cleanly instead of exhausting the stack.
  std::vector<std::uint8_t> hostile;
  for (int i = 0; i < 300000; ++i) hostile.insert(hostile.end(), {0x09, 0x03, 0x01});
  CHECK_THAT(formatError(hostile, optionsFor(kAmf3), 256 * 3), Contains("nested deeper"));
  // The assembler holds the same line, so what it writes can be read back.
  std::string closing;
  for (int i = 0; i < 257; ++i) closing += "]}";
  json::ParseOptions roomy;
  roomy.maxDepth = 2000;
  std::string text;
  for (int i = 0; i < 257; ++i) text += R"({"t":"array","dense":[)";
  text += closing;
  try {
    as3net_tool::assemble({json::parse(text, roomy)}, kAmf3);
    FAIL("assembled 257 nested arrays");
  } catch (const AmfAssembleError& e) {
    CHECK_THAT(e.what(), Contains("containers nested deeper than 256"));
  }
}

TEST_CASE("TaggedJson: huge counts in tiny inputs are rejected before any allocation",
          "[amfjson]") {
  const std::string maxCount = "FF FF FF FF";  // U29 0x1FFFFFFF: inline, 2^28 - 1 items
  CHECK_THAT(formatError("09 " + maxCount + " 01", kAmf3, 0),
             Contains("an array announces 268435455 items of at least 1 bytes, but only 1 bytes"));
  CHECK_THAT(formatError("0D " + maxCount + " 00 00000001", kAmf3, 0),
             Contains("a vector announces 268435455 items of at least 4 bytes"));
  CHECK_THAT(formatError("0F " + maxCount + " 00", kAmf3, 0),
             Contains("of at least 8 bytes, but only 0 bytes are left"));
  CHECK_THAT(formatError("10 " + maxCount + " 00 01 01", kAmf3, 0), Contains("a vector announces"));
  CHECK_THAT(formatError("11 " + maxCount + " 00 01 01", kAmf3, 0),
             Contains("a dictionary announces 268435455 items of at least 2 bytes"));
  CHECK_THAT(formatError("0C " + maxCount + " 00", kAmf3, 5),
             Contains("input ends inside a ByteArray (268435455 bytes needed, 1 left)"));
  CHECK_THAT(formatError("06 " + maxCount, kAmf3, 5), Contains("268435455 bytes needed, 0 left"));
  CHECK_THAT(formatError("0A FF FF FF F3 01 01", kAmf3, 0),
             Contains("a traits header announces 33554431 items of at least 2 bytes"));
  CHECK_THAT(formatError("0A FFFFFFFF 05", kAmf0, 0),
             Contains("a strict array announces 4294967295 items"));
  CHECK_THAT(formatError("0C FFFFFFFF 61", kAmf0, 5),
             Contains("a long string (4294967295 bytes needed, 1 left)"));
  CHECK_THAT(formatError("0F FFFFFFFF", kAmf0, 5), Contains("an XML document"));
}

TEST_CASE("TaggedJson: references cannot multiply a large string without bound", "[amfjson]") {
  DissectOptions options = optionsFor(kAmf3);
  options.maxReferencedBytes = 10;
  // Each `06 00` repeats the 4-byte string: two repeats fit, the third passes the limit.
  CHECK_THAT(formatError(bytesOf("09 09 01 06 09 'abcd' 06 00 06 00 06 00"), options, 14),
             Contains("references repeat more than 10 bytes of strings"));
}

TEST_CASE("TaggedJson: trailing bytes without --all are an error", "[amfjson]") {
  CHECK_THAT(formatError("04 01 04 02 03", kAmf3, 2),
             Contains("3 trailing bytes after the value at offset 2; use --all"));
}

// --- assembling --------------------------------------------------------------------------------

TEST_CASE("TaggedJson: strings and traits by reference, the empty string always inline",
          "[amfjson]") {
  CHECK(assembled(R"({"t":"array","dense":[{"t":"string","v":""},{"t":"string","v":"k"},)"
                  R"({"t":"object","members":[["k",{"t":"string","v":""}]]},)"
                  R"({"t":"object","members":[]},{"t":"object","class":"k","sealed":[["k",)"
                  R"({"t":"string","v":"k"}]]}]})",
                  kAmf3) == hexOf(bytesOf("09 0B 01 06 01 06 03 'k' 0A 0B 01 00 06 01 01"
                                          " 0A 01 01 0A 13 00 00 06 00")));
  // Traits differ by the dynamic flag and by sealed names.
  CHECK(assembled(R"({"t":"array","dense":[{"t":"object","class":"C"},)"
                  R"({"t":"object","class":"C","dynamic":true},{"t":"object","class":"C"}]})",
                  kAmf3) == hexOf(bytesOf("09 07 01 0A 03 03 'C' 0A 0B 00 01 0A 01")));
}

TEST_CASE("TaggedJson: ids are labels matched by equality", "[amfjson]") {
  CHECK(assembled(R"({"t":"array","id":"root","dense":[{"t":"date","id":{"any":[1]},"v":0},)"
                  R"({"t":"ref","id":{"any":[1]}},{"t":"ref","id":"root"}]})",
                  kAmf3) == hexOf(bytesOf("09 07 01 08 01 0000000000000000 08 02 09 00")));
  CHECK_THAT(assembleError(R"({"t":"array","dense":[{"t":"ref","id":1}]})", kAmf3),
             Contains("ref to id 1, which labels no earlier node (at /0/dense/0)"));
  CHECK_THAT(
      assembleError(R"({"t":"array","dense":[{"t":"ref","id":1},{"t":"array","id":1}]})", kAmf3),
      Contains("which labels no earlier node"));
  CHECK_THAT(assembleError(R"({"t":"array","id":1,"dense":[{"t":"array","id":1}]})", kAmf3),
             Contains("id label 1 is used by an earlier node too (at /0/dense/0/id)"));
  // 1 and 1.0 are different labels.
  CHECK_THAT(assembleError(R"({"t":"array","id":1,"dense":[{"t":"ref","id":1.0}]})", kAmf3),
             Contains("ref to id 1.0"));
  // In AMF0 a ref is 07 and an index; dates count.
  CHECK(assembled(R"({"t":"array","dense":[{"t":"date","id":"d","v":0},{"t":"ref","id":"d"}]})",
                  kAmf0) == hexOf(bytesOf("0A 00000002 0B 0000000000000000 0000 07 0001")));
}

TEST_CASE("TaggedJson: int nodes and their range", "[amfjson]") {
  CHECK(assembled(R"({"t":"int","v":-268435456})", kAmf3) == "04c0808000");
  CHECK_THAT(assembleError(R"({"t":"int","v":268435456})", kAmf3),
             Contains("an AMF3 int 268435456 is outside [-268435456, 268435455] (at /0/v)"));
  CHECK_THAT(assembleError(R"({"t":"int","v":1.5})", kAmf3),
             Contains("must be an integer, found a fractional number"));
  CHECK(assembled(R"({"t":"int","v":300000000})", kAmf0) == "0041b1e1a300000000");
}

TEST_CASE("TaggedJson: AMF0 strings switch to the long marker past 65535 bytes", "[amfjson]") {
  std::string limit(65535, 'a');
  std::string over(65536, 'a');
  std::string atLimit = assembled(R"({"t":"string","v":")" + limit + "\"}", kAmf0);
  CHECK(atLimit.substr(0, 6) == "02ffff");
  CHECK(atLimit.size() == 2 * (3 + 65535));
  std::string longOne = assembled(R"({"t":"string","v":")" + over + "\"}", kAmf0);
  CHECK(longOne.substr(0, 10) == "0c00010000");
  CHECK(assembled(R"({"t":"string","v":"x","long":true})", kAmf0) == "0c0000000178");
  CHECK_THAT(assembleError(R"({"t":"string","v":")" + over + R"(","long":false})", kAmf0),
             Contains("needs the long-string marker"));
  // The dissector reads a 65536-byte long string back with "long":true.
  std::vector<std::uint8_t> bytes = bytesOf(longOne);
  std::vector<json::Value> nodes = as3net_tool::dissect(bytes, optionsFor(kAmf0));
  REQUIRE(nodes.size() == 1);
  CHECK(nodes[0].find("long")->asBool());
  CHECK(nodes[0].find("v")->asString() == over);
}

TEST_CASE("TaggedJson: AMF0 defaults: ecma count, date tz, typed objects, raw booleans",
          "[amfjson]") {
  // The count defaults to the Array length Flash writes: one past the largest index key.
  CHECK(assembled(R"({"t":"ecma_array","assoc":[["1",{"t":"null"}],["name",{"t":"null"}]]})",
                  kAmf0) == hexOf(bytesOf("08 00000002 0001 '1' 05 0004 'name' 05 0000 09")));
  CHECK(assembled(R"({"t":"ecma_array","assoc":[["01",{"t":"null"}]]})", kAmf0) ==
        hexOf(bytesOf("08 00000000 0002 '01' 05 0000 09")));
  CHECK(assembled(R"({"t":"date","v":1.5})", kAmf0) == "0b3ff80000000000000000");
  CHECK(assembled(R"({"t":"object","class":"C","members":[]})", kAmf0) == "10000143000009");
  CHECK_THAT(assembleError(R"({"t":"object","class":"C","typed":false})", kAmf0),
             Contains("a class name needs \"typed\":true"));
  CHECK_THAT(assembleError(R"({"t":"bool","v":true,"raw":0})", kAmf0),
             Contains("\"raw\" 0 contradicts \"v\""));
  CHECK_THAT(assembleError(R"({"t":"array","assoc":[["k",{"t":"null"}]]})", kAmf0),
             Contains("use an ecma_array node"));
}

TEST_CASE("TaggedJson: nodes the encoding cannot hold and unknown keys are errors", "[amfjson]") {
  CHECK_THAT(assembleError(R"({"t":"object","members":[["v",{"t":"bytearray","hex":""}]]})", kAmf0),
             Contains("a bytearray node has no AMF0 form") && Contains("(at /0/members/0/1)"));
  CHECK_THAT(assembleError(R"({"t":"unsupported"})", kAmf3), Contains("exists only in AMF0"));
  CHECK_THAT(assembleError(R"({"t":"string","v":"x","long":true})", kAmf3),
             Contains("unknown key \"long\" in an AMF3 string node"));
  CHECK_THAT(assembleError(R"({"t":"strng","v":"x"})", kAmf3),
             Contains("unknown node type \"strng\""));
  CHECK_THAT(assembleError(R"([1])", kAmf3), Contains("expected a tagged node"));
  CHECK_THAT(assembleError(R"({"t":"object","class":"C","members":[["a",{"t":"null"}]]})", kAmf3),
             Contains("dynamic members need \"dynamic\":true"));
  CHECK_THAT(assembleError(R"({"t":"object","class":"X","externalizable":true})", kAmf3),
             Contains("needs \"ext\""));
  CHECK_THAT(assembleError(R"({"t":"vector_int","v":[2147483648]})", kAmf3),
             Contains("a vector_int item 2147483648 is outside"));
  CHECK_THAT(assembleError(R"({"t":"bytearray","hex":"abc"})", kAmf3), Contains("odd number"));
  CHECK_THAT(assembleError(R"({"t":"array","assoc":[["",{"t":"null"}]]})", kAmf3),
             Contains("an empty key would end the associative part"));
  CHECK_THAT(assembleError("{\"t\":\"int\",\"v\":1} {\"t\":\"int\",\"v\":1e3}", kAmf3),
             Contains("(at /1/v)"));
}

TEST_CASE("TaggedJson: an externalizable with an opaque payload assembles as given", "[amfjson]") {
  CHECK(assembled(R"({"t":"array","dense":[)"
                  R"({"t":"object","class":"X","externalizable":true,)"
                  R"("ext":{"kind":"bytes","hex":"0102"}},)"
                  R"({"t":"object","class":"X","externalizable":true,)"
                  R"("ext":{"kind":"bytes","hex":"03"}}]})",
                  kAmf3) == hexOf(bytesOf("09 05 01 0A 07 03 'X' 0102 0A 01 03")));
}
