// The per-worker added-latency histogram and its /metrics rendering.
#include <catch2/catch.hpp>

#include <limits>
#include <regex>
#include <sstream>
#include <string>

#include "server/LatencyHistogram.h"
#include "server/Metrics.h"

using namespace switchyard::server;

namespace {

constexpr uint64_t kUs = 1000;

}  // namespace

TEST_CASE("latency histogram: log-linear buckets with contiguous bounds", "[latency]") {
  // 1 us steps below 100 us, 10 us below 1 ms, 100 us below 10 ms, 1 ms below 100 ms, 10 ms below 1 s.
  CHECK(LatencyHistogram::bucketOf(0) == 0);
  CHECK(LatencyHistogram::bucketOf(999) == 0);
  CHECK(LatencyHistogram::bucketOf(1000) == 1);
  CHECK(LatencyHistogram::bucketOf(99 * kUs + 999) == 99);
  CHECK(LatencyHistogram::bucketOf(100 * kUs) == 100);
  CHECK(LatencyHistogram::bucketOf(109 * kUs) == 100);
  CHECK(LatencyHistogram::bucketOf(110 * kUs) == 101);
  CHECK(LatencyHistogram::bucketOf(999 * kUs) == 189);
  CHECK(LatencyHistogram::bucketOf(1000 * kUs) == 190);
  CHECK(LatencyHistogram::bucketOf(9999 * kUs) == 279);
  CHECK(LatencyHistogram::bucketOf(10000 * kUs) == 280);
  CHECK(LatencyHistogram::bucketOf(99999 * kUs) == 369);
  CHECK(LatencyHistogram::bucketOf(100000 * kUs) == 370);
  CHECK(LatencyHistogram::bucketOf(999999 * kUs) == 459);
  CHECK(LatencyHistogram::bucketOf(1000000 * kUs) == LatencyHistogram::kBuckets - 1);
  CHECK(LatencyHistogram::bucketOf(std::numeric_limits<uint64_t>::max()) == LatencyHistogram::kBuckets - 1);
  CHECK(LatencyHistogram::bucketUpperNs(LatencyHistogram::kBuckets - 1) ==
        std::numeric_limits<uint64_t>::max());

  // Every bucket's upper bound is the next bucket's first value: each value falls below its bucket's
  // bound and at or above the previous one.
  uint64_t lower = 0;
  for (size_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
    const uint64_t upper = LatencyHistogram::bucketUpperNs(i);
    INFO("bucket " << i);
    REQUIRE(upper > lower);
    CHECK(LatencyHistogram::bucketOf(lower) == i);
    CHECK(LatencyHistogram::bucketOf(upper - 1) == i);
    CHECK(LatencyHistogram::bucketOf(upper) == i + 1);
    lower = upper;
  }
  CHECK(lower == 1000000 * kUs);
}

TEST_CASE("latency histogram: count, sum and quantiles of a snapshot", "[latency]") {
  LatencyHistogram h;
  CHECK(h.snapshot().count() == 0);
  CHECK(h.snapshot().quantileNs(0.99) == 0);

  // 900 samples at 50.5 us, 90 at 450 us, 9 at 5 ms, 1 at 2 s.
  for (int i = 0; i < 900; ++i)
    h.record(50 * kUs + 500);
  for (int i = 0; i < 90; ++i)
    h.record(450 * kUs);
  for (int i = 0; i < 9; ++i)
    h.record(5000 * kUs);
  h.record(2000000 * kUs);
  const LatencyHistogram::Snapshot s = h.snapshot();
  CHECK(s.count() == 1000);
  CHECK(s.sumNs == 900 * (50 * kUs + 500) + 90 * 450 * kUs + 9 * 5000 * kUs + 2000000 * kUs);
  CHECK(s.quantileNs(0) == 51 * kUs);  // the first sample's bucket
  CHECK(s.quantileNs(0.5) == 51 * kUs);
  CHECK(s.quantileNs(0.9) == 51 * kUs);  // rank 900: still the first bucket
  CHECK(s.quantileNs(0.901) == 460 * kUs);
  CHECK(s.quantileNs(0.99) == 460 * kUs);
  CHECK(s.quantileNs(0.999) == 5100 * kUs);
  CHECK(s.quantileNs(1.0) == std::numeric_limits<uint64_t>::max());  // 2 s: past the last bound
  CHECK(s.countBelow(51 * kUs) == 900);
  CHECK(s.countBelow(50 * kUs) == 0);
  CHECK(s.countBelow(1000 * kUs) == 990);

  LatencyHistogram::Snapshot twice = s;
  twice += s;
  CHECK(twice.count() == 2000);
  CHECK(twice.sumNs == 2 * s.sumNs);
  CHECK(twice.quantileNs(0.99) == 460 * kUs);
}

TEST_CASE("metrics: Prometheus text with cumulative latency buckets per worker", "[latency][metrics]") {
  // Every exported bound is a bucket bound of the histogram (so the cumulative counts are exact).
  uint64_t previous = 0;
  for (const uint64_t bound : exportedLatencyBoundsNs()) {
    CHECK(bound > previous);
    CHECK(LatencyHistogram::bucketOf(bound) != LatencyHistogram::bucketOf(bound - 1));
    previous = bound;
  }
  CHECK(previous == 1000000 * kUs);
  CHECK(exportedLatencyBoundsNs().size() == 116);

  LatencyHistogram h;
  h.record(3 * kUs);
  h.record(7 * kUs);
  h.record(130 * kUs);
  h.record(3 * 1000000 * kUs);  // 3 s: only in +Inf
  ServerFigures figures;
  figures.version = "1.2.3";
  figures.rooms = 2;
  figures.peers = 5;
  WorkerFigures w0;
  w0.rtpReceived = 10;
  w0.rtpForwarded = 20;
  w0.latency = h.snapshot();
  LatencyHistogram processing;
  processing.record(2 * kUs);
  w0.processing = processing.snapshot();
  WorkerFigures w1;
  w1.rtpReceived = 1;
  w1.latency = LatencyHistogram::Snapshot{};
  w1.handoff = WorkerFigures::Handoff{4, 5, 6};
  figures.workers = {w0, w1};
  const std::string text = renderMetrics(figures);

  CHECK_THAT(text, Catch::Contains("switchyard_info{version=\"1.2.3\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE switchyard_rooms gauge\nswitchyard_rooms 2\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_peers 5\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_workers 2\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_rtp_received_total{worker=\"0\"} 10\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_rtp_forwarded_total{worker=\"0\"} 20\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_rtp_forwarded_total{worker=\"1\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_handoff_sent_total{worker=\"1\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_handoff_dropped_total{worker=\"1\"} 6\n"));
  CHECK(text.find("switchyard_handoff_sent_total{worker=\"0\"}") == std::string::npos);
  CHECK_THAT(text, Catch::Contains("# TYPE switchyard_forward_latency_seconds histogram\n"));
  CHECK_THAT(text,
             Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.000005\"} 1\n"));
  CHECK_THAT(text,
             Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.00001\"} 2\n"));
  CHECK_THAT(text,
             Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.00012\"} 2\n"));
  CHECK_THAT(text,
             Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.00014\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.5\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"1\"} 3\n"));
  CHECK_THAT(text,
             Catch::Contains("switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"+Inf\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_sum{worker=\"0\"} 3.00014\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_count{worker=\"0\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_count{worker=\"1\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_latency_seconds_sum{worker=\"1\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE switchyard_forward_processing_seconds histogram\n"));
  CHECK_THAT(text, Catch::Contains(
                       "switchyard_forward_processing_seconds_bucket{worker=\"0\",le=\"0.000005\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("switchyard_forward_processing_seconds_count{worker=\"0\"} 1\n"));
  CHECK(text.find("switchyard_forward_processing_seconds_count{worker=\"1\"}") == std::string::npos);

  // Every line is a comment or `name{labels} value`; bucket counts never decrease within a worker.
  std::istringstream lines(text);
  std::string line;
  const std::regex sampleLine(R"(^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$)");
  const std::regex bucketLine(
      R"(^switchyard_forward_latency_seconds_bucket\{worker="0",le="[^"]+"\} (\d+)$)");
  uint64_t last = 0;
  size_t buckets = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    INFO(line);
    CHECK(std::regex_match(line, sampleLine));
    std::smatch m;
    if (std::regex_match(line, m, bucketLine)) {
      const uint64_t n = std::stoull(m[1]);
      CHECK(n >= last);
      last = n;
      ++buckets;
    }
  }
  CHECK(buckets == exportedLatencyBoundsNs().size() + 1);

  // Without the histogram (workers.latency_histogram off) there is no latency family.
  figures.workers[0].latency.reset();
  figures.workers[0].processing.reset();
  figures.workers[1].latency.reset();
  CHECK(renderMetrics(figures).find("switchyard_forward_latency_seconds") == std::string::npos);
}
