#include "media/sdp/RtcpFeedback.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<RtcpFeedback> RtcpFeedback::parse(std::string_view value, std::string& error) {
  const auto [pt, rest] = detail::splitFirst(value, ' ');
  RtcpFeedback fb;
  if (pt != "*") {
    const auto payloadType = detail::parsePayloadType(pt);
    if (!payloadType) {
      error = "a=rtcp-fb: payload type '" + std::string(pt) + "' is neither '*' nor a number 0..127";
      return std::nullopt;
    }
    fb.payloadType = *payloadType;
  }
  if (!rest) {
    error = "a=rtcp-fb needs <payload type> <feedback type>";
    return std::nullopt;
  }
  const auto [type, subtype] = detail::splitFirst(*rest, ' ');
  if (!detail::isToken(type)) {
    error = "a=rtcp-fb: feedback type is missing or not a token";
    return std::nullopt;
  }
  fb.type = std::string(type);
  if (subtype) fb.subtype = std::string(*subtype);
  return fb;
}

std::string RtcpFeedback::toString() const {
  std::string out = payloadType ? std::to_string(*payloadType) : std::string("*");
  out += ' ';
  out += type;
  if (subtype) {
    out += ' ';
    out += *subtype;
  }
  return out;
}

}  // namespace switchyard::media::sdp
