#pragma once
// An IPv4 or IPv6 address and port in a fixed-size value: comparable, hashable and convertible to
// and from sockaddr without allocation. Used by the sockets, the address -> transport tables and
// ICE (as the remote transport address of a candidate pair).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::util {

class SocketAddress {
 public:
  enum class Family : uint8_t { kNone = 0, kIpv4 = 4, kIpv6 = 6 };

  constexpr SocketAddress() noexcept = default;

  static SocketAddress ipv4(const std::array<uint8_t, 4>& ip, uint16_t port) noexcept {
    SocketAddress a;
    a.family_ = Family::kIpv4;
    std::memcpy(a.ip_.data(), ip.data(), 4);
    a.port_ = port;
    return a;
  }
  static SocketAddress ipv6(const std::array<uint8_t, 16>& ip, uint16_t port) noexcept {
    SocketAddress a;
    a.family_ = Family::kIpv6;
    a.ip_ = ip;
    a.port_ = port;
    return a;
  }
  // "127.0.0.1" / "::1" literals; nullopt when it is not one.
  static std::optional<SocketAddress> parse(std::string_view ip, uint16_t port) noexcept {
    char text[INET6_ADDRSTRLEN + 1] = {};
    if (ip.size() >= sizeof text) return std::nullopt;
    std::memcpy(text, ip.data(), ip.size());
    SocketAddress a;
    a.port_ = port;
    if (inet_pton(AF_INET, text, a.ip_.data()) == 1) {
      a.family_ = Family::kIpv4;
      return a;
    }
    if (inet_pton(AF_INET6, text, a.ip_.data()) == 1) {
      a.family_ = Family::kIpv6;
      return a;
    }
    return std::nullopt;
  }
  static std::optional<SocketAddress> fromSockaddr(const sockaddr* sa, socklen_t length) noexcept {
    if (sa == nullptr) return std::nullopt;
    SocketAddress a;
    if (sa->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
      sockaddr_in in{};
      std::memcpy(&in, sa, sizeof in);
      a.family_ = Family::kIpv4;
      std::memcpy(a.ip_.data(), &in.sin_addr, 4);
      a.port_ = ntohs(in.sin_port);
      return a;
    }
    if (sa->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
      sockaddr_in6 in6{};
      std::memcpy(&in6, sa, sizeof in6);
      a.family_ = Family::kIpv6;
      std::memcpy(a.ip_.data(), &in6.sin6_addr, 16);
      a.port_ = ntohs(in6.sin6_port);
      return a;
    }
    return std::nullopt;
  }
  // Writes the sockaddr form; returns its length (0 for an empty address).
  socklen_t toSockaddr(sockaddr_storage& out) const noexcept {
    std::memset(&out, 0, sizeof out);
    if (family_ == Family::kIpv4) {
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_port = htons(port_);
      std::memcpy(&in.sin_addr, ip_.data(), 4);
      std::memcpy(&out, &in, sizeof in);
      return sizeof in;
    }
    if (family_ == Family::kIpv6) {
      sockaddr_in6 in6{};
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(port_);
      std::memcpy(&in6.sin6_addr, ip_.data(), 16);
      std::memcpy(&out, &in6, sizeof in6);
      return sizeof in6;
    }
    return 0;
  }

  [[nodiscard]] constexpr Family family() const noexcept { return family_; }
  [[nodiscard]] constexpr bool isIpv4() const noexcept { return family_ == Family::kIpv4; }
  [[nodiscard]] constexpr bool isIpv6() const noexcept { return family_ == Family::kIpv6; }
  [[nodiscard]] constexpr bool empty() const noexcept { return family_ == Family::kNone; }
  // 0.0.0.0 or :: (bind to every interface; never a candidate address).
  [[nodiscard]] bool isWildcard() const noexcept {
    if (empty()) return false;
    for (size_t i = 0; i < ipLength(); ++i) {
      if (ip_[i] != 0) return false;
    }
    return true;
  }
  [[nodiscard]] constexpr uint16_t port() const noexcept { return port_; }
  constexpr void setPort(uint16_t port) noexcept { port_ = port; }
  // 4 bytes for IPv4, 16 for IPv6.
  [[nodiscard]] const uint8_t* ipBytes() const noexcept { return ip_.data(); }
  [[nodiscard]] constexpr size_t ipLength() const noexcept { return family_ == Family::kIpv4 ? 4 : 16; }

  // "127.0.0.1" or "::1" (control plane only: allocates).
  [[nodiscard]] std::string ipString() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (empty()) return "";
    inet_ntop(isIpv4() ? AF_INET : AF_INET6, ip_.data(), text, sizeof text);
    return text;
  }
  // "127.0.0.1:5000" or "[::1]:5000" (control plane only).
  [[nodiscard]] std::string toString() const {
    if (empty()) return "(none)";
    return isIpv4() ? ipString() + ":" + std::to_string(port_)
                    : "[" + ipString() + "]:" + std::to_string(port_);
  }

  [[nodiscard]] size_t hash() const noexcept {
    // FNV-1a over the meaningful bytes.
    uint64_t h = 1469598103934665603ULL ^ static_cast<uint64_t>(family_);
    for (size_t i = 0; i < ipLength(); ++i)
      h = (h ^ ip_[i]) * 1099511628211ULL;
    h = (h ^ port_) * 1099511628211ULL;
    return static_cast<size_t>(h);
  }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
    return a.family_ == b.family_ && a.port_ == b.port_ &&
           std::memcmp(a.ip_.data(), b.ip_.data(), a.ipLength()) == 0;
  }

 private:
  Family family_ = Family::kNone;
  uint16_t port_ = 0;
  std::array<uint8_t, 16> ip_{};
};

struct SocketAddressHash {
  size_t operator()(const SocketAddress& a) const noexcept { return a.hash(); }
};

}  // namespace switchyard::media::util
