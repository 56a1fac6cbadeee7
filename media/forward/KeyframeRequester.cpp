#include "media/forward/KeyframeRequester.h"

namespace switchyard::media::forward {

bool KeyframeRequester::request(Clock::time_point now) noexcept {
  const bool mayRequest = intervalPassed(now);
  pending_ = true;
  return mayRequest;
}

void KeyframeRequester::attempted(Clock::time_point now, bool sent) noexcept {
  lastAttempt_ = now;
  pending_ = !sent;
}

}  // namespace switchyard::media::forward
