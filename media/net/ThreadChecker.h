#pragma once
// Thread confinement check (STYLE: confine, don't lock). Every object of media/net belongs to the
// one worker thread that runs its io_context. A ThreadChecker binds to the first thread that asks
// isOwner() (objects may be built on another thread and handed over before first use) and then
// answers whether the caller is that thread. Use it through SWITCHYARD_NET_ASSERT_OWNER, which is
// compiled out with NDEBUG; the check itself is one pthread_self() comparison.
#include <cassert>
#include <thread>

namespace switchyard::media::net {

class ThreadChecker {
 public:
  [[nodiscard]] bool isOwner() noexcept {
    const std::thread::id self = std::this_thread::get_id();
    if (owner_ == std::thread::id{}) owner_ = self;
    return owner_ == self;
  }
  // Lets the next isOwner() caller become the owner (hand-over between threads, done by the owner).
  void detach() noexcept { owner_ = std::thread::id{}; }

 private:
  std::thread::id owner_{};
};

}  // namespace switchyard::media::net

#ifdef NDEBUG
#define SWITCHYARD_NET_ASSERT_OWNER(checker) static_cast<void>(0)
#else
#define SWITCHYARD_NET_ASSERT_OWNER(checker) assert((checker).isOwner() && "used off its worker thread")
#endif
