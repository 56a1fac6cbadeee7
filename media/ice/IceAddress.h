#pragma once
// Conversions between the socket layer's util::SocketAddress and the STUN codec's StunAddress
// (the value of (XOR-)MAPPED-ADDRESS). Both are plain values: no allocation, no failure except an
// empty SocketAddress, which has no STUN form.
#include <algorithm>
#include <array>
#include <optional>

#include "media/ice/StunAddress.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::ice {

[[nodiscard]] inline std::optional<StunAddress> toStunAddress(const util::SocketAddress& a) noexcept {
  if (a.empty()) return std::nullopt;
  StunAddress s;
  s.family = a.isIpv4() ? StunAddress::Family::kIpv4 : StunAddress::Family::kIpv6;
  std::copy_n(a.ipBytes(), a.ipLength(), s.address.begin());
  s.port = a.port();
  return s;
}

[[nodiscard]] inline util::SocketAddress toSocketAddress(const StunAddress& s) noexcept {
  if (s.family == StunAddress::Family::kIpv4) {
    std::array<uint8_t, 4> ip{};
    std::copy_n(s.address.begin(), 4, ip.begin());
    return util::SocketAddress::ipv4(ip, s.port);
  }
  return util::SocketAddress::ipv6(s.address, s.port);
}

}  // namespace switchyard::media::ice
