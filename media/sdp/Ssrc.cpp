#include "media/sdp/Ssrc.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Ssrc> Ssrc::parse(std::string_view value, std::string& error) {
  const auto [id, rest] = detail::splitFirst(value, ' ');
  const auto ssrc = detail::parseNumber<uint32_t>(id);
  if (!ssrc) {
    error = "a=ssrc: '" + std::string(id) + "' is not a 32-bit SSRC";
    return std::nullopt;
  }
  if (!rest) {
    error = "a=ssrc needs <ssrc-id> <attribute>[:<value>]";
    return std::nullopt;
  }
  const auto [attribute, v] = detail::splitFirst(*rest, ':');
  if (attribute.empty()) {
    error = "a=ssrc: missing source attribute name";
    return std::nullopt;
  }
  Ssrc s;
  s.ssrc = *ssrc;
  s.attribute = std::string(attribute);
  if (v) s.value = std::string(*v);
  return s;
}

std::string Ssrc::toString() const {
  std::string out = std::to_string(ssrc) + ' ' + attribute;
  if (value) {
    out += ':';
    out += *value;
  }
  return out;
}

}  // namespace switchyard::media::sdp
