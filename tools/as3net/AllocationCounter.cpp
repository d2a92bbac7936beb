// Replaces the global operator new and delete of the as3net tool with counting ones, so the
// benchmarks can report allocations per operation. In a file of its own: the compiler must not
// see these definitions beside inlined allocations it would pair with the standard ones.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "Command.h"

namespace {
std::atomic<std::uint64_t> gAllocations{0};
}  // namespace

void* operator new(std::size_t size) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace as3net_tool {
std::uint64_t allocationCount() noexcept {
  return gAllocations.load(std::memory_order_relaxed);
}
}  // namespace as3net_tool
