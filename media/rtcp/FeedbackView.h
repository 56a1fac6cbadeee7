#pragma once
// Common packet format of RTCP feedback messages (RFC 4585 §6.1): transport layer (PT=205,
// RTPFB) and payload-specific (PT=206, PSFB) feedback, identified by FMT.
//
//  |V=2|P|   FMT   |       PT      |          length               |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
//  :            Feedback Control Information (FCI)                 :
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class FeedbackView {
 public:
  static constexpr size_t kFixedSize = 8;  // sender + media SSRC, after the common header

  // nullopt unless PT is 205 or 206 and the payload holds both SSRCs. Any FMT is accepted.
  [[nodiscard]] static std::optional<FeedbackView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint8_t packetType() const noexcept { return packetType_; }
  [[nodiscard]] uint8_t fmt() const noexcept { return fmt_; }
  [[nodiscard]] uint32_t senderSsrc() const noexcept;
  [[nodiscard]] uint32_t mediaSsrc() const noexcept;
  [[nodiscard]] std::span<const uint8_t> fci() const noexcept { return payload_.subspan(kFixedSize); }

 private:
  FeedbackView(std::span<const uint8_t> payload, uint8_t packetType, uint8_t fmt) noexcept
      : payload_(payload), packetType_(packetType), fmt_(fmt) {}

  std::span<const uint8_t> payload_;
  uint8_t packetType_;
  uint8_t fmt_;
};

}  // namespace switchyard::media::rtcp
