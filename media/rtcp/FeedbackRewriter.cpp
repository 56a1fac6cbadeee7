#include "media/rtcp/FeedbackRewriter.h"

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/RembView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/RtcpPacket.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

namespace {

constexpr size_t kSenderSsrcOffset = 4;
constexpr size_t kMediaSsrcOffset = 8;
constexpr size_t kFciOffset = 12;

void mapAt(std::span<uint8_t> bytes, size_t offset, FeedbackRewriter::SsrcMapFn map, void* context) noexcept {
  uint8_t* p = bytes.data() + offset;
  util::write32(p, map(context, util::read32(p)));
}

uint32_t constantSsrc(void* context, uint32_t) noexcept {
  return *static_cast<const uint32_t*>(context);
}

}  // namespace

bool FeedbackRewriter::setSenderSsrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept {
  const auto parsed = RtcpPacket::parse(packet);
  if (!parsed) return false;
  const uint8_t pt = parsed->packetType();
  if (pt != kPtSr && pt != kPtRr && pt != kPtRtpfb && pt != kPtPsfb) return false;
  if (parsed->payload().size() < 4) return false;
  util::write32(packet.data() + kSenderSsrcOffset, ssrc);
  return true;
}

size_t FeedbackRewriter::mapMediaSsrcs(std::span<uint8_t> packet, SsrcMapFn map, void* context) noexcept {
  const auto parsed = RtcpPacket::parse(packet);
  if (!parsed) return 0;
  const auto feedback = FeedbackView::parse(*parsed);
  if (!feedback) return 0;
  const uint8_t pt = feedback->packetType();
  const uint8_t fmt = feedback->fmt();
  if ((pt == kPtRtpfb && (fmt == kFmtNack || fmt == kFmtTransportCc)) || (pt == kPtPsfb && fmt == kFmtPli)) {
    mapAt(packet, kMediaSsrcOffset, map, context);
    return 1;
  }
  if (pt == kPtPsfb && fmt == kFmtFir) {
    const auto fir = FirView::parse(*parsed);
    if (!fir) return 0;
    for (size_t i = 0; i < fir->entryCount(); ++i)
      mapAt(packet, kFciOffset + i * FirView::kEntrySize, map, context);
    return fir->entryCount();
  }
  if (pt == kPtPsfb && fmt == kFmtAfb) {
    const auto remb = RembView::parse(*parsed);
    if (!remb) return 0;
    for (size_t i = 0; i < remb->ssrcCount(); ++i)
      mapAt(packet, kFciOffset + 8 + i * 4, map, context);
    return remb->ssrcCount();
  }
  return 0;
}

size_t FeedbackRewriter::setMediaSsrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept {
  return mapMediaSsrcs(packet, &constantSsrc, &ssrc);
}

bool FeedbackRewriter::rewriteCompound(std::span<uint8_t> compound, std::optional<uint32_t> senderSsrc,
                                       SsrcMapFn map, void* context) noexcept {
  const RtcpCompound view(compound);
  if (!view.valid()) return false;
  for (auto it = view.begin(); it != view.end(); ++it) {
    // Only the last packet may carry padding, and its span then runs to the end of the buffer, so
    // parsing the sub-span from the packet's offset finds the same packet.
    const auto bytes = compound.subspan(it.offset(), it->size());
    if (senderSsrc) setSenderSsrc(bytes, *senderSsrc);
    mapMediaSsrcs(bytes, map, context);
  }
  return true;
}

}  // namespace switchyard::media::rtcp
