#pragma once
// a=setup (RFC 4145 section 4, RFC 5763 section 5): which side opens the DTLS association.
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::media::sdp {

enum class SetupRole : uint8_t { kActPass, kActive, kPassive, kHoldConn };

[[nodiscard]] std::optional<SetupRole> parseSetupRole(std::string_view value) noexcept;
[[nodiscard]] std::string_view toString(SetupRole role) noexcept;

}  // namespace switchyard::media::sdp
