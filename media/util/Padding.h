#pragma once
// 32-bit alignment shared by the wire formats: STUN attribute values (RFC 8489 §14), RTP header
// extension blocks (RFC 8285 §4.2), RTCP packets and SDES chunks (RFC 3550 §6.4, §6.5).
#include <cstddef>

namespace switchyard::media::util {

// n rounded up to a multiple of 4.
[[nodiscard]] constexpr size_t padded4(size_t n) noexcept {
  return (n + 3) & ~size_t{3};
}

// Zero bytes to append to n bytes to reach a multiple of 4 (0..3).
[[nodiscard]] constexpr size_t padding4(size_t n) noexcept {
  return padded4(n) - n;
}

static_assert(padded4(0) == 0 && padded4(1) == 4 && padded4(4) == 4 && padded4(5) == 8);
static_assert(padding4(0) == 0 && padding4(1) == 3 && padding4(3) == 1 && padding4(4) == 0);

}  // namespace switchyard::media::util
