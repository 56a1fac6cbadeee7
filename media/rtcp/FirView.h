#pragma once
// Full intra request (PT=206, FMT=4), RFC 5104 §4.3.1. The header's media SSRC SHALL be 0; the
// FCI holds one or more entries naming the media senders:
//
//  |                              SSRC                             |
//  | Seq nr.       |    Reserved                                   |
#include <cstddef>
#include <cstdint>
#include <optional>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t seqNr = 0;

  bool operator==(const FirEntry&) const = default;
};

class FirView {
 public:
  static constexpr size_t kEntrySize = 8;

  // nullopt unless PT=206, FMT=4 and the FCI is a non-empty whole number of entries.
  [[nodiscard]] static std::optional<FirView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept { return feedback_.senderSsrc(); }
  [[nodiscard]] uint32_t mediaSsrc() const noexcept { return feedback_.mediaSsrc(); }
  [[nodiscard]] size_t entryCount() const noexcept { return feedback_.fci().size() / kEntrySize; }
  // Precondition index < entryCount(); {0, 0} otherwise.
  [[nodiscard]] FirEntry entry(size_t index) const noexcept;

 private:
  explicit FirView(FeedbackView feedback) noexcept : feedback_(feedback) {}

  FeedbackView feedback_;
};

}  // namespace switchyard::media::rtcp
