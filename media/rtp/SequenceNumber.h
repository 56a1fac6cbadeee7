#pragma once
// Wrap-aware comparison of RTP sequence numbers and timestamps: RFC 1982 serial number arithmetic
// (SERIAL_BITS = 16 or 32). `a` is newer than `b` when going forward from b reaches a in fewer than
// half the number space. RFC 1982 §3.2 leaves the exact half-way distance undefined; like libwebrtc
// we break that tie by the plain value (the larger one is newer), so that for a != b exactly one of
// newer(a, b) and newer(b, a) holds.
#include <concepts>
#include <cstdint>
#include <limits>

namespace switchyard::media::rtp {

template <std::unsigned_integral T>
[[nodiscard]] constexpr bool serialNewer(T a, T b) noexcept {
  constexpr T kHalf = static_cast<T>(T{1} << (std::numeric_limits<T>::digits - 1));
  const auto forward = static_cast<T>(a - b);
  if (forward == kHalf) return a > b;
  return forward != 0 && forward < kHalf;
}

// a is newer (later) than b, sequence numbers (16 bit).
[[nodiscard]] constexpr bool seqNewer(uint16_t a, uint16_t b) noexcept {
  return serialNewer<uint16_t>(a, b);
}
[[nodiscard]] constexpr bool seqNewerOrEqual(uint16_t a, uint16_t b) noexcept {
  return a == b || seqNewer(a, b);
}

// a is newer (later) than b, RTP timestamps (32 bit).
[[nodiscard]] constexpr bool timestampNewer(uint32_t a, uint32_t b) noexcept {
  return serialNewer<uint32_t>(a, b);
}

// The signed distance from b to a: positive iff seqNewer(a, b), in [-32768, 32768]. Both ends
// are the half-way distance, split by the tie-break above: +32768 when a > b, -32768 when a < b.
[[nodiscard]] constexpr int32_t seqDelta(uint16_t a, uint16_t b) noexcept {
  const auto forward = static_cast<uint16_t>(a - b);
  return seqNewer(a, b) || forward == 0 ? int32_t{forward} : int32_t{forward} - 65536;
}

}  // namespace switchyard::media::rtp
