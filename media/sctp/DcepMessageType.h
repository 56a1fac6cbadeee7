#pragma once
// DCEP message types (RFC 8832 section 8.2.1) and a peek at the type byte of a PPID 50 payload.
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::sctp {

enum class DcepMessageType : uint8_t {
  kAck = 0x02,   // DATA_CHANNEL_ACK
  kOpen = 0x03,  // DATA_CHANNEL_OPEN
};

// The type of a DCEP message from its first byte; nullopt when empty or the type is not known
// (RFC 8832 section 8.2.1: 0x00, 0x01 and 0xff are reserved). Does not validate the rest.
[[nodiscard]] std::optional<DcepMessageType> dcepMessageType(std::span<const uint8_t> message) noexcept;

}  // namespace switchyard::media::sctp
