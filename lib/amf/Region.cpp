// Decoded AMF3 graphs kept in one region (amf/detail/Region.h; docs/design.md).
#include "amf/detail/Region.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "amf/detail/Nodes.h"

namespace as3::amf::detail {

namespace {

// Each thread keeps a few free chunks, so a stream of messages reuses the same memory. Plain
// data, so that a region freed by another thread-local destructor at thread exit still finds it.
constexpr std::uint32_t kKeptChunks = 16;
struct ChunkCache {
  void* chunks[kKeptChunks];
  std::uint32_t count;
  bool armed;
  bool closed;  // the thread is ending: chunks go straight back to the allocator
};
thread_local ChunkCache tChunks __attribute__((tls_model("initial-exec"))) = {};

struct ChunkCacheReleaser {
  ~ChunkCacheReleaser() {
    while (tChunks.count != 0) std::free(tChunks.chunks[--tChunks.count]);
    tChunks.closed = true;
  }
};

void* takeChunk() {
  if (tChunks.count != 0) return tChunks.chunks[--tChunks.count];
  void* chunk = std::aligned_alloc(Region::kChunkBytes, Region::kChunkBytes);
  if (!chunk) throw std::bad_alloc();
  return chunk;
}

void giveChunk(void* chunk) noexcept {
  // Under AddressSanitizer every chunk goes back, so that a use after the region is caught.
  if (!kPoolEnabled || tChunks.closed || tChunks.count == kKeptChunks) {
    std::free(chunk);
    return;
  }
  if (!tChunks.armed) {
    tChunks.armed = true;
    thread_local ChunkCacheReleaser releaser;
  }
  tChunks.chunks[tChunks.count++] = chunk;
}

// withElements calls fn(values, members) with an object's sealed and dynamic members or an
// array's dense and associative parts, the element storage a region lends; nothing for others.
template <class Fn>
void withElements(Node* node, Fn&& fn) {
  if (node->type == Type::Object) {
    auto* o = static_cast<ObjectNode*>(node);
    fn(o->sealed, o->dynamic);
  } else if (node->type == Type::Array) {
    auto* a = static_cast<ArrayNode*>(node);
    fn(a->dense, a->assoc);
  }
}

// forEachSlot calls fn(value) for every slot of `node`, and retains its member names: the
// references a frozen region does not count.
template <class Fn>
void forEachSlot(Node* node, Fn&& fn) {
  withElements(node, [&fn](Values& values, Members& members) {
    for (Value& v : values) fn(v);
    for (Member& m : members) {
      retain(m.key.rep());
      fn(m.value);
    }
  });
  if (node->type == Type::VectorObject)
    for (Value& v : static_cast<VectorNode<Value>*>(node)->items) fn(v);
}

template <class N>
void destroyInPlace(Node* node) noexcept {
  static_cast<N*>(node)->~N();
}

}  // namespace

Region::Region(Heap& heap, ChunkHeader* first) noexcept : heap_(&heap), chunks_(first) {
  cursor_ = reinterpret_cast<char*>(first) + ((sizeof(ChunkHeader) + sizeof(Region) + 15) & ~15u);
  limit_ = reinterpret_cast<char*>(first) + kChunkBytes;
  bytes_ = kChunkBytes;
}

Region* Region::create(Heap& heap) {
  auto* first = static_cast<ChunkHeader*>(takeChunk());
  auto* region = ::new (first + 1) Region(heap, first);
  first->region = region;
  first->next = nullptr;
  return region;
}

void* Region::allocateSlow(std::size_t bytes) {
  const bool capped = state_ == State::kDecoding;
  if (bytes > kChunkBytes / 4) {
    if (capped && bytes_ + bytes > kMaxBytes) return nullptr;
    auto* block = static_cast<BigBlock*>(::operator new(sizeof(BigBlock) + bytes));
    block->next = bigBlocks_;
    bigBlocks_ = block;
    bytes_ += bytes;
    return block + 1;
  }
  if (capped && bytes_ + kChunkBytes > kMaxBytes) return nullptr;
  auto* chunk = static_cast<ChunkHeader*>(takeChunk());
  chunk->region = this;
  chunk->next = chunks_;
  chunks_ = chunk;
  bytes_ += kChunkBytes;
  cursor_ = reinterpret_cast<char*>(chunk + 1) + bytes;
  limit_ = reinterpret_cast<char*>(chunk) + kChunkBytes;
  return chunk + 1;
}

void Region::freeze(Node* const* nodes, std::size_t nodeCount, StringRep* const* strings,
                    std::size_t stringCount, Traits* const* traits, std::size_t traitsCount,
                    StringRep* empty) {
  // Kept in the region's own memory: a decode allocates nothing else. The cap is the decode's
  // (allocateSlow applies it only while decoding); the string list can pass it, since a
  // Vector.<Object>'s items and the strings themselves are not region memory.
  state_ = State::kFrozen;
  try {
    nodes_ = static_cast<Node**>(allocate(nodeCount * sizeof(Node*)));
    strings_ = static_cast<StringRep**>(allocate((stringCount + 1) * sizeof(StringRep*)));
    traits_ = static_cast<Traits**>(allocate(traitsCount * sizeof(Traits*) + 16));
  } catch (...) {
    if (empty) release(empty);
    throw;  // the caller discards the region
  }
  // From here on nothing fails.
  std::memcpy(nodes_, nodes, nodeCount * sizeof(Node*));
  nodeCount_ = nodeCount;
  for (std::size_t i = 0; i < stringCount; ++i) retain(strings_[i] = strings[i]);
  stringCount_ = stringCount;
  if (empty) strings_[stringCount_++] = empty;
  for (std::size_t i = 0; i < traitsCount; ++i) retain(traits_[i] = traits[i]);
  traitsCount_ = traitsCount;
  heap_->addFrozen(nodeCount);
}

void Region::releaseReferences() noexcept {
  for (std::size_t i = 0; i < stringCount_; ++i) release(strings_[i]);
  for (std::size_t i = 0; i < traitsCount_; ++i) release(traits_[i]);
  stringCount_ = traitsCount_ = 0;
}

void Region::freeFrozen() noexcept {
  Heap* heap = heap_;
  heap->removeFrozen(nodeCount_);
  destroyOwning();
  releaseReferences();
  freeMemory();  // `this` lives in the first chunk
  releaseHeapIfDone(heap);
}

void Region::destroyOwning() noexcept {
  for (Node* node = owning_; node;) {
    Node* next = node->next;
    switch (node->type) {
      case Type::XML:
      case Type::XMLDocument:
        destroyInPlace<XmlNode>(node);
        break;
      case Type::ByteArray:
        destroyInPlace<ByteArrayNode>(node);
        break;
      case Type::VectorInt:
        destroyInPlace<VectorNode<std::int32_t>>(node);
        break;
      case Type::VectorUint:
        destroyInPlace<VectorNode<std::uint32_t>>(node);
        break;
      case Type::VectorNumber:
        destroyInPlace<VectorNode<double>>(node);
        break;
      case Type::VectorObject:
        // Its items are uncounted: forgotten, not released.
        for (Value& item : static_cast<VectorNode<Value>*>(node)->items) ::new (&item) Value();
        destroyInPlace<VectorNode<Value>>(node);
        break;
      default:
        break;  // make() lists no other kind
    }
    node = next;
  }
  owning_ = nullptr;
}

void Region::freeBigBlocks() noexcept {
  for (BigBlock* b = bigBlocks_; b;) {
    BigBlock* next = b->next;
    ::operator delete(b);
    b = next;
  }
  bigBlocks_ = nullptr;
}

void Region::freeMemory() noexcept {
  freeBigBlocks();
  for (ChunkHeader* c = chunks_; c;) {
    ChunkHeader* next = c->next;
    giveChunk(c);  // the last is the first chunk, which holds this object
    c = next;
  }
}

void Region::thaw() {
  // First every block the element storage needs, so that running out of memory leaves the
  // region frozen and whole.
  std::vector<void*> blocks;
  auto eachStorage = [this](auto&& fn) {
    for (std::size_t i = 0; i < nodeCount_; ++i)
      withElements(nodes_[i], [&fn](Values& values, Members& members) {
        fn(values);
        fn(members);
      });
  };
  std::size_t vectors = 0;
  eachStorage([&vectors](auto& storage) { vectors += storage.data() != nullptr; });
  blocks.reserve(vectors);
  try {
    eachStorage([&blocks](auto& storage) {
      if (storage.data()) blocks.push_back(storage.allocateOwnStorage());
    });
  } catch (...) {
    std::size_t k = 0;
    eachStorage([&blocks, &k](auto& storage) {
      if (storage.data() && k < blocks.size()) storage.giveBackOwnStorage(blocks[k++]);
    });
    throw;
  }

  // Nothing fails from here on.
  state_ = State::kThawed;
  heap_->removeFrozen(nodeCount_);
  std::size_t k = 0;
  eachStorage([&blocks, &k](auto& storage) {
    if (storage.data()) storage.moveToOwnStorage(blocks[k++]);
  });
  owning_ = nullptr;  // the heap destroys them now, through `next`'s new meaning
  for (std::size_t i = 0; i < nodeCount_; ++i) {
    Node* node = nodes_[i];
    node->gcFlags = static_cast<std::uint8_t>(node->gcFlags & ~kFrozenNode);
    heap_->link(node);
  }
  for (std::size_t i = 0; i < nodeCount_; ++i) {
    Node* node = nodes_[i];
    if (node->type == Type::Object) retain(static_cast<ObjectNode*>(node)->traits);
    forEachSlot(node, [](Value& v) {
      if (v.type() == Type::String)
        retain(v.stringRep());
      else if (Node* child = v.node())
        ++child->refs;  // a node of this region, no longer frozen
    });
  }
  liveNodes_ = nodeCount_ + 1;  // and one for this pass, which still reads nodes_
  freeBigBlocks();              // what the storage moved out of
  releaseReferences();          // the nodes hold their own now
  // Nodes nothing refers to, not even another node, go now; cycles are the collector's.
  std::size_t unreferenced = 0;
  for (std::size_t i = 0; i < nodeCount_; ++i)
    if (nodes_[i]->refs == 0) nodes_[unreferenced++] = nodes_[i];
  for (std::size_t i = 0; i < unreferenced; ++i) ++nodes_[i]->refs;
  for (std::size_t i = 0; i < unreferenced; ++i) release(nodes_[i]);
  nodeGone();
}

void reviveNode(Node* node) noexcept {
  if (node->gcFlags & kFrozenNode) Region::of(node)->revived();
}

}  // namespace as3::amf::detail
