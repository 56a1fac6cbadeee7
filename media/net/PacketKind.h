#pragma once
// First-byte demultiplexing of everything that arrives on a worker's shared UDP port (or inside an
// RFC 4571 frame on an ICE-TCP connection), RFC 7983 §7 (updating RFC 5764 §5.1.2):
//
//             +----------------+
//             |        [0..3] -+--> forward to STUN
//             |                |
//             |      [16..19] -+--> forward to ZRTP      (not used: unknown)
//             |                |
//  packet --> |      [20..63] -+--> forward to DTLS
//             |                |
//             |      [64..79] -+--> forward to TURN Channel (not used: we are not a TURN server)
//             |                |
//             |    [128..191] -+--> forward to RTP/RTCP
//             +----------------+
//
// Anything else (and an empty packet) is unknown and dropped by the caller.
#include <cstdint>
#include <span>

#include "media/util/RtpRtcpDemux.h"

namespace switchyard::media::net {

enum class PacketKind : uint8_t { kUnknown = 0, kStun, kDtls, kRtpRtcp };

[[nodiscard]] constexpr PacketKind classifyFirstByte(uint8_t firstByte) noexcept {
  if (firstByte <= 3) return PacketKind::kStun;
  if (firstByte >= 20 && firstByte <= 63) return PacketKind::kDtls;
  if (util::isRtpOrRtcpFirstByte(firstByte)) return PacketKind::kRtpRtcp;
  return PacketKind::kUnknown;
}

[[nodiscard]] constexpr PacketKind classifyPacket(std::span<const uint8_t> packet) noexcept {
  return packet.empty() ? PacketKind::kUnknown : classifyFirstByte(packet[0]);
}

[[nodiscard]] constexpr const char* toString(PacketKind kind) noexcept {
  switch (kind) {
    case PacketKind::kStun:
      return "stun";
    case PacketKind::kDtls:
      return "dtls";
    case PacketKind::kRtpRtcp:
      return "rtp/rtcp";
    case PacketKind::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace switchyard::media::net
