#include "media/rtcp/ReceiverReportView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<ReceiverReportView> ReceiverReportView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtRr) return std::nullopt;
  const auto reports = ReportBlockList::parse(packet.payload(), kFixedSize, packet.count());
  if (!reports) return std::nullopt;
  return ReceiverReportView(packet.payload(), *reports);
}

uint32_t ReceiverReportView::senderSsrc() const noexcept {
  return util::read32(payload_.data());
}

}  // namespace switchyard::media::rtcp
