// The shared header of every AMF heap value (what AS3 keeps by reference) and of strings. Public
// only so that copying a Value inlines to a counter increment; applications never use it.
#ifndef AS3_AMF_DETAIL_NODE_H_
#define AS3_AMF_DETAIL_NODE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "as3/Export.h"

namespace as3::amf {

/// Type is the AS3 type of a Value: one per AMF marker kind (int and uint are AS3's own types;
/// XML is E4X text, XMLDocument the legacy flash.xml class).
enum class Type : std::uint8_t {
  Undefined,
  Null,
  Boolean,
  Int,
  Uint,
  Number,
  String,
  Date,
  XML,
  XMLDocument,
  Array,
  Object,
  ByteArray,
  VectorInt,
  VectorUint,
  VectorNumber,
  VectorObject,
  Dictionary,
};

/// typeName is the AS3 name of `type` ("int", "Vector.<Number>", ...), for messages.
AS3NET_EXPORT std::string_view typeName(Type type) noexcept;

namespace detail {

class Heap;

/// StringRep is an immutable, reference-counted UTF-8 string; its bytes follow the header.
struct StringRep {
  std::uint32_t refs;
  std::uint32_t size;
  // The AMF codec's hash of the bytes, made on first need (0 until then), and the string's
  // index in the last AMF3 writer's table, a hint that writer checks before trusting.
  std::uint32_t hash;
  std::uint32_t writerIndex;
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  std::string_view view() const noexcept { return {data(), size}; }
};

AS3NET_EXPORT StringRep* makeString(std::string_view text);
AS3NET_EXPORT void freeString(StringRep* rep) noexcept;
inline void retain(StringRep* rep) noexcept {
  ++rep->refs;
}
inline void release(StringRep* rep) noexcept {
  if (--rep->refs == 0) freeString(rep);
}

/// Node is the header of every value that AS3 holds by reference and AMF puts in its object
/// table. Nodes are linked into their thread's Heap, which reclaims reference cycles.
struct Node {
  std::uint32_t refs = 1;
  Type type;
  std::uint8_t gcFlags = 0;
  std::int32_t gcRefs = 0;  // the collector's scratch count
  // The node's index in the last AMF3 writer's object table: a hint the writer checks against
  // its table, so finding an object written before costs no hashing and no table reset.
  std::uint32_t writerIndex = 0;
  Heap* heap = nullptr;
  Node* prev = nullptr;
  Node* next = nullptr;

  explicit Node(Type t) noexcept : type(t) {}
  static void* operator new(std::size_t bytes);
  static void operator delete(void* block, std::size_t bytes) noexcept;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
};

AS3NET_EXPORT void destroyNode(Node* node) noexcept;
// A node of a decoded graph kept in a region has refs 0 while nothing outside the region refers
// to it; its first such reference takes this path (lib/amf/detail/Region.h).
AS3NET_EXPORT void reviveNode(Node* node) noexcept;
// Exported in every build of the library: a consumer's debug build calls it from the inline
// functions below even when the library was built with NDEBUG.
AS3NET_EXPORT void checkOwningThread(const Node* node);
inline void retain(Node* node) noexcept {
#ifndef NDEBUG
  checkOwningThread(node);
#endif
  if (node->refs++ == 0) reviveNode(node);
}
inline void release(Node* node) noexcept {
#ifndef NDEBUG
  checkOwningThread(node);
#endif
  if (--node->refs == 0) destroyNode(node);
}

}  // namespace detail
}  // namespace as3::amf

#endif  // AS3_AMF_DETAIL_NODE_H_
