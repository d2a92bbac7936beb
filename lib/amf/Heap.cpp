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

#include "amf/detail/Heap.h"
#include "amf/detail/Nodes.h"
#include "amf/detail/Region.h"
#include "as3/amf/ClassAlias.h"

namespace as3::amf::detail {

thread_local Heap* tHeap __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

// The thread's heap outlives the thread while nodes made on it are still referenced (by a
// static, say); the last such node to go deletes it. The owner exists only to collect and let
// go of the heap when the thread ends.
thread_local bool tHeapOwnerGone __attribute__((tls_model("initial-exec"))) = false;

struct HeapOwner {
  Heap* heap = new Heap;
  ~HeapOwner() {
    heap->collect();
    heap->threadAlive = false;
    tHeapOwnerGone = true;
    releaseHeapIfDone(heap);
  }
};

}  // namespace

void releaseHeapIfDone(Heap* heap) noexcept {
  if (heap->threadAlive || heap->count() != 0) return;
  if (tHeap == heap) tHeap = nullptr;
  delete heap;
}

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

namespace {

// Ends a node's life; a thawed region node's memory stays its region's.
template <class N>
void freeNode(N* node) noexcept {
  if (node->gcFlags & kRegionMemory) {
    Region* region = Region::of(node);
    node->~N();
    region->nodeGone();
  } else {
    delete node;
  }
}

void deleteNode(Node* node) noexcept {
  switch (node->type) {
    case Type::Object: {
      auto* object = static_cast<ObjectNode*>(node);
      object->sealed.dispose();
      object->dynamic.dispose();
      freeNode(object);
      break;
    }
    case Type::Array: {
      auto* array = static_cast<ArrayNode*>(node);
      array->dense.dispose();
      array->assoc.dispose();
      freeNode(array);
      break;
    }
    case Type::Date:
      freeNode(static_cast<DateNode*>(node));
      break;
    case Type::XML:
    case Type::XMLDocument:
      freeNode(static_cast<XmlNode*>(node));
      break;
    case Type::ByteArray:
      freeNode(static_cast<ByteArrayNode*>(node));
      break;
    case Type::VectorInt:
      freeNode(static_cast<VectorNode<std::int32_t>*>(node));
      break;
    case Type::VectorUint:
      freeNode(static_cast<VectorNode<std::uint32_t>*>(node));
      break;
    case Type::VectorNumber:
      freeNode(static_cast<VectorNode<double>*>(node));
      break;
    case Type::VectorObject:
      freeNode(static_cast<VectorNode<Value>*>(node));
      break;
    case Type::Dictionary:
      freeNode(static_cast<DictionaryNode*>(node));
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
      // A frozen region is not linked here: its nodes are outside references to the heap's.
      if (child->heap == this && !(child->gcFlags & kFrozenNode)) --child->gcRefs;
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
        if (!(child->gcFlags & (kReachable | kFrozenNode))) {
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

void destroyNode(Node* node) noexcept {
  if (node->gcFlags & kFrozenNode) {
    Region::of(node)->dropped();  // its region goes with the last such reference
    return;
  }
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

}  // namespace

thread_local PoolLists tPool __attribute__((tls_model("initial-exec"))) = {};

__attribute__((noinline)) void armPool() {
  tPool.armed = true;
  thread_local PoolReleaser releaser;
}

void* Node::operator new(std::size_t bytes) {
  return poolTake(bytes);
}
void Node::operator delete(void* block, std::size_t bytes) noexcept {
  poolGive(block, bytes);
}

StringRep* makeString(std::string_view text) {
  void* memory = poolTake(sizeof(StringRep) + text.size());
  auto* rep = new (memory) StringRep{1, static_cast<std::uint32_t>(text.size()), 0, 0};
  if (!text.empty()) std::memcpy(rep + 1, text.data(), text.size());
  return rep;
}

void freeString(StringRep* rep) noexcept {
  poolGive(rep, sizeof(StringRep) + rep->size);
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
