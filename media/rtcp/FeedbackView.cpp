#include "media/rtcp/FeedbackView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<FeedbackView> FeedbackView::parse(const RtcpPacket& packet) noexcept {
  const uint8_t pt = packet.packetType();
  if (pt != kPtRtpfb && pt != kPtPsfb) return std::nullopt;
  if (packet.payload().size() < kFixedSize) return std::nullopt;
  return FeedbackView(packet.payload(), pt, packet.fmt());
}

uint32_t FeedbackView::senderSsrc() const noexcept {
  return util::read32(payload_.data());
}
uint32_t FeedbackView::mediaSsrc() const noexcept {
  return util::read32(payload_.data() + 4);
}

}  // namespace switchyard::media::rtcp
