// The load clients' meters: loss, duplicates and late packets per stream, jitter, and latency
// quantiles from the histogram as the reports print them.
#include <catch2/catch.hpp>

#include <cmath>

#include "bench/LoadReport.h"
#include "bench/LoadRun.h"
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

TEST_CASE("bench latency: quantiles in ms, and past 1 s '> 1000' in the report and null in report.json") {
  // The histogram itself (buckets, quantile rule, -=): tests/media/util/LogLinearHistogramTest.cpp.
  ThreadMeter meter;
  StreamTracker t;
  t.reset(7);
  for (uint32_t seq = 0; seq < 98; ++seq)
    t.onPacket(stamp(seq, 1'000'000), 1'000'000 + 250'000, 100, meter);     // 250 us: [250, 260) us
  t.onPacket(stamp(98, 1'000'000), 1'000'000 + 4'321'000, 100, meter);      // [4.3, 4.4) ms
  t.onPacket(stamp(99, 1'000'000), 1'000'000 + 1'500'000'000, 100, meter);  // 1.5 s: past the last bound
  const LatencyHistogram::Snapshot s = meter.latency.snapshot();
  CHECK(s.count() == 100);
  CHECK(quantileMs(s, 0.5) == Approx(0.26));
  CHECK(quantileMs(s, 0.98) == Approx(0.26));  // rank 98, whole: the 98th sample's bucket
  CHECK(quantileMs(s, 0.99) == Approx(4.4));
  CHECK(std::isinf(quantileMs(s, 1.0)));
  CHECK(quantileMs(LatencyHistogram::Snapshot{}, 0.99) == 0);

  CHECK(formatMs(quantileMs(s, 0.5), 2) == "0.26");
  CHECK(formatMs(quantileMs(s, 1.0), 2) == "> 1000");

  TargetResult r;
  r.target.kind = "switchyard";
  r.latency = s;
  r.ramp.push_back(RampStep{});
  r.ramp.back().p99Ms = quantileMs(s, 1.0);
  const nlohmann::json j = r.toJson();
  CHECK(j["latency_ms"]["p50"].get<double>() == Approx(0.26));
  CHECK(j["latency_ms"]["p99"].get<double>() == Approx(4.4));
  CHECK(j["latency_ms"]["max"].is_null());
  CHECK(j["ramp"][0]["p99_ms"].is_null());
  // The CDF: one point per bucket with samples, none for the unbounded one (it ends below 1).
  const nlohmann::json& cdf = j["latency_cdf"];
  REQUIRE(cdf.size() == 2);
  CHECK(cdf[0][0].get<double>() == Approx(0.26));
  CHECK(cdf[0][1].get<double>() == Approx(0.98));
  CHECK(cdf[1][0].get<double>() == Approx(4.4));
  CHECK(cdf[1][1].get<double>() == Approx(0.99));

  RunOptions options;
  const std::string md = markdownReport(options, {r}, "switchyard-bench load");
  CHECK_THAT(md, Catch::Contains("| 0.26 | 4.40 | > 1000 |"));  // p50, p99, p99.9
  CHECK(md.find("e+") == std::string::npos);
}
