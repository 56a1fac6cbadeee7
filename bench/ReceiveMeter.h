#pragma once
// What the load clients measure. Every counter has one writer (the client thread that owns the
// peers) and may be read at any time by the reporting thread (relaxed atomics, no lock, no
// allocation on the receive path):
// - LatencyHistogram: end-to-end latency in log-linear buckets (10 us steps below 1 ms, 100 us to
//   10 ms, 1 ms to 100 ms, 10 ms to 1 s; media/util/LogLinearHistogram.h), so quantiles are exact to
//   the bucket;
// - StreamTracker: one received stream (by the stamp's stream id): packets expected from its first to
//   its highest sequence number, received, duplicates (a 1024-packet window), late arrivals, and the
//   RFC 3550 interarrival jitter of the one-way delay.
#include <atomic>
#include <bitset>
#include <cstdint>
#include <vector>

#include "bench/SyntheticMedia.h"
#include "media/util/LogLinearHistogram.h"

namespace switchyard::bench {

// A counter written by one thread, read by any.
class SingleWriterCounter {
 public:
  void add(uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// End-to-end latency: 10 us steps below 1 ms, then 100 us, 1 ms, 10 ms up to 1 s, then one bucket
// for 1 s and more (its quantile: media::util::kUnboundedNs).
using LatencyHistogram = media::util::LogLinearHistogram<10000, 3>;
static_assert(LatencyHistogram::kBuckets == 371);

// A latency quantile in ms; +infinity past the last bound (1 s), 0 without samples.
[[nodiscard]] inline double quantileMs(const LatencyHistogram::Snapshot& s, double q) noexcept {
  return media::util::boundToDouble(s.quantileNs(q)) / 1e6;
}

// Totals of one client thread (or the whole run when added up).
struct ReceiveTotals {
  uint64_t expected = 0;
  uint64_t received = 0;
  uint64_t duplicates = 0;
  uint64_t bytes = 0;
  [[nodiscard]] uint64_t lost() const noexcept { return expected > received ? expected - received : 0; }
  ReceiveTotals& operator+=(const ReceiveTotals& o) noexcept {
    expected += o.expected;
    received += o.received;
    duplicates += o.duplicates;
    bytes += o.bytes;
    return *this;
  }
  ReceiveTotals& operator-=(const ReceiveTotals& o) noexcept {
    expected -= o.expected;
    received -= o.received;
    duplicates -= o.duplicates;
    bytes -= o.bytes;
    return *this;
  }
};

// The counters of one client thread.
struct ThreadMeter {
  SingleWriterCounter expected;
  SingleWriterCounter received;
  SingleWriterCounter duplicates;
  SingleWriterCounter bytes;
  SingleWriterCounter sentPackets;
  SingleWriterCounter sentBytes;
  LatencyHistogram latency;
  [[nodiscard]] ReceiveTotals totals() const noexcept {
    return {expected.get(), received.get(), duplicates.get(), bytes.get()};
  }
};

class StreamTracker {
 public:
  // Accounts one stamped packet that arrived at `nowNs`.
  void onPacket(const PayloadStamp& stamp, uint64_t nowNs, size_t bytes, ThreadMeter& meter) noexcept;
  [[nodiscard]] double jitterMs() const noexcept { return jitterNs_ / 1e6; }
  [[nodiscard]] uint32_t streamId() const noexcept { return streamId_; }
  void reset(uint32_t streamId) noexcept;

 private:
  static constexpr uint32_t kWindow = 1024;
  uint32_t streamId_ = 0;
  bool started_ = false;
  uint32_t highest_ = 0;
  std::bitset<kWindow> seen_;  // bit (seq % kWindow) for seq in (highest - kWindow, highest]
  int64_t lastTransitNs_ = 0;
  double jitterNs_ = 0;
};

}  // namespace switchyard::bench
