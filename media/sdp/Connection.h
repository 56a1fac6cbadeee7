#pragma once
// c=<nettype> <addrtype> <connection-address> (RFC 8866 section 5.7). A multicast TTL or address
// count ("/127/3") stays part of `address`.
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct Connection {
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address = "0.0.0.0";

  [[nodiscard]] static std::optional<Connection> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Connection&, const Connection&) = default;
};

}  // namespace switchyard::media::sdp
