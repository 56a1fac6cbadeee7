#pragma once
// Send-side bandwidth estimation toward one subscriber transport (issue 6), in the spirit of Google
// Congestion Control (draft-ietf-rmcat-gcc-02) as libwebrtc runs it on transport-wide congestion
// control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01):
//
// - Every packet the router sends on the transport carries a transport-wide sequence number; its
//   send time and size go into a fixed history (onPacketSent). The subscriber's feedback
//   (onFeedback) says which arrived and when.
// - Delay-based: packets are grouped by send time (5 ms bursts); the change of one-way delay
//   between consecutive groups is accumulated, smoothed, and a trendline (least squares over the
//   last 20 groups) is compared with an adaptive threshold: overusing, normal or underusing.
// - Rate control (AIMD): on overuse the estimate drops to 0.85 x the acknowledged rate (what the
//   feedback says arrived over the last second), at most once per round trip; while normal it
//   grows 8% per second (5% near the capacity seen at the last decreases), never above 1.5 x the
//   acknowledged rate + 10 kbit/s; underuse holds it.
// - Loss-based: over each window of at least 50 reported packets and 500 ms, more than 10% lost cuts a loss
//   limit to estimate x (1 - loss / 2); under 2% the limit climbs 8% per second.
// - Probing: an application-limited sender (a subscriber receiving a low layer) cannot show that
//   more would fit, so the router pads up to a probe rate for kProbeDuration (startProbe /
//   probePaddingDue). When at least 80% of the cluster's packets arrived and the delay detector saw
//   no overuse since it started, the cluster's rate becomes the estimate if it is higher: min(send
//   rate, receive rate), or 0.95 x the receive rate when that is under 90% of the send rate (the
//   link saturated).
// The estimate is min(delay-based, loss limit), clamped to [minBps, maxBps].
//
// Data plane: fixed-size state (the history is kHistorySize entries), no heap after construction,
// no exceptions, no logs, no locks. One thread.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "media/forward/RateWindow.h"
#include "media/rtcp/TransportCcView.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class BandwidthEstimator {
 public:
  using Clock = transport::Clock;

  struct Options {
    uint32_t initialBps = 1'000'000;
    uint32_t minBps = 100'000;
    uint32_t maxBps = 30'000'000;
  };

  enum class Usage : uint8_t { kNormal, kOverusing, kUnderusing };

  struct Counters {
    uint64_t feedbackPackets = 0;  // transport-cc feedback packets taken
    uint64_t packetsReported = 0;  // sent packets the feedback reported on
    uint64_t packetsLost = 0;      // of them, not received
    uint64_t overuses = 0;         // delay-based decreases
    uint64_t lossDecreases = 0;
    uint64_t probesStarted = 0;
    uint64_t probesSucceeded = 0;  // raised the estimate
    uint64_t probesFailed = 0;     // too few packets arrived, or no higher rate
  };

  // Sent packets remembered for feedback (about 2 s at 5 Mbit/s).
  static constexpr size_t kHistorySize = 1024;
  static constexpr Clock::duration kProbeDuration = std::chrono::milliseconds(150);
  // How long after a probe's end its feedback may still come before it is judged.
  static constexpr Clock::duration kProbeFeedbackWait = std::chrono::milliseconds(400);

  explicit BandwidthEstimator(const Options& options) noexcept;

  // A packet carrying transport-wide sequence number `seq` (`bytes` on the wire before SRTP) went out.
  void onPacketSent(uint16_t seq, size_t bytes, Clock::time_point now) noexcept;
  // The subscriber's transport-cc feedback.
  void onFeedback(const rtcp::TransportCcView& feedback, Clock::time_point now) noexcept;
  // The round-trip time toward the subscriber (from its reports), for the decrease pacing.
  void setRtt(Clock::duration rtt) noexcept { rtt_ = rtt; }

  [[nodiscard]] uint32_t estimateBps() const noexcept { return estimate_; }
  // What the feedback says arrived over the last second (0 before any feedback).
  [[nodiscard]] uint32_t ackedBps(Clock::time_point now) const noexcept;
  [[nodiscard]] Usage usage() const noexcept { return usage_; }
  // Loss over the last completed window of reported packets (0..1).
  [[nodiscard]] double lossRatio() const noexcept { return lastLoss_; }
  [[nodiscard]] bool hasFeedback() const noexcept { return counters_.feedbackPackets > 0; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

  // --- Probing ---
  // Starts a probe cluster at `bps` (padding fills up to it); false while one runs.
  bool startProbe(uint32_t bps, Clock::time_point now) noexcept;
  [[nodiscard]] bool probing() const noexcept { return probe_.active; }
  // Padding bytes the running probe still wants sent by `now` (0 when none runs or it ended).
  [[nodiscard]] size_t probePaddingDue(Clock::time_point now) const noexcept;
  // Judges a probe whose feedback never came (call from a timer).
  void tick(Clock::time_point now) noexcept;
  // The result of the last judged probe: true when it raised the estimate.
  [[nodiscard]] bool lastProbeSucceeded() const noexcept { return lastProbeSucceeded_; }

 private:
  struct Sent {
    int64_t sendUs = 0;
    uint16_t seq = 0;
    uint16_t bytes = 0;
    uint8_t cluster = 0;  // probe cluster id, 0: none
    bool valid = false;
    bool reported = false;
  };

  // Packets sent within kBurstUs of a group's first one form the group.
  struct Group {
    bool valid = false;
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t lastArrivalUs = 0;
    bool overused = false;  // the delay detector saw overuse while the cluster's feedback came
  };

  struct Probe {
    bool active = false;
    uint8_t id = 0;
    uint32_t bps = 0;
    Clock::time_point start{};
    uint64_t bytesSent = 0;
    uint32_t packetsSent = 0;
    uint32_t packetsReceived = 0;
    uint64_t bytesReceived = 0;
    uint16_t firstBytes = 0;  // size of the first received packet (left out of the receive rate)
    uint16_t lastBytes = 0;   // size of the last sent packet (left out of the send rate)
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t firstArrivalUs = 0;
    int64_t lastArrivalUs = 0;
    bool overused = false;  // the delay detector saw overuse while the cluster's feedback came
  };

  static int64_t toUs(Clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }

  void onArrival(const Sent& sent, int64_t arrivalUs, Clock::time_point now) noexcept;
  void onGroupDelta(double delayMs, double arrivalMs, double sendDeltaMs) noexcept;
  void detect(double trend, double sendDeltaMs, double nowMs) noexcept;
  void updateThreshold(double modifiedTrend, double nowMs) noexcept;
  void updateRate(Clock::time_point now) noexcept;
  void updateLoss(Clock::time_point now) noexcept;
  void judgeProbe(Clock::time_point now) noexcept;
  void setEstimate(uint64_t bps) noexcept;

  Options options_;
  Counters counters_;
  std::array<Sent, kHistorySize> history_{};

  // Inter-arrival grouping.
  Group current_;
  Group previous_;

  // Trendline.
  static constexpr size_t kWindow = 20;
  std::array<double, kWindow> windowX_{};
  std::array<double, kWindow> windowY_{};
  size_t windowCount_ = 0;
  size_t windowNext_ = 0;
  uint32_t numDeltas_ = 0;
  double firstArrivalMs_ = -1;
  double accumulatedDelay_ = 0;
  double smoothedDelay_ = 0;
  double previousTrend_ = 0;
  double threshold_ = 12.5;
  double lastThresholdUpdateMs_ = -1;
  double timeOverUsing_ = -1;
  int overuseCounter_ = 0;
  Usage usage_ = Usage::kNormal;

  // Rate control.
  enum class RateState : uint8_t { kHold, kIncrease, kDecrease };
  RateState rateState_ = RateState::kIncrease;
  uint32_t estimate_;        // the combined estimate
  double delayBased_;        // the AIMD estimate
  double lossLimit_;         // the loss-based limit
  double linkCapacity_ = 0;  // average acknowledged rate at the decreases (0: unknown)
  Clock::time_point lastRateUpdate_{};
  Clock::time_point lastDecrease_{};
  Clock::duration rtt_ = std::chrono::milliseconds(100);
  RateWindow acked_{50'000};  // by arrival time
  int64_t lastArrivalUs_ = 0;
  Clock::time_point lastArrivalAt_{};  // server time of the feedback that carried lastArrivalUs_

  // Loss.
  uint32_t lossReceived_ = 0;
  uint32_t lossLost_ = 0;
  double lastLoss_ = 0;
  Clock::time_point lastLossUpdate_{};
  Clock::time_point lastLossDecrease_{};

  Probe probe_;
  uint8_t nextProbeId_ = 1;
  bool lastProbeSucceeded_ = false;
};

}  // namespace switchyard::media::forward
