#pragma once
// Immutable, reference-counted packets that one worker hands to others (a room spread over several
// workers: the publisher's worker decrypts once, every worker holding subscribers encrypts for its
// own). A fixed pool, allocated at construction; the owning (source) thread acquires a free packet,
// fills it, sets its reference count to the number of receivers and pushes a pointer to each
// receiver's SpscRing; each receiver reads it and releases it, the last release frees it. Only the
// source thread acquires; any thread releases. acquire/release never allocate, lock, throw or log:
// acquire looks for a free slot from a rotating cursor and gives up after kMaxProbe slots (the
// caller drops and counts; packets are released in about the order they were taken, so the next
// slot is nearly always free).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace switchyard::media::forward {

struct HandoffPacket {
  enum class Type : uint8_t { kRtp, kSenderReport };
  static constexpr size_t kMaxSize = 1500;

  std::atomic<uint32_t> references{0};  // 0: free
  uint64_t room = 0;                    // the receivers' key of the router
  uint32_t producer = 0;                // the producer id (the same on every worker)
  int8_t layer = 0;                     // simulcast layer of the packet (0 without simulcast)
  Type type = Type::kRtp;
  uint16_t size = 0;
  uint64_t arrivalNs = 0;  // kernel arrival at the source worker (CLOCK_MONOTONIC ns), 0: unknown
  std::array<uint8_t, kMaxSize> data{};

  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return std::span(data).first(size); }
};

class HandoffPacketPool {
 public:
  static constexpr size_t kMaxProbe = 64;

  explicit HandoffPacketPool(size_t packets);
  HandoffPacketPool(const HandoffPacketPool&) = delete;
  HandoffPacketPool& operator=(const HandoffPacketPool&) = delete;

  // Source thread: a free packet (its reference count still 0; set it before handing it out), or
  // nullptr when none was found.
  [[nodiscard]] HandoffPacket* acquire() noexcept;
  // Any thread: one reference less; the last frees the packet. False when references remain.
  static bool release(HandoffPacket& packet) noexcept {
    return packet.references.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

  [[nodiscard]] size_t capacity() const noexcept { return count_; }
  // Packets currently referenced (a snapshot; tests).
  [[nodiscard]] size_t inUse() const noexcept;

 private:
  size_t count_;
  std::unique_ptr<HandoffPacket[]> packets_;
  size_t cursor_ = 0;  // source thread only
};

}  // namespace switchyard::media::forward
