#include "media/forward/ReceiveStatistics.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>

using switchyard::media::forward::ReceiveStatistics;
using switchyard::media::rtcp::ReportBlock;
using namespace std::chrono_literals;
using Clock = ReceiveStatistics::Clock;

namespace {

const Clock::time_point kT0 = Clock::time_point{} + 5000s;
constexpr uint32_t kSsrc = 0x11223344;

// A 90 kHz video stream: one packet every 20 ms, timestamps 1800 apart, exact arrival times.
struct Stream {
  ReceiveStatistics stats{90000};
  uint32_t timestampBase = 0x7fff0000;

  void packet(uint16_t seq, int index, Clock::duration offset = 0ms) {
    const auto ts = static_cast<uint32_t>(timestampBase + static_cast<uint32_t>(index) * 1800u);
    stats.onPacket(seq, ts, kT0 + index * 20ms + offset);
  }
};

}  // namespace

TEST_CASE("ReceiveStatistics: no loss") {
  Stream s;
  for (int i = 0; i < 100; ++i)
    s.packet(static_cast<uint16_t>(1000 + i), i);
  CHECK(s.stats.received() == 100);
  CHECK(s.stats.expected() == 100);
  CHECK(s.stats.cumulativeLost() == 0);
  const ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 2s);
  CHECK(block.ssrc == kSsrc);
  CHECK(block.fractionLost == 0);
  CHECK(block.cumulativeLost == 0);
  CHECK(block.extendedHighestSeq == 1099);
  CHECK(block.jitter == 0);
  CHECK(block.lastSr == 0);
  CHECK(block.delaySinceLastSr == 0);
}

TEST_CASE("ReceiveStatistics: before the first packet the block is all zero but the SSRC") {
  ReceiveStatistics stats(90000);
  const ReportBlock block = stats.reportBlock(kSsrc, kT0);
  CHECK(block == ReportBlock{kSsrc, 0, 0, 0, 0, 0, 0});
  CHECK(stats.expected() == 0);
}

TEST_CASE("ReceiveStatistics: 10% loss gives fraction 25/256, per report interval") {
  Stream s;
  for (int i = 0; i < 100; ++i) {
    if (i % 10 != 5) s.packet(static_cast<uint16_t>(i), i);  // 0..99, ten lost
  }
  ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 2s);
  CHECK((block.fractionLost == 25 || block.fractionLost == 26));
  CHECK(block.fractionLost == 25);  // (10 << 8) / 100
  CHECK(block.cumulativeLost == 10);
  CHECK(block.extendedHighestSeq == 99);

  // Next interval: no loss; the cumulative count stays.
  for (int i = 100; i < 200; ++i)
    s.packet(static_cast<uint16_t>(i), i);
  block = s.stats.reportBlock(kSsrc, kT0 + 4s);
  CHECK(block.fractionLost == 0);
  CHECK(block.cumulativeLost == 10);

  // An interval with no packets at all: nothing expected, fraction 0.
  block = s.stats.reportBlock(kSsrc, kT0 + 5s);
  CHECK(block.fractionLost == 0);

  // An interval losing 3 of 4.
  s.packet(203, 203);
  block = s.stats.reportBlock(kSsrc, kT0 + 6s);
  CHECK(block.fractionLost == 192);  // (3 << 8) / 4
  CHECK(block.cumulativeLost == 13);
}

TEST_CASE("ReceiveStatistics: wrap-around counts cycles") {
  Stream s;
  int index = 0;
  for (uint32_t seq = 65500; seq < 65600; ++seq)
    s.packet(static_cast<uint16_t>(seq), index++);
  CHECK(s.stats.extendedHighestSeq() == 65599);
  CHECK(s.stats.reportBlock(kSsrc, kT0 + 3s).extendedHighestSeq == 65599);  // cycles 1, max_seq 63
  // A late packet from before the wrap adds no cycle.
  s.packet(65534, index++);
  CHECK(s.stats.extendedHighestSeq() == 65599);
  // A second wrap.
  for (uint32_t seq = 64; seq < 65536 + 10; seq += 1000)
    s.packet(static_cast<uint16_t>(seq), index++);
  s.packet(10, index++);
  CHECK(s.stats.extendedHighestSeq() == 2 * 65536 + 10);
  CHECK(s.stats.reportBlock(kSsrc, kT0 + 9s).extendedHighestSeq == 2u * 65536u + 10u);
}

TEST_CASE("ReceiveStatistics: duplicates make cumulative lost negative, clamped to 24 bits") {
  Stream s;
  for (int i = 0; i < 10; ++i) {
    s.packet(static_cast<uint16_t>(i), i);
    s.packet(static_cast<uint16_t>(i), i);
  }
  CHECK(s.stats.received() == 20);
  CHECK(s.stats.expected() == 10);
  CHECK(s.stats.cumulativeLost() == -10);
  ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 1s);
  CHECK(block.cumulativeLost == -10);
  CHECK(block.fractionLost == 0);  // a negative interval loss reports 0

  for (int i = 0; i < ReportBlock::kMaxCumulativeLost + 20; ++i)
    s.stats.onPacket(9, 0, kT0 + 1s);
  CHECK(s.stats.cumulativeLost() < ReportBlock::kMinCumulativeLost);
  block = s.stats.reportBlock(kSsrc, kT0 + 2s);
  CHECK(block.cumulativeLost == ReportBlock::kMinCumulativeLost);
}

TEST_CASE("ReceiveStatistics: large loss is clamped to the 24-bit maximum") {
  Stream s;
  uint16_t seq = 0;
  for (int i = 0; i < 3000; ++i) {
    s.packet(seq, i);
    seq = static_cast<uint16_t>(seq + 2999);  // just under MAX_DROPOUT: each step loses 2998
  }
  CHECK(s.stats.cumulativeLost() == int64_t{2999} * 2998);
  CHECK(s.stats.extendedHighestSeq() == int64_t{2999} * 2999);
  const ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 100s);
  CHECK(block.cumulativeLost == ReportBlock::kMaxCumulativeLost);
  CHECK(block.fractionLost == (int64_t{2999} * 2998 << 8) / (int64_t{2999} * 2999 + 1));
}

TEST_CASE("ReceiveStatistics: a very large jump is ignored once, a restart when sequential (A.1)") {
  Stream s;
  for (int i = 0; i < 10; ++i)
    s.packet(static_cast<uint16_t>(100 + i), i);
  s.packet(30000, 10);  // 29891 ahead: not counted
  CHECK(s.stats.received() == 10);
  CHECK(s.stats.extendedHighestSeq() == 109);
  s.packet(110, 11);  // the stream goes on
  CHECK(s.stats.received() == 11);
  s.packet(2, 12);  // 108 behind (more than MAX_MISORDER): a jump too
  CHECK(s.stats.received() == 11);
  s.packet(3, 13);  // right after the jump: the source restarted
  CHECK(s.stats.received() == 1);
  CHECK(s.stats.expected() == 1);
  CHECK(s.stats.extendedHighestSeq() == 3);
  s.packet(4, 14);
  const ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 1s);
  CHECK(block.extendedHighestSeq == 4);
  CHECK(block.cumulativeLost == 0);
  CHECK(block.fractionLost == 0);
  // Reorders of up to MAX_MISORDER are counted (as duplicates or late packets).
  s.packet(0, 15);
  CHECK(s.stats.received() == 3);
  CHECK(s.stats.cumulativeLost() == -1);
}

TEST_CASE("ReceiveStatistics: jitter follows A.8 for arrivals alternating +-5 ms (90 kHz)") {
  Stream s;
  // Every transit differs from the previous one by 10 ms = 900 RTP units: J += (900 - J) / 16.
  double expected = 0;
  for (int i = 0; i < 400; ++i) {
    s.packet(static_cast<uint16_t>(i), i, i % 2 == 0 ? 5ms : -5ms);
    if (i > 0) expected += (900.0 - expected) / 16.0;
    INFO("packet " << i << " expected " << expected);
    // The integer form (state * 16, rounded gain, reported >> 4) trails the real-valued one by
    // less than 2 units.
    CHECK(std::abs(static_cast<double>(s.stats.jitter()) - expected) < 2.0);
    if (i == 1) CHECK(s.stats.jitter() == 56);  // 900 / 16
  }
  CHECK(s.stats.jitter() >= 899);
  CHECK(s.stats.jitter() <= 900);
  CHECK(s.stats.reportBlock(kSsrc, kT0 + 10s).jitter == s.stats.jitter());
}

TEST_CASE("ReceiveStatistics: jitter of a steady 48 kHz stream with a constant delay is 0") {
  ReceiveStatistics stats(48000);
  for (int i = 0; i < 100; ++i) {
    stats.onPacket(static_cast<uint16_t>(65500 + i),
                   static_cast<uint32_t>(0xffffff00u + 960u * static_cast<uint32_t>(i)),
                   kT0 + 37ms + i * 20ms);
  }
  CHECK(stats.jitter() == 0);
  // One packet 30 ms late: |D| = 1440 RTP units, J = 1440 / 16 = 90.
  stats.onPacket(100 - 36, 960u * 100u + 0xffffff00u, kT0 + 37ms + 100 * 20ms + 30ms);
  CHECK(stats.jitter() == 90);
}

TEST_CASE("ReceiveStatistics: LSR and DLSR from a sender report 250 ms before the report") {
  Stream s;
  s.packet(1, 0);
  CHECK(s.stats.reportBlock(kSsrc, kT0 + 1s).lastSr == 0);
  s.stats.onSenderReport(0x0123456789abcdefULL, kT0 + 1s);
  ReportBlock block = s.stats.reportBlock(kSsrc, kT0 + 1250ms);
  CHECK(block.lastSr == 0x456789abu);
  CHECK(block.delaySinceLastSr == 16384u);
  block = s.stats.reportBlock(kSsrc, kT0 + 3s);
  CHECK(block.delaySinceLastSr == 2u * 65536u);
  // A report "before" the SR (clock misuse) gives 0, not a wrapped value.
  CHECK(s.stats.reportBlock(kSsrc, kT0).delaySinceLastSr == 0);
  // A newer SR replaces it.
  s.stats.onSenderReport(0xaabbccdd11223344ULL, kT0 + 4s);
  block = s.stats.reportBlock(kSsrc, kT0 + 4s + 1ms);
  CHECK(block.lastSr == 0xccdd1122u);
  CHECK(block.delaySinceLastSr == 65u);  // 65.536 truncated
}
