#include "server/WorkerHandoff.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace switchyard::server {

WorkerHandoff::WorkerHandoff(size_t workers, size_t ringPackets)
    : workers_(workers),
      ringPackets_(Ring(ringPackets).capacity()),
      rings_(std::make_unique<std::atomic<Ring*>[]>(workers * workers)),
      ownedRings_(workers * workers),
      pools_(workers),
      wake_(std::make_unique<Wake[]>(workers)),
      counters_(std::make_unique<Counters[]>(workers)) {
  for (size_t i = 0; i < workers_ * workers_; ++i)
    rings_[i].store(nullptr, std::memory_order_relaxed);
  for (size_t i = 0; i < workers_; ++i) {
    wake_[i].fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_[i].fd < 0) {
      const int error = errno;
      for (size_t j = 0; j < i; ++j)
        ::close(wake_[j].fd);
      throw std::system_error(error, std::generic_category(), "eventfd");
    }
  }
}

WorkerHandoff::~WorkerHandoff() {
  for (size_t i = 0; i < workers_; ++i)
    ::close(wake_[i].fd);
}

void WorkerHandoff::ensureLane(size_t from, size_t to) {
  if (from >= workers_ || to >= workers_ || from == to) return;
  if (!pools_[from]) pools_[from] = std::make_unique<media::forward::HandoffPacketPool>(ringPackets_ * 2);
  auto& owned = ownedRings_[from * workers_ + to];
  if (owned) return;
  owned = std::make_unique<Ring>(ringPackets_);
  ring_(from, to).store(owned.get(), std::memory_order_release);
}

bool WorkerHandoff::send(size_t from, std::span<const uint16_t> to, uint64_t room, uint32_t producer,
                         Packet::Type type, int layer, std::span<const uint8_t> bytes,
                         uint64_t arrivalNs) noexcept {
  media::forward::HandoffPacketPool* pool = pools_[from].get();
  if (pool == nullptr || bytes.size() > Packet::kMaxSize) return false;
  Packet* packet = pool->acquire();
  if (packet == nullptr) {
    bump(counters_[from].poolEmpty);
    return false;
  }
  packet->room = room;
  packet->producer = producer;
  packet->layer = static_cast<int8_t>(layer);
  packet->type = type;
  packet->size = static_cast<uint16_t>(bytes.size());
  packet->arrivalNs = arrivalNs;
  std::copy(bytes.begin(), bytes.end(), packet->data.begin());
  // One reference per destination, set before any ring publishes the packet; the source's own
  // reference keeps it while it pushes.
  packet->references.store(static_cast<uint32_t>(to.size()) + 1, std::memory_order_relaxed);
  size_t pushed = 0;
  for (const uint16_t destination : to) {
    Ring* ring = destination < workers_ && destination != from
                     ? ring_(from, destination).load(std::memory_order_relaxed)
                     : nullptr;
    if (ring != nullptr && ring->push(packet)) {
      ++pushed;
      continue;
    }
    if (ring != nullptr) bump(counters_[from].ringFull);
    media::forward::HandoffPacketPool::release(*packet);
  }
  media::forward::HandoffPacketPool::release(*packet);  // the source's reference
  if (pushed == 0) return false;
  bump(counters_[from].sent);
  // Pairs with the fence in sleepIfIdle: either the destination sees the pushed packet, or this
  // thread sees it asleep and wakes it.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (const uint16_t destination : to) {
    if (destination >= workers_ || destination == from) continue;
    Wake& wake = wake_[destination];
    if (wake.sleeping.load(std::memory_order_relaxed) && wake.sleeping.exchange(false)) {
      const uint64_t one = 1;
      [[maybe_unused]] const ssize_t written = ::write(wake.fd, &one, sizeof one);
      bump(counters_[from].wakeups);
    }
  }
  return true;
}

bool WorkerHandoff::sleepIfIdle(size_t to) noexcept {
  Wake& wake = wake_[to];
  wake.sleeping.store(true, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (size_t from = 0; from < workers_; ++from) {
    const Ring* ring = ring_(from, to).load(std::memory_order_acquire);
    if (ring != nullptr && !ring->empty()) {
      wake.sleeping.store(false, std::memory_order_relaxed);
      return false;
    }
  }
  return true;
}

}  // namespace switchyard::server
