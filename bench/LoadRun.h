#pragma once
// `switchyard-bench load`: runs one scenario against each target in turn, in one process and one
// run (Switchyard with 1..N workers, the UDP reflector, Janus), measures the same figures for each,
// and writes the report (LoadReport).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/LoadScenario.h"
#include "bench/MetricsScrape.h"
#include "bench/ReceiveMeter.h"

namespace switchyard::bench {

struct TargetSpec {
  std::string kind;              // "switchyard", "reflector", "janus"
  uint32_t workers = 1;          // switchyard: workers; reflector: threads; janus: event loops (when given)
  bool explicitWorkers = false;  // ":N" given (janus without it: its default, a loop per handle)
  bool latencyHistogram = true;  // switchyard: workers.latency_histogram (":nolatency" turns it off)
  [[nodiscard]] std::string label() const;
};

struct RunOptions {
  LoadScenario scenario;
  std::vector<TargetSpec> targets;
  std::string serverBinary;  // switchyard
  // Config keys for switchyard (`--server-set KEY=VALUE`), given to it as SWITCHYARD_ variables
  // after (so over) the bench's own.
  std::vector<std::pair<std::string, std::string>> serverSettings;
  std::string benchBinary;  // this program (for the reflector)
  std::string outDir;
  bool progress = true;
  bool keepLogs = true;
};

struct RampStep {
  uint32_t subscribers = 0;  // per run (all rooms)
  uint32_t rooms = 0;
  double seconds = 0;
  double receivedPerSecond = 0;
  double lossPercent = 0;
  double p99Ms = 0;             // +infinity past the histogram's last bound (quantileMs)
  double serverCpuPercent = 0;  // of one core
};

// Data-channel messages in the measured window (scenario.dataChannels).
struct DataTotals {
  uint64_t sent = 0;  // messages the publishers' channels accepted
  ReceiveTotals received;
  LatencyHistogram::Snapshot latency;
};

struct TargetResult {
  TargetSpec target;
  std::string error;  // the target could not be run (the rest may be empty)
  uint32_t peers = 0;
  uint32_t ready = 0;
  uint32_t failed = 0;
  std::vector<std::string> peerErrors;  // the first few
  double setupSeconds = 0;
  double windowSeconds = 0;
  uint64_t sentPackets = 0;
  ReceiveTotals received;
  LatencyHistogram::Snapshot latency;
  // switchyard: the latency added in the server over the window (two scrapes of /metrics).
  std::optional<ServerLatencyHistogram> serverLatency;
  std::optional<ServerLatencyHistogram> serverProcessing;  // its part after recvmmsg returned
  double jitterMs = 0;
  double serverCpuSeconds = 0;
  double benchCpuSeconds = 0;
  uint64_t rssBeforeBytes = 0;     // after start, before any peer
  uint64_t rssIdleFromBytes = 0;   // the first half of the idle peers connected (settled)
  uint64_t rssPeersBytes = 0;      // every idle peer connected (settled)
  uint32_t idlePeersMeasured = 0;  // idle peers between the two
  uint64_t rssEndBytes = 0;
  std::vector<std::pair<double, uint64_t>> rssSeries;  // (seconds into the window, bytes)
  std::vector<RampStep> ramp;
  std::optional<RampStep> knee;   // the last step within the limits
  bool rampLimitCrossed = false;  // false: the ramp ended at ramp-max-subscribers (no knee found)
  uint32_t keyframeRequests = 0;
  DataTotals data;
  std::string exitStatus;
  std::string publisherThreadPriority;  // the publishers' own client thread: what raisePriority got

  [[nodiscard]] double lossPercent() const noexcept;
  [[nodiscard]] double receivedPerSecond() const noexcept;
  [[nodiscard]] double packetsPerCpuSecond() const noexcept;
  // Resident memory per idle peer: (rssPeersBytes - rssIdleFromBytes) / idlePeersMeasured.
  [[nodiscard]] double rssPerPeerBytes() const noexcept;
  [[nodiscard]] nlohmann::json toJson() const;
};

// Parses "switchyard,reflector,janus" with optional ":N" workers ("switchyard:1,switchyard:2") and,
// for switchyard, an optional ":nolatency" after it (the server's latency histogram off, to measure
// its cost: "switchyard:1,switchyard:1:nolatency"); false with `error`.
bool parseTargets(const std::string& text, std::vector<TargetSpec>& out, std::string& error);

// A latency in ms with `digits` decimals for the reports; past the last bound of the histograms
// (+infinity, as quantileMs returns it) "> 1000" (the bound in ms).
[[nodiscard]] std::string formatMs(double ms, int digits);

// Runs every target; exits early (returns what it has) on SIGINT.
std::vector<TargetResult> runLoad(const RunOptions& options);

}  // namespace switchyard::bench
