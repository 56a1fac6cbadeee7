// Reading the server's added-latency histogram from GET /metrics: what Server renders, summed over
// workers, the difference of two scrapes and its quantiles; and over a real HTTP request.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <future>
#include <regex>

#include "bench/MetricsScrape.h"
#include "server/Metrics.h"
#include "server/Server.h"

using namespace switchyard;
using namespace switchyard::bench;

namespace {

constexpr uint64_t kUs = 1000;

server::ServerFigures figures(const std::vector<server::LatencyHistogram*>& workers) {
  server::ServerFigures f;
  f.version = "test";
  for (const server::LatencyHistogram* h : workers) {
    server::WorkerFigures w;
    w.rtpForwarded = 7;
    if (h != nullptr) w.latency = h->snapshot();
    f.workers.push_back(w);
  }
  return f;
}

}  // namespace

TEST_CASE("metrics scrape: the latency histogram summed over workers, diffed and read as quantiles",
          "[metrics]") {
  server::LatencyHistogram w0;
  server::LatencyHistogram w1;
  for (int i = 0; i < 10; ++i)
    w0.record(40 * kUs);  // noise before the window
  const auto before = parseServerLatency(server::renderMetrics(figures({&w0, &w1})));
  REQUIRE(before);
  CHECK(before->count == 10);

  // In the window: 980 packets at 42 us (half on each worker), 15 at 300 us, 5 at 3 ms.
  for (int i = 0; i < 490; ++i) {
    w0.record(42 * kUs);
    w1.record(42 * kUs);
  }
  for (int i = 0; i < 15; ++i)
    w1.record(300 * kUs);
  for (int i = 0; i < 5; ++i)
    w0.record(3000 * kUs);
  const auto after = parseServerLatency(server::renderMetrics(figures({&w0, &w1})));
  REQUIRE(after);
  CHECK(after->count == 1010);
  REQUIRE(after->buckets.size() == server::exportedLatencyBoundsNs().size() + 1);
  CHECK(std::isinf(after->buckets.back().first));
  CHECK(after->buckets.back().second == 1010);

  const ServerLatencyHistogram window = after->since(*before);
  CHECK(window.count == 1000);
  CHECK(window.sumSeconds == Approx(980 * 42e-6 + 15 * 300e-6 + 5 * 3e-3).epsilon(1e-9));
  CHECK(window.quantileSeconds(0.5) == Approx(45e-6));  // the 45 us bucket (5 us steps)
  CHECK(window.quantileSeconds(0.98) == Approx(45e-6));
  CHECK(window.quantileSeconds(0.99) == Approx(320e-6));   // 300 us is not below the 300 us bound
  CHECK(window.quantileSeconds(0.999) == Approx(3.2e-3));  // 3 ms is not below the 3 ms bound
  CHECK(window.quantileSeconds(1.0) == Approx(3.2e-3));
  CHECK(ServerLatencyHistogram{}.quantileSeconds(0.5) == 0);
  // The processing family is read apart from the added latency (their names share a prefix).
  CHECK_FALSE(parseServerLatency(server::renderMetrics(figures({&w0, &w1})), kProcessingFamily));
  server::ServerFigures withProcessing = figures({&w0});
  withProcessing.workers[0].processing = w1.snapshot();
  const auto processing = parseServerLatency(server::renderMetrics(withProcessing), kProcessingFamily);
  REQUIRE(processing);
  CHECK(processing->count == w1.snapshot().count());
  CHECK(parseServerLatency(server::renderMetrics(withProcessing))->count == w0.snapshot().count());
}

TEST_CASE("metrics scrape: bodies without the histogram, malformed and hostile lines", "[metrics]") {
  CHECK_FALSE(parseServerLatency(""));
  CHECK_FALSE(parseServerLatency("# TYPE up gauge\nup 1\n"));
  CHECK_FALSE(parseServerLatency(server::renderMetrics(figures({nullptr}))));  // histogram off
  const auto h = parseServerLatency(
      "switchyard_forward_latency_seconds_bucket{worker=\"0\",le=\"0.001\"} 3\r\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"0.001\"} 2\n"
      "switchyard_forward_latency_seconds_bucket{le=\"+Inf\",worker=\"0\"} 4\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"+Inf\"} 2\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"nan\"} 99\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"0.5} 99\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\"} 99\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"0.2\"} -5\n"
      "switchyard_forward_latency_seconds_bucket{worker=\"1\",le=\"0.2\"} x\n"
      "switchyard_forward_latency_seconds_sum 0.01\n"
      "switchyard_forward_latency_seconds_count{worker=\"0\"} 4\n"
      "switchyard_forward_latency_seconds_count{worker=\"1\"} 2\n"
      "switchyard_forward_latency_seconds_bogus 1\n"
      "switchyard_forward_latency_seconds_count\n"
      "switchyard_forward_latency_seconds_count{worker=\"2\"} inf\n"
      "switchyard_forward_latency_seconds_count{worker=\"2\"} +Inf\n"
      "switchyard_forward_latency_seconds_count{worker=\"2\"} 1e30\n");
  REQUIRE(h);
  CHECK(h->count == 6);
  CHECK(h->sumSeconds == Approx(0.01));
  REQUIRE(h->buckets.size() == 2);
  CHECK(h->buckets[0] == std::pair<double, uint64_t>{0.001, 5});
  CHECK(h->buckets[1].second == 6);
  CHECK(h->quantileSeconds(0.8) == Approx(0.001));
  CHECK(std::isinf(h->quantileSeconds(0.9)));
}

TEST_CASE("metrics scrape: fetched from a running server over HTTP", "[metrics]") {
  config::Config config;
  config.http.port = 0;
  config.workers.count = 2;
  config.rtc.udpPort = 0;
  config.rtc.tcpPort = 0;
  server::Server server(config);
  const std::string url = server.start();
  std::smatch match;
  REQUIRE(std::regex_search(url, match, std::regex(R"(:(\d+)/)")));
  const auto port = static_cast<uint16_t>(std::stoi(match[1]));
  auto running = std::async(std::launch::async, [&server] { server.run(); });
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  const auto body = fetchMetrics(endpoint, std::chrono::seconds(5));
  server.stop();
  running.wait();
  REQUIRE(body);
  CHECK_THAT(*body, Catch::Contains("switchyard_workers 2\n"));
  const auto h = parseServerLatency(*body);
  REQUIRE(h);
  CHECK(h->count == 0);
  CHECK(h->buckets.size() == server::exportedLatencyBoundsNs().size() + 1);
  // Nothing listening: no body, within the bound.
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(fetchMetrics(endpoint, std::chrono::seconds(2)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}
