// In-place SSRC rewriting of forwarded feedback and whole-compound composition with
// RtcpCompoundBuilder.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "media/rtcp/ByeView.h"
#include "media/rtcp/FeedbackRewriter.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RembView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/SdesView.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;
using test::single;

namespace {

// Subscriber-side SSRCs (what the SFU sent) -> publisher-side SSRCs.
uint32_t toPublisher(uint32_t ssrc) noexcept {
  switch (ssrc) {
    case 0xaaaa0001:
      return 0x11110001;
    case 0xaaaa0002:
      return 0x11110002;
    default:
      return ssrc;
  }
}

// One of each packet type the builder knows, in one compound.
std::vector<uint8_t> buildEverything() {
  std::vector<uint8_t> out(1500);
  RtcpCompoundBuilder builder(out);
  ReportBlock block;
  block.ssrc = 0xaaaa0001;
  block.cumulativeLost = -5;
  const std::vector<uint16_t> lost{1, 2, 3, 40};
  const std::vector<uint32_t> rembSsrcs{0xaaaa0001, 0xaaaa0002, 0x99};
  const std::vector<FirEntry> fir{{0xaaaa0002, 7}, {0x77, 8}};
  const std::vector<uint32_t> byeSsrcs{0xbbbb0001};
  const std::vector<TwccPacket> twcc{{100, 5000}, {101, std::nullopt}, {102, 9000}};
  REQUIRE(builder.addRr(0xbbbb0001, std::span<const ReportBlock>(&block, 1)));
  REQUIRE(builder.addSdesCname(0xbbbb0001, "subscriber"));
  REQUIRE(builder.addNack(0xbbbb0001, 0xaaaa0001, lost));
  REQUIRE(builder.addPli(0xbbbb0001, 0xaaaa0002));
  REQUIRE(builder.addFir(0xbbbb0001, fir));
  REQUIRE(builder.addRemb(0xbbbb0001, 2'500'000, rembSsrcs));
  REQUIRE(builder.addTransportCc(0xbbbb0001, 0xaaaa0001, 3, twcc));
  REQUIRE(builder.addBye(byeSsrcs, "bye"));
  out.resize(builder.size());
  return out;
}

}  // namespace

TEST_CASE("builder: one of every packet composes a valid compound") {
  const auto bytes = buildEverything();
  const RtcpCompound compound(bytes);
  REQUIRE(compound.valid());
  REQUIRE(compound.packetCount() == 8);
  std::vector<uint8_t> types;
  for (const auto& packet : compound) {
    types.push_back(packet.packetType());
    CHECK(packet.size() % 4 == 0);
    CHECK_FALSE(packet.padding());
  }
  CHECK(types == std::vector<uint8_t>{kPtRr, kPtSdes, kPtRtpfb, kPtPsfb, kPtPsfb, kPtPsfb, kPtRtpfb, kPtBye});
}

TEST_CASE("builder: a too-small buffer fails atomically at every size") {
  const auto full = buildEverything();
  for (size_t cap = 0; cap < full.size(); ++cap) {
    std::vector<uint8_t> out(cap);
    RtcpCompoundBuilder builder(out);
    const uint32_t ssrc = 1;
    const bool a = builder.addPli(1, 2);
    const bool b = builder.addBye(std::span<const uint32_t>(&ssrc, 1), "reason");
    const bool c = builder.addSdesCname(1, "cname");
    INFO("capacity " << cap);
    CHECK(builder.size() <= cap);
    CHECK(a == (cap >= 12));
    if (!builder.empty()) CHECK(RtcpCompound(builder.data()).valid());
    if (a && b && c) CHECK(builder.size() == 12 + 16 + 16);
  }
}

TEST_CASE("rewriter: sender and media SSRCs of forwarded feedback") {
  auto bytes = buildEverything();
  REQUIRE(FeedbackRewriter::rewriteCompound(bytes, 0x5f000001u, toPublisher));
  const RtcpCompound compound(bytes);
  REQUIRE(compound.valid());
  REQUIRE(compound.packetCount() == 8);
  auto it = compound.begin();
  const auto rr = ReceiverReportView::parse(*it);
  REQUIRE(rr);
  CHECK(rr->senderSsrc() == 0x5f000001u);
  CHECK(rr->reportBlock(0).ssrc == 0xaaaa0001u);  // report blocks are not feedback: untouched
  ++it;
  CHECK(SdesView::parse(*it)->cname(0xbbbb0001) == "subscriber");  // SDES untouched
  ++it;
  const auto nack = NackView::parse(*it);
  REQUIRE(nack);
  CHECK(nack->senderSsrc() == 0x5f000001u);
  CHECK(nack->mediaSsrc() == 0x11110001u);
  CHECK(nack->lostCount() == 4);
  ++it;
  const auto pli = PliView::parse(*it);
  REQUIRE(pli);
  CHECK(pli->senderSsrc() == 0x5f000001u);
  CHECK(pli->mediaSsrc() == 0x11110002u);
  ++it;
  const auto fir = FirView::parse(*it);
  REQUIRE(fir);
  CHECK(fir->mediaSsrc() == 0);
  CHECK(fir->entry(0) == FirEntry{0x11110002, 7});
  CHECK(fir->entry(1) == FirEntry{0x77, 8});
  ++it;
  const auto remb = RembView::parse(*it);
  REQUIRE(remb);
  CHECK(remb->senderSsrc() == 0x5f000001u);
  CHECK(remb->mediaSsrc() == 0);
  CHECK(remb->ssrc(0) == 0x11110001u);
  CHECK(remb->ssrc(1) == 0x11110002u);
  CHECK(remb->ssrc(2) == 0x99u);
  CHECK(remb->bitrateBps() == 2'500'000);
  ++it;
  const auto twcc = TransportCcView::parse(*it);
  REQUIRE(twcc);
  CHECK(twcc->mediaSsrc() == 0x11110001u);
  CHECK(twcc->statusCount() == 3);
  ++it;
  CHECK(ByeView::parse(*it)->ssrc(0) == 0xbbbb0001u);  // BYE untouched
}

TEST_CASE("rewriter: single packets") {
  auto nack = hex("81 cd 00 03 | 00 00 00 01 | aa aa 00 01 | 00 64 80 05");
  CHECK(FeedbackRewriter::mapMediaSsrcs(nack, toPublisher) == 1);
  CHECK(NackView::parse(*single(nack))->mediaSsrc() == 0x11110001u);
  CHECK(FeedbackRewriter::setSenderSsrc(nack, 42));
  CHECK(NackView::parse(*single(nack))->senderSsrc() == 42);
  CHECK(FeedbackRewriter::setMediaSsrc(nack, 7) == 1);
  CHECK(NackView::parse(*single(nack))->mediaSsrc() == 7);

  // A capturing lambda works too.
  uint32_t calls = 0;
  auto pli = hex("81 ce 00 02 | 00 00 00 01 | aa aa 00 02");
  CHECK(FeedbackRewriter::mapMediaSsrcs(pli, [&calls](uint32_t s) {
          ++calls;
          return s + 1;
        }) == 1);
  CHECK(calls == 1);
  CHECK(PliView::parse(*single(pli))->mediaSsrc() == 0xaaaa0003u);

  // Unknown FMT, SDES, BYE: untouched; SDES/BYE have no sender SSRC to set.
  auto tmmbr = hex("83 cd 00 03 | 00 00 00 01 | aa aa 00 01 | 01 02 03 04");
  const auto before = tmmbr;
  CHECK(FeedbackRewriter::mapMediaSsrcs(tmmbr, toPublisher) == 0);
  CHECK(tmmbr == before);
  auto bye = hex("81 cb 00 01 | aa aa 00 01");
  CHECK_FALSE(FeedbackRewriter::setSenderSsrc(bye, 1));
  CHECK(FeedbackRewriter::mapMediaSsrcs(bye, toPublisher) == 0);
  CHECK(bye == hex("81 cb 00 01 | aa aa 00 01"));

  // Malformed input is left alone.
  auto truncated = hex("81 cd 00 03 | 00 00 00 01 | aa aa 00 01");
  const auto copy = truncated;
  CHECK(FeedbackRewriter::mapMediaSsrcs(truncated, toPublisher) == 0);
  CHECK_FALSE(FeedbackRewriter::setSenderSsrc(truncated, 1));
  CHECK(truncated == copy);
  auto shortRr = hex("80 c9 00 00");
  CHECK_FALSE(FeedbackRewriter::setSenderSsrc(shortRr, 1));
  auto badRemb =
      hex("8f ce 00 04 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 42 | 01 00 00 01");  // Num SSRC 1, none
  CHECK(FeedbackRewriter::mapMediaSsrcs(badRemb, toPublisher) == 0);
  std::vector<uint8_t> empty;
  CHECK(FeedbackRewriter::mapMediaSsrcs(empty, toPublisher) == 0);
}

TEST_CASE("rewriter: a malformed compound is not touched") {
  auto bytes = buildEverything();
  bytes.push_back(0x80);  // trailing garbage
  const auto before = bytes;
  CHECK_FALSE(FeedbackRewriter::rewriteCompound(bytes, 1u, toPublisher));
  CHECK(bytes == before);
}

TEST_CASE("rewriter: padded last packet in a compound") {
  // RR + PLI with 4 bytes of padding (P bit, count 4) as the last packet.
  auto bytes = hex("80 c9 00 01 | 00 00 00 01 || a1 ce 00 03 | 00 00 00 01 | aa aa 00 02 | 00 00 00 04");
  REQUIRE(FeedbackRewriter::rewriteCompound(bytes, 9u, toPublisher));
  const RtcpCompound compound(bytes);
  REQUIRE(compound.valid());
  auto it = compound.begin();
  ++it;
  const auto pli = PliView::parse(*it);
  REQUIRE(pli);
  CHECK(pli->senderSsrc() == 9);
  CHECK(pli->mediaSsrc() == 0x11110002u);
  CHECK(bytes.back() == 4);
}
