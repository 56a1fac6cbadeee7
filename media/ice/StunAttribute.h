#pragma once
// One attribute of a parsed STUN message: its type and its value without padding.
#include <cstdint>
#include <span>

namespace switchyard::media::ice {

struct StunAttribute {
  uint16_t type = 0;
  std::span<const uint8_t> value;
};

}  // namespace switchyard::media::ice
