// A decoded AMF3 graph kept in one region: its nodes and their element storage come from a few
// chunks, the edges between its nodes and its strings are not counted, and it is freed whole
// when nothing outside refers to any of its nodes. docs/design.md ("Decoded AMF3 graphs in one
// region") gives the rules; this is what the reader, the heap and the handles call.
#ifndef AS3NET_LIB_AMF_DETAIL_REGION_H_
#define AS3NET_LIB_AMF_DETAIL_REGION_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "amf/detail/Heap.h"
#include "as3/amf/detail/Node.h"

namespace as3::amf::detail {

struct Traits;
struct ObjectNode;
struct ArrayNode;
struct DateNode;

// Node::gcFlags bits of region nodes (the collector's own bit is 1).
/// The node's memory is a region's: it is never given to the pool.
constexpr std::uint8_t kRegionMemory = 2;
/// The node's region is frozen: its edges inside the region are not counted, it is not linked
/// into the heap, and its refs counts only references from outside the region.
constexpr std::uint8_t kFrozenNode = 4;

class Region {
 public:
  /// Chunks are aligned to their size, so a node finds its region from its own address.
  static constexpr std::size_t kChunkBytes = 32 * 1024;
  /// A graph whose nodes and storage need more than this is decoded the ordinary way: a region
  /// lives as long as any of its nodes, and a big one kept for a small part would waste memory.
  static constexpr std::size_t kMaxBytes = 8 * kChunkBytes;

  enum class State : std::uint8_t { kDecoding, kFrozen, kThawed };

  /// create starts an empty region for one decode on this thread (in its first chunk: a region
  /// costs no allocation while the thread has chunks to reuse).
  static Region* create(Heap& heap);
  /// of is the region a node with kRegionMemory lives in.
  static Region* of(const void* node) noexcept {
    auto base = reinterpret_cast<std::uintptr_t>(node) & ~std::uintptr_t{kChunkBytes - 1};
    return reinterpret_cast<const ChunkHeader*>(base)->region;
  }

  /// allocate returns `bytes` of region memory, aligned to 16, or null when the decode would
  /// pass kMaxBytes.
  void* allocate(std::size_t bytes) {
    bytes = roundUp(bytes);
    if (static_cast<std::size_t>(limit_ - cursor_) >= bytes) {
      void* at = cursor_;
      cursor_ += bytes;
      return at;
    }
    return allocateSlow(bytes);
  }
  /// resizeLast moves the end of the newest allocation, `block` of `bytes`, to `newBytes` where
  /// it stands, when nothing was allocated after it and its chunk has the room; false otherwise.
  bool resizeLast(void* block, std::size_t bytes, std::size_t newBytes) noexcept {
    char* at = static_cast<char*>(block);
    if (at + roundUp(bytes) != cursor_ || static_cast<std::size_t>(limit_ - at) < roundUp(newBytes))
      return false;
    cursor_ = at + roundUp(newBytes);
    return true;
  }
  /// make constructs a node of type N in the region, uncounted (refs 0) and frozen; null when
  /// the region is full.
  template <class N, class... Args>
  N* make(Args&&... args) {
    void* block = allocate(sizeof(N));
    if (!block) return nullptr;
    N* node = ::new (block) N(std::forward<Args>(args)...);
    node->refs = 0;
    node->heap = heap_;
    node->gcFlags = kRegionMemory | kFrozenNode;
    if constexpr (!std::is_trivially_destructible_v<N> && !kBorrowsOnly<N>) {
      // Owns memory of its own (bytes, text, items): destroyed when the region goes. The list
      // runs through `next`, which a frozen node does not use.
      node->next = owning_;
      owning_ = node;
    }
    return node;
  }

  /// freeze ends a successful decode. `nodes` are the region's nodes (the reader's object
  /// table); the region takes one reference to each string and traits of the reader's tables,
  /// to which its nodes refer uncounted. The region is then freed when no node has a reference
  /// from outside: the caller gives the decoded value its own.
  /// `empty`, when not null, is one more reference the region adopts: the thread's empty
  /// string, which slots may hold and the thread lets go of when it ends.
  void freeze(Node* const* nodes, std::size_t nodeCount, StringRep* const* strings,
              std::size_t stringCount, Traits* const* traits, std::size_t traitsCount,
              StringRep* empty);
  /// discard frees a region whose decode failed, restarted or made no node: nothing outside
  /// refers to it.
  void discard() noexcept {
    destroyOwning();
    freeMemory();
  }

  /// revived: a frozen node got its first reference from outside.
  void revived() noexcept { ++held_; }
  /// dropped: a frozen node lost its last reference from outside.
  void dropped() noexcept {
    if (--held_ == 0) freeFrozen();
  }
  /// thaw makes every node of a frozen region an ordinary counted heap node, before one of them
  /// changes: it counts the edges, takes references to strings and traits, gives the element
  /// storage blocks of its own and links the nodes into the heap. Nodes nothing refers to go.
  /// Throws std::bad_alloc, leaving the region frozen, when that storage cannot be had.
  void thaw();
  /// nodeGone: a thawed node was destroyed; the last one frees the chunks.
  void nodeGone() noexcept {
    if (--liveNodes_ == 0) freeMemory();
  }

 private:
  struct ChunkHeader {
    Region* region;
    ChunkHeader* next;
  };
  struct BigBlock {
    BigBlock* next;
    std::size_t pad;  // keeps the payload 16-aligned
  };
  explicit Region(Heap& heap, ChunkHeader* first) noexcept;
  static std::size_t roundUp(std::size_t bytes) noexcept { return (bytes + 15) & ~std::size_t{15}; }
  void* allocateSlow(std::size_t bytes);
  void freeFrozen() noexcept;
  void freeMemory() noexcept;
  void freeBigBlocks() noexcept;
  void releaseReferences() noexcept;
  void destroyOwning() noexcept;
  // Objects, arrays and dates hold only region storage, strings and traits, none of which
  // their destructors may let go of while the region is frozen.
  template <class N>
  static constexpr bool kBorrowsOnly =
      std::is_same_v<N, ObjectNode> || std::is_same_v<N, ArrayNode> || std::is_same_v<N, DateNode>;

  Heap* heap_;
  State state_ = State::kDecoding;
  std::uint32_t held_ = 0;     // frozen nodes with references from outside
  std::size_t liveNodes_ = 0;  // thawed nodes not yet destroyed
  std::size_t bytes_ = 0;      // allocated so far, against kMaxBytes
  char* cursor_ = nullptr;     // free space in the newest chunk
  char* limit_ = nullptr;
  ChunkHeader* chunks_;  // newest first; the first made holds this object
  BigBlock* bigBlocks_ = nullptr;
  Node* owning_ = nullptr;  // nodes to destroy with a frozen region, through Node::next
  Node** nodes_ = nullptr;
  std::size_t nodeCount_ = 0;
  StringRep** strings_ = nullptr;
  std::size_t stringCount_ = 0;
  Traits** traits_ = nullptr;
  std::size_t traitsCount_ = 0;
};

/// thawIfFrozen is called before a node's members or elements change.
inline void thawIfFrozen(Node* node) {
  if (node->gcFlags & kFrozenNode) Region::of(node)->thaw();
}

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_REGION_H_
