#include "media/forward/BandwidthEstimator.h"

#include <algorithm>
#include <cmath>

namespace switchyard::media::forward {

namespace {

constexpr int64_t kBurstUs = 5'000;        // packets sent within 5 ms form one group
constexpr double kSmoothing = 0.9;         // of the accumulated delay
constexpr double kThresholdGain = 4.0;     // trend x min(deltas, 60) x gain vs. the threshold
constexpr double kOverusingTimeMs = 10.0;  // over the threshold this long (and twice) = overuse
constexpr double kThresholdUp = 0.0087;    // adaptive threshold (GCC draft section 5.4)
constexpr double kThresholdDown = 0.039;
constexpr double kMinThreshold = 6.0;
constexpr double kMaxThreshold = 600.0;
constexpr double kDecreaseFactor = 0.85;
constexpr double kIncreasePerSecond = 1.08;
constexpr double kNearCapacityIncreasePerSecond = 1.05;
constexpr uint32_t kLossWindowPackets = 50;
constexpr auto kLossWindowTime = std::chrono::milliseconds(500);
constexpr double kHighLoss = 0.10;
constexpr double kLowLoss = 0.02;
constexpr double kProbeMinReceivedShare = 0.8;
constexpr uint32_t kProbeMinPackets = 5;
constexpr double kProbeSaturatedShare = 0.9;
constexpr double kProbeUtilisation = 0.95;

double seconds(std::chrono::steady_clock::duration d) noexcept {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

BandwidthEstimator::BandwidthEstimator(const Options& options) noexcept
    : options_(options),
      estimate_(std::clamp(options.initialBps, options.minBps, options.maxBps)),
      delayBased_(estimate_),
      lossLimit_(options.maxBps) {}

void BandwidthEstimator::onPacketSent(uint16_t seq, size_t bytes, Clock::time_point now) noexcept {
  Sent& sent = history_[seq % kHistorySize];
  sent.sendUs = toUs(now);
  sent.seq = seq;
  sent.bytes = static_cast<uint16_t>(std::min<size_t>(bytes, UINT16_MAX));
  sent.valid = true;
  sent.reported = false;
  sent.cluster = 0;
  if (probe_.active && now - probe_.start <= kProbeDuration) {
    sent.cluster = probe_.id;
    probe_.bytesSent += sent.bytes;
    ++probe_.packetsSent;
  }
}

void BandwidthEstimator::onFeedback(const rtcp::TransportCcView& feedback, Clock::time_point now) noexcept {
  ++counters_.feedbackPackets;
  feedback.forEachPacket([&](const rtcp::TwccPacketStatus& status) {
    Sent& sent = history_[status.seq % kHistorySize];
    if (!sent.valid || sent.seq != status.seq || sent.reported) return;
    sent.reported = true;
    ++counters_.packetsReported;
    if (!status.received) {
      ++counters_.packetsLost;
      ++lossLost_;
      return;
    }
    ++lossReceived_;
    onArrival(sent, status.arrivalUs(), now);
  });
  updateLoss(now);
  updateRate(now);
  if (probe_.active && now - probe_.start >= kProbeDuration + kProbeFeedbackWait) judgeProbe(now);
}

void BandwidthEstimator::onArrival(const Sent& sent, int64_t arrivalUs, Clock::time_point now) noexcept {
  if (arrivalUs > lastArrivalUs_ || lastArrivalAt_ == Clock::time_point{}) {
    lastArrivalUs_ = arrivalUs;
    lastArrivalAt_ = now;
  }
  acked_.add(arrivalUs, sent.bytes);
  if (probe_.active && sent.cluster == probe_.id) {
    if (probe_.packetsReceived == 0) {
      probe_.firstSendUs = sent.sendUs;
      probe_.firstArrivalUs = arrivalUs;
      probe_.firstBytes = sent.bytes;
    }
    ++probe_.packetsReceived;
    probe_.bytesReceived += sent.bytes;
    probe_.firstSendUs = std::min(probe_.firstSendUs, sent.sendUs);
    probe_.firstArrivalUs = std::min(probe_.firstArrivalUs, arrivalUs);
    if (sent.sendUs >= probe_.lastSendUs) {
      probe_.lastSendUs = sent.sendUs;
      probe_.lastBytes = sent.bytes;
    }
    probe_.lastArrivalUs = std::max(probe_.lastArrivalUs, arrivalUs);
  }

  // Inter-arrival groups, in send order; a packet sent before the current group is not used.
  if (!current_.valid) {
    current_ = Group{true, sent.sendUs, sent.sendUs, arrivalUs};
    return;
  }
  if (sent.sendUs < current_.firstSendUs) return;
  const int64_t arrivalDelta = arrivalUs - current_.lastArrivalUs;
  const int64_t sendDelta = sent.sendUs - current_.lastSendUs;
  const bool burst = arrivalDelta >= 0 && arrivalDelta < kBurstUs && arrivalDelta - sendDelta < 0;
  if (sent.sendUs - current_.firstSendUs <= kBurstUs || burst) {
    current_.lastSendUs = std::max(current_.lastSendUs, sent.sendUs);
    current_.lastArrivalUs = std::max(current_.lastArrivalUs, arrivalUs);
    return;
  }
  if (previous_.valid) {
    const int64_t groupSend = current_.lastSendUs - previous_.lastSendUs;
    const int64_t groupArrival = current_.lastArrivalUs - previous_.lastArrivalUs;
    if (groupArrival >= 0 && groupSend >= 0) {
      onGroupDelta(static_cast<double>(groupArrival - groupSend) / 1000.0,
                   static_cast<double>(current_.lastArrivalUs) / 1000.0,
                   static_cast<double>(groupSend) / 1000.0);
    }
  }
  previous_ = current_;
  current_ = Group{true, sent.sendUs, sent.sendUs, arrivalUs};
}

void BandwidthEstimator::onGroupDelta(double delayMs, double arrivalMs, double sendDeltaMs) noexcept {
  numDeltas_ = std::min<uint32_t>(numDeltas_ + 1, 1000);
  if (firstArrivalMs_ < 0) firstArrivalMs_ = arrivalMs;
  accumulatedDelay_ += delayMs;
  smoothedDelay_ = kSmoothing * smoothedDelay_ + (1 - kSmoothing) * accumulatedDelay_;
  windowX_[windowNext_] = arrivalMs - firstArrivalMs_;
  windowY_[windowNext_] = smoothedDelay_;
  windowNext_ = (windowNext_ + 1) % kWindow;
  windowCount_ = std::min(windowCount_ + 1, kWindow);
  double trend = previousTrend_;
  if (windowCount_ == kWindow) {
    double meanX = 0;
    double meanY = 0;
    for (size_t i = 0; i < kWindow; ++i) {
      meanX += windowX_[i];
      meanY += windowY_[i];
    }
    meanX /= kWindow;
    meanY /= kWindow;
    double numerator = 0;
    double denominator = 0;
    for (size_t i = 0; i < kWindow; ++i) {
      numerator += (windowX_[i] - meanX) * (windowY_[i] - meanY);
      denominator += (windowX_[i] - meanX) * (windowX_[i] - meanX);
    }
    if (denominator != 0) trend = numerator / denominator;
  }
  detect(trend, sendDeltaMs, arrivalMs);
}

void BandwidthEstimator::detect(double trend, double sendDeltaMs, double nowMs) noexcept {
  if (numDeltas_ < 2) {
    usage_ = Usage::kNormal;
    previousTrend_ = trend;
    return;
  }
  const double modified = std::min<double>(numDeltas_, 60) * trend * kThresholdGain;
  if (modified > threshold_) {
    timeOverUsing_ = timeOverUsing_ < 0 ? sendDeltaMs / 2 : timeOverUsing_ + sendDeltaMs;
    ++overuseCounter_;
    if (timeOverUsing_ > kOverusingTimeMs && overuseCounter_ > 1 && trend >= previousTrend_) {
      timeOverUsing_ = 0;
      overuseCounter_ = 0;
      usage_ = Usage::kOverusing;
      if (probe_.active) probe_.overused = true;
    }
  } else if (modified < -threshold_) {
    timeOverUsing_ = -1;
    overuseCounter_ = 0;
    usage_ = Usage::kUnderusing;
  } else {
    timeOverUsing_ = -1;
    overuseCounter_ = 0;
    usage_ = Usage::kNormal;
  }
  previousTrend_ = trend;
  updateThreshold(modified, nowMs);
}

void BandwidthEstimator::updateThreshold(double modifiedTrend, double nowMs) noexcept {
  if (lastThresholdUpdateMs_ < 0) lastThresholdUpdateMs_ = nowMs;
  const double magnitude = std::fabs(modifiedTrend);
  // A spike far over the threshold (a route change, a burst) does not drag the threshold up.
  if (magnitude > threshold_ + 15.0) {
    lastThresholdUpdateMs_ = nowMs;
    return;
  }
  const double k = magnitude < threshold_ ? kThresholdDown : kThresholdUp;
  const double dt = std::min(nowMs - lastThresholdUpdateMs_, 100.0);
  threshold_ = std::clamp(threshold_ + k * (magnitude - threshold_) * dt, kMinThreshold, kMaxThreshold);
  lastThresholdUpdateMs_ = nowMs;
}

uint32_t BandwidthEstimator::ackedBps(Clock::time_point now) const noexcept {
  if (lastArrivalAt_ == Clock::time_point{}) return 0;
  // The window's clock is the subscriber's arrival clock: advance it by the time since the last
  // arrival was heard of.
  const int64_t nowUs = lastArrivalUs_ + std::max<int64_t>(0, toUs(now) - toUs(lastArrivalAt_) - 100'000);
  return static_cast<uint32_t>(std::min<uint64_t>(acked_.bitsPerSecond(nowUs), UINT32_MAX));
}

void BandwidthEstimator::updateRate(Clock::time_point now) noexcept {
  const double acked = ackedBps(now);
  if (lastRateUpdate_ == Clock::time_point{}) lastRateUpdate_ = now;
  const double dt = std::min(seconds(now - lastRateUpdate_), 1.0);
  lastRateUpdate_ = now;
  switch (usage_) {
    case Usage::kOverusing:
      rateState_ = RateState::kDecrease;
      break;
    case Usage::kUnderusing:
      rateState_ = RateState::kHold;
      break;
    case Usage::kNormal:
      if (rateState_ != RateState::kIncrease) rateState_ = RateState::kIncrease;
      break;
  }
  switch (rateState_) {
    case RateState::kHold:
      break;
    case RateState::kIncrease: {
      const bool nearCapacity =
          linkCapacity_ > 0 && delayBased_ >= linkCapacity_ * 0.9 && delayBased_ <= linkCapacity_ * 1.5;
      const double factor = nearCapacity ? kNearCapacityIncreasePerSecond : kIncreasePerSecond;
      double next = delayBased_ * std::pow(factor, dt);
      if (acked > 0) {
        const double cap = 1.5 * acked + 10'000;
        if (next > cap) next = std::max(cap, std::min(delayBased_, next));
      }
      delayBased_ = next;
      break;
    }
    case RateState::kDecrease:
      if (now - lastDecrease_ >= std::max<Clock::duration>(rtt_, std::chrono::milliseconds(200)) &&
          acked > 0) {
        const double next = std::min(delayBased_, kDecreaseFactor * acked);
        linkCapacity_ = linkCapacity_ > 0 ? 0.8 * linkCapacity_ + 0.2 * acked : acked;
        delayBased_ = next;
        lastDecrease_ = now;
        ++counters_.overuses;
      }
      rateState_ = RateState::kHold;
      break;
  }
  setEstimate(static_cast<uint64_t>(std::min(delayBased_, lossLimit_)));
}

void BandwidthEstimator::updateLoss(Clock::time_point now) noexcept {
  if (lastLossUpdate_ == Clock::time_point{}) lastLossUpdate_ = now;
  const double dt = std::min(seconds(now - lastLossUpdate_), 1.0);
  const uint32_t total = lossReceived_ + lossLost_;
  if (total < kLossWindowPackets || now - lastLossUpdate_ < kLossWindowTime) return;
  lastLossUpdate_ = now;
  lastLoss_ = static_cast<double>(lossLost_) / total;
  lossReceived_ = 0;
  lossLost_ = 0;
  if (lastLoss_ > kHighLoss) {
    if (now - lastLossDecrease_ >= std::max<Clock::duration>(rtt_, std::chrono::milliseconds(300))) {
      lossLimit_ = std::min<double>(lossLimit_, estimate_) * (1 - 0.5 * lastLoss_);
      lastLossDecrease_ = now;
      ++counters_.lossDecreases;
    }
  } else if (lastLoss_ < kLowLoss) {
    lossLimit_ = std::min<double>(
        options_.maxBps, std::max<double>(lossLimit_, options_.minBps) * std::pow(kIncreasePerSecond, dt));
  }
}

void BandwidthEstimator::setEstimate(uint64_t bps) noexcept {
  estimate_ = static_cast<uint32_t>(std::clamp<uint64_t>(bps, options_.minBps, options_.maxBps));
  // Neither part drifts far below the floor or above the ceiling.
  delayBased_ = std::clamp<double>(delayBased_, options_.minBps, options_.maxBps);
  lossLimit_ = std::clamp<double>(lossLimit_, options_.minBps, options_.maxBps);
}

bool BandwidthEstimator::startProbe(uint32_t bps, Clock::time_point now) noexcept {
  if (probe_.active) return false;
  probe_ = Probe{};
  probe_.active = true;
  probe_.id = nextProbeId_;
  nextProbeId_ = static_cast<uint8_t>(nextProbeId_ == 255 ? 1 : nextProbeId_ + 1);
  probe_.bps = std::min(bps, options_.maxBps);
  probe_.start = now;
  ++counters_.probesStarted;
  return true;
}

size_t BandwidthEstimator::probePaddingDue(Clock::time_point now) const noexcept {
  if (!probe_.active || now < probe_.start) return 0;
  const Clock::duration elapsed = std::min<Clock::duration>(now - probe_.start, kProbeDuration);
  if (now - probe_.start > kProbeDuration) return 0;
  const double wanted = static_cast<double>(probe_.bps) / 8 * seconds(elapsed);
  const double sent = static_cast<double>(probe_.bytesSent);
  return wanted > sent ? static_cast<size_t>(wanted - sent) : 0;
}

void BandwidthEstimator::tick(Clock::time_point now) noexcept {
  if (probe_.active && now - probe_.start >= kProbeDuration + 2 * kProbeFeedbackWait) judgeProbe(now);
}

void BandwidthEstimator::judgeProbe(Clock::time_point /*now*/) noexcept {
  probe_.active = false;
  lastProbeSucceeded_ = false;
  const bool enough = probe_.packetsSent >= kProbeMinPackets && probe_.packetsReceived >= kProbeMinPackets &&
                      probe_.packetsReceived >= kProbeMinReceivedShare * probe_.packetsSent;
  const int64_t sendSpan = probe_.lastSendUs - probe_.firstSendUs;
  const int64_t receiveSpan = probe_.lastArrivalUs - probe_.firstArrivalUs;
  if (!enough || sendSpan <= 0 || receiveSpan <= 0) {
    ++counters_.probesFailed;
    return;
  }
  const double sendRate =
      static_cast<double>(probe_.bytesReceived - probe_.lastBytes) * 8 * 1e6 / static_cast<double>(sendSpan);
  const double receiveRate = static_cast<double>(probe_.bytesReceived - probe_.firstBytes) * 8 * 1e6 /
                             static_cast<double>(receiveSpan);
  // A cluster that arrived slower than it was sent saturated the link: the receive rate (a little
  // under it) is the capacity. One that built a queue (a policer's burst passes the first packets
  // at line rate and flatters the receive rate) proves nothing.
  const double result = receiveRate < kProbeSaturatedShare * sendRate ? kProbeUtilisation * receiveRate
                                                                      : std::min(sendRate, receiveRate);
  if (probe_.overused || usage_ == Usage::kOverusing || result <= estimate_) {
    ++counters_.probesFailed;
    return;
  }
  delayBased_ = result;
  lossLimit_ = std::max(lossLimit_, result);
  setEstimate(static_cast<uint64_t>(result));
  ++counters_.probesSucceeded;
  lastProbeSucceeded_ = true;
}

}  // namespace switchyard::media::forward
