// The load clients' meters: loss, duplicates and late packets per stream, jitter, and latency
// percentiles from the histogram.
#include <catch2/catch.hpp>

#include "bench/ReceiveMeter.h"

using namespace switchyard::bench;

namespace {
PayloadStamp stamp(uint32_t seq, uint64_t sentNs) {
  return {7, seq, sentNs};
}
}  // namespace

TEST_CASE("StreamTracker counts loss between the first and the highest sequence number") {
  ThreadMeter meter;
  StreamTracker t;
  t.reset(7);
  for (uint32_t seq : {10U, 11U, 13U, 16U})
    t.onPacket(stamp(seq, 1000), 2000, 100, meter);
  const ReceiveTotals totals = meter.totals();
  CHECK(totals.expected == 7);  // 10..16
  CHECK(totals.received == 4);
  CHECK(totals.lost() == 3);
  CHECK(totals.duplicates == 0);
  CHECK(totals.bytes == 400);
}

TEST_CASE("StreamTracker: a late packet fills its hole and a repeated one is a duplicate") {
  ThreadMeter meter;
  StreamTracker t;
  t.reset(7);
  t.onPacket(stamp(100, 0), 1, 10, meter);
  t.onPacket(stamp(102, 0), 1, 10, meter);
  CHECK(meter.totals().lost() == 1);
  t.onPacket(stamp(101, 0), 1, 10, meter);  // late
  CHECK(meter.totals().lost() == 0);
  t.onPacket(stamp(101, 0), 1, 10, meter);  // again
  t.onPacket(stamp(102, 0), 1, 10, meter);
  CHECK(meter.totals().duplicates == 2);
  CHECK(meter.totals().received == 3);
}

TEST_CASE("StreamTracker: sequence numbers wrap and a jump beyond the window forgets the window") {
  ThreadMeter meter;
  StreamTracker t;
  t.reset(1);
  t.onPacket(stamp(0xfffffffeU, 0), 1, 1, meter);
  t.onPacket(stamp(0xffffffffU, 0), 1, 1, meter);
  t.onPacket(stamp(0, 0), 1, 1, meter);
  t.onPacket(stamp(1, 0), 1, 1, meter);
  CHECK(meter.totals().expected == 4);
  CHECK(meter.totals().lost() == 0);
  t.onPacket(stamp(5001, 0), 1, 1, meter);
  CHECK(meter.totals().expected == 5004);
  t.onPacket(stamp(5001, 0), 1, 1, meter);
  CHECK(meter.totals().duplicates == 1);
  t.onPacket(stamp(1, 0), 1, 1, meter);  // older than the window: ignored
  CHECK(meter.totals().duplicates == 1);
  CHECK(meter.totals().received == 5);
}

TEST_CASE("StreamTracker jitter follows RFC 3550 over the one-way delay") {
  ThreadMeter meter;
  StreamTracker steady;
  steady.reset(1);
  for (uint32_t i = 0; i < 50; ++i)
    steady.onPacket(stamp(i, i * 20'000'000ULL), i * 20'000'000ULL + 1'000'000, 1, meter);
  CHECK(steady.jitterMs() == Approx(0.0));

  StreamTracker alternating;  // transit 1 ms, 3 ms, 1 ms, ...: |D| = 2 ms, J -> 2 ms
  alternating.reset(2);
  for (uint32_t i = 0; i < 400; ++i) {
    const uint64_t sent = i * 20'000'000ULL;
    alternating.onPacket(stamp(i, sent), sent + (i % 2 ? 3'000'000 : 1'000'000), 1, meter);
  }
  CHECK(alternating.jitterMs() == Approx(2.0).margin(0.01));
}

TEST_CASE("LatencyHistogram percentiles are exact to the bucket") {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i)
    h.add(250'000);  // 250 us -> bucket [250, 260)
  for (int i = 0; i < 10; ++i)
    h.add(4'321'000);  // 4.321 ms -> bucket [4300, 4400)
  const auto s = h.snapshot();
  CHECK(s.total() == 1000);
  CHECK(s.percentileUs(0.5) == 260);
  CHECK(s.percentileUs(0.98) == 260);
  CHECK(s.percentileUs(0.995) == 4400);
  CHECK(s.percentileUs(1.0) == 4400);

  LatencyHistogram::Snapshot empty;
  CHECK(empty.percentileUs(0.99) == 0);
  LatencyHistogram::Snapshot window = s;
  window -= s;
  CHECK(window.total() == 0);
}

TEST_CASE("LatencyHistogram buckets cover 0 to 1 s and above without gaps") {
  double previous = 0;
  for (size_t b = 0; b + 1 < LatencyHistogram::kBuckets; ++b) {
    CHECK(LatencyHistogram::bucketUpperUs(b) > previous);
    previous = LatencyHistogram::bucketUpperUs(b);
  }
  CHECK(previous == 1e6);  // the last bucket holds everything from 1 s up
  CHECK(LatencyHistogram::bucketUpperUs(LatencyHistogram::kBuckets - 1) == 1e6);
  for (uint64_t us :
       {0ULL, 9ULL, 10ULL, 999ULL, 1000ULL, 9999ULL, 10000ULL, 99999ULL, 100000ULL, 999999ULL}) {
    const size_t b = LatencyHistogram::bucketOf(us * 1000);
    CHECK(LatencyHistogram::bucketUpperUs(b) > static_cast<double>(us));
    if (b > 0) CHECK(LatencyHistogram::bucketUpperUs(b - 1) <= static_cast<double>(us));
  }
  CHECK(LatencyHistogram::bucketOf(5'000'000'000ULL) == LatencyHistogram::kBuckets - 1);
}
