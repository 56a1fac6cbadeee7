#include "media/forward/HandoffPacketPool.h"

namespace switchyard::media::forward {

HandoffPacketPool::HandoffPacketPool(size_t packets)
    : count_(packets == 0 ? 1 : packets), packets_(std::make_unique<HandoffPacket[]>(count_)) {}

HandoffPacket* HandoffPacketPool::acquire() noexcept {
  const size_t probes = count_ < kMaxProbe ? count_ : kMaxProbe;
  for (size_t i = 0; i < probes; ++i) {
    HandoffPacket& packet = packets_[cursor_];
    cursor_ = cursor_ + 1 == count_ ? 0 : cursor_ + 1;
    // Acquire: the receivers' reads of this packet happened before their releases.
    if (packet.references.load(std::memory_order_acquire) == 0) return &packet;
  }
  return nullptr;
}

size_t HandoffPacketPool::inUse() const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (packets_[i].references.load(std::memory_order_acquire) != 0) ++n;
  }
  return n;
}

}  // namespace switchyard::media::forward
