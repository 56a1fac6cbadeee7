#include "media/rtcp/ByeView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<ByeView> ByeView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtBye) return std::nullopt;
  const auto payload = packet.payload();
  const size_t count = packet.count();
  const size_t ssrcBytes = count * 4;
  if (payload.size() < ssrcBytes) return std::nullopt;
  bool hasReason = false;
  if (payload.size() > ssrcBytes) {
    const size_t length = payload[ssrcBytes];
    if (payload.size() - ssrcBytes - 1 < length) return std::nullopt;
    hasReason = true;
  }
  return ByeView(payload, count, hasReason);
}

uint32_t ByeView::ssrc(size_t index) const noexcept {
  if (index >= ssrcCount_) return 0;
  return util::read32(payload_.data() + index * 4);
}

std::string_view ByeView::reason() const noexcept {
  if (!hasReason_) return {};
  const size_t offset = ssrcCount_ * 4;
  return {reinterpret_cast<const char*>(payload_.data() + offset + 1), payload_[offset]};
}

}  // namespace switchyard::media::rtcp
