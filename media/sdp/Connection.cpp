#include "media/sdp/Connection.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Connection> Connection::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() != 3) {
    error = "c= needs 3 fields: <nettype> <addrtype> <connection-address>";
    return std::nullopt;
  }
  Connection c;
  c.netType = std::string(t[0]);
  c.addrType = std::string(t[1]);
  c.address = std::string(t[2]);
  return c;
}

std::string Connection::toString() const {
  return netType + ' ' + addrType + ' ' + address;
}

}  // namespace switchyard::media::sdp
