#pragma once
// The recent packets of one published media stream, kept to answer subscribers' NACKs
// (RFC 4585 §6.2.1 Generic NACK) by resending them, as RTX (RFC 4588) to subscribers that
// negotiated it. One per producer stream; every consumer of it reads the same stored copy and
// rewrites the header for its subscriber.
//
// A ring of `capacity` slots (rounded up to a power of two, at most 65536; 0 keeps nothing, e.g.
// for audio) indexed by seq & (capacity - 1), each holding up to `maxPacketSize` bytes, in one
// contiguous byte array allocated at construction with the per-slot metadata. store() and find()
// never allocate, throw or lock.
//
//   RetransmissionBuffer buffer(512);               // control plane: allocates once
//   buffer.store(seq, packet, now);                 // each packet received from the publisher
//   if (auto p = buffer.find(nackedSeq, now)) ...   // each sequence number a NACK names
//
// A stored packet is dropped when it is older than `maxAge`, when a newer sequence number takes
// its slot, or never read if a later store of an older sequence number arrives (a late, reordered
// packet does not evict a newer unexpired one: counted as `stale`). A span from find() stays valid
// until the next store() into that slot.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class RetransmissionBuffer {
 public:
  using Clock = transport::Clock;

  static constexpr size_t kDefaultMaxPacketSize = 1500;
  static constexpr std::chrono::milliseconds kDefaultMaxAge{1000};
  static constexpr size_t kMaxCapacity = size_t{1} << 16;  // one slot per sequence number

  struct Counters {
    uint64_t stored = 0;    // packets written into a slot
    uint64_t tooLarge = 0;  // packets larger than maxPacketSize, not stored
    uint64_t stale = 0;     // packets not stored: their slot holds a newer, unexpired one
    uint64_t hits = 0;      // find() returned a packet
    uint64_t misses = 0;    // find() found nothing: never stored, overwritten or expired
  };

  // Allocates capacity (rounded up to a power of two, capped at kMaxCapacity) * maxPacketSize
  // bytes plus the slot metadata. Throws std::bad_alloc / std::length_error (control plane).
  explicit RetransmissionBuffer(size_t capacity, size_t maxPacketSize = kDefaultMaxPacketSize,
                                Clock::duration maxAge = kDefaultMaxAge);

  RetransmissionBuffer(const RetransmissionBuffer&) = delete;
  RetransmissionBuffer& operator=(const RetransmissionBuffer&) = delete;
  RetransmissionBuffer(RetransmissionBuffer&&) noexcept = default;
  RetransmissionBuffer& operator=(RetransmissionBuffer&&) noexcept = default;
  ~RetransmissionBuffer() = default;

  // Copies `packet` (the original, decrypted packet as received from the publisher) into the
  // slot of `seq`. Larger than maxPacketSize: not stored (tooLarge). Nothing with capacity 0.
  void store(uint16_t seq, std::span<const uint8_t> packet, Clock::time_point now) noexcept;

  // The stored packet of `seq` if its slot holds exactly that sequence number, stored no longer
  // than maxAge before `now`; std::nullopt otherwise. Counts a hit or a miss.
  [[nodiscard]] std::optional<std::span<const uint8_t>> find(uint16_t seq,
                                                             Clock::time_point now) const noexcept;

  // Forgets every stored packet (e.g. the publisher's stream restarted); counters are kept.
  void clear() noexcept;

  [[nodiscard]] size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] size_t maxPacketSize() const noexcept { return maxPacketSize_; }
  [[nodiscard]] Clock::duration maxAge() const noexcept { return maxAge_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  // The bytes allocated at construction (packet storage + slot metadata).
  [[nodiscard]] size_t memoryBytes() const noexcept;

 private:
  struct Slot {
    Clock::time_point storedAt{};
    uint32_t size = 0;
    uint16_t seq = 0;
    bool used = false;
  };

  [[nodiscard]] bool expired(const Slot& slot, Clock::time_point now) const noexcept {
    return now - slot.storedAt > maxAge_;
  }

  size_t capacity_ = 0;
  size_t mask_ = 0;
  size_t maxPacketSize_ = 0;
  Clock::duration maxAge_{};
  std::unique_ptr<uint8_t[]> bytes_;
  std::unique_ptr<Slot[]> slots_;
  mutable Counters counters_;
};

}  // namespace switchyard::media::forward
