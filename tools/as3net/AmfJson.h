// The wire-level AMF dissector and assembler behind `as3net amf decode|encode`. It works on bytes
// and the tagged JSON of /work/shared/spec/amf-json.md, not on the SDK's value model, so it can
// show and produce exactly what is on the wire: markers, reference ids, traits, ecma counts,
// NaN payloads, AMF0 time zones.
#ifndef AS3NET_TOOLS_AMFJSON_H_
#define AS3NET_TOOLS_AMFJSON_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "Json.h"

namespace as3net_tool {

enum class AmfEncoding { kAmf0, kAmf3 };

/// AmfFormatError says why bytes are not a well-formed AMF value: what was wrong and the byte
/// offset (from the start of the whole input) where it was found. what() carries both.
class AmfFormatError : public std::runtime_error {
 public:
  AmfFormatError(const std::string& message, std::size_t offset)
      : std::runtime_error(message), offset_(offset) {}
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t offset_;
};

/// AmfAssembleError says why a tagged JSON node cannot be written. path() is a JSON Pointer to
/// the node, starting with the index of the top-level node ("/0/dense/2"); what() carries both.
class AmfAssembleError : public std::runtime_error {
 public:
  AmfAssembleError(const std::string& reason, const std::string& path)
      : std::runtime_error(reason + " (at " + path + ")"), path_(path) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// ExternalizableLayout tells the dissector what an IExternalizable class's writeExternal puts
/// on the wire, which the wire itself does not say: `count` AMF3 values (sharing the stream's
/// tables), or `count` opaque bytes.
struct ExternalizableLayout {
  enum class Kind { kAmfValues, kBytes };
  Kind kind = Kind::kAmfValues;
  std::size_t count = 1;
};

using ExternalizableLayouts = std::map<std::string, ExternalizableLayout, std::less<>>;

/// flexExternalizables are the Flex classes whose payload is one AMF3 value:
/// flex.messaging.io.ArrayCollection, flex.messaging.io.ArrayList and
/// flex.messaging.io.ObjectProxy.
ExternalizableLayouts flexExternalizables();

struct DissectOptions {
  AmfEncoding encoding = AmfEncoding::kAmf3;
  /// all reads consecutive top-level values until the input ends. Without it the input must
  /// hold exactly one value: trailing bytes are an error.
  bool all = false;
  /// maxDepth bounds how many containers (arrays, objects, vectors of objects, dictionaries,
  /// ecma arrays, externalizable objects) may nest.
  std::size_t maxDepth = 256;
  /// maxReferencedBytes bounds the bytes of strings copied out of the string and traits tables
  /// by references: without it a few bytes of `06 00` could each repeat a large string.
  std::size_t maxReferencedBytes = std::size_t{64} << 20;
  ExternalizableLayouts externalizables = flexExternalizables();
};

/// dissect reads top-level AMF values from [data, data + size) and hands each one's tagged JSON
/// node to `onValue` as soon as it is complete. Every top-level value starts with fresh
/// reference tables. Throws AmfFormatError on the first thing it rejects (values handed over
/// before stay valid): truncation, an unknown or reserved marker, a length or count larger than
/// the rest of the input, a reference outside its table or to an object of another type,
/// ill-formed UTF-8, an externalizable class with no known layout, nesting beyond maxDepth,
/// references that copy more than maxReferencedBytes, or trailing bytes without `all`.
void dissect(const std::uint8_t* data, std::size_t size, const DissectOptions& options,
             const std::function<void(json::Value&&)>& onValue);

/// dissect returns the nodes of all top-level values at once.
std::vector<json::Value> dissect(const std::uint8_t* data, std::size_t size,
                                 const DissectOptions& options = {});
std::vector<json::Value> dissect(const std::vector<std::uint8_t>& bytes,
                                 const DissectOptions& options = {});

/// assemble appends the bytes a Flash-compatible encoder writes for one top-level tagged node,
/// with fresh reference tables: AMF3 strings and traits by reference after their first
/// occurrence, objects inline unless the node is a `ref`, a fresh AMF3 context at every AMF0
/// `amf3` switch. `topLevelIndex` only starts the JSON Pointer of error paths. Throws
/// AmfAssembleError for a node it cannot write (unknown type or key, wrong field type, a value
/// outside its wire range, a ref to no earlier node, containers nested beyond maxDepth); `out`
/// may then hold a partial value.
void assemble(const json::Value& node, AmfEncoding encoding, std::vector<std::uint8_t>& out,
              std::size_t topLevelIndex = 0, std::size_t maxDepth = 256);

/// assemble writes each node as an independent top-level value, one after the other.
std::vector<std::uint8_t> assemble(const std::vector<json::Value>& nodes, AmfEncoding encoding);

}  // namespace as3net_tool

#endif  // AS3NET_TOOLS_AMFJSON_H_
