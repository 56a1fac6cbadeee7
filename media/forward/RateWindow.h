#pragma once
// A bit rate over a sliding window: bytes counted into kBuckets time buckets of bucketUs each; the
// rate is the bytes of the buckets inside the window over the time they span (at most the window,
// at least one bucket). Times are any monotonic microsecond clock; a time older than the newest
// bucket by more than the window is ignored. Fixed size, no heap: usable on the data plane.
//
//   RateWindow rate(50'000);             // 20 x 50 ms = 1 s
//   rate.add(nowUs, packet.size());
//   uint64_t bps = rate.bitsPerSecond(nowUs);
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace switchyard::media::forward {

class RateWindow {
 public:
  static constexpr size_t kBuckets = 20;

  RateWindow() noexcept = default;  // 50 ms buckets: a 1 s window
  explicit RateWindow(int64_t bucketUs) noexcept : bucketUs_(bucketUs > 0 ? bucketUs : 1) {}

  void add(int64_t timeUs, size_t bytes) noexcept {
    const int64_t index = bucketOf(timeUs);
    if (!started_) {
      started_ = true;
      firstIndex_ = index;
      newest_ = index;
    }
    if (index > newest_) {
      // Clear the buckets skipped since the newest one (at most all of them).
      for (int64_t i = newest_ + 1; i <= index && i <= newest_ + static_cast<int64_t>(kBuckets); ++i)
        buckets_[slot(i)] = 0;
      newest_ = index;
    } else if (index <= newest_ - static_cast<int64_t>(kBuckets) || index < firstIndex_) {
      return;  // older than the window
    }
    buckets_[slot(index)] += bytes;
  }

  // Bits per second over the window ending at `nowUs`; 0 before the first byte.
  [[nodiscard]] uint64_t bitsPerSecond(int64_t nowUs) const noexcept {
    if (!started_) return 0;
    const int64_t now = bucketOf(nowUs);
    const int64_t oldest = std::max(firstIndex_, now - static_cast<int64_t>(kBuckets) + 1);
    uint64_t bytes = 0;
    for (int64_t i = oldest; i <= std::min(now, newest_); ++i) {
      if (i > newest_ - static_cast<int64_t>(kBuckets)) bytes += buckets_[slot(i)];
    }
    const int64_t span = (now - oldest + 1) * bucketUs_;
    if (span <= 0) return 0;
    return bytes * 8U * 1'000'000U / static_cast<uint64_t>(span);
  }

  // True once the window has seen a full window's time since the first byte.
  [[nodiscard]] bool full(int64_t nowUs) const noexcept {
    return started_ && bucketOf(nowUs) - firstIndex_ + 1 >= static_cast<int64_t>(kBuckets);
  }

  void reset() noexcept {
    started_ = false;
    buckets_.fill(0);
  }

 private:
  [[nodiscard]] int64_t bucketOf(int64_t timeUs) const noexcept {
    return timeUs >= 0 ? timeUs / bucketUs_ : (timeUs - bucketUs_ + 1) / bucketUs_;
  }
  [[nodiscard]] static size_t slot(int64_t index) noexcept {
    const int64_t n = static_cast<int64_t>(kBuckets);
    return static_cast<size_t>(((index % n) + n) % n);
  }

  int64_t bucketUs_ = 50'000;
  std::array<uint64_t, kBuckets> buckets_{};
  bool started_ = false;
  int64_t firstIndex_ = 0;
  int64_t newest_ = 0;
};

}  // namespace switchyard::media::forward
