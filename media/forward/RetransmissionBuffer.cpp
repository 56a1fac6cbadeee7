#include "media/forward/RetransmissionBuffer.h"

#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "media/rtp/SequenceNumber.h"

namespace switchyard::media::forward {

namespace {

size_t roundedCapacity(size_t capacity) noexcept {
  if (capacity == 0) return 0;
  if (capacity >= RetransmissionBuffer::kMaxCapacity) return RetransmissionBuffer::kMaxCapacity;
  return std::bit_ceil(capacity);
}

}  // namespace

RetransmissionBuffer::RetransmissionBuffer(size_t capacity, size_t maxPacketSize, Clock::duration maxAge)
    : capacity_(roundedCapacity(capacity)),
      mask_(capacity_ == 0 ? 0 : capacity_ - 1),
      maxPacketSize_(maxPacketSize),
      maxAge_(maxAge) {
  if (maxPacketSize_ > std::numeric_limits<uint32_t>::max() ||
      (capacity_ != 0 && maxPacketSize_ > std::numeric_limits<size_t>::max() / capacity_)) {
    throw std::length_error("RetransmissionBuffer: capacity * maxPacketSize too large");
  }
  if (capacity_ == 0) return;
  bytes_ = std::make_unique_for_overwrite<uint8_t[]>(capacity_ * maxPacketSize_);
  slots_ = std::make_unique<Slot[]>(capacity_);
}

void RetransmissionBuffer::store(uint16_t seq, std::span<const uint8_t> packet,
                                 Clock::time_point now) noexcept {
  if (capacity_ == 0) return;
  if (packet.size() > maxPacketSize_) {
    ++counters_.tooLarge;
    return;
  }
  const size_t index = seq & mask_;
  Slot& slot = slots_[index];
  if (slot.used && slot.seq != seq && rtp::seqNewer(slot.seq, seq) && !expired(slot, now)) {
    ++counters_.stale;
    return;
  }
  if (!packet.empty()) std::memcpy(bytes_.get() + index * maxPacketSize_, packet.data(), packet.size());
  slot.storedAt = now;
  slot.size = static_cast<uint32_t>(packet.size());
  slot.seq = seq;
  slot.used = true;
  ++counters_.stored;
}

std::optional<std::span<const uint8_t>> RetransmissionBuffer::find(uint16_t seq,
                                                                   Clock::time_point now) const noexcept {
  if (capacity_ != 0) {
    const size_t index = seq & mask_;
    const Slot& slot = slots_[index];
    if (slot.used && slot.seq == seq && !expired(slot, now)) {
      ++counters_.hits;
      return std::span<const uint8_t>(bytes_.get() + index * maxPacketSize_, slot.size);
    }
  }
  ++counters_.misses;
  return std::nullopt;
}

void RetransmissionBuffer::clear() noexcept {
  for (size_t i = 0; i < capacity_; ++i)
    slots_[i] = Slot{};
}

size_t RetransmissionBuffer::memoryBytes() const noexcept {
  return capacity_ * maxPacketSize_ + capacity_ * sizeof(Slot);
}

}  // namespace switchyard::media::forward
