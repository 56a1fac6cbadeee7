// Every packet view on every truncation of its payload, at byte granularity: the payload is cut
// to p bytes and the packet re-wrapped with RTCP padding (P bit) so that the header stays valid.
// Views must reject every cut of a packet without optional trailing parts, and never read past
// the bytes they were given (ASan builds check that).
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "media/rtcp/ByeView.h"
#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RembView.h"
#include "media/rtcp/SdesView.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"
#include "media/util/Padding.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;
using test::single;

namespace {

// Header of `packet` + first p payload bytes + padding to 32 bits with the P bit.
std::vector<uint8_t> cut(const std::vector<uint8_t>& packet, size_t p) {
  std::vector<uint8_t> out(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(4 + p));
  const size_t pad = switchyard::media::util::padding4(p);
  if (pad > 0) {
    out[0] = static_cast<uint8_t>(out[0] | 0x20);
    for (size_t i = 1; i < pad; ++i)
      out.push_back(0);
    out.push_back(static_cast<uint8_t>(pad));
  } else {
    out[0] = static_cast<uint8_t>(out[0] & ~0x20);
  }
  out[2] = static_cast<uint8_t>((out.size() / 4 - 1) >> 8);
  out[3] = static_cast<uint8_t>(out.size() / 4 - 1);
  return out;
}

// Everything a probe reads goes here, so the accessor calls cannot be optimised away (and ASan
// sees every read) without the value deciding anything.
volatile uint64_t gSink = 0;
void sink(uint64_t v) {
  gSink = gSink + v;
}

// Parses with one view and touches every accessor; returns whether the view accepted the packet.
using Probe = std::function<bool(const RtcpPacket&)>;

bool probeSr(const RtcpPacket& p) {
  const auto v = SenderReportView::parse(p);
  if (!v) return false;
  sink(v->senderInfo().ntpTimestamp + v->compactNtp() + v->extension().size());
  for (size_t i = 0; i < v->reportCount(); ++i)
    sink(v->reportBlock(i).delaySinceLastSr);
  return true;
}
bool probeRr(const RtcpPacket& p) {
  const auto v = ReceiverReportView::parse(p);
  if (!v) return false;
  sink(v->senderSsrc() + v->extension().size());
  for (size_t i = 0; i < v->reportCount(); ++i)
    sink(v->reportBlock(i).delaySinceLastSr);
  return true;
}
bool probeSdes(const RtcpPacket& p) {
  const auto v = SdesView::parse(p);
  if (!v) return false;
  v->forEachItem([](const SdesItem& item) { sink(item.text().size()); });
  sink(v->firstCname().value_or("").size());
  return true;
}
bool probeBye(const RtcpPacket& p) {
  const auto v = ByeView::parse(p);
  if (!v) return false;
  sink(v->reason().size());
  for (size_t i = 0; i < v->ssrcCount(); ++i)
    sink(v->ssrc(i));
  return true;
}
bool probeNack(const RtcpPacket& p) {
  const auto v = NackView::parse(p);
  if (!v) return false;
  size_t n = 0;
  v->forEachLostSeq([&](uint16_t seq) {
    sink(seq);
    ++n;
  });
  CHECK(n == v->lostCount());
  return true;
}
bool probePli(const RtcpPacket& p) {
  const auto v = PliView::parse(p);
  if (!v) return false;
  sink(v->senderSsrc() + v->mediaSsrc());
  return true;
}
bool probeFir(const RtcpPacket& p) {
  const auto v = FirView::parse(p);
  if (!v) return false;
  for (size_t i = 0; i < v->entryCount(); ++i)
    sink(v->entry(i).ssrc + v->entry(i).seqNr);
  return true;
}
bool probeRemb(const RtcpPacket& p) {
  const auto v = RembView::parse(p);
  if (!v) return false;
  sink(v->bitrateBps());
  for (size_t i = 0; i < v->ssrcCount(); ++i)
    sink(v->ssrc(i));
  return true;
}
bool probeTwcc(const RtcpPacket& p) {
  const auto v = TransportCcView::parse(p);
  if (!v) return false;
  size_t n = 0;
  v->forEachPacket([&](const TwccPacketStatus& status) {
    sink(status.seq);
    ++n;
  });
  CHECK(n == v->statusCount());
  return true;
}

struct Case {
  std::string name;
  std::vector<uint8_t> packet;
  Probe probe;
  size_t minimal;  // shortest payload the view accepts (cuts below must be rejected)
};

}  // namespace

TEST_CASE("every view rejects every byte-level truncation") {
  const std::vector<Case> cases{
      {"SR with two blocks",
       hex("82 c8 00 12 ca fe ba be e8 a6 3b 7a 1c ac 08 31 00 01 5f 90 00 00 04 d2 00 08 ab 52"
           "00 00 00 64 0c 00 01 59 00 02 00 10 00 00 00 4d de ad be ef 00 01 00 00"
           "00 00 00 65 0c ff ff fb 00 02 00 10 00 00 00 4d de ad be ef 00 01 00 00"),
       probeSr, 72},
      {"RR",
       hex("81 c9 00 07 00 00 00 01 12 34 56 78 40 ff ff fe 00 01 00 2a 00 00 00 10 3b 7a 1c ac 00 01 80 00"),
       probeRr, 28},
      {"SDES", hex("82 ca 00 06 00 00 00 01 01 03 61 40 62 00 00 00 00 00 00 02 01 05 78 79 7a 7a 79 00"),
       probeSdes, 24},
      {"BYE", hex("82 cb 00 02 00 00 00 01 00 00 00 02"), probeBye, 8},
      {"NACK (one entry: a cut at an entry boundary would be a valid shorter NACK)",
       hex("81 cd 00 03 00 00 00 01 00 00 00 02 00 64 80 05"), probeNack, 12},
      {"PLI", hex("81 ce 00 02 00 00 00 01 00 00 00 02"), probePli, 8},
      {"FIR (one entry)", hex("84 ce 00 04 00 00 00 01 00 00 00 00 00 00 00 02 2a 00 00 00"), probeFir, 16},
      {"REMB", hex("8f ce 00 06 00 00 00 01 00 00 00 00 52 45 4d 42 02 1a 20 df 48 74 ed 16 00 00 00 07"),
       probeRemb, 24},
      {"TWCC",
       hex("8f cd 00 07 fa 17 fa 17 19 3d d8 bb 01 74 00 06 45 b1 5a 40 40 02 20 04 1f fe 1f 9a d0 00 d0 00"),
       probeTwcc, 28},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto full = single(c.packet);
    REQUIRE(full);
    CHECK(c.probe(*full));
    REQUIRE(c.minimal == full->payload().size());
    for (size_t p = 0; p < c.minimal; ++p) {
      const auto bytes = cut(c.packet, p);
      const auto packet = single(bytes);
      INFO("payload " << p);
      REQUIRE(packet);
      CHECK(packet->payload().size() == p);
      CHECK_FALSE(c.probe(*packet));
    }
  }
}

TEST_CASE("BYE reason is optional but must be whole") {
  const auto bye = hex("81 cb 00 03 | 00 00 04 d2 | 06 63 61 6d 65 72 61 00");
  for (size_t p = 0; p <= 12; ++p) {
    const auto bytes = cut(bye, p);
    const auto packet = single(bytes);
    REQUIRE(packet);
    const auto view = ByeView::parse(*packet);
    INFO("payload " << p);
    // Valid: the SSRC alone (4), or the full reason (11 and the zero-padded 12).
    CHECK(view.has_value() == (p == 4 || p >= 11));
    if (view && p >= 11) CHECK(view->reason() == "camera");
  }
}

TEST_CASE("feedback common header needs both SSRCs") {
  const auto pli = hex("81 ce 00 02 00 00 00 01 00 00 00 02");
  for (size_t p = 0; p <= 8; ++p) {
    const auto bytes = cut(pli, p);
    const auto packet = single(bytes);
    REQUIRE(packet);
    CHECK(FeedbackView::parse(*packet).has_value() == (p == 8));
  }
}
