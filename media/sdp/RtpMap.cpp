#include "media/sdp/RtpMap.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<RtpMap> RtpMap::parse(std::string_view value, std::string& error) {
  const auto [pt, rest] = detail::splitFirst(value, ' ');
  const auto payloadType = detail::parsePayloadType(pt);
  if (!payloadType) {
    error = "a=rtpmap: payload type '" + std::string(pt) + "' is not a number 0..127";
    return std::nullopt;
  }
  if (!rest) {
    error = "a=rtpmap needs <payload type> <encoding name>/<clock rate>[/<channels>]";
    return std::nullopt;
  }
  const auto parts = detail::splitAll(*rest, '/');
  if (parts.size() < 2 || parts.size() > 3 || !detail::isToken(parts[0])) {
    error = "a=rtpmap needs <payload type> <encoding name>/<clock rate>[/<channels>]";
    return std::nullopt;
  }
  const auto clockRate = detail::parseNumber<uint32_t>(parts[1]);
  if (!clockRate || *clockRate == 0) {
    error = "a=rtpmap: clock rate '" + std::string(parts[1]) + "' is not a positive number";
    return std::nullopt;
  }
  RtpMap m;
  m.payloadType = *payloadType;
  m.encodingName = std::string(parts[0]);
  m.clockRate = *clockRate;
  if (parts.size() == 3) {
    const auto channels = detail::parseNumber<uint32_t>(parts[2]);
    if (!channels) {
      error = "a=rtpmap: channel count '" + std::string(parts[2]) + "' is not a number";
      return std::nullopt;
    }
    m.channels = *channels;
  }
  return m;
}

std::string RtpMap::toString() const {
  std::string out = std::to_string(payloadType) + ' ' + encodingName + '/' + std::to_string(clockRate);
  if (channels) out += '/' + std::to_string(*channels);
  return out;
}

}  // namespace switchyard::media::sdp
