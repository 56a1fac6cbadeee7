#pragma once
// The keyframe request throttle of one producer: at most one PLI per interval. A request inside
// the interval is held back as pending (merged with any other held-back request) and becomes due
// when the interval has passed, which the router checks from tick(). A request that could not be
// sent (no media SSRC known yet, or the Output refused it) also stays pending.
//
//   if (requester.request(now)) trySend();   // else: merged, counted by the caller
//   ... on tick: if (requester.due(now)) trySend();
//   trySend: on an attempt, requester.attempted(now, sent)
#include <chrono>
#include <optional>

#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class KeyframeRequester {
 public:
  using Clock = transport::Clock;

  explicit KeyframeRequester(Clock::duration interval) noexcept : interval_(interval) {}

  // Records a request. True when it may be sent now (the interval since the last attempt has
  // passed); false when it is held back and merged into the pending one.
  bool request(Clock::time_point now) noexcept;
  // True when a request is pending and the interval has passed.
  [[nodiscard]] bool due(Clock::time_point now) const noexcept { return pending_ && intervalPassed(now); }
  // A PLI was handed to the Output at `now`: the interval restarts; the request stays pending
  // (retried after the interval) if the Output refused it.
  void attempted(Clock::time_point now, bool sent) noexcept;

  [[nodiscard]] bool pending() const noexcept { return pending_; }
  void setInterval(Clock::duration interval) noexcept { interval_ = interval; }

 private:
  [[nodiscard]] bool intervalPassed(Clock::time_point now) const noexcept {
    return !lastAttempt_ || now - *lastAttempt_ >= interval_;
  }

  Clock::duration interval_;
  std::optional<Clock::time_point> lastAttempt_;
  bool pending_ = false;
};

}  // namespace switchyard::media::forward
