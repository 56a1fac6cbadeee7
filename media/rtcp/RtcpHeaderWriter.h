#pragma once
// Writing the RTCP common header (RFC 3550 §6.4.1: V=2, P=0, count/FMT, PT, length) in two steps:
// writeRtcpHeader() puts a zero length, and finishRtcpPacket() zero-pads the packet to 32 bits
// (inside the length, no P bit) and patches the length in 32-bit words minus one. Shared by every
// RTCP builder (RtcpCompoundBuilder, TransportCcWriter).
#include <cstddef>
#include <cstdint>

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"
#include "media/util/ByteWriter.h"
#include "media/util/Padding.h"

namespace switchyard::media::rtcp {

// `count` is RC/SC or FMT (5 bits).
inline void writeRtcpHeader(util::ByteWriter& writer, size_t count, uint8_t packetType) noexcept {
  writer.u8(static_cast<uint8_t>((kVersion << 6) | (count & kMaxCount)));
  writer.u8(packetType);
  writer.u16(0);  // length, patched by finishRtcpPacket()
}

// `start` is the writer offset of the packet's header. False if the writer ran out of room or the
// packet is too long for the 16-bit length field.
[[nodiscard]] inline bool finishRtcpPacket(util::ByteWriter& writer, size_t start) noexcept {
  writer.zeros(util::padding4(writer.size() - start));
  if (!writer.ok()) return false;
  const size_t words = (writer.size() - start) / 4 - 1;
  if (words > 0xffff) return false;
  util::write16(writer.at(start + 2), static_cast<uint16_t>(words));
  return true;
}

}  // namespace switchyard::media::rtcp
