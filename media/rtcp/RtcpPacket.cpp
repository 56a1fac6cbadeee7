#include "media/rtcp/RtcpPacket.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<RtcpPacket> RtcpPacket::parse(std::span<const uint8_t> buffer) noexcept {
  if (buffer.size() < kHeaderSize) return std::nullopt;
  if ((buffer[0] >> 6) != kVersion) return std::nullopt;
  const size_t size = (size_t{util::read16(buffer.data() + 2)} + 1) * 4;
  if (size > buffer.size()) return std::nullopt;
  const auto data = buffer.first(size);
  size_t payloadSize = size - kHeaderSize;
  if ((buffer[0] & 0x20) != 0) {
    if (size != buffer.size()) return std::nullopt;  // padding on a packet that is not the last
    const size_t pad = data[size - 1];
    if (pad == 0 || pad > payloadSize) return std::nullopt;
    payloadSize -= pad;
  }
  return RtcpPacket(data, data.subspan(kHeaderSize, payloadSize));
}

uint16_t RtcpPacket::lengthWords() const noexcept {
  return util::read16(data_.data() + 2);
}

}  // namespace switchyard::media::rtcp
