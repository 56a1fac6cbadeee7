#pragma once
// Added latency through the server: per worker, how long each forwarded RTP packet spent in the
// server, from the kernel's arrival stamp (SO_TIMESTAMPNS) to the return of the sendmmsg that sent
// its last copy. Log-linear buckets: 1 us steps below 100 us, 10 us below
// 1 ms, 100 us below 10 ms, 1 ms below 100 ms, 10 ms below 1 s, then one bucket for 1 s and more.
//
// Single writer (the worker thread: record(), a bucket increment and a sum, relaxed load + store,
// no locked read-modify-write); any thread may snapshot() (relaxed loads, so a snapshot may be a
// few samples behind, and its count and sum may differ by a sample in flight).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace switchyard::server {

class LatencyHistogram {
 public:
  static constexpr size_t kBuckets = 100 + 90 + 90 + 90 + 90 + 1;

  [[nodiscard]] static size_t bucketOf(uint64_t ns) noexcept;
  // The (exclusive) upper bound of a bucket in ns; the last one: UINT64_MAX (no bound).
  [[nodiscard]] static uint64_t bucketUpperNs(size_t bucket) noexcept;

  // Worker thread only.
  void record(uint64_t ns) noexcept {
    bump(buckets_[bucketOf(ns)], 1);
    bump(sumNs_, ns);
  }

  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    uint64_t sumNs = 0;
    [[nodiscard]] uint64_t count() const noexcept;
    // The upper bound (ns) of the bucket holding the sample of rank ceil(q * count) (q in [0, 1]):
    // at least `q` of the samples are below it. 0 without samples; UINT64_MAX in the last bucket.
    [[nodiscard]] uint64_t quantileNs(double q) const noexcept;
    // Samples below `ns` (`ns` must be a bucket bound to be exact).
    [[nodiscard]] uint64_t countBelow(uint64_t ns) const noexcept;
    Snapshot& operator+=(const Snapshot& other) noexcept;
  };
  // Any thread.
  [[nodiscard]] Snapshot snapshot() const noexcept;

 private:
  static void bump(std::atomic<uint64_t>& counter, uint64_t n) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> sumNs_{0};
};

// What one worker measures with workers.latency_histogram.
struct ForwardLatency {
  LatencyHistogram added;       // kernel arrival -> the sendmmsg of the packet's last copy
  LatencyHistogram processing;  // the recvmmsg that returned it -> the same sendmmsg (not for mirrors)
};

}  // namespace switchyard::server
