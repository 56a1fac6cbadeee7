#include "media/forward/RenumberWindow.h"

#include <algorithm>
#include <bit>

namespace switchyard::media::forward {

namespace {

// Bits `first` .. `first + count - 1` of one word (count 1..64, first + count <= 64).
uint64_t wordMask(uint32_t first, uint32_t count) noexcept {
  const uint64_t ones = count == 64 ? ~uint64_t{0} : ((uint64_t{1} << count) - 1);
  return ones << first;
}

}  // namespace

void RenumberWindow::reset(uint16_t mask, uint16_t in, uint16_t out) noexcept {
  mask_ = mask;
  half_ = (uint32_t{mask} + 1) / 2;
  slots_ = std::min<uint32_t>(kWindow, uint32_t{mask} + 1);
  newest_ = static_cast<uint16_t>(in & mask);
  offset_ = static_cast<uint16_t>((out - in) & mask);
  firstOffset_ = offset_;
  span_ = 0;
  dropsLeft_ = false;
  dropped_.fill(0);
  skipped_.fill(0);
}

bool RenumberWindow::isNewer(uint16_t in) const noexcept {
  const uint32_t d = distance(newest_, in);
  return d != 0 && d < half_;
}

uint32_t RenumberWindow::countRange(const std::array<uint64_t, kWindow / 64>& bits, uint32_t first,
                                    uint32_t count) const noexcept {
  uint32_t total = 0;
  uint32_t s = slot(first);
  while (count > 0) {
    const uint32_t bit = s % 64;
    const uint32_t n = std::min({count, 64 - bit, slots_ - s});
    total += static_cast<uint32_t>(std::popcount(bits[s / 64] & wordMask(bit, n)));
    count -= n;
    s = slot(s + n);
  }
  return total;
}

bool RenumberWindow::clearRange(uint32_t first, uint32_t count) noexcept {
  bool hadDrop = false;
  uint32_t s = slot(first);
  while (count > 0) {
    const uint32_t bit = s % 64;
    const uint32_t n = std::min({count, 64 - bit, slots_ - s});
    const uint64_t m = wordMask(bit, n);
    hadDrop = hadDrop || (dropped_[s / 64] & m) != 0;
    dropped_[s / 64] &= ~m;
    skipped_[s / 64] &= ~m;
    count -= n;
    s = slot(s + n);
  }
  return hadDrop;
}

std::optional<uint16_t> RenumberWindow::advance(uint16_t in, bool drop) noexcept {
  const uint32_t d = distance(newest_, in);
  // The numbers newest + 1 .. in enter the window; as many leave it.
  if (clearRange(uint32_t{newest_} + 1, std::min(d, slots_))) dropsLeft_ = true;
  newest_ = static_cast<uint16_t>(in & mask_);
  span_ = std::min(span_ + d, half_ - 1);
  if (drop) {
    const uint32_t s = slot(newest_);
    dropped_[s / 64] |= uint64_t{1} << (s % 64);
    offset_ = static_cast<uint16_t>((offset_ - 1U) & mask_);
    return std::nullopt;
  }
  return static_cast<uint16_t>((newest_ + offset_) & mask_);
}

std::optional<uint16_t> RenumberWindow::outputFor(uint16_t in) const noexcept {
  const uint32_t behind = distance(in, newest_);
  if (behind > span_) return std::nullopt;  // older than the first item (or newer than the newest)
  if (behind < slots_) {
    if (test(dropped_, in) || test(skipped_, in)) return std::nullopt;
    // Every drop after `in` moved the offset of the newer items down by one.
    const uint32_t later = behind == 0 ? 0 : countRange(dropped_, uint32_t{in} + 1, behind);
    return static_cast<uint16_t>((in + offset_ + later) & mask_);
  }
  if (dropsLeft_) return std::nullopt;
  return static_cast<uint16_t>((in + firstOffset_) & mask_);
}

void RenumberWindow::skip(uint16_t in) noexcept {
  const uint32_t behind = distance(in, newest_);
  if (behind > span_ || behind >= slots_) return;
  const uint32_t s = slot(in);
  skipped_[s / 64] |= uint64_t{1} << (s % 64);
}

std::optional<uint16_t> RenumberWindow::inputFor(uint16_t out) const noexcept {
  // `kept` numbers were kept (not dropped) after the input sought, up to the newest.
  const uint32_t kept = distance(out, static_cast<uint16_t>(newest_ + offset_));
  if (kept >= half_) return std::nullopt;  // beyond the newest
  // The input lies `behind` numbers behind the newest, with behind = kept + the drops in
  // [input, newest]: iterate up from kept (the least solution is a kept number).
  uint32_t behind = kept;
  for (uint32_t guard = 0; guard <= slots_; ++guard) {
    if (behind > span_) return std::nullopt;
    if (behind >= slots_) {
      if (dropsLeft_) return std::nullopt;
      const uint32_t all = countRange(dropped_, 0, slots_);  // every drop is after the input
      behind = kept + all;
      if (behind > span_ || behind < slots_) return std::nullopt;
      return static_cast<uint16_t>((newest_ - behind) & mask_);
    }
    const auto in = static_cast<uint16_t>((newest_ - behind) & mask_);
    const uint32_t next = kept + countRange(dropped_, in, behind + 1);
    if (next == behind) {
      if (test(skipped_, in)) return std::nullopt;
      return in;
    }
    behind = next;
  }
  return std::nullopt;
}

}  // namespace switchyard::media::forward
