#include "media/net/PacketKind.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

using switchyard::media::net::classifyPacket;
using switchyard::media::net::PacketKind;

TEST_CASE("PacketKind: RFC 7983 §7 table over all 256 first bytes") {
  // RFC 7983 §7: [0..3] STUN, [16..19] ZRTP, [20..63] DTLS, [64..79] TURN channel,
  // [128..191] RTP/RTCP. We serve STUN, DTLS and RTP/RTCP only: the rest is unknown.
  size_t stun = 0, dtls = 0, rtp = 0, unknown = 0;
  for (unsigned b = 0; b < 256; ++b) {
    PacketKind expected = PacketKind::kUnknown;
    if (b <= 3) expected = PacketKind::kStun;
    if (b >= 20 && b <= 63) expected = PacketKind::kDtls;
    if (b >= 128 && b <= 191) expected = PacketKind::kRtpRtcp;
    const std::vector<uint8_t> one = {static_cast<uint8_t>(b)};
    const std::vector<uint8_t> longer = {static_cast<uint8_t>(b), 0xff, 0x00, 0x42};
    INFO("first byte " << b);
    CHECK(classifyPacket(one) == expected);
    CHECK(classifyPacket(longer) == expected);
    switch (classifyPacket(one)) {
      case PacketKind::kStun:
        ++stun;
        break;
      case PacketKind::kDtls:
        ++dtls;
        break;
      case PacketKind::kRtpRtcp:
        ++rtp;
        break;
      case PacketKind::kUnknown:
        ++unknown;
        break;
    }
  }
  CHECK(stun == 4);
  CHECK(dtls == 44);
  CHECK(rtp == 64);
  CHECK(unknown == 256 - 4 - 44 - 64);
}

TEST_CASE("PacketKind: boundaries and real first bytes") {
  CHECK(classifyPacket({}) == PacketKind::kUnknown);
  const std::vector<uint8_t> bindingRequest = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
  const std::vector<uint8_t> dtlsHandshake = {22, 0xfe, 0xfd};  // DTLS 1.2 record
  const std::vector<uint8_t> dtlsAppData = {23, 0xfe, 0xfd};
  const std::vector<uint8_t> rtp = {0x80, 111};
  const std::vector<uint8_t> rtcp = {0x81, 200};
  CHECK(classifyPacket(bindingRequest) == PacketKind::kStun);
  CHECK(classifyPacket(dtlsHandshake) == PacketKind::kDtls);
  CHECK(classifyPacket(dtlsAppData) == PacketKind::kDtls);
  CHECK(classifyPacket(rtp) == PacketKind::kRtpRtcp);
  CHECK(classifyPacket(rtcp) == PacketKind::kRtpRtcp);
  static_assert(switchyard::media::net::classifyFirstByte(19) == PacketKind::kUnknown);  // ZRTP
  static_assert(switchyard::media::net::classifyFirstByte(20) == PacketKind::kDtls);
  static_assert(switchyard::media::net::classifyFirstByte(63) == PacketKind::kDtls);
  static_assert(switchyard::media::net::classifyFirstByte(64) == PacketKind::kUnknown);  // TURN
  static_assert(switchyard::media::net::classifyFirstByte(127) == PacketKind::kUnknown);
  static_assert(switchyard::media::net::classifyFirstByte(192) == PacketKind::kUnknown);
  CHECK(std::string(toString(PacketKind::kDtls)) == "dtls");
}
