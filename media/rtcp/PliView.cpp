#include "media/rtcp/PliView.h"

#include "media/rtcp/RtcpConstants.h"

namespace switchyard::media::rtcp {

std::optional<PliView> PliView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtPsfb || packet.fmt() != kFmtPli) return std::nullopt;
  auto feedback = FeedbackView::parse(packet);
  if (!feedback) return std::nullopt;
  return PliView(*feedback);
}

}  // namespace switchyard::media::rtcp
