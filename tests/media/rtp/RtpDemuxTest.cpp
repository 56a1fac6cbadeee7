#include "media/rtp/RtpDemux.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

using namespace switchyard::media::rtp;  // NOLINT(google-build-using-namespace)

TEST_CASE("RtpDemux: RFC 7983 §7 first-byte ranges") {
  for (unsigned b = 0; b < 256; ++b) {
    const bool expected = b >= 128 && b <= 191;
    CHECK(isRtpOrRtcpFirstByte(static_cast<uint8_t>(b)) == expected);
    const std::vector<uint8_t> packet = {static_cast<uint8_t>(b)};
    CHECK(isRtpOrRtcp(packet) == expected);
  }
  CHECK_FALSE(isRtpOrRtcp({}));
  // STUN (0..3), DTLS (20..63), TURN channel (64..79) are not RTP.
  CHECK_FALSE(isRtpOrRtcpFirstByte(0x00));
  CHECK_FALSE(isRtpOrRtcpFirstByte(22));  // DTLS handshake
  CHECK_FALSE(isRtpOrRtcpFirstByte(64));
}

TEST_CASE("RtpDemux: RFC 5761 §4 RTCP packet types 192..223 in the second byte") {
  for (unsigned b = 0; b < 256; ++b)
    CHECK(isRtcpPacketType(static_cast<uint8_t>(b)) == (b >= 192 && b <= 223));
  const std::vector<uint8_t> senderReport = {0x80, 200, 0x00, 0x06};
  const std::vector<uint8_t> receiverReport = {0x81, 201, 0x00, 0x07};
  const std::vector<uint8_t> vp8WithMarker = {0x90, 0xE0, 0x1A, 0x2B};  // M=1 PT=96 -> 224
  const std::vector<uint8_t> opus = {0x80, 111, 0x00, 0x01};
  const std::vector<uint8_t> pt72Marker = {0x80, 0xC8, 0x00, 0x01};  // M=1 PT=72 collides: RTCP
  CHECK(isRtcp(senderReport));
  CHECK(isRtcp(receiverReport));
  CHECK_FALSE(isRtp(senderReport));
  CHECK(isRtp(vp8WithMarker));
  CHECK_FALSE(isRtcp(vp8WithMarker));
  CHECK(isRtp(opus));
  CHECK(isRtcp(pt72Marker));
  const std::vector<uint8_t> one = {0x80};
  CHECK_FALSE(isRtp(one));
  CHECK_FALSE(isRtcp(one));
  const std::vector<uint8_t> stun = {0x00, 0x01};
  CHECK_FALSE(isRtp(stun));
  CHECK_FALSE(isRtcp(stun));
}
