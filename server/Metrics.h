#pragma once
// GET /metrics: the figures of one Switchyard process in the Prometheus text exposition format
// (version 0.0.4). Pure: the Server gathers the figures (signaling thread; the workers' counters
// and histograms are single-writer atomics read without stopping them) and this renders them.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/LatencyHistogram.h"

namespace switchyard::server {

struct WorkerFigures {
  uint64_t rtpReceived = 0;                              // RTP packets decrypted and parsed
  uint64_t rtpForwarded = 0;                             // RTP copies sent to subscribers (after protection)
  std::optional<LatencyHistogram::Snapshot> latency;     // workers.latency_histogram
  std::optional<LatencyHistogram::Snapshot> processing;  // the part after recvmmsg returned
  // Spread rooms (WorkerHandoff), when the process has lanes between workers.
  struct Handoff {
    uint64_t sent = 0;
    uint64_t received = 0;
    uint64_t dropped = 0;  // pool empty or ring full
  };
  std::optional<Handoff> handoff;
};

struct ServerFigures {
  std::string version;
  size_t rooms = 0;
  size_t peers = 0;
  std::vector<WorkerFigures> workers;
};

// The `le` bounds (ns) of switchyard_forward_latency_seconds: a subset of the histogram's bucket
// bounds (5 us steps below 100 us, then about 10% apart up to 1 s), then +Inf.
[[nodiscard]] std::span<const uint64_t> exportedLatencyBoundsNs() noexcept;

[[nodiscard]] std::string renderMetrics(const ServerFigures& figures);

}  // namespace switchyard::server
