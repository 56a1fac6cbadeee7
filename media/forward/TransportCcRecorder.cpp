#include "media/forward/TransportCcRecorder.h"

#include <algorithm>
#include <chrono>

namespace switchyard::media::forward {

void TransportCcRecorder::onPacket(uint16_t transportSequence, Clock::time_point arrival) noexcept {
  const int64_t seq = unwrapper_.unwrap(transportSequence);
  if ((lastReported_ && seq <= *lastReported_) || count_ == entries_.size()) {
    ++dropped_;  // its place was already reported, or too many since the last feedback
    return;
  }
  const int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(arrival.time_since_epoch()).count();
  entries_[count_++] = Entry{seq, us};
}

size_t TransportCcRecorder::take(std::span<rtcp::TwccPacket> out) noexcept {
  if (count_ == 0 || out.empty()) return 0;
  const auto first = entries_.begin();
  const auto last = entries_.begin() + static_cast<std::ptrdiff_t>(count_);
  std::sort(first, last, [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  size_t written = 0;
  int64_t next = first->seq;
  // A gap right after the previous feedback: its first missing number opens this one, not received.
  if (lastReported_ && first->seq > *lastReported_ + 1 && first->seq - *lastReported_ <= 1000) {
    next = *lastReported_ + 1;
    out[written++] = rtcp::TwccPacket{static_cast<uint16_t>(next), std::nullopt};
  }
  int64_t reported = next - 1;
  for (auto it = first; it != last && written < out.size() && written < kMaxReported; ++it) {
    if (it->seq <= reported) continue;      // a duplicate
    if (it->seq - reported > 32767) break;  // the writer's step limit: report the rest later
    out[written++] = rtcp::TwccPacket{static_cast<uint16_t>(it->seq), it->arrivalUs};
    reported = it->seq;
  }
  // What did not fit stays for the next feedback.
  size_t kept = 0;
  for (auto it = first; it != last; ++it) {
    if (it->seq > reported) entries_[kept++] = *it;
  }
  count_ = kept;
  lastReported_ = reported;
  ++feedbackCount_;
  return written;
}

}  // namespace switchyard::media::forward
