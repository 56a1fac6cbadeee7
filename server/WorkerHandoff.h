#pragma once
// The lanes between media workers for rooms spread over several workers (workers.room_spread_peers):
// per (source, destination) worker pair a bounded SpscRing of pointers to the source's pooled,
// reference-counted, immutable HandoffPackets, and per destination an eventfd that wakes it.
//
// Source worker (data plane): send() copies a decrypted packet once into a packet of its pool and
// pushes a pointer to every destination's ring; a full pool or ring drops and counts. A destination
// that said it sleeps (sleepIfIdle) is woken by one eventfd write, not one per packet.
// Destination worker: drain() pops every ring toward it, hands each packet to a callback and
// releases it; sleepIfIdle() before waiting on the eventfd again.
// send/drain/sleepIfIdle never allocate, lock, throw or log. Rings and pools are made on first use
// by the source thread (ensureLane, control plane) and published to the destination with an
// atomic pointer; they live until the WorkerHandoff goes, after every worker stopped.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "media/forward/HandoffPacketPool.h"
#include "media/forward/SpscRing.h"

namespace switchyard::server {

class WorkerHandoff {
 public:
  using Packet = media::forward::HandoffPacket;
  using Ring = media::forward::SpscRing<Packet*>;

  // Per worker, written by that worker only.
  struct Counters {
    std::atomic<uint64_t> sent{0};       // packets handed to at least one destination (source)
    std::atomic<uint64_t> poolEmpty{0};  // packets dropped: no free pooled packet (source)
    std::atomic<uint64_t> ringFull{0};   // copies dropped: a destination's ring was full (source)
    std::atomic<uint64_t> received{0};   // packets drained (destination)
    std::atomic<uint64_t> wakeups{0};    // eventfd writes toward other workers (source)
  };

  // `ringPackets`: each ring's capacity (rounded up to a power of two); each source's pool holds
  // twice that many packets, so one slow destination cannot starve the others. Throws
  // std::system_error when an eventfd cannot be made.
  WorkerHandoff(size_t workers, size_t ringPackets);
  ~WorkerHandoff();
  WorkerHandoff(const WorkerHandoff&) = delete;
  WorkerHandoff& operator=(const WorkerHandoff&) = delete;

  [[nodiscard]] size_t workerCount() const noexcept { return workers_; }
  [[nodiscard]] size_t ringPackets() const noexcept { return ringPackets_; }

  // Source thread `from` (control plane): the ring toward `to` and the source's pool exist.
  void ensureLane(size_t from, size_t to);

  // Source thread `from`: hands one packet to the workers in `to` (lanes made by ensureLane; others
  // are skipped). False when nobody got it. `arrivalNs`: when the kernel received the packet at the
  // source (CLOCK_MONOTONIC ns, 0: unknown), so destinations measure the added latency from there.
  bool send(size_t from, std::span<const uint16_t> to, uint64_t room, uint32_t producer, Packet::Type type,
            int layer, std::span<const uint8_t> bytes, uint64_t arrivalNs = 0) noexcept;

  // Destination thread `to`: calls `handle(const Packet&)` for every packet waiting toward it (at
  // most `limit`), releasing each after; returns how many.
  template <typename Handler>
  size_t drain(size_t to, Handler&& handle, size_t limit = SIZE_MAX) noexcept {
    size_t count = 0;
    for (size_t from = 0; from < workers_; ++from) {
      Ring* ring = ring_(from, to).load(std::memory_order_acquire);
      if (ring == nullptr) continue;
      Packet* packet = nullptr;
      while (count < limit && ring->pop(packet)) {
        handle(static_cast<const Packet&>(*packet));
        media::forward::HandoffPacketPool::release(*packet);
        ++count;
      }
    }
    bump(counters_[to].received, count);
    return count;
  }
  // Destination thread `to`, after draining: marks it asleep (sources then wake it through its
  // eventfd) unless a ring toward it is not empty; true when it may wait.
  bool sleepIfIdle(size_t to) noexcept;

  // The eventfd that wakes worker `to` (read it on `to`'s thread; owned here).
  [[nodiscard]] int wakeFd(size_t to) const noexcept { return wake_[to].fd; }
  [[nodiscard]] const Counters& counters(size_t worker) const noexcept { return counters_[worker]; }

 private:
  struct alignas(64) Wake {
    int fd = -1;
    std::atomic<bool> sleeping{false};
  };
  static void bump(std::atomic<uint64_t>& counter, uint64_t n = 1) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::atomic<Ring*>& ring_(size_t from, size_t to) const noexcept { return rings_[from * workers_ + to]; }

  size_t workers_;
  size_t ringPackets_;
  std::unique_ptr<std::atomic<Ring*>[]> rings_;    // [from * workers + to]
  std::vector<std::unique_ptr<Ring>> ownedRings_;  // slot [from * workers + to] written by `from` only
  std::vector<std::unique_ptr<media::forward::HandoffPacketPool>> pools_;  // [from], written by `from`
  std::unique_ptr<Wake[]> wake_;
  std::unique_ptr<Counters[]> counters_;
};

}  // namespace switchyard::server
