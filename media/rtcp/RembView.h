#pragma once
// Receiver estimated maximum bitrate (PT=206, FMT=15 application layer feedback),
// draft-alvestrand-rmcat-remb-03 §2.2:
//
//  |V=2|P| FMT=15  |   PT=206      |             length            |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source (unused, 0)             |
//  |  Unique identifier 'R' 'E' 'M' 'B'                            |
//  |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//  |   SSRC feedback                                               |
//  |  ...                                                          |
//
// Bitrate in bps = mantissa (18 bits) * 2^exp (6 bits).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class RembView {
 public:
  static constexpr uint32_t kMaxMantissa = (1u << 18) - 1;
  static constexpr uint8_t kMaxExponent = 63;

  struct Encoded {
    uint8_t exponent = 0;
    uint32_t mantissa = 0;
  };

  // nullopt unless PT=206, FMT=15, the FCI starts with 'REMB' and holds Num SSRC identifiers.
  // Other application layer feedback (not 'REMB') also gives nullopt: treat it as unknown.
  [[nodiscard]] static std::optional<RembView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept { return feedback_.senderSsrc(); }
  [[nodiscard]] uint32_t mediaSsrc() const noexcept { return feedback_.mediaSsrc(); }
  [[nodiscard]] uint8_t exponent() const noexcept;
  [[nodiscard]] uint32_t mantissa() const noexcept;
  // mantissa << exponent, saturated to UINT64_MAX when it does not fit 64 bits.
  [[nodiscard]] uint64_t bitrateBps() const noexcept { return decodeBitrate(exponent(), mantissa()); }
  [[nodiscard]] size_t ssrcCount() const noexcept;
  // Precondition index < ssrcCount(); 0 otherwise.
  [[nodiscard]] uint32_t ssrc(size_t index) const noexcept;

  // The smallest exponent whose mantissa fits 18 bits; the mantissa is rounded down, so the
  // encoded value never exceeds the given bitrate (an estimate must not be overstated).
  [[nodiscard]] static Encoded encodeBitrate(uint64_t bitrateBps) noexcept;
  [[nodiscard]] static uint64_t decodeBitrate(uint8_t exponent, uint32_t mantissa) noexcept;

 private:
  explicit RembView(FeedbackView feedback) noexcept : feedback_(feedback) {}

  FeedbackView feedback_;
};

}  // namespace switchyard::media::rtcp
