#pragma once
// a=candidate (RFC 8839 section 5.1; tcptype from RFC 6544 section 4.5):
//   <foundation> <component-id> <transport> <priority> <connection-address> <port> typ <cand-type>
//   [raddr <address>] [rport <port>] *(SP <extension-name> SP <extension-value>)
// raddr, rport, tcptype and generation are typed; every other extension pair (ufrag, network-id,
// network-cost, ...) is kept in order. The writer puts the typed ones first, in that order, which
// is the order Chromium and the RFCs use.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::media::sdp {

struct Candidate {
  std::string foundation;
  uint16_t component = 1;  // 1 = RTP, 2 = RTCP (1..256)
  std::string transport = "udp";
  uint32_t priority = 0;
  std::string address;  // IP address or FQDN / mDNS name
  uint16_t port = 0;
  std::string type = "host";  // host, srflx, prflx, relay
  std::optional<std::string> relatedAddress;
  std::optional<uint16_t> relatedPort;
  std::optional<std::string> tcpType;  // active, passive, so
  std::optional<uint32_t> generation;
  std::vector<std::pair<std::string, std::string>> extensions;

  [[nodiscard]] static std::optional<Candidate> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;  // the value after "a=candidate:"
  // The extension value for a name ("ufrag", "network-id"), if present.
  [[nodiscard]] std::optional<std::string_view> extension(std::string_view name) const noexcept;

  friend bool operator==(const Candidate&, const Candidate&) = default;
};

}  // namespace switchyard::media::sdp
