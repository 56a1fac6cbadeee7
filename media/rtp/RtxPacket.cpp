#include "media/rtp/RtxPacket.h"

#include <cstring>

#include "media/rtp/RtpPacket.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtp {

namespace {

constexpr uint8_t kPaddingBit = 0x20;
constexpr uint8_t kMarkerBit = 0x80;

// Header fields both directions rewrite: P bit cleared, marker kept.
void setHeaderFields(uint8_t* header, uint8_t payloadType, uint16_t sequenceNumber, uint32_t ssrc) noexcept {
  header[0] = static_cast<uint8_t>(header[0] & ~kPaddingBit);
  header[1] = static_cast<uint8_t>((header[1] & kMarkerBit) | payloadType);
  util::write16(header + 2, sequenceNumber);
  util::write32(header + 8, ssrc);
}

}  // namespace

std::optional<size_t> wrapRtx(std::span<const uint8_t> original, std::span<uint8_t> out,
                              uint8_t rtxPayloadType, uint32_t rtxSsrc, uint16_t rtxSequenceNumber) noexcept {
  if (rtxPayloadType > RtpPacketView::kMaxPayloadType) return std::nullopt;
  const std::optional<RtpPacketView> packet = RtpPacketView::parse(original);
  if (!packet) return std::nullopt;
  const size_t headerSize = packet->headerSize();
  const size_t payloadSize = packet->payloadSize();
  const size_t size = headerSize + kRtxOsnSize + payloadSize;
  if (out.size() < size) return std::nullopt;

  const uint16_t osn = packet->sequenceNumber();
  // Payload first (it moves right when wrapping in place), then the OSN over where it was.
  if (payloadSize != 0)
    std::memmove(out.data() + headerSize + kRtxOsnSize, packet->payload().data(), payloadSize);
  util::write16(out.data() + headerSize, osn);
  if (out.data() != original.data()) std::memmove(out.data(), original.data(), headerSize);
  setHeaderFields(out.data(), rtxPayloadType, rtxSequenceNumber, rtxSsrc);
  return size;
}

std::optional<size_t> unwrapRtx(std::span<uint8_t> packet, uint8_t originalPayloadType,
                                uint32_t originalSsrc) noexcept {
  if (originalPayloadType > RtpPacket::kMaxPayloadType) return std::nullopt;
  const std::optional<RtpPacket> rtx = RtpPacket::parse(packet);
  if (!rtx || rtx->payloadSize() < kRtxOsnSize) return std::nullopt;
  const size_t headerSize = rtx->headerSize();
  const size_t payloadSize = rtx->payloadSize() - kRtxOsnSize;
  uint8_t* payload = packet.data() + headerSize;

  const uint16_t osn = util::read16(payload);
  if (payloadSize != 0) std::memmove(payload, payload + kRtxOsnSize, payloadSize);
  setHeaderFields(packet.data(), originalPayloadType, osn, originalSsrc);
  return headerSize + payloadSize;
}

}  // namespace switchyard::media::rtp
