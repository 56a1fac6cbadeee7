#pragma once
// A transport address as carried in (XOR-)MAPPED-ADDRESS: family, address bytes in network order
// and port. A plain value type with no socket-library types so media/ice stays independent of asio.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::media::ice {

struct StunAddress {
  enum class Family : uint8_t { kIpv4 = 0x01, kIpv6 = 0x02 };

  Family family = Family::kIpv4;
  std::array<uint8_t, 16> address{};  // IPv4 uses the first 4 bytes; the rest stay zero
  uint16_t port = 0;

  [[nodiscard]] static constexpr StunAddress ipv4(const std::array<uint8_t, 4>& a, uint16_t p) noexcept {
    StunAddress s;
    s.family = Family::kIpv4;
    std::copy(a.begin(), a.end(), s.address.begin());
    s.port = p;
    return s;
  }
  [[nodiscard]] static constexpr StunAddress ipv6(const std::array<uint8_t, 16>& a, uint16_t p) noexcept {
    StunAddress s;
    s.family = Family::kIpv6;
    s.address = a;
    s.port = p;
    return s;
  }

  [[nodiscard]] constexpr size_t addressLength() const noexcept { return family == Family::kIpv4 ? 4 : 16; }
  [[nodiscard]] constexpr std::span<const uint8_t> addressBytes() const noexcept {
    return std::span<const uint8_t>(address).first(addressLength());
  }

  friend constexpr bool operator==(const StunAddress&, const StunAddress&) = default;
};

}  // namespace switchyard::media::ice
