#pragma once
// The elements of an RFC 8285 extension block, in packet order, for range-for:
//   for (auto element : packet.extensions()) { element.id; element.data; }
// Walks lazily with RtpExtensionStep (no storage besides the block span); padding is skipped and
// the walk stops at the one-byte ID 15 terminator. Empty for kNone/kOther blocks.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "media/rtp/RtpExtensionElement.h"
#include "media/rtp/RtpExtensionForm.h"
#include "media/rtp/RtpExtensionStep.h"

namespace switchyard::media::rtp {

template <typename Byte>
class BasicRtpExtensionRange {
 public:
  using Element = BasicRtpExtensionElement<Byte>;

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Element;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Element;

    Iterator() noexcept = default;
    Iterator(std::span<Byte> block, RtpExtensionForm form, size_t pos) noexcept
        : block_(block), form_(form), step_(RtpExtensionStep::at(block, form, pos)) {}

    [[nodiscard]] Element operator*() const noexcept {
      return Element{step_.id, block_.subspan(step_.dataOffset, step_.dataSize)};
    }
    Iterator& operator++() noexcept {
      step_ = RtpExtensionStep::at(block_, form_, step_.next);
      return *this;
    }
    Iterator operator++(int) noexcept {
      Iterator before = *this;
      ++*this;
      return before;
    }
    // Iterators of one range compare by position; every finished iterator equals end().
    [[nodiscard]] bool operator==(const Iterator& other) const noexcept {
      if (atEnd() || other.atEnd()) return atEnd() == other.atEnd();
      return step_.headerOffset == other.step_.headerOffset;
    }

   private:
    [[nodiscard]] bool atEnd() const noexcept { return step_.kind != RtpExtensionStep::Kind::kElement; }

    std::span<Byte> block_;
    RtpExtensionForm form_ = RtpExtensionForm::kNone;
    RtpExtensionStep step_;
  };

  BasicRtpExtensionRange() noexcept = default;
  BasicRtpExtensionRange(std::span<Byte> block, RtpExtensionForm form) noexcept
      : block_(block), form_(form) {}

  [[nodiscard]] Iterator begin() const noexcept { return Iterator(block_, form_, 0); }
  [[nodiscard]] Iterator end() const noexcept { return Iterator(); }
  [[nodiscard]] bool empty() const noexcept { return begin() == end(); }

 private:
  std::span<Byte> block_;
  RtpExtensionForm form_ = RtpExtensionForm::kNone;
};

using RtpExtensionRange = BasicRtpExtensionRange<uint8_t>;
using RtpExtensionRangeView = BasicRtpExtensionRange<const uint8_t>;

}  // namespace switchyard::media::rtp
