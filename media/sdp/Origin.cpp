#include "media/sdp/Origin.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Origin> Origin::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() != 6) {
    error = "o= needs 6 fields: <username> <sess-id> <sess-version> <nettype> <addrtype> <address>";
    return std::nullopt;
  }
  Origin o;
  const auto id = detail::parseNumber<uint64_t>(t[1]);
  const auto version = detail::parseNumber<uint64_t>(t[2]);
  if (!id) {
    error = "o= session id is not a decimal number below 2^64";
    return std::nullopt;
  }
  if (!version) {
    error = "o= session version is not a decimal number below 2^64";
    return std::nullopt;
  }
  o.username = std::string(t[0]);
  o.sessionId = *id;
  o.sessionVersion = *version;
  o.netType = std::string(t[3]);
  o.addrType = std::string(t[4]);
  o.address = std::string(t[5]);
  return o;
}

std::string Origin::toString() const {
  return username + ' ' + std::to_string(sessionId) + ' ' + std::to_string(sessionVersion) + ' ' + netType +
         ' ' + addrType + ' ' + address;
}

}  // namespace switchyard::media::sdp
