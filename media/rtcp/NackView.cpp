#include "media/rtcp/NackView.h"

#include <bit>

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<NackView> NackView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtRtpfb || packet.fmt() != kFmtNack) return std::nullopt;
  auto feedback = FeedbackView::parse(packet);
  if (!feedback) return std::nullopt;
  const size_t fciSize = feedback->fci().size();
  if (fciSize == 0 || fciSize % kItemSize != 0) return std::nullopt;
  return NackView(*feedback);
}

NackItem NackView::item(size_t index) const noexcept {
  if (index >= itemCount()) return {};
  const uint8_t* p = feedback_.fci().data() + index * kItemSize;
  return NackItem{util::read16(p), util::read16(p + 2)};
}

size_t NackView::lostCount() const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < itemCount(); ++i)
    n += 1 + static_cast<size_t>(std::popcount(item(i).blp));
  return n;
}

}  // namespace switchyard::media::rtcp
