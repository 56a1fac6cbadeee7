#pragma once
// Reads Switchyard's GET /metrics: the added-latency histogram (switchyard_forward_latency_seconds,
// summed over the workers), so `switchyard-bench load` reports the time packets spent in the server
// over the measured window (the difference of two scrapes), beside its end-to-end figures.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace switchyard::bench {

struct ServerLatencyHistogram {
  // (upper bound in seconds, cumulative count), ascending; the last bound is +Inf.
  std::vector<std::pair<double, uint64_t>> buckets;
  double sumSeconds = 0;
  uint64_t count = 0;

  // The bound (seconds) of the first bucket holding the sample of rank ceil(q * count)
  // (media::util::quantileRank, the rule of the bench's own histogram): at least q of the samples are
  // below it. 0 without samples; +Inf when that sample is past the last finite bound.
  [[nodiscard]] double quantileSeconds(double q) const noexcept;
  // This minus an earlier scrape (the same bounds; a bucket missing from `before` counts as 0).
  [[nodiscard]] ServerLatencyHistogram since(const ServerLatencyHistogram& before) const;
};

inline constexpr std::string_view kAddedLatencyFamily = "switchyard_forward_latency_seconds";
inline constexpr std::string_view kProcessingFamily = "switchyard_forward_processing_seconds";

// A latency histogram family in a /metrics body, summed over its `worker` labels; nullopt when the
// body has none (histogram off, or not Switchyard).
[[nodiscard]] std::optional<ServerLatencyHistogram> parseServerLatency(
    std::string_view metrics, std::string_view family = kAddedLatencyFamily);

// GET /metrics from `endpoint` (blocking, bounded by `timeout`); the body, or nullopt on any failure
// or a status other than 200.
[[nodiscard]] std::optional<std::string> fetchMetrics(const boost::asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout);

}  // namespace switchyard::bench
