#pragma once
// DATA_CHANNEL_ACK (RFC 8832 section 5.2): exactly one byte, the Message Type 0x02.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::sctp {

inline constexpr size_t kDcepAckSize = 1;

class DcepAck {
 public:
  // Accepts exactly the single byte 0x02; anything longer, shorter or of another type is rejected.
  [[nodiscard]] static std::optional<DcepAck> parse(std::span<const uint8_t> message) noexcept;
};

// Writes the one-byte ACK; returns 1, or nullopt when `out` is empty.
[[nodiscard]] std::optional<size_t> writeDcepAck(std::span<uint8_t> out) noexcept;

}  // namespace switchyard::media::sctp
