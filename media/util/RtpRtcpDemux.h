#pragma once
// Telling RTP and RTCP apart on a shared port (used by media/rtp and media/rtcp alike).
//  - RFC 7983 §7 (updating RFC 5764 §5.1.2): a first byte 128..191 is RTP or RTCP (version 2);
//    0..3 STUN, 16..19 ZRTP, 20..63 DTLS, 64..79 TURN channel.
//  - RFC 5761 §4 (rtcp-mux): RTCP packet types 192..223 occupy the second byte where RTP has
//    M + PT; with RTP payload types 64..95 unused, a second byte 192..223 means RTCP.
#include <cstdint>
#include <span>

namespace switchyard::media::util {

[[nodiscard]] constexpr bool isRtpOrRtcpFirstByte(uint8_t firstByte) noexcept {
  return firstByte >= 128 && firstByte <= 191;
}

// True if the packet's first byte is in the RFC 7983 RTP/RTCP range (false if empty).
[[nodiscard]] constexpr bool isRtpOrRtcp(std::span<const uint8_t> packet) noexcept {
  return !packet.empty() && isRtpOrRtcpFirstByte(packet[0]);
}

// RFC 5761 §4: the second byte of a muxed packet is an RTCP packet type (192..223).
[[nodiscard]] constexpr bool isRtcpPacketType(uint8_t secondByte) noexcept {
  return secondByte >= 192 && secondByte <= 223;
}

// An RTP/RTCP packet (RFC 7983) whose second byte is an RTCP packet type (RFC 5761).
[[nodiscard]] constexpr bool isRtcp(std::span<const uint8_t> packet) noexcept {
  return packet.size() >= 2 && isRtpOrRtcpFirstByte(packet[0]) && isRtcpPacketType(packet[1]);
}

// An RTP/RTCP packet (RFC 7983) whose second byte is not an RTCP packet type (RFC 5761).
[[nodiscard]] constexpr bool isRtp(std::span<const uint8_t> packet) noexcept {
  return packet.size() >= 2 && isRtpOrRtcpFirstByte(packet[0]) && !isRtcpPacketType(packet[1]);
}

}  // namespace switchyard::media::util
