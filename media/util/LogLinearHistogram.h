#pragma once
// A latency histogram with log-linear buckets, written by one thread and read by any: the server's
// per-worker added latency (server/LatencyHistogram.h) and the load clients' end-to-end latency
// (bench/ReceiveMeter.h).
//
// Buckets, for LogLinearHistogram<StepNs, Decades>:
//   - 100 buckets StepNs wide:                  [0, 100 StepNs)
//   - per decade d = 1..Decades, 90 buckets StepNs * 10^d wide: [10^(d+1) StepNs, 10^(d+2) StepNs)
//   - one overflow bucket from 10^(Decades+2) StepNs up, whose upper bound is kUnboundedNs.
// <1000, 4>: 1 us steps below 100 us, then 10 us, 100 us, 1 ms, 10 ms up to 1 s (461 buckets);
// <10000, 3>: 10 us steps below 1 ms, then 100 us, 1 ms, 10 ms up to 1 s (371 buckets).
//
// record() is one relaxed load + store per counter (a bucket and the sum), no locked
// read-modify-write, so only one thread may call it; snapshot() may run on any thread (relaxed
// loads: a snapshot may be a few samples behind, and its count and sum may differ by a sample in
// flight). Quantiles are upper bucket bounds: the bound below which at least q of the samples fall.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

namespace switchyard::media::util {

// The upper bound of the overflow bucket (and the quantile of a sample in it): no bound.
inline constexpr uint64_t kUnboundedNs = std::numeric_limits<uint64_t>::max();

// A bound or quantile in ns as a double, kUnboundedNs as +infinity (so that a report prints "inf"
// or "> 1000 ms", never 1.8e13 us).
[[nodiscard]] constexpr double boundToDouble(uint64_t ns) noexcept {
  return ns == kUnboundedNs ? std::numeric_limits<double>::infinity() : static_cast<double>(ns);
}

// The rank (1-based) of the q-quantile among n samples: ceil(q * n) clamped to [1, n] (q outside
// [0, 1] or NaN clamped; 0 when n is 0). A product a rounding error above a whole number counts as
// that number (0.07 * 100 is 7.000000000000001 in doubles: rank 7, not 8).
[[nodiscard]] inline uint64_t quantileRank(double q, uint64_t n) noexcept {
  if (n == 0) return 0;
  const double clamped = q > 0 ? std::min(q, 1.0) : 0.0;
  const double x = clamped * static_cast<double>(n);
  const double rank = std::ceil(x - x * 4 * std::numeric_limits<double>::epsilon());
  return std::clamp<uint64_t>(static_cast<uint64_t>(rank), 1, n);
}

namespace detail {
[[nodiscard]] constexpr uint64_t pow10(unsigned e) noexcept {
  uint64_t p = 1;
  for (unsigned i = 0; i < e; ++i)
    p *= 10;
  return p;
}
}  // namespace detail

template <uint64_t StepNs, unsigned Decades>
class LogLinearHistogram {
 private:
  // The bucket width in decade D (0: the first, linear range).
  template <unsigned D>
  static constexpr uint64_t kWidthNs = detail::pow10(D) * StepNs;

 public:
  static_assert(StepNs > 0);
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
  static_assert(Decades + 2 <= 19 && StepNs <= kUnboundedNs / detail::pow10(Decades + 2),
                "bounds overflow 64 bits");

  static constexpr size_t kBuckets = 100 + 90 * size_t{Decades} + 1;
  // The lower bound of the overflow bucket (the last finite upper bound).
  static constexpr uint64_t kLastBoundNs = StepNs * detail::pow10(Decades + 2);

  [[nodiscard]] static constexpr size_t bucketOf(uint64_t ns) noexcept {
    if (ns < 100 * StepNs) return static_cast<size_t>(ns / StepNs);
    return decadeBucketOf(ns, std::make_integer_sequence<unsigned, Decades>{});
  }
  // The (exclusive) upper bound of a bucket in ns; the overflow bucket's: kUnboundedNs.
  [[nodiscard]] static constexpr uint64_t bucketUpperNs(size_t bucket) noexcept {
    const auto b = static_cast<uint64_t>(bucket);
    if (b < 100) return (b + 1) * StepNs;
    if (b >= kBuckets - 1) return kUnboundedNs;
    const auto decade = static_cast<unsigned>((b - 100) / 90) + 1;
    const uint64_t width = StepNs * detail::pow10(decade);
    return 10 * width + ((b - 100) % 90 + 1) * width;
  }

  // The writer thread only.
  void record(uint64_t ns) noexcept {
    bump(buckets_[bucketOf(ns)], 1);
    bump(sumNs_, ns);
  }

  // A copy of the counts: summed over histograms with +=, or a window as the difference of two
  // snapshots with -=.
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    uint64_t sumNs = 0;

    [[nodiscard]] uint64_t count() const noexcept {
      uint64_t n = 0;
      for (const uint64_t c : counts)
        n += c;
      return n;
    }
    // The upper bound (ns) of the bucket holding the sample of rank quantileRank(q, count()): at
    // least q of the samples are below it. 0 without samples; kUnboundedNs in the overflow bucket.
    [[nodiscard]] uint64_t quantileNs(double q) const noexcept {
      const uint64_t rank = quantileRank(q, count());
      if (rank == 0) return 0;
      uint64_t seen = 0;
      for (size_t i = 0; i < kBuckets; ++i) {
        seen += counts[i];
        if (seen >= rank) return bucketUpperNs(i);
      }
      return kUnboundedNs;
    }
    // Samples below `ns` (exact when `ns` is a bucket bound).
    [[nodiscard]] uint64_t countBelow(uint64_t ns) const noexcept {
      uint64_t n = 0;
      for (size_t i = 0; i < kBuckets && bucketUpperNs(i) <= ns; ++i)
        n += counts[i];
      return n;
    }
    Snapshot& operator+=(const Snapshot& other) noexcept {
      for (size_t i = 0; i < kBuckets; ++i)
        counts[i] += other.counts[i];
      sumNs += other.sumNs;
      return *this;
    }
    // Saturating at 0 (a count read a sample behind in `other` never wraps).
    Snapshot& operator-=(const Snapshot& other) noexcept {
      for (size_t i = 0; i < kBuckets; ++i)
        counts[i] = counts[i] >= other.counts[i] ? counts[i] - other.counts[i] : 0;
      sumNs = sumNs >= other.sumNs ? sumNs - other.sumNs : 0;
      return *this;
    }
  };

  // Any thread.
  [[nodiscard]] Snapshot snapshot() const noexcept {
    Snapshot s;
    for (size_t i = 0; i < kBuckets; ++i)
      s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
    s.sumNs = sumNs_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  // Decade D + 1 spans [10 w, 100 w) with w = kWidthNs<D + 1>, buckets 100 + 90 D .. 189 + 90 D;
  // the first decade whose end is above ns holds it (constant widths: no division by a variable).
  template <unsigned... D>
  static constexpr size_t decadeBucketOf(uint64_t ns, std::integer_sequence<unsigned, D...>) noexcept {
    size_t bucket = kBuckets - 1;
    (void)((ns < 100 * kWidthNs<D + 1>
                ? (bucket = 100 + 90 * size_t{D} + static_cast<size_t>(ns / kWidthNs<D + 1> - 10), true)
                : false) ||
           ...);
    return bucket;
  }
  static void bump(std::atomic<uint64_t>& counter, uint64_t n) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> sumNs_{0};
};

}  // namespace switchyard::media::util
