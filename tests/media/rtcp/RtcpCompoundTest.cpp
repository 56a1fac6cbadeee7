// Compound iteration (RFC 3550 §6.1) and the common header checks (RFC 3550 §6.4.1).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/SdesView.h"
#include "media/rtcp/SenderReportView.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;

namespace {

// A Chromium-style compound as sent every ~1 s by a video sender (reconstructed by hand): an SR
// without report blocks followed by an SDES with the 16-character random CNAME Chrome generates.
const std::vector<uint8_t> kChromeSrSdes =
    hex("80 c8 00 06 | d2 2f 4e 1a | e8 a6 3b 7a 1c ac 08 31 | 5f 3b 8a 10 | 00 00 01 f4 | 00 06 1a 80"
        "81 ca 00 06 | d2 2f 4e 1a | 01 10 58 6b 39 64 50 71 32 4c 6d 5a 37 76 42 34 72 54 | 00 00");

std::vector<RtcpPacket> collect(const RtcpCompound& compound) {
  std::vector<RtcpPacket> packets;
  for (const auto& packet : compound)
    packets.push_back(packet);
  return packets;
}

}  // namespace

TEST_CASE("compound: Chrome SR + SDES iterates two packets") {
  const RtcpCompound compound(kChromeSrSdes);
  REQUIRE(compound.valid());
  REQUIRE(compound.packetCount() == 2);
  const auto packets = collect(compound);
  REQUIRE(packets.size() == 2);
  CHECK(packets[0].packetType() == kPtSr);
  CHECK(packets[0].count() == 0);
  CHECK(packets[0].lengthWords() == 6);
  CHECK(packets[0].size() == 28);
  CHECK(packets[0].payload().size() == 24);
  CHECK_FALSE(packets[0].padding());
  CHECK(packets[1].packetType() == kPtSdes);
  CHECK(packets[1].data().data() == kChromeSrSdes.data() + 28);

  const auto sr = SenderReportView::parse(packets[0]);
  REQUIRE(sr);
  CHECK(sr->senderSsrc() == 0xd22f4e1au);
  CHECK(sr->ntpSeconds() == 0xe8a63b7au);
  CHECK(sr->ntpFraction() == 0x1cac0831u);
  CHECK(sr->ntpTimestamp() == 0xe8a63b7a1cac0831ull);
  CHECK(sr->compactNtp() == 0x3b7a1cacu);
  CHECK(sr->rtpTimestamp() == 0x5f3b8a10u);
  CHECK(sr->packetCount() == 500);
  CHECK(sr->octetCount() == 400000);
  CHECK(sr->reportCount() == 0);
  CHECK(sr->extension().empty());

  const auto sdes = SdesView::parse(packets[1]);
  REQUIRE(sdes);
  CHECK(sdes->chunkCount() == 1);
  CHECK(sdes->itemCount() == 1);
  CHECK(sdes->cname(0xd22f4e1au) == "Xk9dPq2LmZ7vB4rT");
  CHECK(sdes->firstCname() == "Xk9dPq2LmZ7vB4rT");
  CHECK_FALSE(sdes->cname(1).has_value());
}

TEST_CASE("compound: iterator offsets and error flag") {
  const RtcpCompound compound(kChromeSrSdes);
  auto it = compound.begin();
  CHECK(it.offset() == 0);
  ++it;
  CHECK(it.offset() == 28);
  ++it;
  CHECK(it == compound.end());
  CHECK_FALSE(it.error());
  CHECK(compound.errorOffset() == kChromeSrSdes.size());
}

TEST_CASE("compound: truncation at every length ends cleanly with an error") {
  for (size_t n = 0; n < kChromeSrSdes.size(); ++n) {
    const std::span<const uint8_t> cut(kChromeSrSdes.data(), n);
    const RtcpCompound compound(cut);
    INFO("length " << n);
    if (n == 28) {  // exactly the SR: a valid compound of one packet
      CHECK(compound.valid());
      CHECK(compound.packetCount() == 1);
      continue;
    }
    CHECK_FALSE(compound.valid());
    // The SR survives once complete; the truncated SDES never does.
    CHECK(compound.packetCount() == (n >= 28 ? 1u : 0u));
    CHECK(compound.errorOffset() == (n >= 28 ? 28u : 0u));
    size_t seen = 0;
    auto it = compound.begin();
    for (; it != compound.end(); ++it)
      ++seen;
    CHECK(seen == compound.packetCount());
    CHECK(it.error());
  }
}

TEST_CASE("compound: empty buffer is invalid") {
  const RtcpCompound compound(std::span<const uint8_t>{});
  CHECK_FALSE(compound.valid());
  CHECK(compound.packetCount() == 0);
  CHECK(compound.begin() == compound.end());
  CHECK(compound.begin().error());
}

TEST_CASE("compound: bad version stops iteration") {
  auto bytes = kChromeSrSdes;
  bytes[28] = 0x41;  // version 1 on the SDES
  const RtcpCompound compound(bytes);
  CHECK_FALSE(compound.valid());
  CHECK(compound.packetCount() == 1);
  bytes[0] = 0x00;  // version 0 on the first packet
  CHECK(RtcpCompound(bytes).packetCount() == 0);
}

TEST_CASE("compound: length field past the buffer is an error") {
  auto bytes = kChromeSrSdes;
  bytes[31] = 0x07;  // SDES claims 32 bytes, 28 remain
  const RtcpCompound compound(bytes);
  CHECK_FALSE(compound.valid());
  CHECK(compound.packetCount() == 1);
  bytes[3] = 0xff;
  bytes[2] = 0xff;  // SR claims 262144 bytes
  CHECK(RtcpCompound(bytes).packetCount() == 0);
}

TEST_CASE("compound: length field shorter than the packet shifts into garbage") {
  auto bytes = kChromeSrSdes;
  bytes[3] = 0x05;  // SR ends 4 bytes early: next "header" is the octet count 00 06 1a 80
  const RtcpCompound compound(bytes);
  CHECK_FALSE(compound.valid());
  CHECK(compound.packetCount() == 1);
  CHECK(compound.errorOffset() == 24);
}

TEST_CASE("compound: trailing bytes shorter than a header are an error") {
  auto bytes = kChromeSrSdes;
  bytes.push_back(0x80);
  bytes.push_back(0xc9);
  const RtcpCompound compound(bytes);
  CHECK_FALSE(compound.valid());
  CHECK(compound.packetCount() == 2);
}

TEST_CASE("compound: padding bit only on the last packet (RFC 3550 §6.4.1)") {
  // RR with no blocks (8 bytes) + 4 bytes padding (count 4) as the last packet: valid.
  const auto last =
      hex("80 c9 00 01 | 00 00 00 01 || 80 cb 00 00 || a0 c9 00 02 | 00 00 00 02 | 00 00 00 04");
  const RtcpCompound ok(last);
  REQUIRE(ok.valid());
  const auto packets = collect(ok);
  REQUIRE(packets.size() == 3);
  CHECK(packets[2].padding());
  CHECK(packets[2].size() == 12);
  CHECK(packets[2].payload().size() == 4);

  // The same padded RR first: padding on a non-last packet is an error.
  const auto first = hex("a0 c9 00 02 | 00 00 00 02 | 00 00 00 04 || 80 c9 00 01 | 00 00 00 01");
  const RtcpCompound bad(first);
  CHECK_FALSE(bad.valid());
  CHECK(bad.packetCount() == 0);
}

TEST_CASE("compound: bad padding counts") {
  // Padding count 0, and larger than the packet body.
  CHECK_FALSE(RtcpCompound(hex("a0 c9 00 01 | 00 00 00 00")).valid());
  CHECK_FALSE(RtcpCompound(hex("a0 c9 00 01 | 00 00 00 05")).valid());
  // Padding count equal to the body: valid, empty payload.
  const auto whole = hex("a0 c9 00 01 | 00 00 00 04");
  const RtcpCompound compound(whole);
  REQUIRE(compound.valid());
  CHECK(compound.begin()->payload().empty());
  // A header-only packet with P set has no room for a count.
  CHECK_FALSE(RtcpCompound(hex("a0 c9 00 00")).valid());
}

TEST_CASE("compound: unknown packet types are yielded, not errors") {
  // APP (204), an unassigned type (210) and XR (207) between two RRs.
  const auto bytes =
      hex("80 c9 00 01 | 00 00 00 01"
          "82 cc 00 02 | 00 00 00 01 | 6e 61 6d 65"
          "80 d2 00 00"
          "80 cf 00 01 | 00 00 00 01"
          "80 c9 00 01 | 00 00 00 02");
  const RtcpCompound compound(bytes);
  REQUIRE(compound.valid());
  const auto packets = collect(compound);
  REQUIRE(packets.size() == 5);
  CHECK(packets[1].packetType() == kPtApp);
  CHECK(packets[2].packetType() == 210);
  CHECK(packets[3].packetType() == 207);
  CHECK_FALSE(SenderReportView::parse(packets[1]).has_value());
}

TEST_CASE("compound: RFC 5761 demultiplexing helper") {
  CHECK(RtcpCompound::looksLikeRtcp(kChromeSrSdes));
  CHECK(RtcpCompound::looksLikeRtcp(hex("80 c0 00 00")));        // 192
  CHECK(RtcpCompound::looksLikeRtcp(hex("80 df 00 00")));        // 223
  CHECK_FALSE(RtcpCompound::looksLikeRtcp(hex("80 60 00 01")));  // RTP PT 96
  CHECK_FALSE(RtcpCompound::looksLikeRtcp(hex("80 e0 00 00")));  // RTP PT 96 with marker bit
  CHECK_FALSE(RtcpCompound::looksLikeRtcp(hex("80 c8 00")));
  CHECK_FALSE(RtcpCompound::looksLikeRtcp(hex("40 c8 00 00")));  // version 1
}

TEST_CASE("packet: parse of a single packet ignores following bytes") {
  const auto packet = RtcpPacket::parse(kChromeSrSdes);
  REQUIRE(packet);
  CHECK(packet->size() == 28);
  // With the P bit set it must end at the buffer end.
  auto bytes = kChromeSrSdes;
  bytes[0] |= 0x20;
  CHECK_FALSE(RtcpPacket::parse(bytes).has_value());
}

TEST_CASE("tests/TestHex.h is strict") {
  CHECK(hex("80 c8|00 06") == std::vector<uint8_t>{0x80, 0xc8, 0x00, 0x06});
  CHECK(hex("DEADbeef\n01") == std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef, 0x01});
  CHECK(hex("").empty());
  CHECK_THROWS_AS(hex("80 c"), std::invalid_argument);    // odd trailing digit
  CHECK_THROWS_AS(hex("80 c 8"), std::invalid_argument);  // odd group
  CHECK_THROWS_AS(hex("80 g8"), std::invalid_argument);   // not a hex digit
  CHECK_THROWS_AS(hex("80,c8"), std::invalid_argument);   // stray separator
}
