#pragma once
// Memory for the asynchronous operations a socket or timer re-arms all the time (a read wait per
// receive batch, a tick timer), so that re-arming them does not allocate: Boost 1.74's Asio keeps
// one recycled block per thread, and a worker with a socket wait, a timer and a post outstanding
// at once would otherwise allocate on almost every wake-up.
//
//   std::shared_ptr<HandlerMemory> memory_ = HandlerMemory::create();
//   socket_.async_wait(wait_read, withMemory(memory_, [this](error_code ec) { ... }));
//
// The handler holds a shared_ptr to the memory (reference counting only, no allocation), so an
// operation that completes after its owner was destroyed still frees into live memory. A request
// larger than a slot, or with every slot in use, falls back to operator new.
#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace switchyard::media::net {

class HandlerMemory {
 public:
  static constexpr size_t kSlots = 3;
  static constexpr size_t kSlotBytes = 256;

  [[nodiscard]] static std::shared_ptr<HandlerMemory> create() { return std::make_shared<HandlerMemory>(); }

  void* allocate(size_t size) {
    if (size <= kSlotBytes) {
      for (size_t i = 0; i < kSlots; ++i) {
        if (!used_[i]) {
          used_[i] = true;
          return slots_[i].data();
        }
      }
    }
    return ::operator new(size);
  }
  void deallocate(void* p) noexcept {
    for (size_t i = 0; i < kSlots; ++i) {
      if (p == slots_[i].data()) {
        used_[i] = false;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  struct alignas(std::max_align_t) Slot : std::array<unsigned char, kSlotBytes> {};
  std::array<Slot, kSlots> slots_{};
  std::array<bool, kSlots> used_{};
};

template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;
  explicit HandlerAllocator(std::shared_ptr<HandlerMemory> memory) noexcept : memory_(std::move(memory)) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}  // NOLINT

  T* allocate(size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, size_t) noexcept { memory_->deallocate(p); }
  template <typename U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }
  template <typename U>
  bool operator!=(const HandlerAllocator<U>& other) const noexcept {
    return memory_ != other.memory_;
  }

 private:
  template <typename>
  friend class HandlerAllocator;
  std::shared_ptr<HandlerMemory> memory_;
};

// A completion handler whose operation memory comes from a HandlerMemory (Asio's
// associated_allocator protocol: allocator_type + get_allocator()).
template <typename Handler>
class MemoryHandler {
 public:
  using allocator_type = HandlerAllocator<Handler>;
  MemoryHandler(std::shared_ptr<HandlerMemory> memory, Handler handler)
      : memory_(std::move(memory)), handler_(std::move(handler)) {}
  [[nodiscard]] allocator_type get_allocator() const noexcept { return allocator_type(memory_); }
  template <typename... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<HandlerMemory> memory_;
  Handler handler_;
};

template <typename Handler>
[[nodiscard]] MemoryHandler<std::decay_t<Handler>> withMemory(const std::shared_ptr<HandlerMemory>& memory,
                                                              Handler&& handler) {
  return MemoryHandler<std::decay_t<Handler>>(memory, std::forward<Handler>(handler));
}

}  // namespace switchyard::media::net
