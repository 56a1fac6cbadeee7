// GET /metrics: the Prometheus text, with the per-worker added-latency histograms (their buckets
// and quantiles: tests/media/util/LogLinearHistogramTest.cpp).
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>

#include "server/LatencyHistogram.h"
#include "server/Metrics.h"

using namespace switchyard::server;

namespace {

constexpr uint64_t kUs = 1000;

}  // namespace

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
