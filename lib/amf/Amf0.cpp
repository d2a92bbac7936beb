// AMF0 as Flash Player reads and writes it (spec/amf.md section 2), with the 0x11 switch to AMF3
// for what AMF0 cannot express.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "amf/detail/Codec.h"
#include "as3/amf/Array.h"
#include "as3/amf/ClassAlias.h"
#include "errors/detail/Throw.h"

namespace as3::amf::detail {

using errors::detail::throwErrorWithDetail;

namespace {

// AMF0 references carry a U16 index: later table entries exist but cannot be named.
constexpr std::size_t kMaxReferenceable = 0x10000;
constexpr std::uint32_t kMaxShortString = 0xFFFF;

enum Marker : std::uint8_t {
  kNumber = 0x00,
  kBoolean = 0x01,
  kString = 0x02,
  kObject = 0x03,
  kMovieClip = 0x04,
  kNull = 0x05,
  kUndefined = 0x06,
  kReference = 0x07,
  kEcmaArray = 0x08,
  kObjectEnd = 0x09,
  kStrictArray = 0x0A,
  kDate = 0x0B,
  kLongString = 0x0C,
  kUnsupported = 0x0D,
  kRecordSet = 0x0E,
  kXmlDocument = 0x0F,
  kTypedObject = 0x10,
  kAvmPlus = 0x11,
};

// Amf0Reader ------------------------------------------------------------------------------------

class Amf0Reader {
 public:
  explicit Amf0Reader(Input& in) noexcept : in_(in) {}
  ~Amf0Reader() {
    for (Node* n : refs_) release(n);
  }
  Amf0Reader(const Amf0Reader&) = delete;
  Amf0Reader& operator=(const Amf0Reader&) = delete;

  void readValue(Value& out) {
    const std::uint8_t* at = in_.p;
    readBody(in_.u8("an AMF0 value marker"), at, out);
  }

 private:
  void readBody(std::uint8_t marker, const std::uint8_t* at, Value& out);
  StringRep* readUtf8(std::size_t length, const char* what);  // a new reference
  void readReference(Value& out);
  void readObject(Value& out, bool typed);
  void readEcmaArray(Value& out);
  void readStrictArray(Value& out);
  void readDate(Value& out);
  void readXmlDocument(Value& out);
  void readAmf3(Value& out);
  // Calls fn(name, value) for each property up to the 00 00 09 end marker.
  template <class Fn>
  void readProperties(Fn&& fn);
  void remember(Node* node);

  Input& in_;
  std::vector<Node*> refs_;
  // Made at the first 0x11 and kept: later switches continue its tables, as PyAMF, BlazeDS and
  // flash-lso read them.
  std::optional<Amf3Reader> amf3_;
};

void Amf0Reader::remember(Node* node) {
  if (refs_.size() >= kMaxReferenceable) return;
  retain(node);
  refs_.push_back(node);
}

StringRep* Amf0Reader::readUtf8(std::size_t length, const char* what) {
  const std::uint8_t* bytes = in_.take(length, what);
  in_.charge(length + sizeof(StringRep));
  return in_.utf8(bytes, length);
}

void Amf0Reader::readBody(std::uint8_t marker, const std::uint8_t* at, Value& out) {
  switch (marker) {
    case kNumber:
      out = Value(in_.f64("an AMF0 number"));
      return;
    case kBoolean:
      out = Value(in_.u8("an AMF0 boolean") != 0);
      return;
    case kString: {
      std::uint16_t length = in_.u16("an AMF0 string length");
      out = Value(readUtf8(length, "an AMF0 string"), Value::Adopt{});
      return;
    }
    case kLongString: {
      std::uint32_t length = in_.u32("an AMF0 long string length");
      out = Value(readUtf8(length, "an AMF0 long string"), Value::Adopt{});
      return;
    }
    case kObject:
      readObject(out, /*typed=*/false);
      return;
    case kTypedObject:
      readObject(out, /*typed=*/true);
      return;
    case kNull:
      out = Value(nullptr);
      return;
    case kUndefined:
    case kUnsupported:  // a value the writer could not serialize
      out = Value();
      return;
    case kReference:
      readReference(out);
      return;
    case kEcmaArray:
      readEcmaArray(out);
      return;
    case kStrictArray:
      readStrictArray(out);
      return;
    case kDate:
      readDate(out);
      return;
    case kXmlDocument:
      readXmlDocument(out);
      return;
    case kAvmPlus:
      readAmf3(out);
      return;
    case kObjectEnd:
      in_.fail(errors::detail::kIndexOutOfBounds,
               "AMF0 object-end marker 0x09 where a value is expected at byte " +
                   std::to_string(in_.offsetOf(at)));
    case kMovieClip:
    case kRecordSet:
      in_.failMarker("reserved AMF0 marker", marker, at);
    default:
      in_.failMarker("unknown AMF0 marker", marker, at);
  }
}

void Amf0Reader::readReference(Value& out) {
  const std::uint8_t* at = in_.p;
  std::uint16_t index = in_.u16("an AMF0 reference");
  if (index >= refs_.size())
    in_.failReference("AMF0 reference", index, at, "reference table", refs_.size());
  // As in AMF3, whatever the entry is comes back, even a container still being read.
  Node* node = refs_[index];
  retain(node);
  out = Value(node, Value::Adopt{});
}

template <class Fn>
void Amf0Reader::readProperties(Fn&& fn) {
  Value value;
  for (;;) {
    std::uint16_t length = in_.u16("an AMF0 property name length");
    String name(readUtf8(length, "an AMF0 property name"), /*adopt=*/true);
    const std::uint8_t* at = in_.p;
    std::uint8_t marker = in_.u8("an AMF0 value marker");
    if (marker == kObjectEnd) {
      if (length == 0) return;
      // PyAMF and BlazeDS end the object here and lose the name; a strict reader refuses it.
      in_.fail(errors::detail::kIndexOutOfBounds,
               "AMF0 object-end marker 0x09 after the non-empty property name at byte " +
                   std::to_string(in_.offsetOf(at)));
    }
    // An empty name before a real marker is a property called "", as every reader takes it.
    readBody(marker, at, value);
    fn(std::move(name), std::move(value));
    value = Value();
  }
}

void Amf0Reader::readObject(Value& out, bool typed) {
  in_.enter();
  const ClassInfo* cls = nullptr;
  Traits* traits;
  if (typed) {
    std::uint16_t length = in_.u16("an AMF0 class name length");
    String className(readUtf8(length, "an AMF0 class name"), /*adopt=*/true);
    in_.charge(sizeof(ObjectNode) + sizeof(Traits));
    if (length == 0) {
      traits = anonymousTraits();  // Flash reads an empty alias as a plain Object
    } else {
      cls = findClassByAlias(className.view());
      // Flash constructs the class with no arguments, which fails when it needs some.
      if (cls && !cls->canCreate())
        throwErrorWithDetail(errors::detail::kArgumentCount, {cls->typeName(), "0", "0"},
                             "(AMF: the class has no default constructor)");
      traits = new Traits(std::move(className));
      // Members arrive by name only: all of them are dynamic, so writing the object again
      // gives the same bytes.
      traits->dynamic = cls == nullptr;
    }
  } else {
    in_.charge(sizeof(ObjectNode));
    traits = anonymousTraits();
  }
  auto* node = adopt<ObjectNode>(traits);
  out = Value(node, Value::Adopt{});
  if (cls) {
    node->native = cls->create();
    node->cls = cls;
  }
  remember(node);  // before the members, so they can refer to it
  if (cls) {
    readProperties(
        [node](String name, Value value) { assignNativeMember(node, name.view(), value); });
  } else {
    readProperties([this, node](String name, Value value) {
      in_.charge(sizeof(Member));
      node->dynamic.push_back(Member{std::move(name), std::move(value)});
    });
    dropRepeatedKeys(node->dynamic);
  }
  in_.leave();
}

void Amf0Reader::readEcmaArray(Value& out) {
  // The count is the Array's length in Flash's output, not the number of entries.
  std::uint32_t length = in_.u32("an AMF0 ecma-array count");
  in_.enter();
  in_.charge(sizeof(ArrayNode));
  auto* node = adopt<ArrayNode>();
  out = Value(node, Value::Adopt{});
  node->minLength = length;
  remember(node);
  readProperties([this, node](String name, Value value) {
    in_.charge(sizeof(Member));
    node->assoc.push_back(Member{std::move(name), std::move(value)});
  });
  if (!node->assoc.empty()) normalizeArray(node);
  in_.leave();
}

void Amf0Reader::readStrictArray(Value& out) {
  std::uint32_t count = in_.u32("an AMF0 strict-array count");
  in_.enter();
  in_.count(count, 1, sizeof(Value), "an AMF0 strict array's elements");
  in_.charge(sizeof(ArrayNode));
  auto* node = adopt<ArrayNode>();
  out = Value(node, Value::Adopt{});
  remember(node);
  node->dense.resize(count);
  for (std::uint32_t i = 0; i < count; ++i) readValue(node->dense[i]);
  in_.leave();
}

void Amf0Reader::readDate(Value& out) {
  double time = in_.f64("an AMF0 date's milliseconds");
  // The time-zone field is the writer's local offset at best; the double is already UTC.
  in_.u16("an AMF0 date's time zone");
  in_.charge(sizeof(DateNode));
  auto* node = adopt<DateNode>(time);
  out = Value(node, Value::Adopt{});
  remember(node);
}

void Amf0Reader::readXmlDocument(Value& out) {
  std::uint32_t length = in_.u32("an AMF0 xml-document length");
  const std::uint8_t* bytes = in_.take(length, "AMF0 xml-document text");
  in_.charge(length + sizeof(XmlNode));
  StringRep* text = in_.utf8(bytes, length);
  auto* node = adopt<XmlNode>(Type::XMLDocument, text->view());
  release(text);
  out = Value(node, Value::Adopt{});
  remember(node);
}

void Amf0Reader::readAmf3(Value& out) {
  if (!amf3_) amf3_.emplace(in_);
  amf3_->readValue(out);
}

// Amf0Writer ------------------------------------------------------------------------------------

class Amf0Writer {
 public:
  explicit Amf0Writer(OutBuffer& out) noexcept : out_(out) {}
  Amf0Writer(const Amf0Writer&) = delete;
  Amf0Writer& operator=(const Amf0Writer&) = delete;

  void writeValue(const Value& v);

 private:
  void writeNumber(double d);
  void writeName(std::string_view name);
  void writeText(std::uint8_t marker, std::string_view text, const char* what);
  bool writeReference(const void* identity);
  void writeArray(ArrayNode* a);
  void writeObject(const Value& v);
  void writeNative(const Value& v, ObjectNode* o);
  void writeEnd();
  void writeAmf3(const Value& v);
  void enter();
  void leave() noexcept { --depth_; }

  OutBuffer& out_;
  std::unordered_map<const void*, std::uint32_t> refs_;
  std::uint32_t slots_ = 0;
  std::uint32_t depth_ = 0;
  // Getter results whose addresses refs_ holds: no later object may reuse them.
  std::vector<Value> held_;
  // One AMF3 context for every 0x11 of this value (see writeAmf3).
  std::optional<Amf3Writer> amf3_;
};

void Amf0Writer::enter() {
  if (++depth_ > kMaxWriteDepth)
    throwErrorWithDetail(
        errors::detail::kStackOverflow, {},
        "(AMF: the value nests deeper than " + std::to_string(kMaxWriteDepth) + " containers)");
}

void Amf0Writer::writeNumber(double d) {
  out_.markedDouble(kNumber, d);
}

void Amf0Writer::writeName(std::string_view name) {
  if (name.size() > kMaxShortString)
    throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                         "(AMF: a property or class name of " + std::to_string(name.size()) +
                             " bytes passes AMF0's limit of 65535)");
  out_.u16(static_cast<std::uint16_t>(name.size()));
  out_.bytes(name.data(), name.size());
}

void Amf0Writer::writeText(std::uint8_t marker, std::string_view text, const char* what) {
  if (text.size() > 0xFFFFFFFFu)
    throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                         "(AMF: " + std::string(what) + " of " + std::to_string(text.size()) +
                             " bytes passes AMF0's limit of 2^32 - 1)");
  out_.u8(marker);
  out_.u32(static_cast<std::uint32_t>(text.size()));
  out_.bytes(text.data(), text.size());
}

// Every inline write takes a slot, as every reader registers what it reads inline.
bool Amf0Writer::writeReference(const void* identity) {
  auto it = refs_.find(identity);
  if (it != refs_.end()) {
    out_.u8(kReference);
    out_.u16(static_cast<std::uint16_t>(it->second));
    return true;
  }
  // Past the U16 range a value is written inline each time, as PyAMF does: a reference could
  // not name it.
  if (slots_ < kMaxReferenceable) refs_.emplace(identity, slots_);
  ++slots_;
  return false;
}

void Amf0Writer::writeValue(const Value& v) {
  switch (v.type()) {
    case Type::Undefined:
      out_.u8(kUndefined);
      return;
    case Type::Null:
      out_.u8(kNull);
      return;
    case Type::Boolean:
      out_.u8(kBoolean);
      out_.u8(v.asBoolean() ? 1 : 0);
      return;
    case Type::Int:
    case Type::Uint:
    case Type::Number:
      writeNumber(v.asNumber());
      return;
    case Type::String: {
      std::string_view s = v.asString();
      if (s.size() <= kMaxShortString) {
        out_.u8(kString);
        out_.u16(static_cast<std::uint16_t>(s.size()));
        out_.bytes(s.data(), s.size());
      } else {
        writeText(kLongString, s, "a string");
      }
      return;
    }
    case Type::Date: {
      if (writeReference(v.node())) return;
      out_.markedDouble(kDate, v.asDate());
      out_.u16(0);  // Flash writes its local offset here; every reader ignores it
      return;
    }
    case Type::XMLDocument:
      if (writeReference(v.node())) return;
      writeText(kXmlDocument, v.asXML(), "an XMLDocument");
      return;
    case Type::Array:
      writeArray(static_cast<ArrayNode*>(v.node()));
      return;
    case Type::Object:
      writeObject(v);
      return;
    case Type::XML:
    case Type::ByteArray:
    case Type::VectorInt:
    case Type::VectorUint:
    case Type::VectorNumber:
    case Type::VectorObject:
    case Type::Dictionary:
      writeAmf3(v);
      return;
  }
}

void Amf0Writer::writeArray(ArrayNode* a) {
  if (writeReference(a)) return;
  enter();
  retain(a);
  // Flash's count is AS3's length (holes and setLength included), not the number of entries.
  std::uint32_t length = Array(a).length();
  out_.u8(kEcmaArray);
  out_.u32(length);
  char key[16];
  for (std::size_t i = 0; i < a->dense.size(); ++i) {
    char* end = std::to_chars(key, key + sizeof key, i).ptr;
    writeName(std::string_view(key, static_cast<std::size_t>(end - key)));
    writeValue(a->dense[i]);
  }
  // Flash lists every present index in index order, then the named keys.
  std::vector<std::pair<std::uint32_t, const Member*>> indexed;
  for (const Member& m : a->assoc) {
    std::uint32_t index;
    if (parseIndex(m.key.view(), &index)) indexed.emplace_back(index, &m);
  }
  std::sort(indexed.begin(), indexed.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& entry : indexed) {
    writeName(entry.second->key.view());
    writeValue(entry.second->value);
  }
  for (const Member& m : a->assoc) {
    std::uint32_t index;
    // "" would read back as the end of the list in PyAMF and BlazeDS; Flash never writes it.
    if (m.key.view().empty() || parseIndex(m.key.view(), &index)) continue;
    writeName(m.key.view());
    writeValue(m.value);
  }
  writeEnd();
  leave();
}

void Amf0Writer::writeObject(const Value& v) {
  auto* o = static_cast<ObjectNode*>(v.node());
  if (o->native) {
    writeNative(v, o);
    return;
  }
  if (writeReference(o)) return;
  enter();
  const Traits* traits = o->traits;
  std::string_view className = traits->className.view();
  if (className.empty()) {
    out_.u8(kObject);
  } else {
    out_.u8(kTypedObject);
    writeName(className);
  }
  // A class's name list may repeat a name (AMF3 allows it); the member then holds the last value,
  // as in Flash, and AMF0 has room for each name once: only a name's last slot is written.
  std::size_t sealedCount = std::min(traits->sealed.size(), o->sealed.size());
  std::vector<bool> repeatedLater;
  auto markRepeats = [&](std::size_t i) {
    if (repeatedLater.empty()) repeatedLater.assign(sealedCount, false);
    repeatedLater[i] = true;
  };
  if (sealedCount > 1 && sealedCount <= 16) {
    for (std::size_t i = 0; i < sealedCount; ++i)
      for (std::size_t j = i + 1; j < sealedCount; ++j)
        if (traits->sealed[i].view() == traits->sealed[j].view()) {
          markRepeats(i);
          break;
        }
  } else if (sealedCount > 16) {
    std::unordered_map<std::string_view, std::size_t> last;
    for (std::size_t i = 0; i < sealedCount; ++i) last[traits->sealed[i].view()] = i;
    for (std::size_t i = 0; i < sealedCount; ++i)
      if (last[traits->sealed[i].view()] != i) markRepeats(i);
  }
  for (std::size_t i = 0; i < sealedCount; ++i) {
    std::string_view name = traits->sealed[i].view();
    if (name.empty() || (!repeatedLater.empty() && repeatedLater[i])) continue;
    writeName(name);
    writeValue(o->sealed[i]);
  }
  if (traits->dynamic) {
    for (const Member& m : o->dynamic) {
      if (m.key.view().empty()) continue;
      writeName(m.key.view());
      writeValue(m.value);
    }
  }
  writeEnd();
  leave();
}

void Amf0Writer::writeNative(const Value& v, ObjectNode* o) {
  const ClassInfo* cls = o->cls;
  // AMF0 has no externalizable form; AMF3 inside the switch has (and refuses a missing alias).
  if (cls->isExternalizable()) {
    writeAmf3(v);
    return;
  }
  // Two Values made from one C++ object are one AS3 object.
  if (writeReference(o->native.get())) return;
  enter();
  std::string alias = cls->alias();
  if (alias.empty()) {
    out_.u8(kObject);
  } else {
    out_.u8(kTypedObject);
    writeName(alias);
  }
  for (const auto& m : cls->members()) {
    if (m.name.empty()) continue;
    Value value = m.get(o->native.get());
    writeName(m.name);
    writeValue(value);
    if (value.isReference()) held_.push_back(std::move(value));
  }
  writeEnd();
  leave();
}

void Amf0Writer::writeEnd() {
  std::uint8_t* o = out_.room(3);
  o[0] = 0x00;
  o[1] = 0x00;
  o[2] = kObjectEnd;
  out_.commit(o + 3);
}

// One AMF3 context spans every switch of this value, as the reader's does (and PyAMF's, BlazeDS's
// and flash-lso's): with a fresh context per switch, a reference inside a later switch would
// name an entry of an earlier one for every such reader.
void Amf0Writer::writeAmf3(const Value& v) {
  out_.u8(kAvmPlus);
  if (!amf3_) amf3_.emplace(out_);
  amf3_->writeValue(v);
}

}  // namespace

void readAmf0(Input& in, Value& out) {
  Amf0Reader reader(in);
  reader.readValue(out);
}

void writeAmf0(OutBuffer& out, const Value& value) {
  Amf0Writer writer(out);
  writer.writeValue(value);
}

}  // namespace as3::amf::detail
