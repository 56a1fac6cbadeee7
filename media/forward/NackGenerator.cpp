#include "media/forward/NackGenerator.h"

#include <algorithm>

namespace switchyard::media::forward {

namespace {

constexpr uint16_t kMaxGapLimit = 32767;  // seqDelta() reaches at most +-32768
constexpr auto kMaxRtt = std::chrono::duration_cast<NackGenerator::Clock::duration>(std::chrono::minutes(1));

NackGenerator::Options sanitized(NackGenerator::Options options) noexcept {
  options.maxMissing = std::max<size_t>(options.maxMissing, 1);
  options.maxGap = std::clamp<uint16_t>(options.maxGap, 1, kMaxGapLimit);
  return options;
}

}  // namespace

NackGenerator::NackGenerator(const Options& options) : options_(sanitized(options)) {
  missing_.reserve(options_.maxMissing);
}

NackGenerator::Result NackGenerator::onPacket(uint16_t seq, Clock::time_point now) noexcept {
  const auto highest = unwrapper_.last();
  if (!highest) {
    unwrapper_.unwrap(seq);
    return Result::kInOrder;
  }
  const int64_t extended = unwrapper_.peek(seq);
  const int64_t delta = extended - *highest;
  if (delta > options_.maxGap || delta < -int64_t{options_.maxGap}) {
    giveUpAll();
    unwrapper_.reset();
    unwrapper_.unwrap(seq);
    ++counters_.resets;
    keyframeNeeded_ = true;
    return Result::kReset;
  }
  if (delta > 0) {
    // Holes more than maxGap behind the new highest can no longer be recovered (their arrival
    // would be a reset) and would soon be ambiguous in 16 bits.
    giveUpBefore(extended - options_.maxGap);
    if (delta > 1) addMissing(*highest + 1, extended, now);
    unwrapper_.unwrap(seq);
    return Result::kInOrder;
  }
  const size_t index = find(extended);
  if (index == missing_.size()) return Result::kDuplicate;
  missing_.erase(missing_.begin() + static_cast<std::ptrdiff_t>(index));
  ++counters_.recovered;
  return Result::kRecovered;
}

size_t NackGenerator::collect(Clock::time_point now, Clock::duration rtt, std::span<uint16_t> out) noexcept {
  rtt = std::clamp(rtt, Clock::duration::zero(), kMaxRtt);
  const Clock::duration retryInterval = std::max(rtt + rtt / 2, options_.minRetryInterval);
  size_t written = 0;
  size_t kept = 0;
  for (size_t i = 0; i < missing_.size(); ++i) {
    Missing entry = missing_[i];
    const bool due = entry.retries == 0 ? now - entry.firstSeen >= options_.reorderDelay
                                        : now - entry.lastRequest >= retryInterval;
    const bool tooOld = now - entry.firstSeen > options_.maxAge;
    if (tooOld || (due && entry.retries >= options_.maxRetries)) {
      ++counters_.givenUp;
      keyframeNeeded_ = true;
      continue;
    }
    if (due && written < out.size()) {
      out[written++] = static_cast<uint16_t>(entry.seq & 0xffff);
      entry.lastRequest = now;
      ++entry.retries;
      ++counters_.nacksRequested;
    }
    missing_[kept++] = entry;
  }
  missing_.erase(missing_.begin() + static_cast<std::ptrdiff_t>(kept), missing_.end());
  return written;
}

bool NackGenerator::isMissing(uint16_t seq) const noexcept {
  if (!unwrapper_.last()) return false;
  return find(unwrapper_.peek(seq)) != missing_.size();
}

void NackGenerator::addMissing(int64_t from, int64_t to, Clock::time_point now) noexcept {
  const auto count = static_cast<uint64_t>(to - from);
  counters_.packetsMissing += count;
  const size_t capacity = options_.maxMissing;
  // Holes that would be pushed out at once by newer ones in this same gap: never stored.
  if (count > capacity) {
    counters_.givenUp += count - capacity;
    keyframeNeeded_ = true;
    from = to - static_cast<int64_t>(capacity);
  }
  const auto adding = static_cast<size_t>(to - from);
  if (missing_.size() + adding > capacity) giveUpOldest(missing_.size() + adding - capacity);
  for (int64_t seq = from; seq < to; ++seq) {
    missing_.push_back(Missing{seq, now, now, 0});  // within the reserved capacity
  }
}

void NackGenerator::giveUpOldest(size_t count) noexcept {
  count = std::min(count, missing_.size());
  if (count == 0) return;
  missing_.erase(missing_.begin(), missing_.begin() + static_cast<std::ptrdiff_t>(count));
  counters_.givenUp += count;
  keyframeNeeded_ = true;
}

void NackGenerator::giveUpBefore(int64_t seq) noexcept {
  const auto it = std::lower_bound(missing_.begin(), missing_.end(), seq,
                                   [](const Missing& entry, int64_t value) { return entry.seq < value; });
  giveUpOldest(static_cast<size_t>(it - missing_.begin()));
}

void NackGenerator::giveUpAll() noexcept {
  counters_.givenUp += missing_.size();
  missing_.clear();
}

size_t NackGenerator::find(int64_t seq) const noexcept {
  const auto it = std::lower_bound(missing_.begin(), missing_.end(), seq,
                                   [](const Missing& entry, int64_t value) { return entry.seq < value; });
  if (it == missing_.end() || it->seq != seq) return missing_.size();
  return static_cast<size_t>(it - missing_.begin());
}

}  // namespace switchyard::media::forward
