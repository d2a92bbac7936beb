// The property both AMF fuzz targets check: whatever decodes must encode, and that encoding must
// be a fixed point (decode it again, encode again: the same bytes). A decoder that accepts what
// the encoder cannot reproduce, or an encoder whose output reads back differently, breaks it.
#ifndef AS3NET_FUZZ_ROUNDTRIP_H_
#define AS3NET_FUZZ_ROUNDTRIP_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
#include "as3/errors/Error.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "as3/utils/IExternalizable.h"

namespace fuzz {

// Registered classes put the native paths (member assignment, shared identity, IExternalizable
// bodies reading through the enclosing tables) under the fuzzer. None holds a Value: a cycle
// through a C++ object is invisible to the collector and LeakSanitizer would report it.
struct Point {
  std::int32_t x = 0;
  double y = 0;
  std::string label;
};

struct Segment {
  std::shared_ptr<Point> from;
  std::shared_ptr<Point> to;
  bool visible = false;
};

// Reads an int, a UTF string, a nested object (kept only when it is a primitive, which it can
// rewrite exactly) and a little-endian double, and writes the same back.
class Ext : public as3::utils::IExternalizable {
 public:
  void writeExternal(as3::utils::IDataOutput& out) const override {
    out.writeInt(id_);
    out.writeUTF(name_);
    out.writeObject(nested_);
    out.endian(as3::utils::Endian::littleEndian);
    out.writeDouble(weight_);
  }
  void readExternal(as3::utils::IDataInput& in) override {
    id_ = in.readInt();
    name_ = in.readUTF();
    as3::amf::Value nested = in.readObject();
    if (nested.isReference())
      throw as3::errors::ArgumentError("fuzz: Ext keeps only primitive nested values", 2004);
    nested_ = nested;
    in.endian(as3::utils::Endian::littleEndian);
    weight_ = in.readDouble();
  }

 private:
  std::int32_t id_ = 0;
  std::string name_;
  as3::amf::Value nested_;
  double weight_ = 0;
};

inline void registerClasses() {
  using as3::amf::Class;
  as3::amf::registerClassAlias(
      "fz.Point",
      Class<Point>().member("x", &Point::x).member("y", &Point::y).member("label", &Point::label));
  as3::amf::registerClassAlias("fz.Segment", Class<Segment>()
                                                 .member("from", &Segment::from)
                                                 .member("to", &Segment::to)
                                                 .member("visible", &Segment::visible));
  as3::amf::registerClassAlias("fz.Ext", Class<Ext>());
}

[[noreturn]] inline void fail(const char* what, const std::vector<std::uint8_t>& a,
                              const std::vector<std::uint8_t>& b) {
  std::fprintf(stderr, "round trip broken: %s\n", what);
  for (const auto* bytes : {&a, &b}) {
    for (std::uint8_t c : *bytes) std::fprintf(stderr, "%02X ", c);
    std::fprintf(stderr, "\n");
  }
  std::abort();
}

// Reads a little of everything a decoded graph offers, within a budget so huge sparse arrays
// and long vectors cost nothing.
inline void touch(const as3::amf::Value& v, int& budget) {
  using as3::amf::Type;
  if (--budget < 0) return;
  (void)v.strictEquals(v);
  switch (v.type()) {
    case Type::Undefined:
    case Type::Null:
    case Type::Boolean:
    case Type::Int:
    case Type::Uint:
    case Type::Number:
    case Type::String:
    case Type::Date:
    case Type::XML:
    case Type::XMLDocument:
      (void)v.toString();
      return;
    case Type::Object: {
      as3::amf::Object o = v.asObject();
      (void)o.className();
      for (std::size_t i = 0; i < o.sealedCount() && budget > 0; ++i) {
        (void)o.get(o.sealedName(i));
        touch(o.sealedValue(i), budget);
      }
      for (std::size_t i = 0; i < o.dynamicCount() && budget > 0; ++i) {
        (void)o.hasOwnProperty(o.dynamicName(i));
        touch(o.dynamicValue(i), budget);
      }
      return;
    }
    case Type::Array: {
      as3::amf::Array a = v.asArray();
      (void)a.length();
      for (std::uint32_t i = 0; i < a.denseLength() && budget > 0; ++i) touch(a.get(i), budget);
      for (std::size_t i = 0; i < a.associativeCount() && budget > 0; ++i) {
        (void)a.get(a.associativeName(i));
        touch(a.associativeValue(i), budget);
      }
      return;
    }
    case Type::ByteArray:
      (void)v.asByteArray().length();
      return;
    case Type::VectorInt:
    case Type::VectorUint:
    case Type::VectorNumber:
      if (budget > 0 && v.toString().size() > 0) budget -= 4;
      return;
    case Type::VectorObject: {
      as3::amf::VectorObject vec = v.asVectorObject();
      (void)vec.typeName();
      for (std::size_t i = 0; i < vec.size() && budget > 0; ++i) touch(vec[i], budget);
      return;
    }
    case Type::Dictionary: {
      as3::amf::Dictionary d = v.asDictionary();
      for (std::size_t i = 0; i < d.size() && budget > 0; ++i) {
        (void)d.has(d.keyAt(i));
        touch(d.keyAt(i), budget);
        touch(d.valueAt(i), budget);
      }
      return;
    }
  }
}

// firstChild is the first reference value directly inside `v`, or undefined.
inline as3::amf::Value firstChild(const as3::amf::Value& v) {
  using as3::amf::Type;
  if (v.type() == Type::Object) {
    as3::amf::Object o = v.asObject();
    for (std::size_t i = 0; i < o.sealedCount(); ++i)
      if (o.sealedValue(i).isReference()) return o.sealedValue(i);
    for (std::size_t i = 0; i < o.dynamicCount(); ++i)
      if (o.dynamicValue(i).isReference()) return o.dynamicValue(i);
  } else if (v.type() == Type::Array) {
    as3::amf::Array a = v.asArray();
    for (std::uint32_t i = 0; i < a.denseLength() && i < 64; ++i)
      if (a.get(i).isReference()) return a.get(i);
  } else if (v.type() == Type::VectorObject) {
    for (std::size_t i = 0; i < v.asVectorObject().size() && i < 64; ++i)
      if (v[i].isReference()) return v[i];
  }
  return as3::amf::Value();
}

// A decoded AMF3 graph lives in a region (docs/design.md): a part kept after its root is gone
// must stay whole, and changing it (which makes the region ordinary counted values) must leave a
// graph that still writes. `how` picks what to keep and whether to change the root or the part.
inline void keepPartAndChange(as3::amf::Value& root, std::uint8_t how) {
  using as3::amf::Type;
  as3::amf::Value part = firstChild(root);
  if (how & 1) root = as3::amf::Value();
  as3::amf::Value& changed = (how & 2) || root.isUndefined() ? part : root;
  int budget = 500;
  touch(part, budget);
  try {
    if (changed.type() == Type::Object && changed.asObject().isDynamic())
      changed.asObject()["fz"] = part;
    else if (changed.type() == Type::Array)
      changed.asArray().push(root);
    else if (changed.type() == Type::VectorObject)
      changed.asVectorObject().push(part);
  } catch (const as3::errors::Error&) {
  }
  budget = 500;
  touch(part, budget);
  try {
    (void)as3::amf::encode(part, 3);
    if (!root.isUndefined()) (void)as3::amf::encode(root, 3);
  } catch (const as3::errors::Error&) {
    // Only memory safety is checked here: the round trip above checked the encoder.
  }
}

// Every value is gone after a run, so the heap must be empty once its cycles are collected.
inline void requireNothingLive() {
  as3::amf::collectCycles();
  if (as3::amf::liveObjectCount() != 0) {
    std::fprintf(stderr, "%zu AMF objects outlive their values\n", as3::amf::liveObjectCount());
    std::abort();
  }
}

inline int roundTrip(const std::uint8_t* data, std::size_t size, std::uint32_t encoding) {
  as3::amf::DecodeLimits limits;
  limits.maxDepth = 64;
  limits.maxDecodedBytes = 1u << 20;
  as3::amf::Value first;
  std::size_t used = 0;
  try {
    first = as3::amf::decode(data, size, encoding, &used, limits);
  } catch (const as3::errors::Error&) {
    requireNothingLive();  // a rejection must not leave anything it built behind
    return 0;
  }
  if (used > size) std::abort();
  int budget = 2000;
  touch(first, budget);

  std::vector<std::uint8_t> a = as3::amf::encode(first, encoding);  // must not throw
  // Re-reading may nest deeper (a reference's target can be written inline further down) and
  // decode larger (lenient UTF-8 widens bad bytes), so the second pass gets room.
  as3::amf::DecodeLimits roomy;
  roomy.maxDepth = 4096;
  roomy.maxDecodedBytes = std::uint64_t{1} << 26;
  std::size_t usedAgain = 0;
  as3::amf::Value second;
  try {
    second = as3::amf::decode(a.data(), a.size(), encoding, &usedAgain, roomy);
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    fail("the encoder's output does not decode", a, {});
  }
  if (usedAgain != a.size()) fail("the encoder's output decodes shorter", a, {});
  std::vector<std::uint8_t> b = as3::amf::encode(second, encoding);
  if (a != b) fail("encode(decode(encode(v))) differs from encode(v)", a, b);
  first = as3::amf::Value();
  keepPartAndChange(second, size > 0 ? data[size - 1] : 0);
  second = as3::amf::Value();
  requireNothingLive();
  return 0;
}

}  // namespace fuzz

#endif  // AS3NET_FUZZ_ROUNDTRIP_H_
