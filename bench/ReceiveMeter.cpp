#include "bench/ReceiveMeter.h"

#include <cstdlib>

namespace switchyard::bench {

size_t LatencyHistogram::bucketOf(uint64_t ns) noexcept {
  const uint64_t us = ns / 1000;
  if (us < 1000) return static_cast<size_t>(us / 10);                         // 0..99
  if (us < 10000) return static_cast<size_t>(100 + (us - 1000) / 100);        // 100..189
  if (us < 100000) return static_cast<size_t>(190 + (us - 10000) / 1000);     // 190..279
  if (us < 1000000) return static_cast<size_t>(280 + (us - 100000) / 10000);  // 280..369
  return kBuckets - 1;
}

double LatencyHistogram::bucketUpperUs(size_t bucket) noexcept {
  if (bucket < 100) return static_cast<double>((bucket + 1) * 10);
  if (bucket < 190) return static_cast<double>(1000 + (bucket - 99) * 100);
  if (bucket < 280) return static_cast<double>(10000 + (bucket - 189) * 1000);
  if (bucket < 370) return static_cast<double>(100000 + (bucket - 279) * 10000);
  return 1e6;
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const noexcept {
  Snapshot s;
  for (size_t i = 0; i < kBuckets; ++i)
    s.counts[i] = buckets_[i].get();
  return s;
}

uint64_t LatencyHistogram::Snapshot::total() const noexcept {
  uint64_t n = 0;
  for (const uint64_t c : counts)
    n += c;
  return n;
}

double LatencyHistogram::Snapshot::percentileUs(double fraction) const noexcept {
  const uint64_t n = total();
  if (n == 0) return 0;
  const auto target = static_cast<uint64_t>(fraction * static_cast<double>(n));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen > target || (seen == n && counts[i] > 0)) return bucketUpperUs(i);
  }
  return bucketUpperUs(kBuckets - 1);
}

LatencyHistogram::Snapshot& LatencyHistogram::Snapshot::operator+=(const Snapshot& other) noexcept {
  for (size_t i = 0; i < kBuckets; ++i)
    counts[i] += other.counts[i];
  return *this;
}

LatencyHistogram::Snapshot& LatencyHistogram::Snapshot::operator-=(const Snapshot& other) noexcept {
  for (size_t i = 0; i < kBuckets; ++i)
    counts[i] = counts[i] >= other.counts[i] ? counts[i] - other.counts[i] : 0;
  return *this;
}

void StreamTracker::reset(uint32_t streamId) noexcept {
  *this = StreamTracker{};
  streamId_ = streamId;
}

void StreamTracker::onPacket(const PayloadStamp& stamp, uint64_t nowNs, size_t bytes,
                             ThreadMeter& meter) noexcept {
  const uint32_t seq = stamp.sequence;
  meter.bytes.add(bytes);
  if (!started_) {
    started_ = true;
    highest_ = seq;
    seen_.reset();
    seen_.set(seq % kWindow);
    meter.expected.add(1);
    meter.received.add(1);
  } else if (static_cast<int32_t>(seq - highest_) > 0) {
    const uint32_t advance = seq - highest_;
    if (advance >= kWindow) {
      seen_.reset();
    } else {
      for (uint32_t s = highest_ + 1; s != seq; ++s)
        seen_.reset(s % kWindow);
    }
    seen_.set(seq % kWindow);
    highest_ = seq;
    meter.expected.add(advance);
    meter.received.add(1);
  } else if (highest_ - seq < kWindow) {
    if (seen_.test(seq % kWindow)) {
      meter.duplicates.add(1);
      return;
    }
    seen_.set(seq % kWindow);
    meter.received.add(1);  // late: fills a hole counted as expected
  } else {
    return;  // older than the window: neither counted nor judged
  }
  const uint64_t latency = nowNs > stamp.sentNs ? nowNs - stamp.sentNs : 0;
  meter.latency.add(latency);
  // RFC 3550 A.8: J += (|D| - J) / 16 over the transit time (here exact: one clock).
  const auto transit = static_cast<int64_t>(latency);
  if (lastTransitNs_ != 0) {
    const double d = static_cast<double>(std::llabs(transit - lastTransitNs_));
    jitterNs_ += (d - jitterNs_) / 16.0;
  }
  lastTransitNs_ = transit;
}

}  // namespace switchyard::bench
