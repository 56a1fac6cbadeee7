#pragma once
// Output numbers for a numbered stream from which some items are dropped (issue 6: temporal and
// spatial layer dropping), so that a dropped item's number is not used: RTP sequence numbers (16
// bits; a subscriber NACKs a hole, RFC 4585 §6.2.1) and VP8/VP9 picture ids (7 or 15 bits; a decoder
// takes a hole for a lost frame, RFC 7741 §4.2, RFC 9628 §4.2).
//
//   window.reset(0xffff, firstIn, firstOut);     // the first item, forwarded
//   if (window.isNewer(in)) out = window.advance(in, drop);   // nullopt when dropped
//   else out = window.outputFor(in);             // reordered, repaired or repeated
//
// - out(in) = in + offset(in) modulo mask + 1. An item newer than every earlier one is forwarded or
//   dropped; a dropped one lowers the offset of every later item by one.
// - An input that jumps ahead leaves holes for the numbers in between: those items may still come
//   (reordered, repaired) and get the numbers their places kept, whatever was dropped after them. A
//   late item that is dropped anyway (skip()) leaves its number unused.
// - Which items were dropped is kept for the last kWindow numbers behind the newest (fewer in a
//   smaller number space). An older item has an output only while no drop has left the window (its
//   offset is then the first item's); never when it is older than the first item or half the number
//   space behind the newest.
//
// No heap, no exceptions: two bitmaps of kWindow bits.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace switchyard::media::forward {

class RenumberWindow {
 public:
  static constexpr uint32_t kWindow = 1024;  // a power of two

  // Starts over: numbers modulo mask + 1 (mask = 2^bits - 1, bits 7..16); `in` is the newest item,
  // forwarded as `out`.
  void reset(uint16_t mask, uint16_t in, uint16_t out) noexcept;

  [[nodiscard]] uint16_t mask() const noexcept { return mask_; }
  [[nodiscard]] uint16_t newest() const noexcept { return newest_; }
  // `in` is 1 .. half the number space - 1 ahead of the newest item.
  [[nodiscard]] bool isNewer(uint16_t in) const noexcept;
  // `in` (isNewer) becomes the newest item: its output, or nullopt when `drop`.
  std::optional<uint16_t> advance(uint16_t in, bool drop) noexcept;
  // The output of `in` (not newer than the newest): nullopt when it was dropped or skipped, is older
  // than the first item, or its offset is no longer known.
  [[nodiscard]] std::optional<uint16_t> outputFor(uint16_t in) const noexcept;
  // `in` (not newer than the newest) is dropped late: its number stays unused, outputFor() and
  // inputFor() answer nothing for it any more (while it is in the window).
  void skip(uint16_t in) noexcept;
  // The input whose output is `out`: nullopt when none is known (a dropped or skipped input, one
  // beyond the newest, older than the first or out of the window).
  [[nodiscard]] std::optional<uint16_t> inputFor(uint16_t out) const noexcept;

 private:
  [[nodiscard]] uint32_t distance(uint16_t from, uint16_t to) const noexcept {
    return static_cast<uint16_t>(to - from) & mask_;
  }
  [[nodiscard]] uint32_t slot(uint32_t number) const noexcept { return number & (slots_ - 1); }
  [[nodiscard]] bool test(const std::array<uint64_t, kWindow / 64>& bits, uint32_t number) const noexcept {
    const uint32_t s = slot(number);
    return ((bits[s / 64] >> (s % 64)) & 1U) != 0;
  }
  // Set bits of `bits` for the `count` numbers starting at `first` (count <= slots_).
  [[nodiscard]] uint32_t countRange(const std::array<uint64_t, kWindow / 64>& bits, uint32_t first,
                                    uint32_t count) const noexcept;
  // Clears the `count` numbers starting at `first` in both bitmaps; true if a drop bit was set.
  bool clearRange(uint32_t first, uint32_t count) noexcept;

  uint16_t mask_ = 0xffff;
  uint32_t half_ = 0x8000;
  uint32_t slots_ = kWindow;
  uint16_t newest_ = 0;
  uint16_t offset_ = 0;       // out - in for an item newer than the newest
  uint16_t firstOffset_ = 0;  // out - in of the first item
  uint32_t span_ = 0;         // from the first item to the newest, at most half_ - 1
  bool dropsLeft_ = false;    // a drop has left the window: older items have no known offset
  std::array<uint64_t, kWindow / 64> dropped_{};
  std::array<uint64_t, kWindow / 64> skipped_{};
};

}  // namespace switchyard::media::forward
