// The element storage of AMF objects and arrays: std::vector's interface (the part the codec and
// the handles use) over the thread's block pool, for element types that may be moved by copying
// their bytes.
#ifndef AS3NET_LIB_AMF_DETAIL_COMPACTVECTOR_H_
#define AS3NET_LIB_AMF_DETAIL_COMPACTVECTOR_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "amf/detail/Heap.h"

namespace as3::amf::detail {

/// IsRelocatable<T> is true when a T may move to another address by copying its bytes, the old
/// copy then being forgotten without its destructor: it holds no pointer into itself, and no
/// one keeps its address.
template <class T>
struct IsRelocatable : std::is_trivially_copyable<T> {};

/// CompactVector is a vector of relocatable elements: 16 bytes instead of 24 (the counts are 32
/// bits: AMF counts are 28), growing by copying bytes instead of moving and destroying, and able
/// to take over elements relocated from elsewhere (relocateFrom) without touching them.
template <class T>
class CompactVector {
  static_assert(IsRelocatable<T>::value, "CompactVector moves its elements by copying bytes");

 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = T*;
  using const_iterator = const T*;

  CompactVector() noexcept = default;
  CompactVector(const CompactVector& other) : CompactVector() {
    reserve(other.size_);
    for (const T& item : other) new (data_ + size_++) T(item);
  }
  CompactVector(CompactVector&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  CompactVector& operator=(CompactVector other) noexcept {
    swap(other);
    return *this;
  }
  // Inline down to the test, so that a vector already disposed of costs nothing to destroy.
  [[gnu::always_inline]] ~CompactVector() {
    if (data_) destroyStorage();
  }

  void swap(CompactVector& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  size_type size() const noexcept { return size_; }
  size_type capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  T& operator[](size_type i) noexcept { return data_[i]; }
  const T& operator[](size_type i) const noexcept { return data_[i]; }
  T& at(size_type i) {
    if (i >= size_) throw std::out_of_range("CompactVector::at");
    return data_[i];
  }
  const T& at(size_type i) const {
    if (i >= size_) throw std::out_of_range("CompactVector::at");
    return data_[i];
  }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }

  void reserve(size_type n) {
    if (n > capacity_) reallocate(n);
  }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) return growAndEmplace(std::forward<Args>(args)...);
    T* slot = new (data_ + size_) T(std::forward<Args>(args)...);
    ++size_;
    return *slot;
  }
  /// emplaceAt makes element `i`, which must be size() and inside the reserved capacity: for
  /// loops that count themselves, so no load of the size waits on its last store.
  template <class... Args>
  T& emplaceAt(size_type i, Args&&... args) {
    T* slot = new (data_ + i) T(std::forward<Args>(args)...);
    size_ = static_cast<std::uint32_t>(i + 1);
    return *slot;
  }
  void pop_back() noexcept {
    --size_;
    data_[size_].~T();
  }
  void push_back(const T& item) { emplace_back(item); }
  void push_back(T&& item) { emplace_back(std::move(item)); }

  void resize(size_type n) {
    if (n < size_) {
      destroy(data_ + n, data_ + size_);
    } else {
      reserve(n);
      for (T* p = data_ + size_; p != data_ + n; ++p) new (p) T();
    }
    size_ = static_cast<std::uint32_t>(n);
  }
  void clear() noexcept {
    destroy(data_, data_ + size_);
    size_ = 0;
  }
  iterator erase(const_iterator first, const_iterator last) noexcept {
    T* from = data_ + (first - data_);
    T* to = data_ + (last - data_);
    if (from == to) return from;
    destroy(from, to);
    std::size_t tail = static_cast<std::size_t>(end() - to);
    if (tail != 0)
      std::memmove(static_cast<void*>(from), static_cast<const void*>(to), tail * sizeof(T));
    size_ -= static_cast<std::uint32_t>(to - from);
    return from;
  }
  iterator erase(const_iterator at) noexcept { return erase(at, at + 1); }
  template <class It>
  void assign(It first, It last) {
    clear();
    if constexpr (std::is_base_of_v<std::forward_iterator_tag,
                                    typename std::iterator_traits<It>::iterator_category>)
      reserve(static_cast<size_type>(std::distance(first, last)));
    for (; first != last; ++first) emplace_back(*first);
  }
  void assign(std::initializer_list<T> items) { assign(items.begin(), items.end()); }

  /// relocateFrom appends the `n` elements at `from` by copying their bytes: they are this
  /// vector's now, and the caller forgets them without destroying them.
  [[gnu::always_inline]] void relocateFrom(T* from, size_type n) {
    reserve(size_ + n);
    if (n != 0)
      std::memcpy(static_cast<void*>(data_ + size_), static_cast<const void*>(from), n * sizeof(T));
    size_ += static_cast<std::uint32_t>(n);
  }
  /// dispose destroys the elements and gives the storage back now, leaving the vector empty:
  /// inlined where a node dies, it spares the destructor's call per container.
  [[gnu::always_inline]] void dispose() noexcept {
    destroy(data_, data_ + size_);
    release();
    data_ = nullptr;
    size_ = capacity_ = 0;
  }
  /// useBorrowedStorage gives an empty vector room for `capacity` elements that it does not own
  /// (a frozen region's): while it holds it, the vector must not grow, shrink or be destroyed.
  void useBorrowedStorage(T* storage, size_type capacity) noexcept {
    data_ = storage;
    capacity_ = static_cast<std::uint32_t>(capacity);
  }
  /// allocateOwnStorage, then moveToOwnStorage, move the elements out of borrowed storage into a
  /// block of the pool; in two steps, so that every allocation can be made before anything
  /// moves. giveBackOwnStorage returns a block that was not used.
  void* allocateOwnStorage() const {
    return size_ != 0 ? poolTake(std::size_t{size_} * sizeof(T)) : nullptr;
  }
  void giveBackOwnStorage(void* block) const noexcept {
    poolGive(block, std::size_t{size_} * sizeof(T));
  }
  void moveToOwnStorage(void* block) noexcept {
    if (size_ != 0)
      std::memcpy(block, static_cast<const void*>(data_), std::size_t{size_} * sizeof(T));
    data_ = static_cast<T*>(block);
    capacity_ = size_;
  }
  /// forgetFrom drops the elements from `index` on without destroying them (relocated away).
  void forgetFrom(size_type index) noexcept { size_ = static_cast<std::uint32_t>(index); }

 private:
  static void destroy(T* first, T* last) noexcept {
    if constexpr (!std::is_trivially_destructible_v<T>)
      for (; first != last; ++first) first->~T();
  }
  __attribute__((noinline)) void destroyStorage() noexcept {
    destroy(data_, data_ + size_);
    release();
  }
  void release() noexcept {
    if (data_) poolGive(data_, std::size_t{capacity_} * sizeof(T));
  }
  static T* allocate(size_type n) {
    if (n > UINT32_MAX / sizeof(T)) throw std::length_error("CompactVector: too many elements");
    return static_cast<T*>(poolTake(n * sizeof(T)));
  }
  // Relocates the elements into `fresh`, which holds `n`, and lets the old storage go.
  void adoptStorage(T* fresh, size_type n) noexcept {
    if (size_ != 0)
      std::memcpy(static_cast<void*>(fresh), static_cast<const void*>(data_),
                  std::size_t{size_} * sizeof(T));
    release();
    data_ = fresh;
    capacity_ = static_cast<std::uint32_t>(n);
  }
  void reallocate(size_type n) { adoptStorage(allocate(n), n); }
  template <class... Args>
  __attribute__((noinline)) T& growAndEmplace(Args&&... args) {
    size_type n = capacity_ < 2 ? 4 : std::size_t{capacity_} * 2;
    T* fresh = allocate(n);
    // The new element first: its arguments may be elements of this vector, and if making it
    // throws nothing has moved yet.
    T* slot;
    try {
      slot = new (fresh + size_) T(std::forward<Args>(args)...);
    } catch (...) {
      poolGive(fresh, n * sizeof(T));
      throw;
    }
    adoptStorage(fresh, n);
    ++size_;
    return *slot;
  }

  T* data_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
};

}  // namespace as3::amf::detail

#endif  // AS3NET_LIB_AMF_DETAIL_COMPACTVECTOR_H_
