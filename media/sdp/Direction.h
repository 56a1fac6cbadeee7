#pragma once
// Media direction attributes (RFC 8866 section 6.7): a=sendrecv / sendonly / recvonly / inactive.
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::media::sdp {

enum class Direction : uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };

[[nodiscard]] std::optional<Direction> parseDirection(std::string_view name) noexcept;
[[nodiscard]] std::string_view toString(Direction d) noexcept;

}  // namespace switchyard::media::sdp
