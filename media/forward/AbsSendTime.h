#pragma once
// The abs-send-time header extension value (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time):
// a 24-bit 6.18 fixed-point number of seconds (6 integer bits, 18 fraction bits, wrapping every
// 64 s), written by the sender just before the packet leaves. Any epoch works: the receiver only
// looks at differences. Here it is the steady clock's.
#include <array>
#include <chrono>
#include <cstdint>

#include "media/transport/TransportTypes.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::forward {

inline constexpr size_t kAbsSendTimeSize = 3;

// The 24-bit value for `now`: ((seconds mod 64) << 18) | (fraction of a second in units of 2^-18).
[[nodiscard]] constexpr uint32_t absSendTime(transport::Clock::time_point now) noexcept {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const auto total = static_cast<uint64_t>(us < 0 ? 0 : us);
  const uint64_t seconds = total / 1000000;
  const uint64_t micros = total % 1000000;
  return static_cast<uint32_t>(((seconds & 0x3F) << 18) | ((micros << 18) / 1000000));
}

[[nodiscard]] constexpr std::array<uint8_t, kAbsSendTimeSize> absSendTimeBytes(
    transport::Clock::time_point now) noexcept {
  std::array<uint8_t, kAbsSendTimeSize> bytes{};
  util::write24(bytes.data(), absSendTime(now));
  return bytes;
}

}  // namespace switchyard::media::forward
