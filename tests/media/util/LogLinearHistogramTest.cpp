// The log-linear latency histogram shared by the server (<1000, 4>) and the bench (<10000, 3>):
// bucket bounds at every decade edge of both layouts, the quantile rule, overflow, +=, -= and
// snapshots taken while the writer records.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "media/util/LogLinearHistogram.h"

using namespace switchyard::media::util;

namespace {

using ServerLayout = LogLinearHistogram<1000, 4>;  // server::LatencyHistogram
using BenchLayout = LogLinearHistogram<10000, 3>;  // bench::LatencyHistogram

constexpr uint64_t kUs = 1000;
constexpr uint64_t kMs = 1000 * kUs;
constexpr uint64_t kS = 1000 * kMs;

// The layouts as the server and the bench computed them before they shared this template, written
// out decade by decade: the template must give the same bucket for every value.
size_t serverBucketBefore(uint64_t ns) {
  const uint64_t us = ns / 1000;
  if (us < 100) return static_cast<size_t>(us);
  if (us < 1000) return static_cast<size_t>(100 + (us - 100) / 10);
  if (us < 10000) return static_cast<size_t>(190 + (us - 1000) / 100);
  if (us < 100000) return static_cast<size_t>(280 + (us - 10000) / 1000);
  if (us < 1000000) return static_cast<size_t>(370 + (us - 100000) / 10000);
  return 460;
}
size_t benchBucketBefore(uint64_t ns) {
  const uint64_t us = ns / 1000;
  if (us < 1000) return static_cast<size_t>(us / 10);
  if (us < 10000) return static_cast<size_t>(100 + (us - 1000) / 100);
  if (us < 100000) return static_cast<size_t>(190 + (us - 10000) / 1000);
  if (us < 1000000) return static_cast<size_t>(280 + (us - 100000) / 10000);
  return 370;
}

}  // namespace

TEST_CASE("log-linear histogram: the server layout, 1 us steps to 100 us then 4 decades to 1 s") {
  static_assert(ServerLayout::kBuckets == 461);
  static_assert(ServerLayout::kLastBoundNs == kS);
  // (value ns, bucket) at each edge: first range, then each decade's first and last bucket.
  const std::pair<uint64_t, size_t> edges[] = {{0, 0},
                                               {999, 0},
                                               {kUs, 1},
                                               {100 * kUs - 1, 99},
                                               {100 * kUs, 100},
                                               {110 * kUs - 1, 100},
                                               {110 * kUs, 101},
                                               {kMs - 1, 189},
                                               {kMs, 190},
                                               {kMs + 100 * kUs, 191},
                                               {10 * kMs - 1, 279},
                                               {10 * kMs, 280},
                                               {100 * kMs - 1, 369},
                                               {100 * kMs, 370},
                                               {kS - 1, 459},
                                               {kS, 460},
                                               {3 * kS, 460},
                                               {kUnboundedNs, 460}};
  for (const auto& [ns, bucket] : edges) {
    INFO("ns " << ns);
    CHECK(ServerLayout::bucketOf(ns) == bucket);
  }
  // (bucket, upper bound ns).
  const std::pair<size_t, uint64_t> uppers[] = {
      {0, kUs},        {99, 100 * kUs},  {100, 110 * kUs}, {189, kMs}, {190, 1100 * kUs},  {279, 10 * kMs},
      {280, 11 * kMs}, {369, 100 * kMs}, {370, 110 * kMs}, {459, kS},  {460, kUnboundedNs}};
  for (const auto& [bucket, upper] : uppers) {
    INFO("bucket " << bucket);
    CHECK(ServerLayout::bucketUpperNs(bucket) == upper);
  }
}

TEST_CASE("log-linear histogram: the bench layout, 10 us steps to 1 ms then 3 decades to 1 s") {
  static_assert(BenchLayout::kBuckets == 371);
  static_assert(BenchLayout::kLastBoundNs == kS);
  const std::pair<uint64_t, size_t> edges[] = {
      {0, 0},          {10 * kUs - 1, 0},     {10 * kUs, 1},      {kMs - 1, 99},
      {kMs, 100},      {1100 * kUs - 1, 100}, {1100 * kUs, 101},  {10 * kMs - 1, 189},
      {10 * kMs, 190}, {100 * kMs - 1, 279},  {100 * kMs, 280},   {kS - 1, 369},
      {kS, 370},       {5 * kS, 370},         {kUnboundedNs, 370}};
  for (const auto& [ns, bucket] : edges) {
    INFO("ns " << ns);
    CHECK(BenchLayout::bucketOf(ns) == bucket);
  }
  const std::pair<size_t, uint64_t> uppers[] = {{0, 10 * kUs},    {99, kMs},       {100, 1100 * kUs},
                                                {189, 10 * kMs},  {190, 11 * kMs}, {279, 100 * kMs},
                                                {280, 110 * kMs}, {369, kS},       {370, kUnboundedNs}};
  for (const auto& [bucket, upper] : uppers) {
    INFO("bucket " << bucket);
    CHECK(BenchLayout::bucketUpperNs(bucket) == upper);
  }
}

TEMPLATE_TEST_CASE("log-linear histogram: contiguous buckets, each value below its bound", "", ServerLayout,
                   BenchLayout) {
  // Every bucket's upper bound is the next bucket's first value.
  uint64_t lower = 0;
  for (size_t i = 0; i + 1 < TestType::kBuckets; ++i) {
    const uint64_t upper = TestType::bucketUpperNs(i);
    INFO("bucket " << i);
    REQUIRE(upper > lower);
    CHECK(TestType::bucketOf(lower) == i);
    CHECK(TestType::bucketOf(upper - 1) == i);
    CHECK(TestType::bucketOf(upper) == i + 1);
    lower = upper;
  }
  CHECK(lower == TestType::kLastBoundNs);
  CHECK(TestType::bucketUpperNs(TestType::kBuckets - 1) == kUnboundedNs);
}

TEST_CASE("log-linear histogram: both layouts bucket every value as before they were shared") {
  // Every microsecond to 2 s, and the nanoseconds on either side of it.
  for (uint64_t us = 0; us <= 2'000'000; ++us) {
    for (const uint64_t ns : {us * kUs, us * kUs + 1, us * kUs + 999}) {
      if (ServerLayout::bucketOf(ns) != serverBucketBefore(ns) ||
          BenchLayout::bucketOf(ns) != benchBucketBefore(ns)) {
        FAIL("ns " << ns << ": server " << ServerLayout::bucketOf(ns) << " (was " << serverBucketBefore(ns)
                   << "), bench " << BenchLayout::bucketOf(ns) << " (was " << benchBucketBefore(ns) << ")");
      }
    }
  }
}

TEST_CASE("log-linear histogram: the quantile rank is ceil(q * n) clamped to [1, n]") {
  CHECK(quantileRank(0.5, 0) == 0);
  CHECK(quantileRank(0.5, 1) == 1);
  CHECK(quantileRank(0.0, 10) == 1);
  CHECK(quantileRank(-1.0, 10) == 1);
  CHECK(quantileRank(std::numeric_limits<double>::quiet_NaN(), 10) == 1);
  CHECK(quantileRank(0.2, 10) == 2);   // whole: the 2nd sample, not the 3rd
  CHECK(quantileRank(0.25, 10) == 3);  // 2.5 -> 3
  CHECK(quantileRank(0.99, 1000) == 990);
  CHECK(quantileRank(0.9905, 1000) == 991);
  CHECK(quantileRank(0.07, 100) == 7);  // 0.07 * 100 is 7.000000000000001 in doubles
  CHECK(quantileRank(0.29, 100) == 29);
  CHECK(quantileRank(1.0, 10) == 10);
  CHECK(quantileRank(2.0, 10) == 10);
  CHECK(quantileRank(0.999, 1'000'000'000'000ULL) == 999'000'000'000ULL);
}

TEST_CASE("log-linear histogram: quantiles are the upper bound of the bucket of rank ceil(q * n)") {
  BenchLayout h;
  CHECK(h.snapshot().count() == 0);
  CHECK(h.snapshot().quantileNs(0.99) == 0);
  for (int i = 0; i < 990; ++i)
    h.record(250 * kUs);  // [250, 260) us
  for (int i = 0; i < 10; ++i)
    h.record(4321 * kUs);  // [4.3, 4.4) ms
  const BenchLayout::Snapshot s = h.snapshot();
  CHECK(s.count() == 1000);
  CHECK(s.sumNs == 990 * 250 * kUs + 10 * 4321 * kUs);
  CHECK(s.quantileNs(0) == 260 * kUs);  // the first sample's bucket
  CHECK(s.quantileNs(0.5) == 260 * kUs);
  // 0.99 * 1000 = 990, whole: rank 990 is the last sample of the first bucket. (The bench's rule
  // before, the first bucket with more than floor(q * n) samples, gave the next bucket here: 4.4 ms.)
  CHECK(s.quantileNs(0.99) == 260 * kUs);
  CHECK(s.quantileNs(0.9905) == 4400 * kUs);
  CHECK(s.quantileNs(0.995) == 4400 * kUs);
  CHECK(s.quantileNs(1.0) == 4400 * kUs);  // the maximum's bucket
  CHECK(s.countBelow(250 * kUs) == 0);
  CHECK(s.countBelow(260 * kUs) == 990);
  CHECK(s.countBelow(4300 * kUs) == 990);
  CHECK(s.countBelow(4400 * kUs) == 1000);

  // One sample per bucket 0..99 of the server layout: the rank is exact for decimal q.
  ServerLayout steps;
  for (uint64_t k = 0; k < 100; ++k)
    steps.record(k * kUs + 500);
  CHECK(steps.snapshot().quantileNs(0.07) == 7 * kUs);
  CHECK(steps.snapshot().quantileNs(0.5) == 50 * kUs);
  CHECK(steps.snapshot().quantileNs(0.505) == 51 * kUs);
}

TEST_CASE("log-linear histogram: count, sum and quantiles of a server-layout snapshot") {
  // 900 samples at 50.5 us, 90 at 450 us, 9 at 5 ms, 1 at 2 s.
  ServerLayout h;
  for (int i = 0; i < 900; ++i)
    h.record(50 * kUs + 500);
  for (int i = 0; i < 90; ++i)
    h.record(450 * kUs);
  for (int i = 0; i < 9; ++i)
    h.record(5 * kMs);
  h.record(2 * kS);
  const ServerLayout::Snapshot s = h.snapshot();
  CHECK(s.count() == 1000);
  CHECK(s.sumNs == 900 * (50 * kUs + 500) + 90 * 450 * kUs + 9 * 5 * kMs + 2 * kS);
  CHECK(s.quantileNs(0) == 51 * kUs);
  CHECK(s.quantileNs(0.5) == 51 * kUs);
  CHECK(s.quantileNs(0.9) == 51 * kUs);  // rank 900: still the first bucket
  CHECK(s.quantileNs(0.901) == 460 * kUs);
  CHECK(s.quantileNs(0.99) == 460 * kUs);
  CHECK(s.quantileNs(0.999) == 5100 * kUs);
  CHECK(s.quantileNs(1.0) == kUnboundedNs);  // 2 s: past the last bound
  CHECK(s.countBelow(51 * kUs) == 900);
  CHECK(s.countBelow(50 * kUs) == 0);
  CHECK(s.countBelow(kMs) == 990);
}

TEST_CASE("log-linear histogram: samples past the last bound fall in the unbounded overflow bucket") {
  ServerLayout h;
  for (int i = 0; i < 999; ++i)
    h.record(50 * kUs + 500);
  h.record(2 * kS);
  const ServerLayout::Snapshot s = h.snapshot();
  CHECK(s.counts[ServerLayout::kBuckets - 1] == 1);
  CHECK(s.quantileNs(0.999) == 51 * kUs);
  CHECK(s.quantileNs(1.0) == kUnboundedNs);
  CHECK(s.countBelow(ServerLayout::kLastBoundNs) == 999);
  CHECK(s.countBelow(kUnboundedNs) == 1000);  // all: Prometheus' +Inf bucket
  CHECK(s.sumNs == 999 * (50 * kUs + 500) + 2 * kS);
  CHECK(std::isinf(boundToDouble(s.quantileNs(1.0))));
  CHECK(boundToDouble(s.quantileNs(0.5)) == 51000.0);

  BenchLayout b;
  b.record(kS);
  CHECK(b.snapshot().quantileNs(0.5) == kUnboundedNs);
}

TEST_CASE("log-linear histogram: += adds snapshots, -= leaves a window and saturates at zero") {
  ServerLayout h;
  h.record(3 * kUs);
  h.record(450 * kUs);
  const ServerLayout::Snapshot before = h.snapshot();
  h.record(450 * kUs);
  h.record(5 * kMs);
  const ServerLayout::Snapshot after = h.snapshot();

  ServerLayout::Snapshot twice = after;
  twice += after;
  CHECK(twice.count() == 8);
  CHECK(twice.sumNs == 2 * after.sumNs);
  CHECK(twice.counts[ServerLayout::bucketOf(450 * kUs)] == 4);
  CHECK(twice.quantileNs(0.5) == 460 * kUs);

  ServerLayout::Snapshot window = after;
  window -= before;
  CHECK(window.count() == 2);
  CHECK(window.sumNs == 450 * kUs + 5 * kMs);
  CHECK(window.counts[ServerLayout::bucketOf(3 * kUs)] == 0);
  CHECK(window.quantileNs(0.5) == 460 * kUs);
  CHECK(window.quantileNs(1.0) == 5100 * kUs);

  // A snapshot older than the one subtracted: every count and the sum stop at 0, none wraps.
  ServerLayout::Snapshot backwards = before;
  backwards -= after;
  CHECK(backwards.count() == 0);
  CHECK(backwards.sumNs == 0);
  CHECK(backwards.quantileNs(0.5) == 0);
}

TEST_CASE("log-linear histogram: snapshots taken while the writer records never go backwards") {
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
  constexpr uint64_t kSamples = 200'000;
  BenchLayout h;
  std::atomic<bool> done{false};
  std::thread writer([&h, &done] {
    for (uint64_t i = 0; i < kSamples; ++i)
      h.record((i % 1500) * kUs);  // 0 .. 1.5 ms: the first range and the first decade
    done.store(true, std::memory_order_release);
  });
  BenchLayout::Snapshot last;
  bool monotonic = true;
  for (int reads = 0; reads < 100'000 && !done.load(std::memory_order_acquire); ++reads) {
    const BenchLayout::Snapshot s = h.snapshot();
    for (size_t i = 0; i < BenchLayout::kBuckets; ++i)
      monotonic = monotonic && s.counts[i] >= last.counts[i];
    monotonic = monotonic && s.sumNs >= last.sumNs;
    last = s;
  }
  writer.join();
  CHECK(monotonic);
  const BenchLayout::Snapshot s = h.snapshot();
  CHECK(s.count() == kSamples);
  CHECK(s.counts[BenchLayout::bucketOf(kMs)] > 0);
  CHECK(s.quantileNs(1.0) == 1500 * kUs);  // the largest, 1.499 ms, in [1.4, 1.5) ms
}
