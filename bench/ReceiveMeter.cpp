#include "bench/ReceiveMeter.h"

#include <cstdlib>

namespace switchyard::bench {

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
  meter.latency.record(latency);
  // RFC 3550 A.8: J += (|D| - J) / 16 over the transit time (here exact: one clock).
  const auto transit = static_cast<int64_t>(latency);
  if (lastTransitNs_ != 0) {
    const double d = static_cast<double>(std::llabs(transit - lastTransitNs_));
    jitterNs_ += (d - jitterNs_) / 16.0;
  }
  lastTransitNs_ = transit;
}

}  // namespace switchyard::bench
