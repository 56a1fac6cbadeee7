#pragma once
// Text (STUN USERNAME/SOFTWARE/keys, RTCP CNAME/BYE reason) viewed as the bytes it is sent as.
#include <cstdint>
#include <span>
#include <string_view>

namespace switchyard::media::util {

[[nodiscard]] inline std::span<const uint8_t> asBytes(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace switchyard::media::util
