#include "media/rtcp/FirView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<FirView> FirView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtPsfb || packet.fmt() != kFmtFir) return std::nullopt;
  auto feedback = FeedbackView::parse(packet);
  if (!feedback) return std::nullopt;
  const size_t fciSize = feedback->fci().size();
  if (fciSize == 0 || fciSize % kEntrySize != 0) return std::nullopt;
  return FirView(*feedback);
}

FirEntry FirView::entry(size_t index) const noexcept {
  if (index >= entryCount()) return {};
  const uint8_t* p = feedback_.fci().data() + index * kEntrySize;
  return FirEntry{util::read32(p), p[4]};
}

}  // namespace switchyard::media::rtcp
