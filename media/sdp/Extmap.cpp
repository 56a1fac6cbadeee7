#include "media/sdp/Extmap.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Extmap> Extmap::parse(std::string_view value, std::string& error) {
  const auto [idPart, rest] = detail::splitFirst(value, ' ');
  const auto [idText, dirText] = detail::splitFirst(idPart, '/');
  const auto id = detail::parseNumber<uint16_t>(idText);
  if (!id || *id == 0 || (*id > 255 && *id < 4096) || *id > 4351) {
    error = "a=extmap: id '" + std::string(idText) + "' is not 1..255 (or 4096..4351)";
    return std::nullopt;
  }
  Extmap e;
  e.id = *id;
  if (dirText) {
    const auto dir = parseDirection(*dirText);
    if (!dir) {
      error =
          "a=extmap: direction '" + std::string(*dirText) + "' is not sendrecv/sendonly/recvonly/inactive";
      return std::nullopt;
    }
    e.direction = *dir;
  }
  if (!rest) {
    error = "a=extmap needs <id>[/<direction>] <URI>";
    return std::nullopt;
  }
  const auto [uri, attributes] = detail::splitFirst(*rest, ' ');
  if (uri.empty()) {
    error = "a=extmap: missing URI";
    return std::nullopt;
  }
  e.uri = std::string(uri);
  if (attributes) e.attributes = std::string(*attributes);
  return e;
}

std::string Extmap::toString() const {
  std::string out = std::to_string(id);
  if (direction) {
    out += '/';
    out += sdp::toString(*direction);
  }
  out += ' ';
  out += uri;
  if (attributes) {
    out += ' ';
    out += *attributes;
  }
  return out;
}

}  // namespace switchyard::media::sdp
