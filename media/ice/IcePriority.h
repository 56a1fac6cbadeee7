#pragma once
// Candidate priority (RFC 8445 §5.1.2.1):
//   priority = (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID)
// with the recommended type preferences of §5.1.2.2 (host 126, peer-reflexive 110).
#include <cstdint>

namespace switchyard::media::ice {

[[nodiscard]] constexpr uint32_t iceCandidatePriority(uint8_t typePreference, uint16_t localPreference,
                                                      uint8_t componentId) noexcept {
  return (uint32_t{typePreference} << 24) | (uint32_t{localPreference} << 8) | ((256u - componentId) & 0xFFu);
}

inline constexpr uint8_t kIceHostTypePreference = 126;
inline constexpr uint8_t kIcePeerReflexiveTypePreference = 110;
inline constexpr uint16_t kIceDefaultLocalPreference = 65535;  // single-homed agent
inline constexpr uint8_t kIceRtpComponent = 1;

inline constexpr uint32_t kIceHostPriority =
    iceCandidatePriority(kIceHostTypePreference, kIceDefaultLocalPreference, kIceRtpComponent);
inline constexpr uint32_t kIcePeerReflexivePriority =
    iceCandidatePriority(kIcePeerReflexiveTypePreference, kIceDefaultLocalPreference, kIceRtpComponent);

// RFC 8445 §5.1.2.1 example arithmetic: host, local pref 65535, component 1 -> 0x7EFFFFFF.
static_assert(kIceHostPriority == 2130706431u);
static_assert(kIcePeerReflexivePriority == 1862270975u);

}  // namespace switchyard::media::ice
