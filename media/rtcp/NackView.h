#pragma once
// Generic NACK (PT=205, FMT=1), RFC 4585 §6.2.1. The FCI is one or more entries of
//
//  |            PID                |             BLP               |
//
// PID is a lost RTP sequence number; bit i of BLP (least significant = 0) reports the loss of
// PID + i + 1 (mod 2^16).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;

  bool operator==(const NackItem&) const = default;
};

class NackView {
 public:
  static constexpr size_t kItemSize = 4;

  // nullopt unless PT=205, FMT=1 and the FCI is a non-empty whole number of entries.
  [[nodiscard]] static std::optional<NackView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept { return feedback_.senderSsrc(); }
  [[nodiscard]] uint32_t mediaSsrc() const noexcept { return feedback_.mediaSsrc(); }
  [[nodiscard]] size_t itemCount() const noexcept { return feedback_.fci().size() / kItemSize; }
  // Precondition index < itemCount(); {0, 0} otherwise.
  [[nodiscard]] NackItem item(size_t index) const noexcept;
  // Number of sequence numbers reported lost (PIDs plus BLP bits; duplicates counted again).
  [[nodiscard]] size_t lostCount() const noexcept;

  // Calls visit(uint16_t seq) for every reported sequence number, entry by entry, PID first, then
  // the BLP bits from least to most significant. Wraps at 65535.
  template <typename F>
  void forEachLostSeq(F&& visit) const noexcept {
    for (size_t i = 0; i < itemCount(); ++i)
      expandItem(item(i), visit);
  }
  template <typename F>
  static void expandItem(NackItem entry, F&& visit) noexcept {
    visit(entry.pid);
    for (unsigned bit = 0; bit < 16; ++bit) {
      if ((entry.blp >> bit) & 1u) visit(static_cast<uint16_t>(entry.pid + bit + 1));
    }
  }

 private:
  explicit NackView(FeedbackView feedback) noexcept : feedback_(feedback) {}

  FeedbackView feedback_;
};

}  // namespace switchyard::media::rtcp
