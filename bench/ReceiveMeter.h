#pragma once
// What the load clients measure. Every counter has one writer (the client thread that owns the
// peers) and may be read at any time by the reporting thread (relaxed atomics, no lock, no
// allocation on the receive path):
// - LatencyHistogram: end-to-end latency in log-linear buckets (10 us steps below 1 ms, 100 us to
//   10 ms, 1 ms to 100 ms, 10 ms to 1 s), so percentiles are exact to the bucket;
// - StreamTracker: one received stream (by the stamp's stream id): packets expected from its first to
//   its highest sequence number, received, duplicates (a 1024-packet window), late arrivals, and the
//   RFC 3550 interarrival jitter of the one-way delay.
#include <array>
#include <atomic>
#include <bitset>
#include <cstdint>
#include <vector>

#include "bench/SyntheticMedia.h"

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

class LatencyHistogram {
 public:
  static constexpr size_t kBuckets = 100 + 90 + 90 + 90 + 1;

  void add(uint64_t ns) noexcept { buckets_[bucketOf(ns)].add(); }
  [[nodiscard]] static size_t bucketOf(uint64_t ns) noexcept;
  // The upper bound of a bucket in microseconds (the last one: 1 s and above).
  [[nodiscard]] static double bucketUpperUs(size_t bucket) noexcept;

  // A copy of the counts (to subtract two snapshots: a window's histogram).
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    [[nodiscard]] uint64_t total() const noexcept;
    // The latency (us, a bucket's upper bound) below which `fraction` of the samples fall; 0 if none.
    [[nodiscard]] double percentileUs(double fraction) const noexcept;
    Snapshot& operator+=(const Snapshot& other) noexcept;
    Snapshot& operator-=(const Snapshot& other) noexcept;
  };
  [[nodiscard]] Snapshot snapshot() const noexcept;

 private:
  std::array<SingleWriterCounter, kBuckets> buckets_{};
};

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
