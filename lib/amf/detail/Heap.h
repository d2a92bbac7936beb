// The per-thread Heap that links every AMF node and reclaims cycles, and the per-thread pool of
// small blocks values are made of; inline here so that making and freeing a node costs no call.
#ifndef AS3NET_LIB_AMF_DETAIL_HEAP_H_
#define AS3NET_LIB_AMF_DETAIL_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <thread>
#include <vector>

#include "as3/amf/detail/Node.h"

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
  /// count is the number of live nodes: those linked here and those of frozen regions.
  std::size_t count() const noexcept { return count_ + frozen_; }
  /// addFrozen and removeFrozen count the nodes of frozen regions, which are not linked.
  void addFrozen(std::size_t n) noexcept { frozen_ += n; }
  void removeFrozen(std::size_t n) noexcept { frozen_ -= n; }
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
  std::size_t frozen_ = 0;
  std::size_t allocations_ = 0;
  std::size_t threshold_ = kMinThreshold;
  bool collecting_ = false;
};

// The thread's heap: a plain pointer (initial-exec: no call per access); makeHeap sets it up.
extern thread_local Heap* tHeap __attribute__((tls_model("initial-exec")));
Heap& makeHeap();
/// releaseHeapIfDone deletes a heap whose thread has ended once its last node is gone.
void releaseHeapIfDone(Heap* heap) noexcept;
inline Heap& currentHeap() {
  return tHeap ? *tHeap : makeHeap();
}

/// registerNode links a new node into this thread's heap, which may first reclaim cycles.
inline void registerNode(Node* node) {
  Heap& heap = currentHeap();
  heap.link(node);
  heap.noteAllocation();
}

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
  bool armed;  // the releaser that frees the lists at thread exit is set up
};
// Initial-exec: the fast paths below reach it without a call.
extern thread_local PoolLists tPool __attribute__((tls_model("initial-exec")));
void armPool();

/// poolTake and poolGive serve the small blocks AMF values are made of from per-thread free
/// lists, so decoding a stream of messages reuses the last message's memory instead of going
/// through malloc for every object.
inline void* poolTake(std::size_t bytes) {
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

inline void poolGive(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  std::size_t c = (bytes + kPoolGranule - 1) / kPoolGranule;
  if (!kPoolEnabled || c == 0 || c > kPoolClasses || tPool.counts[c - 1] >= kPoolKeep) {
    ::operator delete(block);
    return;
  }
  if (!tPool.armed) armPool();
  --c;
  *static_cast<void**>(block) = tPool.heads[c];
  tPool.heads[c] = block;
  ++tPool.counts[c];
}

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_HEAP_H_
