#pragma once
// A bounded single-producer single-consumer ring of trivially copyable items (pointers, small
// structs) between two threads: one thread only pushes, one only pops. Lock-free: the producer
// owns `tail_`, the consumer owns `head_`, each reads the other's index with acquire and publishes
// its own with release; each caches the other's last seen index so the shared cache lines are read
// only when the ring looks full (producer) or empty (consumer). The capacity (a power of two) is
// fixed at construction, the only allocation; a full ring refuses the push (the caller drops and
// counts). push/pop never allocate, lock, throw or log.
#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace switchyard::media::forward {

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring items are copied as plain values");

 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit SpscRing(size_t capacity)
      : capacity_(std::bit_ceil(capacity < 2 ? size_t{2} : capacity)),
        mask_(capacity_ - 1),
        items_(std::make_unique<T[]>(capacity_)) {}
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  [[nodiscard]] size_t capacity() const noexcept { return capacity_; }

  // Producer thread. False when the ring is full (nothing is written).
  bool push(const T& item) noexcept {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - headCache_ == capacity_) {
      headCache_ = head_.load(std::memory_order_acquire);
      if (tail - headCache_ == capacity_) return false;
    }
    items_[tail & mask_] = item;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer thread. False when the ring is empty.
  bool pop(T& item) noexcept {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head == tailCache_) {
      tailCache_ = tail_.load(std::memory_order_acquire);
      if (head == tailCache_) return false;
    }
    item = items_[head & mask_];
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Either thread: a snapshot (exact on the consumer thread when it says "not empty").
  [[nodiscard]] bool empty() const noexcept {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire);
  }
  [[nodiscard]] size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }

 private:
  static constexpr size_t kCacheLine = 64;
  const size_t capacity_;
  const size_t mask_;
  std::unique_ptr<T[]> items_;
  alignas(kCacheLine) std::atomic<size_t> tail_{0};  // written by the producer
  size_t headCache_ = 0;                             // producer's view of head_
  alignas(kCacheLine) std::atomic<size_t> head_{0};  // written by the consumer
  size_t tailCache_ = 0;                             // consumer's view of tail_
};

}  // namespace switchyard::media::forward
