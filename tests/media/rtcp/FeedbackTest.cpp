// Generic NACK (RFC 4585 §6.2.1), PLI (RFC 4585 §6.3.1), FIR (RFC 5104 §4.3.1) and REMB
// (draft-alvestrand-rmcat-remb-03 §2.2): known answers, builder round trips, edge cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/RembView.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/TransportCcView.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;
using test::single;

namespace {

std::vector<uint8_t> toVector(std::span<const uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

std::vector<uint16_t> expand(const NackView& nack) {
  std::vector<uint16_t> seqs;
  nack.forEachLostSeq([&](uint16_t seq) { seqs.push_back(seq); });
  return seqs;
}

std::vector<uint16_t> buildAndExpand(std::span<const uint16_t> lost, size_t* items = nullptr) {
  std::vector<uint8_t> out(16 + 4 * lost.size());
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addNack(1, 2, lost));
  const auto packet = single(builder.data());
  REQUIRE(packet);
  const auto nack = NackView::parse(*packet);
  REQUIRE(nack);
  if (items) *items = nack->itemCount();
  return expand(*nack);
}

}  // namespace

// ---- NACK ----

TEST_CASE("NACK: known answer PID/BLP expansion (RFC 4585 §6.2.1)") {
  // PID 100, BLP 0x8005: bits 0, 2 and 15 -> 101, 103, 116.
  const auto bytes = hex("81 cd 00 03 | 00 00 00 01 | 00 00 00 02 | 00 64 80 05");
  const auto nack = NackView::parse(*single(bytes));
  REQUIRE(nack);
  CHECK(nack->senderSsrc() == 1);
  CHECK(nack->mediaSsrc() == 2);
  REQUIRE(nack->itemCount() == 1);
  CHECK(nack->item(0) == NackItem{100, 0x8005});
  CHECK(nack->item(1) == NackItem{});
  CHECK(nack->lostCount() == 4);
  CHECK(expand(*nack) == std::vector<uint16_t>{100, 101, 103, 116});

  const std::vector<uint16_t> lost{100, 101, 103, 116};
  std::array<uint8_t, 32> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addNack(1, 2, lost));
  CHECK(toVector(builder.data()) == bytes);
}

TEST_CASE("NACK: wraparound at 65535") {
  // PID 65535 with all BLP bits: 65535, 0, 1, ..., 15.
  const auto bytes = hex("81 cd 00 03 | 00 00 00 01 | 00 00 00 02 | ff ff ff ff");
  const auto nack = NackView::parse(*single(bytes));
  REQUIRE(nack);
  std::vector<uint16_t> want{65535};
  for (uint16_t s = 0; s < 16; ++s)
    want.push_back(s);
  CHECK(expand(*nack) == want);
  CHECK(nack->lostCount() == 17);

  size_t items = 0;
  CHECK(buildAndExpand(want, &items) == want);
  CHECK(items == 1);

  const std::vector<uint16_t> across{65534, 65535, 0, 1, 17};
  CHECK(buildAndExpand(across, &items) == across);
  CHECK(items == 2);  // (65534, 0b111) and (17, 0)
}

TEST_CASE("NACK: BLP covers exactly PID+1..PID+16") {
  size_t items = 0;
  const std::vector<uint16_t> sixteen{10, 26};
  CHECK(buildAndExpand(sixteen, &items) == sixteen);
  CHECK(items == 1);
  const std::vector<uint16_t> seventeen{10, 27};
  CHECK(buildAndExpand(seventeen, &items) == seventeen);
  CHECK(items == 2);
}

TEST_CASE("NACK: construction round trip on random loss patterns") {
  std::mt19937 rng(4585);
  for (int round = 0; round < 200; ++round) {
    const uint16_t start = static_cast<uint16_t>(65000 + rng() % 1000);  // often wraps
    std::vector<uint16_t> lost;
    uint16_t seq = start;
    const size_t n = 1 + rng() % 60;
    for (size_t i = 0; i < n; ++i) {
      seq = static_cast<uint16_t>(seq + 1 + rng() % 24);
      lost.push_back(seq);
    }
    size_t items = 0;
    CHECK(buildAndExpand(lost, &items) == lost);  // ascending input expands in the same order
    CHECK(items <= lost.size());
  }
}

TEST_CASE("NACK: unordered input and duplicates are still covered") {
  const std::vector<uint16_t> lost{50, 10, 12, 10, 50, 11, 9};
  const auto seqs = buildAndExpand(lost);
  CHECK(std::set<uint16_t>(seqs.begin(), seqs.end()) == std::set<uint16_t>(lost.begin(), lost.end()));
}

TEST_CASE("NACK: malformed and empty") {
  // No FCI entry; FCI not a whole entry (P bit with 2 padding bytes); wrong FMT.
  CHECK_FALSE(NackView::parse(*single(hex("81 cd 00 02 | 00 00 00 01 | 00 00 00 02"))).has_value());
  CHECK_FALSE(
      NackView::parse(*single(hex("a1 cd 00 03 | 00 00 00 01 | 00 00 00 02 | 00 64 00 02"))).has_value());
  CHECK_FALSE(
      NackView::parse(*single(hex("83 cd 00 03 | 00 00 00 01 | 00 00 00 02 | 00 64 80 05"))).has_value());
  CHECK_FALSE(NackView::parse(*single(hex("81 cd 00 01 | 00 00 00 01"))).has_value());
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  CHECK_FALSE(builder.addNack(1, 2, {}));
  CHECK(builder.empty());
}

TEST_CASE("NACK: a list that does not fit leaves the compound unchanged") {
  std::vector<uint16_t> lost;
  for (uint16_t i = 0; i < 100; ++i)
    lost.push_back(static_cast<uint16_t>(i * 20));  // 100 entries
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addPli(1, 2));
  CHECK_FALSE(builder.addNack(1, 2, lost));
  CHECK(builder.size() == 12);
  CHECK(RtcpCompound(builder.data()).valid());
}

// ---- PLI ----

TEST_CASE("PLI: known answer and round trip (RFC 4585 §6.3.1)") {
  const auto bytes = hex("81 ce 00 02 | 00 00 00 01 | 00 00 00 02");
  const auto pli = PliView::parse(*single(bytes));
  REQUIRE(pli);
  CHECK(pli->senderSsrc() == 1);
  CHECK(pli->mediaSsrc() == 2);
  std::array<uint8_t, 12> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addPli(1, 2));
  CHECK(toVector(builder.data()) == bytes);
  CHECK_FALSE(builder.addPli(1, 2));  // full

  CHECK_FALSE(PliView::parse(*single(hex("81 ce 00 01 | 00 00 00 01"))).has_value());  // no media SSRC
  CHECK_FALSE(PliView::parse(*single(hex("81 cd 00 02 | 00 00 00 01 | 00 00 00 02"))).has_value());  // RTPFB
  CHECK_FALSE(NackView::parse(*single(bytes)).has_value());
}

// ---- FIR ----

TEST_CASE("FIR: known answer and round trip (RFC 5104 §4.3.1)") {
  const auto bytes = hex("84 ce 00 04 | 00 00 00 01 | 00 00 00 00 | 00 00 00 02 | 2a 00 00 00");
  const auto fir = FirView::parse(*single(bytes));
  REQUIRE(fir);
  CHECK(fir->senderSsrc() == 1);
  CHECK(fir->mediaSsrc() == 0);
  REQUIRE(fir->entryCount() == 1);
  CHECK(fir->entry(0) == FirEntry{2, 42});
  CHECK(fir->entry(1) == FirEntry{});
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addFir(1, 2, 42));
  CHECK(toVector(builder.data()) == bytes);
}

TEST_CASE("FIR: several entries, malformed FCI") {
  const std::vector<FirEntry> entries{{10, 1}, {20, 255}, {30, 0}};
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addFir(7, entries));
  const auto fir = FirView::parse(*single(builder.data()));
  REQUIRE(fir);
  REQUIRE(fir->entryCount() == 3);
  for (size_t i = 0; i < 3; ++i)
    CHECK(fir->entry(i) == entries[i]);
  CHECK_FALSE(builder.addFir(7, std::span<const FirEntry>{}));
  // FCI of 4 bytes; no FCI.
  CHECK_FALSE(
      FirView::parse(*single(hex("84 ce 00 03 | 00 00 00 01 | 00 00 00 00 | 00 00 00 02"))).has_value());
  CHECK_FALSE(FirView::parse(*single(hex("84 ce 00 02 | 00 00 00 01 | 00 00 00 00"))).has_value());
}

// ---- REMB ----

TEST_CASE("REMB: known answer (captured bytes also used by pion's tests)") {
  // Num SSRC 1, BR Exp 6, mantissa 0x220df = 139487 -> 139487 << 6 = 8927168 bps.
  const auto bytes = hex("8f ce 00 05 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 42 | 01 1a 20 df | 48 74 ed 16");
  const auto remb = RembView::parse(*single(bytes));
  REQUIRE(remb);
  CHECK(remb->senderSsrc() == 1);
  CHECK(remb->mediaSsrc() == 0);
  CHECK(remb->exponent() == 6);
  CHECK(remb->mantissa() == 139487);
  CHECK(remb->bitrateBps() == 8927168);
  REQUIRE(remb->ssrcCount() == 1);
  CHECK(remb->ssrc(0) == 0x4874ed16u);
  CHECK(remb->ssrc(1) == 0);

  const uint32_t ssrc = 0x4874ed16;
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addRemb(1, 8927168, std::span<const uint32_t>(&ssrc, 1)));
  CHECK(toVector(builder.data()) == bytes);
}

TEST_CASE("REMB: mantissa/exponent edge cases") {
  using E = RembView::Encoded;
  const auto enc = [](uint64_t v) { return RembView::encodeBitrate(v); };
  const auto same = [](E a, E b) { return a.exponent == b.exponent && a.mantissa == b.mantissa; };
  CHECK(same(enc(0), E{0, 0}));
  CHECK(same(enc(1), E{0, 1}));
  CHECK(same(enc((1u << 18) - 1), E{0, (1u << 18) - 1}));
  CHECK(same(enc(1u << 18), E{1, 1u << 17}));
  CHECK(same(enc((1u << 18) + 1), E{1, 1u << 17}));  // rounds down, never overstates
  CHECK(same(enc(std::numeric_limits<uint64_t>::max()), E{46, (1u << 18) - 1}));

  CHECK(RembView::decodeBitrate(0, 0) == 0);
  CHECK(RembView::decodeBitrate(63, 0) == 0);
  CHECK(RembView::decodeBitrate(0, (1u << 18) - 1) == (1u << 18) - 1);
  CHECK(RembView::decodeBitrate(46, (1u << 18) - 1) == uint64_t{(1u << 18) - 1} << 46);
  CHECK(RembView::decodeBitrate(47, (1u << 18) - 1) == std::numeric_limits<uint64_t>::max());  // saturates
  CHECK(RembView::decodeBitrate(47, (1u << 17) - 1) == uint64_t{(1u << 17) - 1} << 47);
  CHECK(RembView::decodeBitrate(63, 1) == uint64_t{1} << 63);
  CHECK(RembView::decodeBitrate(63, 2) == std::numeric_limits<uint64_t>::max());

  // Every value up to 2^18 - 1 is exact; larger values lose at most the shifted-out bits.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    const auto e = enc(v);
    const uint64_t back = RembView::decodeBitrate(e.exponent, e.mantissa);
    CHECK(back <= v);
    CHECK(v - back < (uint64_t{1} << e.exponent));
    CHECK(e.mantissa <= RembView::kMaxMantissa);
  }
}

TEST_CASE("REMB: builder round trips for huge and tiny bitrates and SSRC lists") {
  for (uint64_t bitrate :
       {uint64_t{0}, uint64_t{300000}, uint64_t{1} << 40, std::numeric_limits<uint64_t>::max()}) {
    std::vector<uint32_t> ssrcs;
    for (uint32_t i = 0; i < bitrate % 7 + 1; ++i)
      ssrcs.push_back(0x1000 + i);
    std::array<uint8_t, 128> out{};
    RtcpCompoundBuilder builder(out);
    REQUIRE(builder.addRemb(9, bitrate, ssrcs));
    const auto remb = RembView::parse(*single(builder.data()));
    REQUIRE(remb);
    const auto e = RembView::encodeBitrate(bitrate);
    CHECK(remb->bitrateBps() == RembView::decodeBitrate(e.exponent, e.mantissa));
    REQUIRE(remb->ssrcCount() == ssrcs.size());
    for (size_t i = 0; i < ssrcs.size(); ++i)
      CHECK(remb->ssrc(i) == ssrcs[i]);
  }
  std::vector<uint32_t> tooMany(256, 1);
  std::array<uint8_t, 2048> out{};
  RtcpCompoundBuilder builder(out);
  CHECK_FALSE(builder.addRemb(1, 1, tooMany));
  tooMany.pop_back();
  CHECK(builder.addRemb(1, 1, tooMany));
  CHECK(RembView::parse(*single(builder.data()))->ssrcCount() == 255);
}

TEST_CASE("REMB: other application feedback and truncated lists are not REMB") {
  const auto other = hex("8f ce 00 04 | 00 00 00 01 | 00 00 00 00 | 41 42 43 44 | 00 00 00 00");
  const auto packet = single(other);
  REQUIRE(packet);
  CHECK_FALSE(RembView::parse(*packet).has_value());
  const auto generic = FeedbackView::parse(*packet);
  REQUIRE(generic);
  CHECK(generic->packetType() == kPtPsfb);
  CHECK(generic->fmt() == kFmtAfb);
  CHECK(generic->fci().size() == 8);
  // Num SSRC 2 with room for one.
  CHECK_FALSE(
      RembView::parse(*single(hex("8f ce 00 05 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 42 | 02 00 00 01 | "
                                  "00 00 00 09")))
          .has_value());
  // Too short for the bitrate word.
  CHECK_FALSE(
      RembView::parse(*single(hex("8f ce 00 03 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 42"))).has_value());
}

TEST_CASE("feedback: unknown FMTs parse as generic feedback only") {
  const auto bytes = hex("83 cd 00 03 | 00 00 00 01 | 00 00 00 02 | 01 02 03 04");  // RTPFB FMT 3 (TMMBR)
  const auto packet = single(bytes);
  REQUIRE(packet);
  const auto fb = FeedbackView::parse(*packet);
  REQUIRE(fb);
  CHECK(fb->fmt() == 3);
  CHECK(fb->senderSsrc() == 1);
  CHECK(fb->mediaSsrc() == 2);
  CHECK_FALSE(NackView::parse(*packet).has_value());
  CHECK_FALSE(TransportCcView::parse(*packet).has_value());
  CHECK_FALSE(FeedbackView::parse(*single(hex("80 c9 00 01 | 00 00 00 01"))).has_value());
}
