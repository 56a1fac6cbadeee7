#include "media/rtcp/TransportCcView.h"

#include <algorithm>

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

namespace {

constexpr uint8_t kSymbolReserved = 3;

// Symbol count of a chunk (before capping to what is left) and the symbol at an index.
size_t chunkLength(uint16_t chunk) noexcept {
  if ((chunk & 0x8000) == 0) return chunk & 0x1fff;  // run length
  return (chunk & 0x4000) == 0 ? 14 : 7;
}

uint8_t chunkSymbol(uint16_t chunk, size_t index) noexcept {
  if ((chunk & 0x8000) == 0) return static_cast<uint8_t>((chunk >> 13) & 3);
  if ((chunk & 0x4000) == 0) return static_cast<uint8_t>((chunk >> (13 - index)) & 1);
  return static_cast<uint8_t>((chunk >> (12 - 2 * index)) & 3);
}

}  // namespace

std::optional<TransportCcView> TransportCcView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtRtpfb || packet.fmt() != kFmtTransportCc) return std::nullopt;
  auto feedback = FeedbackView::parse(packet);
  if (!feedback) return std::nullopt;
  const auto fci = feedback->fci();
  if (fci.size() < kFixedFciSize) return std::nullopt;
  size_t remaining = util::read16(fci.data() + 2);
  if (remaining == 0) return std::nullopt;  // empty feedback (libwebrtc rejects it too)
  size_t pos = kFixedFciSize;
  size_t deltaBytes = 0;
  size_t received = 0;
  while (remaining > 0) {
    if (fci.size() - pos < 2) return std::nullopt;
    const uint16_t chunk = util::read16(fci.data() + pos);
    pos += 2;
    const size_t n = std::min(chunkLength(chunk), remaining);
    if ((chunk & 0x8000) == 0) {
      const uint8_t symbol = chunkSymbol(chunk, 0);
      if (n > 0 && symbol == kSymbolReserved) return std::nullopt;
      deltaBytes += n * symbol;  // the symbol value is the delta size in bytes
      if (symbol != 0) received += n;
    } else {
      for (size_t i = 0; i < n; ++i) {
        const uint8_t symbol = chunkSymbol(chunk, i);
        if (symbol == kSymbolReserved) return std::nullopt;
        deltaBytes += symbol;
        if (symbol != 0) ++received;
      }
    }
    remaining -= n;
  }
  if (fci.size() - pos < deltaBytes) return std::nullopt;
  return TransportCcView(*feedback, pos, received);
}

uint16_t TransportCcView::baseSeq() const noexcept {
  return util::read16(feedback_.fci().data());
}
uint16_t TransportCcView::statusCount() const noexcept {
  return util::read16(feedback_.fci().data() + 2);
}
uint32_t TransportCcView::referenceTimeRaw() const noexcept {
  return util::read24(feedback_.fci().data() + 4);
}
uint8_t TransportCcView::fbPktCount() const noexcept {
  return feedback_.fci()[7];
}

int32_t TransportCcView::referenceTime() const noexcept {
  return util::signExtend24(referenceTimeRaw());
}

TransportCcView::PacketReader::PacketReader(const TransportCcView& view) noexcept
    : fci_(view.feedback_.fci()),
      chunkPos_(kFixedFciSize),
      deltaPos_(view.deltaOffset_),
      remaining_(view.statusCount()),
      seq_(view.baseSeq()),
      arrivalTicks_(int64_t{view.referenceTime()} * kReferenceTimeTicks) {}

bool TransportCcView::PacketReader::next(TwccPacketStatus& status) noexcept {
  if (remaining_ == 0) return false;
  while (chunkSymbols_ == 0) {
    if (fci_.size() - chunkPos_ < 2) return false;  // cannot happen on a parsed view
    chunk_ = util::read16(fci_.data() + chunkPos_);
    chunkPos_ += 2;
    chunkSymbols_ = std::min(chunkLength(chunk_), remaining_);
    chunkIndex_ = 0;
  }
  const uint8_t symbol = chunkSymbol(chunk_, chunkIndex_);
  ++chunkIndex_;
  --chunkSymbols_;
  --remaining_;
  status.seq = seq_;
  seq_ = static_cast<uint16_t>(seq_ + 1);
  status.received = symbol != 0;
  status.deltaTicks = 0;
  status.arrivalTicks = 0;
  if (symbol == 1 && deltaPos_ < fci_.size()) {
    status.deltaTicks = fci_[deltaPos_];
    deltaPos_ += 1;
  } else if (symbol == 2 && fci_.size() - deltaPos_ >= 2) {
    status.deltaTicks = static_cast<int16_t>(util::read16(fci_.data() + deltaPos_));
    deltaPos_ += 2;
  }
  if (status.received) {
    arrivalTicks_ += status.deltaTicks;
    status.arrivalTicks = arrivalTicks_;
  }
  return true;
}

}  // namespace switchyard::media::rtcp
