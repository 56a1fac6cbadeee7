#include "media/sdp/Rid.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Rid> Rid::parse(std::string_view value, std::string& error) {
  const auto [id, rest] = detail::splitFirst(value, ' ');
  if (!detail::isRidId(id)) {
    error = "a=rid: id '" + std::string(id) + "' must be letters, digits, '-' or '_'";
    return std::nullopt;
  }
  if (!rest) {
    error = "a=rid needs <rid-id> <send|recv>";
    return std::nullopt;
  }
  Rid r;
  r.id = std::string(id);
  const auto [dir, params] = detail::splitFirst(*rest, ' ');
  if (dir == "send") {
    r.direction = Direction::kSend;
  } else if (dir == "recv") {
    r.direction = Direction::kRecv;
  } else {
    error = "a=rid: direction '" + std::string(dir) + "' is neither send nor recv";
    return std::nullopt;
  }
  if (!params) return r;
  if (params->find(' ') != std::string_view::npos) {
    error = "a=rid: restrictions must not contain spaces";
    return std::nullopt;
  }
  for (const auto item : detail::splitAll(*params, ';')) {
    if (item.empty()) continue;
    const auto [name, v] = detail::splitFirst(item, '=');
    if (name.empty()) {
      error = "a=rid: restriction without a name";
      return std::nullopt;
    }
    Parameter p;
    p.name = std::string(name);
    if (v) p.value = std::string(*v);
    r.restrictions.push_back(std::move(p));
  }
  return r;
}

std::string Rid::toString() const {
  std::string out = id;
  out += direction == Direction::kSend ? " send" : " recv";
  for (size_t i = 0; i < restrictions.size(); ++i) {
    out += i == 0 ? ' ' : ';';
    out += restrictions[i].name;
    if (restrictions[i].value) {
      out += '=';
      out += *restrictions[i].value;
    }
  }
  return out;
}

std::optional<std::string_view> Rid::restriction(std::string_view name) const noexcept {
  for (const auto& p : restrictions) {
    if (p.name == name) return p.value ? std::string_view(*p.value) : std::string_view();
  }
  return std::nullopt;
}

std::vector<uint8_t> Rid::payloadTypes() const {
  std::vector<uint8_t> out;
  const auto list = restriction("pt");
  if (!list) return out;
  for (const auto item : detail::splitAll(*list, ',')) {
    if (const auto pt = detail::parsePayloadType(item)) out.push_back(*pt);
  }
  return out;
}

}  // namespace switchyard::media::sdp
