// The heap values behind Value and its handles, and the per-thread Heap that owns their links
// and reclaims cycles.
#ifndef AS3NET_LIB_AMF_DETAIL_NODES_H_
#define AS3NET_LIB_AMF_DETAIL_NODES_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amf/detail/CompactVector.h"
#include "amf/detail/Heap.h"
#include "as3/amf/Value.h"
#include "as3/utils/ByteArray.h"

namespace as3::amf {
class ClassInfo;
}

namespace as3::amf::detail {

/// String owns one reference to a StringRep (never null).
class String {
 public:
  explicit String(std::string_view text) : rep_(makeString(text)) {}
  /// Adopts one reference.
  explicit String(StringRep* rep, bool adopt) noexcept : rep_(rep) {
    if (!adopt) retain(rep_);
  }
  String(const String& o) noexcept : rep_(o.rep_) { retain(rep_); }
  String(String&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
  String& operator=(String o) noexcept {
    std::swap(rep_, o.rep_);
    return *this;
  }
  ~String() {
    if (rep_) release(rep_);
  }
  std::string_view view() const noexcept { return rep_->view(); }
  StringRep* rep() const noexcept { return rep_; }

 private:
  StringRep* rep_;
};

struct Member {
  String key;
  Value value;
};

// A Value holds a tag and a word, a String one pointer: neither points into itself.
template <>
struct IsRelocatable<Value> : std::true_type {};
template <>
struct IsRelocatable<Member> : std::true_type {};
using Values = CompactVector<Value>;
using Members = CompactVector<Member>;

/// internKey is `text` as a string shared through a small per-thread cache (up to 32 bytes;
/// longer texts get a string of their own): names and short values repeat across objects and
/// messages, and one string for them saves allocations and lets the writer match by address.
String internKey(std::string_view text);
/// internedString is internKey's string as a new reference.
StringRep* internedString(std::string_view text);

/// Traits is what AMF3 sends once per class: alias, sealed member names, the dynamic and
/// externalizable flags. Shared by every object of that class read from one stream.
struct Traits {
  std::uint32_t refs = 1;
  String className;
  std::vector<String> sealed;
  bool dynamic = false;
  bool externalizable = false;
  std::uint32_t writerIndex = 0;  // as Node::writerIndex, for the traits table

  explicit Traits(String name) : className(std::move(name)) {}
};
inline void retain(Traits* t) noexcept {
  ++t->refs;
}
inline void release(Traits* t) noexcept {
  if (--t->refs == 0) delete t;
}
/// anonymousTraits is the shared traits of `new Object()`: no alias, no sealed members, dynamic.
Traits* anonymousTraits();

struct ObjectNode : Node {
  Traits* traits;                  // one reference held
  Values sealed;                   // parallel to traits->sealed
  Members dynamic;                 // insertion order
  std::shared_ptr<void> native;    // a C++ instance of a described class, or null
  const ClassInfo* cls = nullptr;  // the instance's class when native is set

  explicit ObjectNode(Traits* t) noexcept : Node(Type::Object), traits(t) {}
  ~ObjectNode() { release(traits); }
  Value* findSealed(std::string_view name) noexcept;
  Member* findDynamic(std::string_view name) noexcept;
};

struct ArrayNode : Node {
  Values dense;
  Members assoc;
  std::uint32_t minLength = 0;  // what setLength/AMF0 asked for beyond the elements present
  ArrayNode() noexcept : Node(Type::Array) {}
  /// absorbAssociative moves keys that continue the dense part ("n" when dense has n elements).
  void absorbAssociative();
};

/// timeClip is ECMAScript's TimeClip, which every AS3 Date applies: whole milliseconds toward
/// zero, NaN beyond 8.64e15 ms, never -0.
inline double timeClip(double t) noexcept {
  if (!(std::fabs(t) <= 8.64e15)) return std::numeric_limits<double>::quiet_NaN();
  return std::trunc(t) + 0.0;
}

struct DateNode : Node {
  double time;
  explicit DateNode(double t) noexcept : Node(Type::Date), time(timeClip(t)) {}
};

struct XmlNode : Node {
  std::string text;
  XmlNode(Type t, std::string_view s) : Node(t), text(s) {}
};

struct ByteArrayNode : Node {
  utils::ByteArray bytes;
  ByteArrayNode() : Node(Type::ByteArray) {}
};

template <class T>
constexpr Type vectorType() {
  if constexpr (std::is_same_v<T, std::int32_t>)
    return Type::VectorInt;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return Type::VectorUint;
  else if constexpr (std::is_same_v<T, double>)
    return Type::VectorNumber;
  else
    return Type::VectorObject;
}

template <class T>
struct VectorNode : Node {
  std::vector<T> items;
  bool fixed = false;
  String typeName{std::string_view()};  // Vector.<Object>'s element alias
  VectorNode() : Node(vectorType<T>()) {}
};

struct DictionaryNode : Node {
  std::vector<std::pair<Value, Value>> entries;
  bool weakKeys = false;
  DictionaryNode() noexcept : Node(Type::Dictionary) {}
  std::pair<Value, Value>* find(const Value& key) noexcept;
};

/// adopt registers a new node with this thread's heap and returns it (one reference held by the
/// caller). Every node is made through it; Node's sized operator delete gives the block back.
template <class N, class... Args>
N* adopt(Args&&... args) {
  void* block = poolTake(sizeof(N));
  N* node;
  if constexpr (std::is_nothrow_constructible_v<N, Args&&...>) {
    node = ::new (block) N(std::forward<Args>(args)...);
  } else {
    try {
      node = ::new (block) N(std::forward<Args>(args)...);
    } catch (...) {
      poolGive(block, sizeof(N));
      throw;
    }
  }
  registerNode(node);
  return node;
}

/// forEachChild calls `fn(Node*)` for every reference value held directly by `node`.
template <class Fn>
void forEachChild(Node* node, Fn&& fn) {
  auto visit = [&fn](const Value& v) {
    if (Node* n = v.node()) fn(n);
  };
  switch (node->type) {
    case Type::Object: {
      auto* o = static_cast<ObjectNode*>(node);
      for (const Value& v : o->sealed) visit(v);
      for (const Member& m : o->dynamic) visit(m.value);
      break;
    }
    case Type::Array: {
      auto* a = static_cast<ArrayNode*>(node);
      for (const Value& v : a->dense) visit(v);
      for (const Member& m : a->assoc) visit(m.value);
      break;
    }
    case Type::VectorObject:
      for (const Value& v : static_cast<VectorNode<Value>*>(node)->items) visit(v);
      break;
    case Type::Dictionary:
      for (const auto& e : static_cast<DictionaryNode*>(node)->entries) {
        visit(e.first);
        visit(e.second);
      }
      break;
    default:
      break;
  }
}

/// Borrow a node as a handle type without taking a reference, and back.
template <class N>
N* nodeOf(const Value& v, Type t) {
  return v.type() == t ? static_cast<N*>(v.node()) : nullptr;
}

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_NODES_H_
