#pragma once
// The Channel Type byte of DATA_CHANNEL_OPEN (RFC 8832 section 5.1): the high bit (0x80) makes
// the channel unordered, the low bits pick the reliability.
#include <cstdint>
#include <optional>

namespace switchyard::media::sctp {

enum class DcepReliability : uint8_t {
  kReliable,           // 0x00 / 0x80
  kMaxRetransmits,     // 0x01 / 0x81: DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT
  kMaxPacketLifetime,  // 0x02 / 0x82: DATA_CHANNEL_PARTIAL_RELIABLE_TIMED (milliseconds)
};

inline constexpr uint8_t kDcepUnorderedBit = 0x80;

// The wire byte for a reliability and ordering.
[[nodiscard]] constexpr uint8_t dcepChannelType(DcepReliability reliability, bool ordered) noexcept {
  const uint8_t low = reliability == DcepReliability::kMaxRetransmits      ? uint8_t{0x01}
                      : reliability == DcepReliability::kMaxPacketLifetime ? uint8_t{0x02}
                                                                           : uint8_t{0x00};
  return ordered ? low : static_cast<uint8_t>(low | kDcepUnorderedBit);
}

// The reliability of a wire Channel Type; nullopt for the values RFC 8832 does not define.
[[nodiscard]] constexpr std::optional<DcepReliability> dcepReliabilityOf(uint8_t channelType) noexcept {
  switch (channelType) {
    case 0x00:
    case 0x80:
      return DcepReliability::kReliable;
    case 0x01:
    case 0x81:
      return DcepReliability::kMaxRetransmits;
    case 0x02:
    case 0x82:
      return DcepReliability::kMaxPacketLifetime;
    default:
      return std::nullopt;
  }
}

}  // namespace switchyard::media::sctp
