#include "AmfJson.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "amf/detail/Wire.h"

namespace as3net_tool {

namespace wire = as3::amf::detail;

ExternalizableLayouts flexExternalizables() {
  const ExternalizableLayout oneValue{ExternalizableLayout::Kind::kAmfValues, 1};
  return {{"flex.messaging.io.ArrayCollection", oneValue},
          {"flex.messaging.io.ArrayList", oneValue},
          {"flex.messaging.io.ObjectProxy", oneValue}};
}

namespace {

// --- shared helpers ----------------------------------------------------------------------------

constexpr char kHexDigits[] = "0123456789abcdef";

// AMF3 markers of the values that live in the object table, by their tagged-JSON type.
struct ObjectKind {
  std::uint8_t marker;
  const char* type;
};
constexpr ObjectKind kObjectKinds[] = {
    {0x07, "xmldoc"},        {0x08, "date"},          {0x09, "array"},      {0x0A, "object"},
    {0x0B, "xml"},           {0x0C, "bytearray"},     {0x0D, "vector_int"}, {0x0E, "vector_uint"},
    {0x0F, "vector_double"}, {0x10, "vector_object"}, {0x11, "dictionary"}};

const char* objectTypeOf(std::uint8_t marker) {
  for (const ObjectKind& k : kObjectKinds)
    if (k.marker == marker) return k.type;
  return "?";
}

std::uint8_t markerOfObjectType(std::string_view type) {
  for (const ObjectKind& k : kObjectKinds)
    if (type == k.type) return k.marker;
  return 0;
}

std::string hexOf(const std::uint8_t* p, std::size_t n) {
  std::string s;
  s.resize(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = kHexDigits[p[i] >> 4];
    s[2 * i + 1] = kHexDigits[p[i] & 0xF];
  }
  return s;
}

std::string hexByte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

std::uint64_t bitsOf(double d) {
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

double doubleOf(std::uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

std::string bitsHex(double d) {
  std::uint64_t u = bitsOf(d);
  std::uint8_t be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<std::uint8_t>(u >> (56 - 8 * i));
  return hexOf(be, 8);
}

// A string for an error message: quoted, and cut (at a UTF-8 boundary) when long.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return "\"" + std::string(s) + "\"";
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(s.substr(0, cut)) + "...\"";
}

json::Object nodeOf(const char* type, std::size_t members) {
  json::Object node;
  node.reserve(members);
  node.emplace_back("t", type);
  return node;
}

json::Value pairOf(json::Value&& first, json::Value&& second) {
  json::Array pair;
  pair.reserve(2);
  pair.push_back(std::move(first));
  pair.push_back(std::move(second));
  return json::Value(std::move(pair));
}

// Adds "v" as amf-json.md writes a double: the number, or a string for the values JSON cannot
// hold and for -0 (which a JSON reader may fold into 0); a NaN keeps its payload in "bits".
void putDoubleValue(json::Object& node, double d) {
  if (std::isnan(d)) {
    node.emplace_back("v", "NaN");
    node.emplace_back("bits", bitsHex(d));
  } else if (std::isinf(d)) {
    node.emplace_back("v", d > 0 ? "Infinity" : "-Infinity");
  } else if (d == 0 && std::signbit(d)) {
    node.emplace_back("v", "-0");
  } else {
    node.emplace_back("v", d);
  }
}

json::Value vectorDoubleItem(double d) {
  if (std::isnan(d)) return json::Value("NaN:" + bitsHex(d));
  if (std::isinf(d)) return json::Value(d > 0 ? "Infinity" : "-Infinity");
  if (d == 0 && std::signbit(d)) return json::Value("-0");
  return json::Value(d);
}

// --- dissector ---------------------------------------------------------------------------------

class Dissector {
 public:
  Dissector(const std::uint8_t* data, std::size_t size, const DissectOptions& options)
      : data_(data), size_(size), options_(options) {}

  bool atEnd() const { return pos_ >= size_; }
  std::size_t position() const { return pos_; }

  json::Value readTopLevel() {
    amf0Slots_ = 0;
    amf3_.reset();
    if (options_.encoding == AmfEncoding::kAmf3) {
      amf3_.emplace();
      return readAmf3();
    }
    return readAmf0();
  }

  [[noreturn]] void fail(std::size_t at, const std::string& reason) const {
    throw AmfFormatError(reason + " at offset " + std::to_string(at), at);
  }

 private:
  struct Traits {
    std::string_view className;
    bool dynamic = false;
    bool externalizable = false;
    std::vector<std::string_view> sealed;
    std::size_t nameBytes = 0;  // what a traits reference copies into the output
  };
  // One AMF3 context: per top-level AMF3 value, or shared by all 0x11 switches of one
  // top-level AMF0 value (amf.md 2.6). Strings are views into the input.
  struct Amf3Tables {
    std::vector<std::string_view> strings;
    std::deque<Traits> traits;  // a deque: references to entries survive nested additions
    std::vector<std::uint8_t> objectMarkers;
  };

  // Holds one level of container nesting while a container's members are read.
  class Nest {
   public:
    Nest(Dissector& d, std::size_t at) : d_(d) {
      if (++d_.depth_ > d_.options_.maxDepth)
        d_.fail(at, "containers nested deeper than " + std::to_string(d_.options_.maxDepth));
    }
    ~Nest() { --d_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Dissector& d_;
  };

  std::size_t remaining() const { return pos_ < size_ ? size_ - pos_ : 0; }

  const std::uint8_t* take(std::size_t n, const char* what) {
    if (n > remaining())
      fail(pos_, std::string("input ends inside ") + what + " (" + std::to_string(n) +
                     " bytes needed, " + std::to_string(remaining()) + " left)");
    const std::uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  std::uint8_t readU8(const char* what) { return *take(1, what); }
  std::uint16_t readU16(const char* what) {
    const std::uint8_t* p = take(2, what);
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
  }
  std::uint32_t readU32(const char* what) {
    const std::uint8_t* p = take(4, what);
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  }
  double readDouble(const char* what) {
    const std::uint8_t* p = take(8, what);
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = u << 8 | p[i];
    return doubleOf(u);
  }
  std::uint32_t readU29(const char* what) {
    wire::U29Result r = wire::decodeU29(data_ + pos_, data_ + size_);
    if (r.size == 0) fail(pos_, std::string("input ends inside the U29 of ") + what);
    pos_ += r.size;
    return r.value;
  }
  std::string_view takeUtf8(std::size_t n, const char* what) {
    std::size_t at = pos_;
    const std::uint8_t* p = take(n, what);
    std::string_view s(reinterpret_cast<const char*>(p), n);
    std::size_t bad = json::findInvalidUtf8(s);
    if (bad != std::string_view::npos)
      fail(at + bad, std::string("ill-formed UTF-8 in ") + what + " (which starts at offset " +
                         std::to_string(at) + ")");
    return s;
  }

  void chargeReferenced(std::size_t bytes, std::size_t at) {
    referencedBytes_ += bytes;
    if (referencedBytes_ > options_.maxReferencedBytes)
      fail(at, "references repeat more than " + std::to_string(options_.maxReferencedBytes) +
                   " bytes of strings");
  }

  // Counts are checked against what is left before anything is reserved: a five-byte input
  // can announce 2^28 - 1 elements.
  void checkCount(std::size_t count, std::size_t bytesEach, const char* what, std::size_t at) {
    if (count > remaining() / bytesEach)
      fail(at, std::string(what) + " announces " + std::to_string(count) + " items of at least " +
                   std::to_string(bytesEach) + " bytes, but only " + std::to_string(remaining()) +
                   " bytes are left");
  }

  // --- AMF3 ---

  std::size_t registerObject(std::uint8_t marker) {
    amf3_->objectMarkers.push_back(marker);
    return amf3_->objectMarkers.size() - 1;
  }

  json::Value objectRef(std::uint32_t u29, std::uint8_t marker, std::size_t at) {
    std::uint32_t index = u29 >> 1;
    const std::vector<std::uint8_t>& markers = amf3_->objectMarkers;
    if (index >= markers.size())
      fail(at, "object reference #" + std::to_string(index) + " but the object table holds " +
                   std::to_string(markers.size()) + " entries");
    // The tagged form shows a reference without its marker, so a marker that disagrees with
    // the target could not be shown (nor written back); Flash never writes one.
    if (markers[index] != marker)
      fail(at, std::string("a ") + objectTypeOf(marker) + " marker refers to object #" +
                   std::to_string(index) + ", whose type is " + objectTypeOf(markers[index]));
    json::Object node = nodeOf("ref", 2);
    node.emplace_back("id", index);
    return json::Value(std::move(node));
  }

  std::string_view readAmf3String(const char* what) {
    std::size_t at = pos_;
    std::uint32_t u = readU29(what);
    Amf3Tables& t = *amf3_;
    if ((u & 1) == 0) {
      std::uint32_t index = u >> 1;
      if (index >= t.strings.size())
        fail(at, std::string("string reference #") + std::to_string(index) + " (" + what +
                     ") but the string table holds " + std::to_string(t.strings.size()) +
                     " strings");
      chargeReferenced(t.strings[index].size(), at);
      return t.strings[index];
    }
    std::string_view s = takeUtf8(u >> 1, what);
    if (!s.empty()) t.strings.push_back(s);  // the empty string never enters the table
    return s;
  }

  json::Value readAmf3() {
    std::size_t at = pos_;
    std::uint8_t marker = readU8("an AMF3 marker");
    switch (marker) {
      case 0x00:
        return json::Value(nodeOf("undefined", 1));
      case 0x01:
        return json::Value(nodeOf("null", 1));
      case 0x02:
      case 0x03: {
        json::Object node = nodeOf("bool", 2);
        node.emplace_back("v", marker == 0x03);
        return json::Value(std::move(node));
      }
      case 0x04: {
        json::Object node = nodeOf("int", 2);
        node.emplace_back("v", wire::signedFromU29(readU29("an integer")));
        return json::Value(std::move(node));
      }
      case 0x05: {
        json::Object node = nodeOf("double", 3);
        putDoubleValue(node, readDouble("a double"));
        return json::Value(std::move(node));
      }
      case 0x06: {
        json::Object node = nodeOf("string", 2);
        node.emplace_back("v", readAmf3String("a string"));
        return json::Value(std::move(node));
      }
      case 0x07:
      case 0x0B:
        return readAmf3Xml(marker, at);
      case 0x08:
        return readAmf3Date(at);
      case 0x09:
        return readAmf3Array(at);
      case 0x0A:
        return readAmf3Object(at);
      case 0x0C:
        return readAmf3ByteArray(at);
      case 0x0D:
      case 0x0E:
      case 0x0F:
        return readAmf3NumberVector(marker, at);
      case 0x10:
        return readAmf3ObjectVector(at);
      case 0x11:
        return readAmf3Dictionary(at);
      default:
        fail(at, "unknown AMF3 marker " + hexByte(marker));
    }
  }

  json::Value readAmf3Xml(std::uint8_t marker, std::size_t at) {
    std::uint32_t u = readU29(marker == 0x0B ? "an XML header" : "an XMLDocument header");
    if ((u & 1) == 0) return objectRef(u, marker, at);
    std::size_t id = registerObject(marker);
    json::Object node = nodeOf(objectTypeOf(marker), 3);
    node.emplace_back("id", id);
    node.emplace_back("v", takeUtf8(u >> 1, "XML text"));
    return json::Value(std::move(node));
  }

  json::Value readAmf3Date(std::size_t at) {
    std::uint32_t u = readU29("a date header");
    if ((u & 1) == 0) return objectRef(u, 0x08, at);
    std::size_t id = registerObject(0x08);
    json::Object node = nodeOf("date", 4);
    node.emplace_back("id", id);
    putDoubleValue(node, readDouble("a date"));
    return json::Value(std::move(node));
  }

  json::Value readAmf3ByteArray(std::size_t at) {
    std::uint32_t u = readU29("a ByteArray header");
    if ((u & 1) == 0) return objectRef(u, 0x0C, at);
    std::size_t id = registerObject(0x0C);
    std::uint32_t length = u >> 1;
    const std::uint8_t* p = take(length, "a ByteArray");
    json::Object node = nodeOf("bytearray", 3);
    node.emplace_back("id", id);
    node.emplace_back("hex", hexOf(p, length));
    return json::Value(std::move(node));
  }

  json::Value readAmf3Array(std::size_t at) {
    std::uint32_t u = readU29("an array header");
    if ((u & 1) == 0) return objectRef(u, 0x09, at);
    std::uint32_t denseCount = u >> 1;
    checkCount(denseCount, 1, "an array", at);
    Nest nest(*this, at);
    std::size_t id = registerObject(0x09);
    json::Array assoc;
    for (;;) {
      std::string_view key = readAmf3String("an array key");
      if (key.empty()) break;
      json::Value value = readAmf3();
      assoc.push_back(pairOf(json::Value(key), std::move(value)));
    }
    checkCount(denseCount, 1, "an array", at);  // the associative part used some of the rest
    json::Array dense;
    dense.reserve(denseCount);
    for (std::uint32_t i = 0; i < denseCount; ++i) dense.push_back(readAmf3());
    json::Object node = nodeOf("array", 4);
    node.emplace_back("id", id);
    node.emplace_back("dense", std::move(dense));
    node.emplace_back("assoc", std::move(assoc));
    return json::Value(std::move(node));
  }

  json::Value readAmf3Object(std::size_t at) {
    std::uint32_t u = readU29("an object header");
    if ((u & 1) == 0) return objectRef(u, 0x0A, at);
    Nest nest(*this, at);
    std::size_t id = registerObject(0x0A);
    Amf3Tables& t = *amf3_;
    const Traits* traits;
    if ((u & 3) == 1) {
      std::uint32_t index = u >> 2;
      if (index >= t.traits.size())
        fail(at, "traits reference #" + std::to_string(index) + " but the traits table holds " +
                     std::to_string(t.traits.size()) + " entries");
      traits = &t.traits[index];
      chargeReferenced(traits->nameBytes, at);
    } else if ((u & 7) == 7) {
      Traits fresh;
      fresh.externalizable = true;
      fresh.className = readAmf3String("an externalizable class name");
      fresh.nameBytes = fresh.className.size();
      t.traits.push_back(std::move(fresh));
      traits = &t.traits.back();
    } else {
      Traits fresh;
      fresh.dynamic = (u & 8) != 0;
      std::uint32_t sealedCount = u >> 4;
      fresh.className = readAmf3String("a class name");
      checkCount(sealedCount, 2, "a traits header", at);  // a name and a value each
      fresh.sealed.reserve(sealedCount);
      fresh.nameBytes = fresh.className.size();
      for (std::uint32_t i = 0; i < sealedCount; ++i) {
        fresh.sealed.push_back(readAmf3String("a sealed member name"));
        fresh.nameBytes += fresh.sealed.back().size();
      }
      t.traits.push_back(std::move(fresh));
      traits = &t.traits.back();
    }

    json::Object node = nodeOf("object", 6);
    node.emplace_back("id", id);
    node.emplace_back("class", traits->className);
    if (traits->externalizable) {
      node.emplace_back("externalizable", true);
      node.emplace_back("ext", readExternal(traits->className, at));
      return json::Value(std::move(node));
    }
    node.emplace_back("dynamic", traits->dynamic);
    checkCount(traits->sealed.size(), 1, "an object's traits", at);
    json::Array sealed;
    sealed.reserve(traits->sealed.size());
    for (std::string_view name : traits->sealed) {
      json::Value value = readAmf3();
      sealed.push_back(pairOf(json::Value(name), std::move(value)));
    }
    json::Array members;
    if (traits->dynamic) {
      for (;;) {
        std::string_view name = readAmf3String("a dynamic member name");
        if (name.empty()) break;
        json::Value value = readAmf3();
        members.push_back(pairOf(json::Value(name), std::move(value)));
      }
    }
    node.emplace_back("sealed", std::move(sealed));
    node.emplace_back("members", std::move(members));
    return json::Value(std::move(node));
  }

  json::Value readExternal(std::string_view className, std::size_t at) {
    auto layout = options_.externalizables.find(className);
    if (layout == options_.externalizables.end())
      fail(at, "externalizable class " + quoted(className) +
                   " has no known payload layout, and the wire does not carry its length");
    json::Object ext;
    ext.reserve(2);
    std::size_t count = layout->second.count;
    if (layout->second.kind == ExternalizableLayout::Kind::kBytes) {
      const std::uint8_t* p = take(count, "an externalizable payload");
      ext.emplace_back("kind", "bytes");
      ext.emplace_back("hex", hexOf(p, count));
    } else {
      checkCount(count, 1, "an externalizable payload", pos_);
      json::Array values;
      values.reserve(count);
      for (std::size_t i = 0; i < count; ++i) values.push_back(readAmf3());
      ext.emplace_back("kind", "amf");
      ext.emplace_back("values", std::move(values));
    }
    return json::Value(std::move(ext));
  }

  json::Value readAmf3NumberVector(std::uint8_t marker, std::size_t at) {
    std::uint32_t u = readU29("a vector header");
    if ((u & 1) == 0) return objectRef(u, marker, at);
    std::uint32_t count = u >> 1;
    std::size_t id = registerObject(marker);
    bool fixed = readU8("a vector's fixed flag") != 0;
    std::size_t itemSize = marker == 0x0F ? 8 : 4;
    checkCount(count, itemSize, "a vector", at);
    json::Array items;
    items.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (marker == 0x0F) {
        items.push_back(vectorDoubleItem(readDouble("a vector item")));
      } else {
        std::uint32_t v = readU32("a vector item");
        if (marker == 0x0D)
          items.emplace_back(static_cast<std::int64_t>(v) - (v >= 0x80000000u ? 0x100000000 : 0));
        else
          items.emplace_back(v);
      }
    }
    json::Object node = nodeOf(objectTypeOf(marker), 4);
    node.emplace_back("id", id);
    node.emplace_back("fixed", fixed);
    node.emplace_back("v", std::move(items));
    return json::Value(std::move(node));
  }

  json::Value readAmf3ObjectVector(std::size_t at) {
    std::uint32_t u = readU29("a vector header");
    if ((u & 1) == 0) return objectRef(u, 0x10, at);
    std::uint32_t count = u >> 1;
    Nest nest(*this, at);
    std::size_t id = registerObject(0x10);
    bool fixed = readU8("a vector's fixed flag") != 0;
    std::string_view type = readAmf3String("a vector's type name");
    checkCount(count, 1, "a vector", at);
    json::Array items;
    items.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) items.push_back(readAmf3());
    json::Object node = nodeOf("vector_object", 5);
    node.emplace_back("id", id);
    node.emplace_back("fixed", fixed);
    node.emplace_back("type", type);
    node.emplace_back("v", std::move(items));
    return json::Value(std::move(node));
  }

  json::Value readAmf3Dictionary(std::size_t at) {
    std::uint32_t u = readU29("a dictionary header");
    if ((u & 1) == 0) return objectRef(u, 0x11, at);
    std::uint32_t count = u >> 1;
    Nest nest(*this, at);
    std::size_t id = registerObject(0x11);
    bool weak = readU8("a dictionary's weak-keys flag") != 0;
    checkCount(count, 2, "a dictionary", at);
    json::Array entries;
    entries.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      json::Value key = readAmf3();
      json::Value value = readAmf3();
      entries.push_back(pairOf(std::move(key), std::move(value)));
    }
    json::Object node = nodeOf("dictionary", 4);
    node.emplace_back("id", id);
    node.emplace_back("weak", weak);
    node.emplace_back("entries", std::move(entries));
    return json::Value(std::move(node));
  }

  // --- AMF0 ---

  std::string_view readAmf0ShortString(const char* what) {
    std::uint16_t length = readU16(what);
    return takeUtf8(length, what);
  }

  json::Array readAmf0Properties() {
    json::Array properties;
    for (;;) {
      std::string_view name = readAmf0ShortString("a property name");
      if (remaining() > 0 && data_[pos_] == 0x09) {
        // Only the empty name ends the list; PyAMF and BlazeDS would silently end it here.
        if (!name.empty())
          fail(pos_, "object-end marker 0x09 after the non-empty property name " + quoted(name));
        ++pos_;
        return properties;
      }
      // An empty name before a value is a property called "" to every reader (amf.md 2.2).
      json::Value value = readAmf0();
      properties.push_back(pairOf(json::Value(name), std::move(value)));
    }
  }

  json::Value readAmf0() {
    std::size_t at = pos_;
    std::uint8_t marker = readU8("an AMF0 marker");
    switch (marker) {
      case 0x00: {
        json::Object node = nodeOf("double", 3);
        putDoubleValue(node, readDouble("a number"));
        return json::Value(std::move(node));
      }
      case 0x01: {
        std::uint8_t raw = readU8("a boolean");
        json::Object node = nodeOf("bool", 3);
        node.emplace_back("v", raw != 0);
        if (raw > 1) node.emplace_back("raw", raw);
        return json::Value(std::move(node));
      }
      case 0x02: {
        json::Object node = nodeOf("string", 2);
        node.emplace_back("v", readAmf0ShortString("a string"));
        return json::Value(std::move(node));
      }
      case 0x03: {
        Nest nest(*this, at);
        std::size_t id = amf0Slots_++;
        json::Array members = readAmf0Properties();
        json::Object node = nodeOf("object", 4);
        node.emplace_back("id", id);
        node.emplace_back("class", "");
        node.emplace_back("members", std::move(members));
        return json::Value(std::move(node));
      }
      case 0x04:
        fail(at, "reserved AMF0 marker 0x04 (movieclip)");
      case 0x05:
        return json::Value(nodeOf("null", 1));
      case 0x06:
        return json::Value(nodeOf("undefined", 1));
      case 0x07: {
        std::uint16_t index = readU16("a reference");
        if (index >= amf0Slots_)
          fail(at, "reference #" + std::to_string(index) + " but the reference table holds " +
                       std::to_string(amf0Slots_) + " entries");
        json::Object node = nodeOf("ref", 2);
        node.emplace_back("id", index);
        return json::Value(std::move(node));
      }
      case 0x08: {
        Nest nest(*this, at);
        std::size_t id = amf0Slots_++;
        std::uint32_t count = readU32("an ecma-array count");
        json::Array assoc = readAmf0Properties();
        json::Object node = nodeOf("ecma_array", 4);
        node.emplace_back("id", id);
        node.emplace_back("count", count);
        node.emplace_back("assoc", std::move(assoc));
        return json::Value(std::move(node));
      }
      case 0x09:
        fail(at, "object-end marker 0x09 where a value was expected");
      case 0x0A: {
        Nest nest(*this, at);
        std::size_t id = amf0Slots_++;
        std::uint32_t count = readU32("a strict-array count");
        checkCount(count, 1, "a strict array", at);
        json::Array dense;
        dense.reserve(count);
        for (std::uint32_t i = 0; i < count; ++i) dense.push_back(readAmf0());
        json::Object node = nodeOf("array", 4);
        node.emplace_back("id", id);
        node.emplace_back("dense", std::move(dense));
        node.emplace_back("assoc", json::Array());
        return json::Value(std::move(node));
      }
      case 0x0B: {
        std::size_t id = amf0Slots_++;  // Flash gives dates a slot (amf.md 2.3)
        double ms = readDouble("a date");
        std::uint16_t tz = readU16("a date's time zone");
        json::Object node = nodeOf("date", 5);
        node.emplace_back("id", id);
        putDoubleValue(node, ms);
        node.emplace_back("tz", static_cast<int>(tz) - (tz >= 0x8000 ? 0x10000 : 0));
        return json::Value(std::move(node));
      }
      case 0x0C: {
        std::uint32_t length = readU32("a long string");
        json::Object node = nodeOf("string", 3);
        node.emplace_back("v", takeUtf8(length, "a long string"));
        node.emplace_back("long", true);
        return json::Value(std::move(node));
      }
      case 0x0D:
        return json::Value(nodeOf("unsupported", 1));
      case 0x0E:
        fail(at, "reserved AMF0 marker 0x0e (recordset)");
      case 0x0F: {
        std::size_t id = amf0Slots_++;  // as dates, XML documents take a slot
        std::uint32_t length = readU32("an XML document");
        json::Object node = nodeOf("xmldoc", 3);
        node.emplace_back("id", id);
        node.emplace_back("v", takeUtf8(length, "an XML document"));
        return json::Value(std::move(node));
      }
      case 0x10: {
        Nest nest(*this, at);
        std::size_t id = amf0Slots_++;
        std::string_view className = readAmf0ShortString("a class name");
        json::Array members = readAmf0Properties();
        json::Object node = nodeOf("object", 5);
        node.emplace_back("id", id);
        node.emplace_back("class", className);
        node.emplace_back("typed", true);
        node.emplace_back("members", std::move(members));
        return json::Value(std::move(node));
      }
      case 0x11: {
        if (!amf3_) amf3_.emplace();  // shared by every switch of this top-level value
        json::Object node = nodeOf("amf3", 2);
        node.emplace_back("v", readAmf3());
        return json::Value(std::move(node));
      }
      default:
        fail(at, "unknown AMF0 marker " + hexByte(marker));
    }
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  const DissectOptions& options_;
  std::size_t depth_ = 0;
  std::size_t referencedBytes_ = 0;
  std::size_t amf0Slots_ = 0;
  std::optional<Amf3Tables> amf3_;
};

// --- assembler ---------------------------------------------------------------------------------

// A JSON Pointer to the node being written, kept on the stack and spelled out only for an error.
struct Path {
  const Path* parent;
  std::string_view key;
  std::size_t index;
  bool isIndex;

  Path child(std::string_view k) const { return Path{this, k, 0, false}; }
  Path at(std::size_t i) const { return Path{this, {}, i, true}; }

  std::string toString() const {
    std::vector<const Path*> chain;
    for (const Path* p = this; p; p = p->parent) chain.push_back(p);
    std::string s;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      s += '/';
      if ((*it)->isIndex) {
        s += std::to_string((*it)->index);
      } else {
        for (char c : (*it)->key) s += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      }
    }
    return s;
  }
};

[[noreturn]] void failAt(const Path& path, const std::string& reason) {
  throw AmfAssembleError(reason, path.toString());
}

const char* jsonTypeName(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull:
      return "null";
    case json::Type::kBool:
      return "a boolean";
    case json::Type::kInt:
      return "an integer";
    case json::Type::kDouble:
      return "a fractional number";
    case json::Type::kString:
      return "a string";
    case json::Type::kArray:
      return "an array";
    case json::Type::kObject:
      return "an object";
  }
  return "?";
}

const json::Value* fieldOf(const json::Object& node, std::string_view key) {
  for (const json::Member& m : node)
    if (m.first == key) return &m.second;
  return nullptr;
}

// Where a ref's target sits: its table index and its node type (which picks the AMF3 marker).
struct Target {
  std::size_t index;
  std::string_view type;
};

struct Amf0Context;

struct Amf3Context {
  // Views into the JSON document, which outlives the assembly.
  std::unordered_map<std::string_view, std::uint32_t> strings;
  std::unordered_map<std::string, std::uint32_t> traits;  // keyed by traitsKey()
  std::size_t objects = 0;
  std::unordered_map<std::string, Target> labels;
  const Amf0Context* enclosing = nullptr;  // the AMF0 value around a 0x11 switch
};

struct Amf0Context {
  std::size_t slots = 0;
  std::unordered_map<std::string, Target> labels;
  // One AMF3 context for all 0x11 switches of this top-level value, as the library writes and
  // as Flash-era readers (PyAMF, BlazeDS, flash-lso, as3net) read: with a fresh one per switch,
  // a later switch's references would point at an earlier switch's entries.
  std::unique_ptr<Amf3Context> amf3;
};

class Assembler {
 public:
  Assembler(std::vector<std::uint8_t>& out, std::size_t maxDepth)
      : out_(out), maxDepth_(maxDepth) {}

  void writeTopLevel(const json::Value& node, AmfEncoding encoding, const Path& path) {
    if (encoding == AmfEncoding::kAmf3) {
      Amf3Context context;
      writeAmf3(node, context, path, 0);
    } else {
      Amf0Context context;
      writeAmf0(node, context, path, 0);
    }
  }

 private:
  // --- bytes ---

  void put(std::uint8_t b) { out_.push_back(b); }
  void putU16(std::uint16_t v) {
    put(static_cast<std::uint8_t>(v >> 8));
    put(static_cast<std::uint8_t>(v));
  }
  void putU32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) put(static_cast<std::uint8_t>(v >> shift));
  }
  void putDouble(double d) {
    std::uint64_t u = bitsOf(d);
    for (int shift = 56; shift >= 0; shift -= 8) put(static_cast<std::uint8_t>(u >> shift));
  }
  void putU29(std::uint32_t v) {
    std::uint8_t buf[4];
    std::uint32_t n = wire::encodeU29(buf, v);
    out_.insert(out_.end(), buf, buf + n);
  }
  void putBytes(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }

  // --- reading nodes ---

  static const json::Object& nodeObject(const json::Value& v, const Path& path) {
    if (!v.isObject())
      failAt(path, std::string("expected a tagged node {\"t\":...}, found ") + jsonTypeName(v));
    return v.asObject();
  }

  static std::string_view nodeType(const json::Object& node, const Path& path) {
    const json::Value* t = fieldOf(node, "t");
    if (!t || !t->isString()) failAt(path, "a node needs a string \"t\"");
    return t->asString();
  }

  static void checkKeys(const json::Object& node, std::initializer_list<std::string_view> allowed,
                        const char* encoding, std::string_view type, const Path& path) {
    for (const json::Member& m : node) {
      bool known = false;
      for (std::string_view a : allowed) known = known || m.first == a;
      if (!known)
        failAt(path, "unknown key " + quoted(m.first) + " in an " + encoding + " " +
                         std::string(type) + " node");
    }
  }

  static bool boolField(const json::Object& node, std::string_view key, bool fallback,
                        const Path& path) {
    const json::Value* v = fieldOf(node, key);
    if (!v) return fallback;
    if (!v->isBool())
      failAt(path.child(key), "expected a boolean, found " + std::string(jsonTypeName(*v)));
    return v->asBool();
  }

  static std::string_view stringField(const json::Object& node, std::string_view key,
                                      const Path& path, bool required) {
    const json::Value* v = fieldOf(node, key);
    if (!v) {
      if (required) failAt(path, "missing " + quoted(key));
      return {};
    }
    if (!v->isString())
      failAt(path.child(key), "expected a string, found " + std::string(jsonTypeName(*v)));
    return v->asString();
  }

  static const json::Array& arrayField(const json::Object& node, std::string_view key,
                                       const Path& path) {
    static const json::Array kEmpty;
    const json::Value* v = fieldOf(node, key);
    if (!v) return kEmpty;
    if (!v->isArray())
      failAt(path.child(key), "expected an array, found " + std::string(jsonTypeName(*v)));
    return v->asArray();
  }

  static std::int64_t intValue(const json::Value& v, std::int64_t min, std::int64_t max,
                               const char* what, const Path& path) {
    if (!v.isInt())
      failAt(path, std::string(what) + " must be an integer, found " + jsonTypeName(v));
    std::int64_t i = v.asInt();
    if (i < min || i > max)
      failAt(path, std::string(what) + " " + std::to_string(i) + " is outside [" +
                       std::to_string(min) + ", " + std::to_string(max) + "]");
    return i;
  }

  // A [key, node] pair of an assoc, members or sealed list.
  static const json::Array& pairAt(const json::Value& v, bool keyIsString, const Path& path) {
    if (!v.isArray() || v.asArray().size() != 2)
      failAt(path,
             keyIsString ? "expected a [\"key\", node] pair" : "expected a [key, value] pair");
    if (keyIsString && !v.asArray()[0].isString())
      failAt(path.at(0),
             "expected a string key, found " + std::string(jsonTypeName(v.asArray()[0])));
    return v.asArray();
  }

  static std::uint64_t parseHex64(std::string_view hex, const Path& path) {
    if (hex.size() != 16) failAt(path, "NaN bits need exactly 16 hex digits");
    std::uint64_t u = 0;
    for (char c : hex) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) failAt(path, "NaN bits need exactly 16 hex digits");
      u = u << 4 | static_cast<unsigned>(d);
    }
    if (!std::isnan(doubleOf(u))) failAt(path, "bits " + std::string(hex) + " are not a NaN");
    return u;
  }

  // A double written as a number or one of the special strings ("NaN" may carry bits as
  // "NaN:<hex>" when `inlineBits`, else in a separate "bits" field).
  static double specialOrNumber(const json::Value& v, const json::Value* bits, bool inlineBits,
                                const Path& path) {
    if (v.isNumber()) {
      if (bits) failAt(path, "\"bits\" belongs to a NaN only");
      return v.asDouble();
    }
    if (!v.isString())
      failAt(path, "expected a number or \"NaN\", \"Infinity\", \"-Infinity\", \"-0\"");
    std::string_view s = v.asString();
    if (s == "NaN" || (inlineBits && s.substr(0, 4) == "NaN:")) {
      std::uint64_t u = wire::kFlashNaNBits;
      if (s.size() > 3) u = parseHex64(s.substr(4), path);
      if (bits) {
        if (!bits->isString()) failAt(path, "\"bits\" must be a string of 16 hex digits");
        u = parseHex64(bits->asString(), path);
      }
      return doubleOf(u);
    }
    if (bits) failAt(path, "\"bits\" belongs to a NaN only");
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "-0") return -0.0;
    failAt(path, "unknown special number " + quoted(s));
  }

  static double doubleField(const json::Object& node, const Path& path) {
    const json::Value* v = fieldOf(node, "v");
    if (!v) failAt(path, "missing \"v\"");
    return specialOrNumber(*v, fieldOf(node, "bits"), false, path.child("v"));
  }

  void putHex(std::string_view hex, const Path& path) {
    if (hex.size() % 2 != 0) failAt(path, "hex text with an odd number of digits");
    auto digit = [&](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      failAt(path, "invalid hex digit " + quoted(std::string_view(&c, 1)));
    };
    for (std::size_t i = 0; i < hex.size(); i += 2)
      put(static_cast<std::uint8_t>(digit(hex[i]) << 4 | digit(hex[i + 1])));
  }

  static std::string_view checkedUtf8(std::string_view s, const Path& path) {
    if (json::findInvalidUtf8(s) != std::string_view::npos)
      failAt(path, "the string is not well-formed UTF-8");
    return s;
  }

  static std::string labelKey(const json::Value& label, const Path& path) {
    try {
      return json::print(label);
    } catch (const std::domain_error&) {
      failAt(path, "an id label cannot be NaN or infinite");
    }
  }

  std::size_t enter(std::size_t depth, const Path& path) const {
    if (depth + 1 > maxDepth_)
      failAt(path, "containers nested deeper than " + std::to_string(maxDepth_));
    return depth + 1;
  }

  template <class Context>
  static void label(Context& context, const json::Object& node, std::size_t index,
                    std::string_view type, const Path& path) {
    const json::Value* id = fieldOf(node, "id");
    if (!id) return;
    std::string key = labelKey(*id, path.child("id"));
    if (!context.labels.emplace(key, Target{index, type}).second)
      failAt(path.child("id"), "id label " + key + " is used by an earlier node too");
  }

  // --- AMF3 ---

  void writeAmf3String(std::string_view s, Amf3Context& context, const Path& path) {
    if (s.empty()) {
      put(0x01);  // never in the table, never a reference
      return;
    }
    auto it = context.strings.find(s);
    if (it != context.strings.end()) {
      putU29(it->second << 1);
      return;
    }
    checkedUtf8(s, path);
    if (s.size() > wire::kU28Max)
      failAt(path, "a string of " + std::to_string(s.size()) + " bytes is longer than AMF3 allows");
    if (context.strings.size() <= wire::kU28Max)
      context.strings.emplace(s, static_cast<std::uint32_t>(context.strings.size()));
    putU29(static_cast<std::uint32_t>(s.size()) << 1 | 1);
    putBytes(s);
  }

  std::size_t registerAmf3(Amf3Context& context, const json::Object& node, std::string_view type,
                           const Path& path) {
    std::size_t index = context.objects++;
    label(context, node, index, type, path);
    return index;
  }

  void putInlineCount(std::size_t count, const Path& path) {
    if (count > wire::kU28Max)
      failAt(path, std::to_string(count) + " items are more than AMF3 can count");
    putU29(static_cast<std::uint32_t>(count) << 1 | 1);
  }

  void writeAmf3(const json::Value& value, Amf3Context& context, const Path& path,
                 std::size_t depth) {
    const json::Object& node = nodeObject(value, path);
    std::string_view type = nodeType(node, path);
    if (type == "undefined" || type == "null") {
      checkKeys(node, {"t"}, "AMF3", type, path);
      put(type == "undefined" ? 0x00 : 0x01);
    } else if (type == "bool") {
      checkKeys(node, {"t", "v"}, "AMF3", type, path);
      const json::Value* v = fieldOf(node, "v");
      if (!v || !v->isBool()) failAt(path, "a bool node needs a boolean \"v\"");
      put(v->asBool() ? 0x03 : 0x02);
    } else if (type == "int") {
      checkKeys(node, {"t", "v"}, "AMF3", type, path);
      const json::Value* v = fieldOf(node, "v");
      if (!v) failAt(path, "missing \"v\"");
      std::int64_t i =
          intValue(*v, wire::kAmf3IntMin, wire::kAmf3IntMax, "an AMF3 int", path.child("v"));
      put(0x04);
      putU29(static_cast<std::uint32_t>(i) & wire::kU29Max);
    } else if (type == "double") {
      checkKeys(node, {"t", "v", "bits"}, "AMF3", type, path);
      double d = doubleField(node, path);
      put(0x05);
      putDouble(d);
    } else if (type == "string") {
      checkKeys(node, {"t", "v"}, "AMF3", type, path);
      std::string_view s = stringField(node, "v", path, true);
      put(0x06);
      writeAmf3String(s, context, path.child("v"));
    } else if (type == "xml" || type == "xmldoc") {
      checkKeys(node, {"t", "id", "v"}, "AMF3", type, path);
      std::string_view text = checkedUtf8(stringField(node, "v", path, true), path.child("v"));
      registerAmf3(context, node, type, path);
      put(type == "xml" ? 0x0B : 0x07);
      putInlineCount(text.size(), path.child("v"));
      putBytes(text);
    } else if (type == "date") {
      checkKeys(node, {"t", "id", "v", "bits"}, "AMF3", type, path);
      double ms = doubleField(node, path);
      registerAmf3(context, node, type, path);
      put(0x08);
      put(0x01);
      putDouble(ms);
    } else if (type == "bytearray") {
      checkKeys(node, {"t", "id", "hex"}, "AMF3", type, path);
      std::string_view hex = stringField(node, "hex", path, true);
      registerAmf3(context, node, type, path);
      put(0x0C);
      putInlineCount(hex.size() / 2, path.child("hex"));
      putHex(hex, path.child("hex"));
    } else if (type == "array") {
      writeAmf3Array(node, context, path, depth);
    } else if (type == "object") {
      writeAmf3Object(node, context, path, depth);
    } else if (type == "vector_int" || type == "vector_uint" || type == "vector_double") {
      writeAmf3NumberVector(node, type, context, path);
    } else if (type == "vector_object") {
      writeAmf3ObjectVector(node, context, path, depth);
    } else if (type == "dictionary") {
      writeAmf3Dictionary(node, context, path, depth);
    } else if (type == "ref") {
      writeAmf3Ref(node, context, path);
    } else if (type == "ecma_array" || type == "unsupported" || type == "amf3") {
      failAt(path, "a " + std::string(type) + " node exists only in AMF0");
    } else {
      failAt(path, "unknown node type " + quoted(type));
    }
  }

  void writeAmf3Ref(const json::Object& node, Amf3Context& context, const Path& path) {
    checkKeys(node, {"t", "id"}, "AMF3", "ref", path);
    const json::Value* id = fieldOf(node, "id");
    if (!id) failAt(path, "a ref node needs an \"id\"");
    std::string key = labelKey(*id, path.child("id"));
    auto it = context.labels.find(key);
    if (it == context.labels.end()) {
      const Amf0Context* outer = context.enclosing;
      if (outer && outer->labels.count(key))
        failAt(path, "ref to id " + key + ", an AMF0 node, from inside an amf3 switch");
      failAt(path, "ref to id " + key + ", which labels no earlier node");
    }
    if (it->second.index > wire::kU28Max)
      failAt(path, "ref to object #" + std::to_string(it->second.index) +
                       ", beyond what AMF3 can reference");
    put(markerOfObjectType(it->second.type));
    putU29(static_cast<std::uint32_t>(it->second.index) << 1);
  }

  void writeAmf3Array(const json::Object& node, Amf3Context& context, const Path& path,
                      std::size_t depth) {
    checkKeys(node, {"t", "id", "dense", "assoc"}, "AMF3", "array", path);
    const json::Array& dense = arrayField(node, "dense", path);
    const json::Array& assoc = arrayField(node, "assoc", path);
    std::size_t inner = enter(depth, path);
    registerAmf3(context, node, "array", path);
    put(0x09);
    putInlineCount(dense.size(), path.child("dense"));
    const Path assocPath = path.child("assoc");
    for (std::size_t i = 0; i < assoc.size(); ++i) {
      const Path itemPath = assocPath.at(i);
      const json::Array& pair = pairAt(assoc[i], true, itemPath);
      const std::string& key = pair[0].asString();
      if (key.empty()) failAt(itemPath.at(0), "an empty key would end the associative part");
      writeAmf3String(key, context, itemPath.at(0));
      writeAmf3(pair[1], context, itemPath.at(1), inner);
    }
    put(0x01);
    const Path densePath = path.child("dense");
    for (std::size_t i = 0; i < dense.size(); ++i)
      writeAmf3(dense[i], context, densePath.at(i), inner);
  }

  static void appendKeyPart(std::string& key, std::string_view part) {
    std::size_t n = part.size();
    for (int i = 0; i < 8; ++i) key += static_cast<char>(n >> (8 * i));
    key.append(part.data(), part.size());
  }

  void writeAmf3Object(const json::Object& node, Amf3Context& context, const Path& path,
                       std::size_t depth) {
    checkKeys(node, {"t", "id", "class", "dynamic", "externalizable", "sealed", "members", "ext"},
              "AMF3", "object", path);
    std::string_view className = stringField(node, "class", path, false);
    bool externalizable = boolField(node, "externalizable", false, path);
    // Flash's anonymous Object is dynamic; a class instance is not unless the node says so.
    bool dynamic = boolField(node, "dynamic", !externalizable && className.empty(), path);
    const json::Array& sealed = arrayField(node, "sealed", path);
    const json::Array& members = arrayField(node, "members", path);
    const json::Value* ext = fieldOf(node, "ext");
    if (externalizable) {
      if (dynamic) failAt(path, "an externalizable object cannot be dynamic");
      if (!sealed.empty() || !members.empty())
        failAt(path, "an externalizable object has no members; its payload goes in \"ext\"");
      if (!ext) failAt(path, "an externalizable object needs \"ext\"");
    } else {
      if (ext) failAt(path.child("ext"), "\"ext\" needs \"externalizable\":true");
      if (!dynamic && !members.empty())
        failAt(path.child("members"), "dynamic members need \"dynamic\":true");
    }
    const Path sealedPath = path.child("sealed");
    std::string traitsKey;
    traitsKey += dynamic ? 'd' : '-';
    traitsKey += externalizable ? 'e' : '-';
    appendKeyPart(traitsKey, className);
    for (std::size_t i = 0; i < sealed.size(); ++i)
      appendKeyPart(traitsKey, pairAt(sealed[i], true, sealedPath.at(i))[0].asString());

    std::size_t inner = enter(depth, path);
    registerAmf3(context, node, "object", path);
    put(0x0A);
    auto known = context.traits.find(traitsKey);
    if (known != context.traits.end()) {
      putU29(known->second << 2 | 1);
    } else {
      if (externalizable) {
        putU29(0x07);
        writeAmf3String(className, context, path.child("class"));
      } else {
        if (sealed.size() > 0x1FFFFFF)
          failAt(sealedPath, "more sealed members than AMF3 traits can count");
        putU29(static_cast<std::uint32_t>(sealed.size()) << 4 | (dynamic ? 0x08 : 0) | 0x03);
        writeAmf3String(className, context, path.child("class"));
        for (std::size_t i = 0; i < sealed.size(); ++i)
          writeAmf3String(sealed[i].asArray()[0].asString(), context, sealedPath.at(i).at(0));
      }
      constexpr std::size_t kTraitsIndexLimit = std::size_t{1} << 27;
      if (context.traits.size() < kTraitsIndexLimit)
        context.traits.emplace(std::move(traitsKey),
                               static_cast<std::uint32_t>(context.traits.size()));
    }

    if (externalizable) {
      writeExternal(*ext, context, path.child("ext"), inner);
      return;
    }
    for (std::size_t i = 0; i < sealed.size(); ++i)
      writeAmf3(sealed[i].asArray()[1], context, sealedPath.at(i).at(1), inner);
    if (!dynamic) return;
    const Path membersPath = path.child("members");
    for (std::size_t i = 0; i < members.size(); ++i) {
      const Path itemPath = membersPath.at(i);
      const json::Array& pair = pairAt(members[i], true, itemPath);
      const std::string& name = pair[0].asString();
      if (name.empty()) failAt(itemPath.at(0), "an empty name would end the dynamic members");
      writeAmf3String(name, context, itemPath.at(0));
      writeAmf3(pair[1], context, itemPath.at(1), inner);
    }
    put(0x01);
  }

  void writeExternal(const json::Value& extValue, Amf3Context& context, const Path& path,
                     std::size_t depth) {
    if (!extValue.isObject()) failAt(path, "\"ext\" must be an object");
    const json::Object& ext = extValue.asObject();
    std::string_view kind = stringField(ext, "kind", path, true);
    if (kind == "amf") {
      checkKeys(ext, {"kind", "values"}, "AMF3", "ext", path);
      const json::Array& values = arrayField(ext, "values", path);
      const Path valuesPath = path.child("values");
      for (std::size_t i = 0; i < values.size(); ++i)
        writeAmf3(values[i], context, valuesPath.at(i), depth);
    } else if (kind == "bytes") {
      checkKeys(ext, {"kind", "hex"}, "AMF3", "ext", path);
      putHex(stringField(ext, "hex", path, true), path.child("hex"));
    } else {
      failAt(path.child("kind"), "\"kind\" must be \"amf\" or \"bytes\"");
    }
  }

  void writeAmf3NumberVector(const json::Object& node, std::string_view type, Amf3Context& context,
                             const Path& path) {
    checkKeys(node, {"t", "id", "fixed", "v"}, "AMF3", type, path);
    bool fixed = boolField(node, "fixed", false, path);
    const json::Array& items = arrayField(node, "v", path);
    registerAmf3(context, node, type, path);
    std::uint8_t marker = markerOfObjectType(type);
    put(marker);
    putInlineCount(items.size(), path.child("v"));
    put(fixed ? 1 : 0);
    const Path itemsPath = path.child("v");
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (marker == 0x0F) {
        putDouble(specialOrNumber(items[i], nullptr, true, itemsPath.at(i)));
      } else if (marker == 0x0D) {
        putU32(static_cast<std::uint32_t>(intValue(
            items[i], std::numeric_limits<std::int32_t>::min(),
            std::numeric_limits<std::int32_t>::max(), "a vector_int item", itemsPath.at(i))));
      } else {
        putU32(static_cast<std::uint32_t>(intValue(items[i], 0,
                                                   std::numeric_limits<std::uint32_t>::max(),
                                                   "a vector_uint item", itemsPath.at(i))));
      }
    }
  }

  void writeAmf3ObjectVector(const json::Object& node, Amf3Context& context, const Path& path,
                             std::size_t depth) {
    checkKeys(node, {"t", "id", "fixed", "type", "v"}, "AMF3", "vector_object", path);
    bool fixed = boolField(node, "fixed", false, path);
    std::string_view elementType = stringField(node, "type", path, false);
    const json::Array& items = arrayField(node, "v", path);
    std::size_t inner = enter(depth, path);
    registerAmf3(context, node, "vector_object", path);
    put(0x10);
    putInlineCount(items.size(), path.child("v"));
    put(fixed ? 1 : 0);
    writeAmf3String(elementType, context, path.child("type"));
    const Path itemsPath = path.child("v");
    for (std::size_t i = 0; i < items.size(); ++i)
      writeAmf3(items[i], context, itemsPath.at(i), inner);
  }

  void writeAmf3Dictionary(const json::Object& node, Amf3Context& context, const Path& path,
                           std::size_t depth) {
    checkKeys(node, {"t", "id", "weak", "entries"}, "AMF3", "dictionary", path);
    bool weak = boolField(node, "weak", false, path);
    const json::Array& entries = arrayField(node, "entries", path);
    std::size_t inner = enter(depth, path);
    registerAmf3(context, node, "dictionary", path);
    put(0x11);
    putInlineCount(entries.size(), path.child("entries"));
    put(weak ? 1 : 0);
    const Path entriesPath = path.child("entries");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Path itemPath = entriesPath.at(i);
      const json::Array& pair = pairAt(entries[i], false, itemPath);
      writeAmf3(pair[0], context, itemPath.at(0), inner);
      writeAmf3(pair[1], context, itemPath.at(1), inner);
    }
  }

  // --- AMF0 ---

  std::size_t registerAmf0(Amf0Context& context, const json::Object& node, std::string_view type,
                           const Path& path) {
    std::size_t index = context.slots++;
    label(context, node, index, type, path);
    return index;
  }

  void putAmf0Name(std::string_view name, const Path& path) {
    checkedUtf8(name, path);
    if (name.size() > 0xFFFF)
      failAt(path,
             "a name of " + std::to_string(name.size()) + " bytes is longer than AMF0's 65535");
    putU16(static_cast<std::uint16_t>(name.size()));
    putBytes(name);
  }

  void writeAmf0Properties(const json::Array& properties, Amf0Context& context, const Path& path,
                           std::size_t depth) {
    for (std::size_t i = 0; i < properties.size(); ++i) {
      const Path itemPath = path.at(i);
      const json::Array& pair = pairAt(properties[i], true, itemPath);
      const std::string& name = pair[0].asString();
      // Readers differ on an empty name before a value (amf.md 2.2): never write one.
      if (name.empty()) failAt(itemPath.at(0), "an empty property name would end the object");
      putAmf0Name(name, itemPath.at(0));
      writeAmf0(pair[1], context, itemPath.at(1), depth);
    }
    put(0x00);
    put(0x00);
    put(0x09);
  }

  // Flash writes an Array's length as the ecma count: one past the largest index key.
  static std::uint32_t arrayLengthOf(const json::Array& assoc) {
    std::uint64_t length = 0;
    for (const json::Value& item : assoc) {
      if (!item.isArray() || item.asArray().size() != 2 || !item.asArray()[0].isString()) continue;
      const std::string& key = item.asArray()[0].asString();
      if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) continue;
      std::uint64_t index = 0;
      bool digits = true;
      for (char c : key) {
        digits = digits && c >= '0' && c <= '9';
        index = index * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (digits && index < 0xFFFFFFFFull) length = std::max(length, index + 1);
    }
    return static_cast<std::uint32_t>(length);
  }

  void writeAmf0(const json::Value& value, Amf0Context& context, const Path& path,
                 std::size_t depth) {
    const json::Object& node = nodeObject(value, path);
    std::string_view type = nodeType(node, path);
    if (type == "undefined" || type == "null" || type == "unsupported") {
      checkKeys(node, {"t"}, "AMF0", type, path);
      put(type == "undefined" ? 0x06 : type == "null" ? 0x05 : 0x0D);
    } else if (type == "bool") {
      checkKeys(node, {"t", "v", "raw"}, "AMF0", type, path);
      const json::Value* v = fieldOf(node, "v");
      if (!v || !v->isBool()) failAt(path, "a bool node needs a boolean \"v\"");
      std::uint8_t byte = v->asBool() ? 1 : 0;
      if (const json::Value* raw = fieldOf(node, "raw")) {
        byte = static_cast<std::uint8_t>(intValue(*raw, 0, 255, "raw", path.child("raw")));
        if ((byte != 0) != v->asBool())
          failAt(path.child("raw"), "\"raw\" " + std::to_string(byte) + " contradicts \"v\"");
      }
      put(0x01);
      put(byte);
    } else if (type == "int") {
      checkKeys(node, {"t", "v"}, "AMF0", type, path);
      const json::Value* v = fieldOf(node, "v");
      if (!v) failAt(path, "missing \"v\"");
      constexpr std::int64_t kExact = std::int64_t{1} << 53;  // a double holds these exactly
      std::int64_t i =
          intValue(*v, -kExact, kExact, "an int for an exact AMF0 number", path.child("v"));
      put(0x00);
      putDouble(static_cast<double>(i));
    } else if (type == "double") {
      checkKeys(node, {"t", "v", "bits"}, "AMF0", type, path);
      double d = doubleField(node, path);
      put(0x00);
      putDouble(d);
    } else if (type == "string") {
      checkKeys(node, {"t", "v", "long"}, "AMF0", type, path);
      std::string_view s = checkedUtf8(stringField(node, "v", path, true), path.child("v"));
      bool isLong = boolField(node, "long", s.size() > 0xFFFF, path);
      if (!isLong && s.size() > 0xFFFF)
        failAt(path.child("long"),
               "a string of " + std::to_string(s.size()) + " bytes needs the long-string marker");
      if (isLong) {
        if (s.size() > 0xFFFFFFFFu) failAt(path.child("v"), "a string longer than AMF0 allows");
        put(0x0C);
        putU32(static_cast<std::uint32_t>(s.size()));
      } else {
        put(0x02);
        putU16(static_cast<std::uint16_t>(s.size()));
      }
      putBytes(s);
    } else if (type == "date") {
      checkKeys(node, {"t", "id", "v", "bits", "tz"}, "AMF0", type, path);
      double ms = doubleField(node, path);
      std::int64_t tz = 0;
      if (const json::Value* zone = fieldOf(node, "tz"))
        tz = intValue(*zone, -32768, 32767, "tz", path.child("tz"));
      registerAmf0(context, node, type, path);
      put(0x0B);
      putDouble(ms);
      putU16(static_cast<std::uint16_t>(tz & 0xFFFF));
    } else if (type == "xmldoc") {
      checkKeys(node, {"t", "id", "v"}, "AMF0", type, path);
      std::string_view text = checkedUtf8(stringField(node, "v", path, true), path.child("v"));
      if (text.size() > 0xFFFFFFFFu) failAt(path.child("v"), "an XML text longer than AMF0 allows");
      registerAmf0(context, node, type, path);
      put(0x0F);
      putU32(static_cast<std::uint32_t>(text.size()));
      putBytes(text);
    } else if (type == "object") {
      checkKeys(node, {"t", "id", "class", "typed", "members"}, "AMF0", type, path);
      std::string_view className = stringField(node, "class", path, false);
      bool typed = boolField(node, "typed", !className.empty(), path);
      if (!typed && !className.empty())
        failAt(path.child("typed"), "a class name needs \"typed\":true (marker 0x10)");
      const json::Array& members = arrayField(node, "members", path);
      std::size_t inner = enter(depth, path);
      registerAmf0(context, node, type, path);
      if (typed) {
        put(0x10);
        putAmf0Name(className, path.child("class"));
      } else {
        put(0x03);
      }
      writeAmf0Properties(members, context, path.child("members"), inner);
    } else if (type == "ecma_array") {
      checkKeys(node, {"t", "id", "count", "assoc"}, "AMF0", type, path);
      const json::Array& assoc = arrayField(node, "assoc", path);
      std::uint32_t count = arrayLengthOf(assoc);
      if (const json::Value* c = fieldOf(node, "count"))
        count =
            static_cast<std::uint32_t>(intValue(*c, 0, 0xFFFFFFFF, "count", path.child("count")));
      std::size_t inner = enter(depth, path);
      registerAmf0(context, node, type, path);
      put(0x08);
      putU32(count);
      writeAmf0Properties(assoc, context, path.child("assoc"), inner);
    } else if (type == "array") {
      checkKeys(node, {"t", "id", "dense", "assoc"}, "AMF0", type, path);
      const json::Array& dense = arrayField(node, "dense", path);
      if (!arrayField(node, "assoc", path).empty())
        failAt(path.child("assoc"),
               "an AMF0 strict array has no associative part; use an ecma_array node");
      if (dense.size() > 0xFFFFFFFFu) failAt(path.child("dense"), "too many items for AMF0");
      std::size_t inner = enter(depth, path);
      registerAmf0(context, node, type, path);
      put(0x0A);
      putU32(static_cast<std::uint32_t>(dense.size()));
      const Path densePath = path.child("dense");
      for (std::size_t i = 0; i < dense.size(); ++i)
        writeAmf0(dense[i], context, densePath.at(i), inner);
    } else if (type == "ref") {
      checkKeys(node, {"t", "id"}, "AMF0", type, path);
      const json::Value* id = fieldOf(node, "id");
      if (!id) failAt(path, "a ref node needs an \"id\"");
      std::string key = labelKey(*id, path.child("id"));
      auto it = context.labels.find(key);
      if (it == context.labels.end()) {
        if (context.amf3 && context.amf3->labels.count(key))
          failAt(path, "ref to id " + key + ", a node inside an amf3 switch, from AMF0");
        failAt(path, "ref to id " + key + ", which labels no earlier node");
      }
      if (it->second.index > 0xFFFF)
        failAt(path, "ref to slot " + std::to_string(it->second.index) +
                         ": AMF0 references reach only the first 65536");
      put(0x07);
      putU16(static_cast<std::uint16_t>(it->second.index));
    } else if (type == "amf3") {
      checkKeys(node, {"t", "v"}, "AMF0", type, path);
      const json::Value* inner = fieldOf(node, "v");
      if (!inner) failAt(path, "missing \"v\"");
      if (!context.amf3) {
        context.amf3 = std::make_unique<Amf3Context>();
        context.amf3->enclosing = &context;
      }
      put(0x11);
      writeAmf3(*inner, *context.amf3, path.child("v"), depth);
    } else if (type == "xml" || type == "bytearray" || type == "vector_int" ||
               type == "vector_uint" || type == "vector_double" || type == "vector_object" ||
               type == "dictionary") {
      failAt(path, "a " + std::string(type) +
                       " node has no AMF0 form; wrap it in {\"t\":\"amf3\",\"v\":...}");
    } else {
      failAt(path, "unknown node type " + quoted(type));
    }
  }

  std::vector<std::uint8_t>& out_;
  std::size_t maxDepth_;
};

}  // namespace

void dissect(const std::uint8_t* data, std::size_t size, const DissectOptions& options,
             const std::function<void(json::Value&&)>& onValue) {
  Dissector dissector(data, size, options);
  if (options.all) {
    while (!dissector.atEnd()) onValue(dissector.readTopLevel());
    return;
  }
  if (size == 0) dissector.fail(0, "empty input: expected an AMF value");
  onValue(dissector.readTopLevel());
  if (!dissector.atEnd()) {
    std::size_t at = dissector.position();
    throw AmfFormatError(std::to_string(size - at) + " trailing bytes after the value at offset " +
                             std::to_string(at) + "; use --all",
                         at);
  }
}

std::vector<json::Value> dissect(const std::uint8_t* data, std::size_t size,
                                 const DissectOptions& options) {
  std::vector<json::Value> values;
  dissect(data, size, options, [&](json::Value&& v) { values.push_back(std::move(v)); });
  return values;
}

std::vector<json::Value> dissect(const std::vector<std::uint8_t>& bytes,
                                 const DissectOptions& options) {
  return dissect(bytes.data(), bytes.size(), options);
}

void assemble(const json::Value& node, AmfEncoding encoding, std::vector<std::uint8_t>& out,
              std::size_t topLevelIndex, std::size_t maxDepth) {
  Assembler assembler(out, maxDepth);
  const Path root{nullptr, {}, topLevelIndex, true};
  assembler.writeTopLevel(node, encoding, root);
}

std::vector<std::uint8_t> assemble(const std::vector<json::Value>& nodes, AmfEncoding encoding) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < nodes.size(); ++i) assemble(nodes[i], encoding, out, i);
  return out;
}

}  // namespace as3net_tool
