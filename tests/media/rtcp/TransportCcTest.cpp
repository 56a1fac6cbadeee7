// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1): decoding of captured Chrome packets, the draft's chunk examples, encoder round trips and
// malformed input.
#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <random>
#include <vector>

#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/TransportCcView.h"
#include "media/rtcp/TransportCcWriter.h"
#include "media/util/BigEndian.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;
using test::single;

namespace {

std::vector<TwccPacketStatus> decode(const TransportCcView& view) {
  std::vector<TwccPacketStatus> out;
  view.forEachPacket([&](const TwccPacketStatus& s) { out.push_back(s); });
  return out;
}

std::vector<uint8_t> build(std::span<const TwccPacket> packets, uint8_t fbPktCount = 0) {
  std::vector<uint8_t> out(
      64 + 4 * (packets.empty()
                    ? 1
                    : size_t{static_cast<uint16_t>(packets.back().seq - packets.front().seq)} + 1));
  RtcpCompoundBuilder builder(out);
  if (!builder.addTransportCc(0xfa17fa17, 0x11223344, fbPktCount, packets)) return {};
  out.resize(builder.size());
  return out;
}

// Chunks of a built packet (they start at byte 20).
uint16_t chunkAt(const std::vector<uint8_t>& bytes, size_t index) {
  return switchyard::media::util::read16(bytes.data() + 20 + 2 * index);
}

// A packet with the given FCI after sender/media SSRC, length set from the size.
std::vector<uint8_t> withFci(const std::vector<uint8_t>& fci) {
  std::vector<uint8_t> bytes = hex("8f cd 00 00 | 00 00 00 01 | 00 00 00 02");
  bytes.insert(bytes.end(), fci.begin(), fci.end());
  while (bytes.size() % 4 != 0)
    bytes.push_back(0);
  bytes[3] = static_cast<uint8_t>(bytes.size() / 4 - 1);
  return bytes;
}

}  // namespace

TEST_CASE("TWCC: Chrome capture with one packet and P-bit padding") {
  // Captured from Chrome (also in pion's tests): base 153, count 1, reference time 4057090,
  // fb pkt count 23, run-length chunk 0x2001 (one small delta), delta 0x94 = 148 ticks = 37 ms,
  // one byte of RTCP padding.
  const auto bytes = hex("af cd 00 05 | fa 17 fa 17 | 43 03 2f a0 | 00 99 00 01 | 3d e8 02 17 | 20 01 94 01");
  const auto packet = single(bytes);
  REQUIRE(packet);
  CHECK(packet->padding());
  const auto twcc = TransportCcView::parse(*packet);
  REQUIRE(twcc);
  CHECK(twcc->senderSsrc() == 0xfa17fa17u);
  CHECK(twcc->mediaSsrc() == 1124282272u);
  CHECK(twcc->baseSeq() == 153);
  CHECK(twcc->statusCount() == 1);
  CHECK(twcc->referenceTime() == 4057090);
  CHECK(twcc->fbPktCount() == 23);
  CHECK(twcc->receivedCount() == 1);
  const auto statuses = decode(*twcc);
  REQUIRE(statuses.size() == 1);
  CHECK(statuses[0] == TwccPacketStatus{153, true, 148, int64_t{4057090} * 256 + 148});
  CHECK(statuses[0].arrivalUs() == (int64_t{4057090} * 256 + 148) * 250);

  // The builder writes the same packet, zero padded inside the length instead of the P bit.
  const std::array<TwccPacket, 1> input{TwccPacket{153, statuses[0].arrivalUs()}};
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addTransportCc(0xfa17fa17, 1124282272, 23, input));
  auto want = bytes;
  want[0] = 0x8f;
  want.back() = 0x00;
  CHECK(std::vector<uint8_t>(builder.data().begin(), builder.data().end()) == want);
}

TEST_CASE("TWCC: Chrome capture with a 2-bit status vector, a large delta and a run of losses") {
  // base 34108, count 9, chunk 0xd552 = 2-bit vector [1 1 1 1 1 0 2], chunk 0x0030 = run of 48
  // "not received" (only 2 used), deltas 9b aa 6a aa 7b then 0x0109 (large), one padding byte.
  const auto bytes =
      hex("af cd 00 07 | 9b 74 f6 1f | 93 71 dc bc | 85 3c 00 09 | 63 f9 16 b3 | d5 52 00 30 |"
          "9b aa 6a aa | 7b 01 09 01");
  const auto twcc = TransportCcView::parse(*single(bytes));
  REQUIRE(twcc);
  CHECK(twcc->baseSeq() == 34108);
  CHECK(twcc->statusCount() == 9);
  CHECK(twcc->referenceTime() == 0x63f916);
  CHECK(twcc->fbPktCount() == 179);
  CHECK(twcc->receivedCount() == 6);
  const auto s = decode(*twcc);
  REQUIRE(s.size() == 9);
  const int32_t deltas[] = {155, 170, 106, 170, 123};
  int64_t arrival = int64_t{0x63f916} * 256;
  for (size_t i = 0; i < 5; ++i) {
    arrival += deltas[i];
    CHECK(s[i] == TwccPacketStatus{static_cast<uint16_t>(34108 + i), true, deltas[i], arrival});
  }
  CHECK(s[5] == TwccPacketStatus{34113, false, 0, 0});
  CHECK(s[6] == TwccPacketStatus{34114, true, 265, arrival + 265});
  CHECK_FALSE(s[7].received);
  CHECK_FALSE(s[8].received);
  CHECK(s[8].seq == 34116);

  // Re-encoding gives the same vector chunk and a run of 2 for the tail.
  std::vector<TwccPacket> input;
  for (const auto& st : s)
    input.push_back({st.seq, st.received ? std::optional<int64_t>(st.arrivalUs()) : std::nullopt});
  const auto built = build(input, 179);
  REQUIRE(!built.empty());
  CHECK(chunkAt(built, 0) == 0xd552);
  CHECK(chunkAt(built, 1) == 0x0002);
  const auto again = TransportCcView::parse(*single(built));
  REQUIRE(again);
  CHECK(decode(*again) == s);
}

TEST_CASE("TWCC: run-length chunks with large deltas (no padding)") {
  // Chunks 0x4002 (2 large deltas) and 0x2004 (4 small); deltas 8190, 8090, 208, 0, 208, 0.
  const auto bytes =
      hex("8f cd 00 07 | fa 17 fa 17 | 19 3d d8 bb | 01 74 00 06 | 45 b1 5a 40 | 40 02 20 04 |"
          "1f fe 1f 9a | d0 00 d0 00");
  const auto twcc = TransportCcView::parse(*single(bytes));
  REQUIRE(twcc);
  const auto s = decode(*twcc);
  REQUIRE(s.size() == 6);
  const int32_t deltas[] = {8190, 8090, 208, 0, 208, 0};
  int64_t arrival = int64_t{0x45b15a} * 256;
  for (size_t i = 0; i < 6; ++i) {
    arrival += deltas[i];
    CHECK(s[i] == TwccPacketStatus{static_cast<uint16_t>(372 + i), true, deltas[i], arrival});
  }

  // Every truncation of the FCI (with a consistent length field) is rejected.
  for (size_t words = 2; words < 7; ++words) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(4 * (words + 1)));
    cut[3] = static_cast<uint8_t>(words);
    const auto packet = single(cut);
    REQUIRE(packet);
    INFO("words " << words);
    CHECK_FALSE(TransportCcView::parse(*packet).has_value());
  }
}

TEST_CASE("TWCC: Chrome capture with seven small deltas in one run-length chunk") {
  const auto bytes =
      hex("af cd 00 07 | fa 17 fa 17 | 19 3d d8 bb | 00 04 00 07 | 10 63 6e 01 | 20 07 4c 24 |"
          "24 10 0c 0c | 10 00 00 03");
  const auto twcc = TransportCcView::parse(*single(bytes));
  REQUIRE(twcc);
  const auto s = decode(*twcc);
  REQUIRE(s.size() == 7);
  const int32_t deltas[] = {76, 36, 36, 16, 12, 12, 16};
  for (size_t i = 0; i < 7; ++i)
    CHECK(s[i].deltaTicks == deltas[i]);
  std::vector<TwccPacket> input;
  for (const auto& st : s)
    input.push_back({st.seq, st.arrivalUs()});
  auto want = bytes;
  want[0] = 0x8f;
  want.back() = 0x00;
  std::vector<uint8_t> out(64);
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addTransportCc(0xfa17fa17, 0x193dd8bb, 1, input));
  CHECK(std::vector<uint8_t>(builder.data().begin(), builder.data().end()) == want);
}

TEST_CASE("TWCC: the draft's chunk examples (§3.1.3, §3.1.4)") {
  // §3.1.3 example 1: run-length chunk 0x00dd, a run of 221 "not received".
  std::vector<TwccPacket> lost;
  for (uint16_t i = 0; i < 221; ++i)
    lost.push_back({static_cast<uint16_t>(1000 + i), std::nullopt});
  const auto built = build(lost);
  REQUIRE(built.size() == 24);  // header 4 + SSRCs 8 + fixed 8 + one chunk + 2 bytes zero padding
  CHECK(chunkAt(built, 0) == 0x00dd);
  const auto twcc = TransportCcView::parse(*single(built));
  REQUIRE(twcc);
  CHECK(twcc->statusCount() == 221);
  CHECK(twcc->receivedCount() == 0);
  CHECK(twcc->referenceTime() == 0);

  // §3.1.4 example 1: one-bit status vector 0x9f1c = [0 1 1 1 1 1 0 0 0 1 1 1 0 0].
  const int pattern[] = {0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0};
  std::vector<TwccPacket> mixed;
  for (uint16_t i = 0; i < 14; ++i) {
    mixed.push_back({i, pattern[i] ? std::optional<int64_t>(1'000'000 + i * 1000) : std::nullopt});
  }
  const auto vector = build(mixed);
  CHECK(chunkAt(vector, 0) == 0x9f1c);
  const auto parsed = TransportCcView::parse(*single(vector));
  REQUIRE(parsed);
  const auto s = decode(*parsed);
  REQUIRE(s.size() == 14);
  for (size_t i = 0; i < 14; ++i) {
    CHECK(s[i].received == (pattern[i] == 1));
    if (s[i].received) CHECK(s[i].arrivalUs() == 1'000'000 + static_cast<int64_t>(i) * 1000);
  }

  // §3.1.4 example 2 (0xcd50) and §3.1.3 example 2 (0x6018) use symbol 11, which §3.1.1 lists as
  // reserved: rejected, as libwebrtc does.
  CHECK_FALSE(
      TransportCcView::parse(*single(withFci(hex("00 00 00 07 | 00 00 00 00 | cd 50 00 00 00 00 00 00"))))
          .has_value());
  CHECK_FALSE(TransportCcView::parse(*single(withFci(hex("00 00 00 18 | 00 00 00 00 | 60 18")))).has_value());
}

TEST_CASE("TWCC: negative reference time and negative deltas") {
  // Reference time 0xffffff = -1 (64 ms before the epoch), one 2-bit vector with a small delta
  // then a large negative delta (-300 ticks).
  const auto bytes = withFci(hex("00 10 00 02 | ff ff ff 05 | d8 00 | 10 | fe d4"));
  const auto twcc = TransportCcView::parse(*single(bytes));
  REQUIRE(twcc);
  CHECK(twcc->referenceTime() == -1);
  CHECK(twcc->referenceTimeRaw() == 0xffffffu);
  const auto s = decode(*twcc);
  REQUIRE(s.size() == 2);
  CHECK(s[0] == TwccPacketStatus{16, true, 16, -256 + 16});
  CHECK(s[1] == TwccPacketStatus{17, true, -300, -256 + 16 - 300});
}

TEST_CASE("TWCC: encoder round trip with gaps, large and negative deltas") {
  std::mt19937 rng(1504);
  for (int round = 0; round < 300; ++round) {
    std::vector<TwccPacket> input;
    uint16_t seq = static_cast<uint16_t>(rng());
    int64_t arrival = static_cast<int64_t>(rng() % 100'000'000) - 50'000'000;
    const size_t n = 1 + rng() % 300;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) seq = static_cast<uint16_t>(seq + 1 + (rng() % 8 == 0 ? rng() % 40 : 0));
      const auto kind = rng() % 10;
      std::optional<int64_t> at;
      if (kind < 6) {
        arrival += static_cast<int64_t>(rng() % 20'000);  // small delta (< 64 ms)
        at = arrival;
      } else if (kind == 6) {
        arrival += 64'000 + static_cast<int64_t>(rng() % 8'000'000);  // large positive delta
        at = arrival;
      } else if (kind == 7) {
        arrival -= static_cast<int64_t>(rng() % 8'000'000);  // negative delta (reordering)
        at = arrival;
      }  // else: not received
      input.push_back({seq, at});
    }
    const auto bytes = build(input, static_cast<uint8_t>(round));
    REQUIRE(!bytes.empty());
    CHECK(bytes.size() % 4 == 0);
    const auto packet = single(bytes);
    REQUIRE(packet);
    const auto twcc = TransportCcView::parse(*packet);
    REQUIRE(twcc);
    CHECK(twcc->baseSeq() == input.front().seq);
    CHECK(twcc->fbPktCount() == static_cast<uint8_t>(round));
    const auto s = decode(*twcc);
    REQUIRE(s.size() == twcc->statusCount());
    size_t k = 0;
    for (const auto& st : s) {
      if (k < input.size() && st.seq == input[k].seq) {
        CHECK(st.received == input[k].arrivalUs.has_value());
        if (input[k].arrivalUs) {
          // Quantised down to 250 µs.
          const int64_t us = *input[k].arrivalUs;
          const int64_t ticks = us >= 0 ? us / 250 : -((-us + 249) / 250);
          CHECK(st.arrivalTicks == ticks);
        }
        ++k;
      } else {
        CHECK_FALSE(st.received);  // a gap between listed packets
      }
    }
    CHECK(k == input.size());
  }
}

TEST_CASE("TWCC: chunk choice is compact") {
  // 20000 packets received 1 ms apart: run-length chunks of 8191, 8191 and 3618.
  std::vector<TwccPacket> steady;
  for (uint32_t i = 0; i < 20000; ++i)
    steady.push_back({static_cast<uint16_t>(65000 + i), int64_t{i} * 1000});
  const auto bytes = build(steady);
  REQUIRE(!bytes.empty());
  CHECK(chunkAt(bytes, 0) == (0x2000 | 8191));
  CHECK(chunkAt(bytes, 1) == (0x2000 | 8191));
  CHECK(chunkAt(bytes, 2) == (0x2000 | 3618));
  CHECK(bytes.size() == ((20 + 6 + 20000 + 3) & ~size_t{3}));
  const auto twcc = TransportCcView::parse(*single(bytes));
  REQUIRE(twcc);
  CHECK(twcc->statusCount() == 20000);
  CHECK(twcc->receivedCount() == 20000);

  // Alternating received / lost: one-bit vectors of 14.
  std::vector<TwccPacket> alternating;
  for (uint16_t i = 0; i < 28; ++i)
    alternating.push_back({i, i % 2 ? std::optional<int64_t>(i * 1000) : std::nullopt});
  const auto alt = build(alternating);
  CHECK(chunkAt(alt, 0) == 0x9555);  // 1 0 | 01010101010101
  CHECK(chunkAt(alt, 1) == 0x9555);
  CHECK(alt.size() == ((20 + 4 + 14 + 3) & ~size_t{3}));

  // Small and large deltas mixed: two-bit vectors of 7.
  std::vector<TwccPacket> jumpy;
  int64_t t = 0;
  for (uint16_t i = 0; i < 7; ++i) {
    t += i % 2 ? 100'000 : 1'000;
    jumpy.push_back({i, t});
  }
  const auto jb = build(jumpy);
  CHECK(chunkAt(jb, 0) == 0xd999);  // 1 1 | 01 10 01 10 01 10 01
}

TEST_CASE("TWCC: encoder rejects what cannot be encoded") {
  std::vector<uint8_t> out(256);
  RtcpCompoundBuilder builder(out);
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, {}));
  // Out of order and duplicate sequence numbers.
  const std::vector<TwccPacket> backwards{{10, 0}, {9, 1000}};
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, backwards));
  const std::vector<TwccPacket> dup{{10, 0}, {10, 1000}};
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, dup));
  // Consecutive received packets more than 8.19 s apart (16-bit signed ticks).
  const std::vector<TwccPacket> far{{1, 0}, {2, int64_t{32768} * 250}};
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, far));
  const std::vector<TwccPacket> justFits{{1, 0}, {2, int64_t{32767} * 250}};
  CHECK(builder.addTransportCc(1, 2, 0, justFits));
  const std::vector<TwccPacket> farBack{{1, int64_t{40000} * 250}, {2, int64_t{40000 - 32768} * 250}};
  CHECK(builder.addTransportCc(1, 2, 0, farBack));
  const std::vector<TwccPacket> tooFarBack{{1, int64_t{40000} * 250}, {2, int64_t{40000 - 32769} * 250}};
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, tooFarBack));
  // A span of more than 65535 statuses.
  const std::vector<TwccPacket> wide{{0, 0}, {30000, 0}, {60000, 0}, {2000, 0}};
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, wide));
  // The buffer is too small: nothing is appended.
  const size_t before = builder.size();
  std::vector<TwccPacket> many;
  for (uint16_t i = 0; i < 400; ++i)
    many.push_back({i, i % 3 ? std::optional<int64_t>(i * 100'000) : std::nullopt});
  CHECK_FALSE(builder.addTransportCc(1, 2, 0, many));
  CHECK(builder.size() == before);
  CHECK(RtcpCompound(builder.data()).valid());
}

TEST_CASE("TWCC: malformed packets") {
  // Status count 0.
  CHECK_FALSE(TransportCcView::parse(*single(withFci(hex("00 00 00 00 | 00 00 00 00")))).has_value());
  // FCI shorter than the fixed part.
  CHECK_FALSE(TransportCcView::parse(*single(hex("8f cd 00 03 | 00 00 00 01 | 00 00 00 02 | 00 00 00 01")))
                  .has_value());
  // Status count larger than the chunks cover.
  CHECK_FALSE(TransportCcView::parse(*single(withFci(hex("00 00 00 08 | 00 00 00 00 | 00 07")))).has_value());
  // Deltas missing.
  CHECK_FALSE(
      TransportCcView::parse(*single(withFci(hex("00 00 00 03 | 00 00 00 00 | 40 03 00 01")))).has_value());
  // A run of zero length is harmless.
  const auto zeroRun = withFci(hex("00 00 00 01 | 00 00 00 00 | 00 00 20 01 05"));
  const auto ok = TransportCcView::parse(*single(zeroRun));
  REQUIRE(ok);
  CHECK(decode(*ok) == std::vector<TwccPacketStatus>{{0, true, 5, 5}});
  // Wrong FMT.
  auto nackFmt = zeroRun;
  nackFmt[0] = 0x81;
  CHECK_FALSE(TransportCcView::parse(*single(nackFmt)).has_value());
}
