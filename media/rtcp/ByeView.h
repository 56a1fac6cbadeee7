#pragma once
// Goodbye (PT=203), RFC 3550 §6.6: SC SSRC/CSRC identifiers, then an optional reason
// (length octet + text) padded to a 32-bit boundary.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class ByeView {
 public:
  // nullopt unless PT=203, the SC identifiers fit and a present reason fits in the payload.
  [[nodiscard]] static std::optional<ByeView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] size_t ssrcCount() const noexcept { return ssrcCount_; }
  // Precondition index < ssrcCount(); 0 otherwise.
  [[nodiscard]] uint32_t ssrc(size_t index) const noexcept;
  [[nodiscard]] bool hasReason() const noexcept { return hasReason_; }
  [[nodiscard]] std::string_view reason() const noexcept;

 private:
  ByeView(std::span<const uint8_t> payload, size_t ssrcCount, bool hasReason) noexcept
      : payload_(payload), ssrcCount_(ssrcCount), hasReason_(hasReason) {}

  std::span<const uint8_t> payload_;
  size_t ssrcCount_;
  bool hasReason_;
};

}  // namespace switchyard::media::rtcp
