#include "media/forward/ReceiveStatistics.h"

#include <algorithm>
#include <limits>

namespace switchyard::media::forward {

namespace {

constexpr int64_t kSeqMod = 65536;  // RTP_SEQ_MOD
constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace

void ReceiveStatistics::onPacket(uint16_t seq, uint32_t rtpTimestamp, Clock::time_point arrival) noexcept {
  if (!updateSeq(seq)) return;
  updateJitter(rtpTimestamp, arrival);
}

void ReceiveStatistics::initSeq(uint16_t seq) noexcept {
  baseSeq_ = seq;
  maxSeq_ = seq;
  badSeq_ = kSeqMod + 1;  // so seq == bad_seq is false
  cycles_ = 0;
  received_ = 0;
  receivedPrior_ = 0;
  expectedPrior_ = 0;
  lastTransit_.reset();  // a restarted stream has a new timestamp base: no transit difference across
}

bool ReceiveStatistics::updateSeq(uint16_t seq) noexcept {
  if (!started_) {
    // No probation (see the header): the first packet starts the source.
    started_ = true;
    initSeq(seq);
    ++received_;
    return true;
  }
  const auto udelta = static_cast<uint16_t>(seq - maxSeq_);
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap.
    if (seq < maxSeq_) cycles_ += kSeqMod;  // sequence number wrapped: count another 64K cycle
    maxSeq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // The sequence number made a very large jump.
    if (seq == badSeq_) {
      // Two sequential packets: assume the other side restarted without telling us, so just
      // re-sync (i.e., pretend this was the first packet).
      initSeq(seq);
    } else {
      badSeq_ = static_cast<uint32_t>((seq + 1) & (kSeqMod - 1));
      return false;
    }
  } else {
    // Duplicate or reordered packet.
  }
  ++received_;
  return true;
}

uint32_t ReceiveStatistics::arrivalRtp(Clock::time_point arrival) const noexcept {
  // Exact: whole seconds times the rate, plus the remainder's share (|rem| < 1e9 and the rate
  // < 2^32, so rem * rate fits in 63 bits). Unsigned arithmetic wraps modulo 2^32 as RTP does.
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(arrival - firstArrival_).count();
  const int64_t seconds = ns / kNanosPerSecond;
  const int64_t rem = ns % kNanosPerSecond;
  const uint64_t whole = static_cast<uint64_t>(seconds) * clockRate_;
  const auto part = static_cast<uint64_t>(rem * static_cast<int64_t>(clockRate_) / kNanosPerSecond);
  return static_cast<uint32_t>(whole + part);
}

void ReceiveStatistics::updateJitter(uint32_t rtpTimestamp, Clock::time_point arrival) noexcept {
  // RFC 3550 A.8: transit = arrival - r->ts; d = |transit - s->transit|; the integer form
  // s->jitter += d - ((s->jitter + 8) >> 4) keeps the jitter times 16.
  if (!lastTransit_) firstArrival_ = arrival;  // the reference only matters between two transits
  const uint32_t transit = arrivalRtp(arrival) - rtpTimestamp;
  if (lastTransit_) {
    const auto signedD = static_cast<int32_t>(transit - *lastTransit_);
    const int64_t d = signedD < 0 ? -int64_t{signedD} : int64_t{signedD};
    const auto jitter16 = static_cast<int64_t>(jitter16_);
    jitter16_ = static_cast<uint64_t>(jitter16 + d - ((jitter16 + 8) >> 4));
  }
  lastTransit_ = transit;
}

void ReceiveStatistics::onSenderReport(uint64_t ntpTimestamp, Clock::time_point arrival) noexcept {
  lastSr_ = static_cast<uint32_t>(ntpTimestamp >> 16);  // the middle 32 of the 64 bits
  lastSrArrival_ = arrival;
}

int64_t ReceiveStatistics::expected() const noexcept {
  if (!started_) return 0;
  return extendedHighestSeq() - baseSeq_ + 1;
}

int64_t ReceiveStatistics::cumulativeLost() const noexcept {
  return expected() - static_cast<int64_t>(received_);
}

uint32_t ReceiveStatistics::jitter() const noexcept {
  return static_cast<uint32_t>(std::min<uint64_t>(jitter16_ >> 4, std::numeric_limits<uint32_t>::max()));
}

rtcp::ReportBlock ReceiveStatistics::reportBlock(uint32_t ssrc, Clock::time_point now) noexcept {
  rtcp::ReportBlock block;
  block.ssrc = ssrc;
  if (started_) {
    // RFC 3550 A.3.
    const int64_t expectedNow = expected();
    const int64_t expectedInterval = expectedNow - expectedPrior_;
    expectedPrior_ = expectedNow;
    const auto receivedInterval = static_cast<int64_t>(received_ - receivedPrior_);
    receivedPrior_ = received_;
    const int64_t lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval > 0 && lostInterval > 0) {
      // lostInterval <= expectedInterval, so at most 256 (nothing received): shown as 255.
      block.fractionLost =
          static_cast<uint8_t>(std::min<int64_t>((lostInterval << 8) / expectedInterval, 255));
    }
    block.cumulativeLost = static_cast<int32_t>(std::clamp<int64_t>(
        cumulativeLost(), rtcp::ReportBlock::kMinCumulativeLost, rtcp::ReportBlock::kMaxCumulativeLost));
    block.extendedHighestSeq = static_cast<uint32_t>(extendedHighestSeq());
    block.jitter = jitter();
  }
  if (lastSrArrival_) {
    block.lastSr = lastSr_;
    // DLSR in 1/65536 s; 32 bits hold a little over 18 hours.
    constexpr auto kMaxDelay = std::chrono::seconds(65536);
    const auto delay = std::clamp<Clock::duration>(now - *lastSrArrival_, Clock::duration::zero(), kMaxDelay);
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
    block.delaySinceLastSr = static_cast<uint32_t>(
        std::min<int64_t>(ns * 65536 / kNanosPerSecond, std::numeric_limits<uint32_t>::max()));
  }
  return block;
}

}  // namespace switchyard::media::forward
