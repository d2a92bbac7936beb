// Ownership of AMF values: reference counts free what becomes unreachable at once, and each
// thread's Heap reclaims reference cycles by trial deletion, as CPython's gc does: a node whose
// count is fully explained by references from other heap nodes is reachable only from garbage,
// unless a node reachable from outside refers to it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "amf/detail/Nodes.h"
#include "as3/amf/ClassAlias.h"

namespace as3::amf::detail {

class Heap {
 public:
  Heap() noexcept { head_.prev = head_.next = &head_; }

  void link(Node* node) noexcept {
    node->heap = this;
    node->next = &head_;
    node->prev = head_.prev;
    head_.prev->next = node;
    head_.prev = node;
    ++count_;
  }
  void unlink(Node* node) noexcept {
    node->prev->next = node->next;
    node->next->prev = node->prev;
    --count_;
  }
  void noteAllocation() {
    if (++allocations_ >= threshold_ && !collecting_) collect();
  }
  std::size_t collect();
  std::size_t count() const noexcept { return count_; }
  bool threadAlive = true;
  std::thread::id owner = std::this_thread::get_id();
  // Destroying a long chain recursively would overflow the stack, so nodes freed while another
  // is being freed wait here for the outermost call to delete them.
  bool reaping = false;
  std::vector<Node*> pending;

 private:
  static constexpr std::uint8_t kReachable = 1;
  static constexpr std::size_t kMinThreshold = 20000;

  struct Sentinel : Node {
    Sentinel() noexcept : Node(Type::Null) {}
  } head_;
  std::size_t count_ = 0;
  std::size_t allocations_ = 0;
  std::size_t threshold_ = kMinThreshold;
  bool collecting_ = false;
};

namespace {

// The thread's heap outlives the thread while nodes made on it are still referenced (by a
// static, say); the last such node to go deletes it.
// The fast path reads a plain pointer (initial-exec: no call per access); the owner exists only
// to collect and let go of the heap when the thread ends.
thread_local Heap* tHeap __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local bool tHeapOwnerGone __attribute__((tls_model("initial-exec"))) = false;

void releaseHeapIfDone(Heap* heap) noexcept {
  if (heap->threadAlive || heap->count() != 0) return;
  if (tHeap == heap) tHeap = nullptr;
  delete heap;
}

struct HeapOwner {
  Heap* heap = new Heap;
  ~HeapOwner() {
    heap->collect();
    heap->threadAlive = false;
    tHeapOwnerGone = true;
    releaseHeapIfDone(heap);
  }
};

__attribute__((noinline)) Heap& makeHeap() {
  if (tHeapOwnerGone) {
    // Values made by other thread-local destructors after the owner's: a heap nobody collects,
    // freed with its last value.
    auto* late = new Heap;
    late->threadAlive = false;
    tHeap = late;
    return *late;
  }
  thread_local HeapOwner owner;
  tHeap = owner.heap;
  return *owner.heap;
}

inline Heap& currentHeap() {
  return tHeap ? *tHeap : makeHeap();
}

void deleteNode(Node* node) noexcept {
  switch (node->type) {
    case Type::Object:
      delete static_cast<ObjectNode*>(node);
      break;
    case Type::Array:
      delete static_cast<ArrayNode*>(node);
      break;
    case Type::Date:
      delete static_cast<DateNode*>(node);
      break;
    case Type::XML:
    case Type::XMLDocument:
      delete static_cast<XmlNode*>(node);
      break;
    case Type::ByteArray:
      delete static_cast<ByteArrayNode*>(node);
      break;
    case Type::VectorInt:
      delete static_cast<VectorNode<std::int32_t>*>(node);
      break;
    case Type::VectorUint:
      delete static_cast<VectorNode<std::uint32_t>*>(node);
      break;
    case Type::VectorNumber:
      delete static_cast<VectorNode<double>*>(node);
      break;
    case Type::VectorObject:
      delete static_cast<VectorNode<Value>*>(node);
      break;
    case Type::Dictionary:
      delete static_cast<DictionaryNode*>(node);
      break;
    default:
      std::abort();  // not a heap value: memory is corrupt
  }
}

// Drops every reference `node` holds, so that garbage cycles fall apart.
void clearChildren(Node* node) noexcept {
  switch (node->type) {
    case Type::Object: {
      auto* o = static_cast<ObjectNode*>(node);
      Values().swap(o->sealed);
      Members().swap(o->dynamic);
      break;
    }
    case Type::Array: {
      auto* a = static_cast<ArrayNode*>(node);
      Values().swap(a->dense);
      Members().swap(a->assoc);
      break;
    }
    case Type::VectorObject:
      std::vector<Value>().swap(static_cast<VectorNode<Value>*>(node)->items);
      break;
    case Type::Dictionary:
      std::vector<std::pair<Value, Value>>().swap(static_cast<DictionaryNode*>(node)->entries);
      break;
    default:
      break;
  }
}

}  // namespace

std::size_t Heap::collect() {
  collecting_ = true;
  allocations_ = 0;
  for (Node* n = head_.next; n != &head_; n = n->next) n->gcRefs = n->refs;
  for (Node* n = head_.next; n != &head_; n = n->next)
    forEachChild(n, [this](Node* child) {
      if (child->heap == this) --child->gcRefs;
    });
  // What is referenced from outside the heap, and all it reaches, stays.
  std::vector<Node*> stack;
  for (Node* n = head_.next; n != &head_; n = n->next) {
    if (n->gcRefs <= 0 || (n->gcFlags & kReachable)) continue;
    n->gcFlags |= kReachable;
    stack.push_back(n);
    while (!stack.empty()) {
      Node* top = stack.back();
      stack.pop_back();
      forEachChild(top, [&stack](Node* child) {
        if (!(child->gcFlags & kReachable)) {
          child->gcFlags |= kReachable;
          stack.push_back(child);
        }
      });
    }
  }
  std::vector<Node*> garbage;
  for (Node* n = head_.next; n != &head_; n = n->next) {
    if (n->gcFlags & kReachable)
      n->gcFlags &= static_cast<std::uint8_t>(~kReachable);
    else
      garbage.push_back(n);
  }
  // Hold every garbage node while the cycles are cut, so none is freed under our feet.
  for (Node* n : garbage) ++n->refs;
  for (Node* n : garbage) clearChildren(n);
  for (Node* n : garbage) release(n);
  collecting_ = false;
  threshold_ = std::max(kMinThreshold, count_ * 2);
  return garbage.size();
}

void registerNode(Node* node) {
  Heap& heap = currentHeap();
  heap.link(node);
  heap.noteAllocation();
}

void destroyNode(Node* node) noexcept {
  Heap* heap = node->heap;
  if (heap->reaping) {
    heap->pending.push_back(node);
    return;
  }
  heap->reaping = true;
  heap->unlink(node);
  deleteNode(node);  // may queue the children it drops
  while (!heap->pending.empty()) {
    Node* next = heap->pending.back();
    heap->pending.pop_back();
    heap->unlink(next);
    deleteNode(next);
  }
  heap->reaping = false;
  releaseHeapIfDone(heap);
}

void checkOwningThread(const Node* node) {
  if (node->heap && node->heap->threadAlive && node->heap->owner != std::this_thread::get_id()) {
    std::fputs(
        "as3net: an AMF value was used on a thread other than the one that made it; a graph "
        "of amf::Value belongs to one thread (pass it on as AMF bytes)\n",
        stderr);
    std::abort();
  }
}

namespace {

// Free lists of 16-byte size classes up to 512 bytes; bigger blocks go to the allocator.
constexpr std::size_t kPoolGranule = 16;
constexpr std::size_t kPoolClasses = 32;
constexpr std::uint32_t kPoolKeep = 8192;  // blocks kept per class; the rest are freed
// Under AddressSanitizer every block goes to the allocator, which can then see a use after free
// inside a size class, or an overflow into a block's rounding; the tests and fuzzers rely on it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPoolEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPoolEnabled = false;
#else
constexpr bool kPoolEnabled = true;
#endif
#else
constexpr bool kPoolEnabled = true;
#endif

struct PoolLists {
  void* heads[kPoolClasses];
  std::uint32_t counts[kPoolClasses];
};
thread_local PoolLists tPool __attribute__((tls_model("initial-exec"))) = {};

// Frees the lists when the thread ends (created on the first block returned to a list).
struct PoolReleaser {
  ~PoolReleaser() {
    for (std::size_t c = 0; c < kPoolClasses; ++c) {
      while (void* block = tPool.heads[c]) {
        tPool.heads[c] = *static_cast<void**>(block);
        ::operator delete(block);
      }
      // Blocks freed later in the thread's exit (by other thread-local destructors) go straight
      // back to the allocator.
      tPool.counts[c] = kPoolKeep;
    }
  }
};

__attribute__((noinline)) void armPoolReleaser() {
  thread_local PoolReleaser releaser;
}
thread_local bool tPoolArmed __attribute__((tls_model("initial-exec"))) = false;

}  // namespace

void* poolAllocate(std::size_t bytes) {
  std::size_t c = (bytes + kPoolGranule - 1) / kPoolGranule;
  if (!kPoolEnabled || c == 0 || c > kPoolClasses) return ::operator new(bytes);
  --c;
  if (void* block = tPool.heads[c]) {
    tPool.heads[c] = *static_cast<void**>(block);
    --tPool.counts[c];
    return block;
  }
  return ::operator new((c + 1) * kPoolGranule);
}

void poolFree(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  std::size_t c = (bytes + kPoolGranule - 1) / kPoolGranule;
  if (!kPoolEnabled || c == 0 || c > kPoolClasses || tPool.counts[c - 1] >= kPoolKeep) {
    ::operator delete(block);
    return;
  }
  if (!tPoolArmed) {
    tPoolArmed = true;
    armPoolReleaser();
  }
  --c;
  *static_cast<void**>(block) = tPool.heads[c];
  tPool.heads[c] = block;
  ++tPool.counts[c];
}

void* Node::operator new(std::size_t bytes) {
  return poolAllocate(bytes);
}
void Node::operator delete(void* block, std::size_t bytes) noexcept {
  poolFree(block, bytes);
}

StringRep* makeString(std::string_view text) {
  void* memory = poolAllocate(sizeof(StringRep) + text.size());
  auto* rep = new (memory) StringRep{1, static_cast<std::uint32_t>(text.size()), 0, 0};
  if (!text.empty()) std::memcpy(rep + 1, text.data(), text.size());
  return rep;
}

void freeString(StringRep* rep) noexcept {
  poolFree(rep, sizeof(StringRep) + rep->size);
}

namespace {
// One per thread, like the values using it; objects that outlive the thread keep their own
// references.
struct SharedAnonymousTraits {
  Traits* traits = [] {
    auto* t = new Traits(String(std::string_view()));
    t->dynamic = true;
    return t;
  }();
  ~SharedAnonymousTraits() { release(traits); }
};
}  // namespace

Traits* anonymousTraits() {
  thread_local SharedAnonymousTraits shared;
  retain(shared.traits);
  return shared.traits;
}

Node* makeNativeNode(std::shared_ptr<void> instance, const ClassInfo& info) {
  auto* node = adopt<ObjectNode>(anonymousTraits());
  node->native = std::move(instance);
  node->cls = &info;
  return node;
}

std::shared_ptr<void> nativeInstance(const Node* node, const std::type_info& type) {
  auto* o = static_cast<const ObjectNode*>(node);
  if (!o->cls || o->cls->type() != type) return nullptr;
  return o->native;
}

}  // namespace as3::amf::detail

namespace as3::amf {

std::size_t collectCycles() {
  return detail::currentHeap().collect();
}

std::size_t liveObjectCount() noexcept {
  return detail::currentHeap().count();
}

std::string_view typeName(Type type) noexcept {
  switch (type) {
    case Type::Undefined:
      return "void";
    case Type::Null:
      return "null";
    case Type::Boolean:
      return "Boolean";
    case Type::Int:
      return "int";
    case Type::Uint:
      return "uint";
    case Type::Number:
      return "Number";
    case Type::String:
      return "String";
    case Type::Date:
      return "Date";
    case Type::XML:
      return "XML";
    case Type::XMLDocument:
      return "flash.xml.XMLDocument";
    case Type::Array:
      return "Array";
    case Type::Object:
      return "Object";
    case Type::ByteArray:
      return "flash.utils.ByteArray";
    case Type::VectorInt:
      return "Vector.<int>";
    case Type::VectorUint:
      return "Vector.<uint>";
    case Type::VectorNumber:
      return "Vector.<Number>";
    case Type::VectorObject:
      return "Vector.<Object>";
    case Type::Dictionary:
      return "flash.utils.Dictionary";
  }
  return "*";
}

}  // namespace as3::amf
