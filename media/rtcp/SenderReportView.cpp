#include "media/rtcp/SenderReportView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<SenderReportView> SenderReportView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtSr) return std::nullopt;
  const auto reports = ReportBlockList::parse(packet.payload(), kFixedSize, packet.count());
  if (!reports) return std::nullopt;
  return SenderReportView(packet.payload(), *reports);
}

uint32_t SenderReportView::senderSsrc() const noexcept {
  return util::read32(payload_.data());
}
uint64_t SenderReportView::ntpTimestamp() const noexcept {
  return util::read64(payload_.data() + 4);
}
uint32_t SenderReportView::ntpSeconds() const noexcept {
  return util::read32(payload_.data() + 4);
}
uint32_t SenderReportView::ntpFraction() const noexcept {
  return util::read32(payload_.data() + 8);
}
uint32_t SenderReportView::compactNtp() const noexcept {
  return util::read32(payload_.data() + 6);
}
uint32_t SenderReportView::rtpTimestamp() const noexcept {
  return util::read32(payload_.data() + 12);
}
uint32_t SenderReportView::packetCount() const noexcept {
  return util::read32(payload_.data() + 16);
}
uint32_t SenderReportView::octetCount() const noexcept {
  return util::read32(payload_.data() + 20);
}

SenderInfo SenderReportView::senderInfo() const noexcept {
  return SenderInfo{senderSsrc(), ntpTimestamp(), rtpTimestamp(), packetCount(), octetCount()};
}

}  // namespace switchyard::media::rtcp
