#pragma once
// Picture loss indication (PT=206, FMT=1), RFC 4585 §6.3.1: the common feedback header only
// (no FCI). Extra FCI bytes are tolerated and ignored.
#include <cstdint>
#include <optional>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class PliView {
 public:
  [[nodiscard]] static std::optional<PliView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept { return feedback_.senderSsrc(); }
  [[nodiscard]] uint32_t mediaSsrc() const noexcept { return feedback_.mediaSsrc(); }

 private:
  explicit PliView(FeedbackView feedback) noexcept : feedback_(feedback) {}

  FeedbackView feedback_;
};

}  // namespace switchyard::media::rtcp
