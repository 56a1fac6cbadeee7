#include "server/LatencyHistogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace switchyard::server {

size_t LatencyHistogram::bucketOf(uint64_t ns) noexcept {
  const uint64_t us = ns / 1000;
  if (us < 100) return static_cast<size_t>(us);                               // 0..99
  if (us < 1000) return static_cast<size_t>(100 + (us - 100) / 10);           // 100..189
  if (us < 10000) return static_cast<size_t>(190 + (us - 1000) / 100);        // 190..279
  if (us < 100000) return static_cast<size_t>(280 + (us - 10000) / 1000);     // 280..369
  if (us < 1000000) return static_cast<size_t>(370 + (us - 100000) / 10000);  // 370..459
  return kBuckets - 1;
}

uint64_t LatencyHistogram::bucketUpperNs(size_t bucket) noexcept {
  const auto b = static_cast<uint64_t>(bucket);
  if (b < 100) return (b + 1) * 1000;
  if (b < 190) return (100 + (b - 99) * 10) * 1000;
  if (b < 280) return (1000 + (b - 189) * 100) * 1000;
  if (b < 370) return (10000 + (b - 279) * 1000) * 1000;
  if (b < 460) return (100000 + (b - 369) * 10000) * 1000;
  return std::numeric_limits<uint64_t>::max();
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const noexcept {
  Snapshot s;
  for (size_t i = 0; i < kBuckets; ++i)
    s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
  s.sumNs = sumNs_.load(std::memory_order_relaxed);
  return s;
}

uint64_t LatencyHistogram::Snapshot::count() const noexcept {
  uint64_t n = 0;
  for (const uint64_t c : counts)
    n += c;
  return n;
}

uint64_t LatencyHistogram::Snapshot::quantileNs(double q) const noexcept {
  const uint64_t n = count();
  if (n == 0) return 0;
  const double clamped = std::clamp(q, 0.0, 1.0);
  const auto rank =
      std::clamp<uint64_t>(static_cast<uint64_t>(std::ceil(clamped * static_cast<double>(n))), 1, n);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return bucketUpperNs(i);
  }
  return bucketUpperNs(kBuckets - 1);
}

uint64_t LatencyHistogram::Snapshot::countBelow(uint64_t ns) const noexcept {
  uint64_t n = 0;
  for (size_t i = 0; i < kBuckets && bucketUpperNs(i) <= ns; ++i)
    n += counts[i];
  return n;
}

LatencyHistogram::Snapshot& LatencyHistogram::Snapshot::operator+=(const Snapshot& other) noexcept {
  for (size_t i = 0; i < kBuckets; ++i)
    counts[i] += other.counts[i];
  sumNs += other.sumNs;
  return *this;
}

}  // namespace switchyard::server
