#include "media/rtcp/ReceiverReportView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<ReceiverReportView> ReceiverReportView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtRr) return std::nullopt;
  const size_t count = packet.count();
  if (packet.payload().size() < kFixedSize + count * ReportBlock::kSize) return std::nullopt;
  return ReceiverReportView(packet.payload(), count);
}

uint32_t ReceiverReportView::senderSsrc() const noexcept {
  return util::read32(payload_.data());
}

ReportBlock ReceiverReportView::reportBlock(size_t index) const noexcept {
  if (index >= reportCount_) return {};
  return ReportBlock::parse(payload_.subspan(kFixedSize + index * ReportBlock::kSize))
      .value_or(ReportBlock{});
}

std::span<const uint8_t> ReceiverReportView::extension() const noexcept {
  return payload_.subspan(kFixedSize + reportCount_ * ReportBlock::kSize);
}

}  // namespace switchyard::media::rtcp
