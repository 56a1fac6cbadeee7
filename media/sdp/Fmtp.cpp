#include "media/sdp/Fmtp.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Fmtp> Fmtp::parse(std::string_view value, std::string& error) {
  const auto [pt, rest] = detail::splitFirst(value, ' ');
  const auto payloadType = detail::parsePayloadType(pt);
  if (!payloadType) {
    error = "a=fmtp: payload type '" + std::string(pt) + "' is not a number 0..127";
    return std::nullopt;
  }
  Fmtp f;
  f.payloadType = *payloadType;
  if (rest) f.parameters = std::string(*rest);
  return f;
}

std::string Fmtp::toString() const {
  std::string out = std::to_string(payloadType);
  if (!parameters.empty()) {
    out += ' ';
    out += parameters;
  }
  return out;
}

std::vector<Parameter> Fmtp::parameterList() const {
  std::vector<Parameter> out;
  for (const auto piece : detail::splitAll(parameters, ';')) {
    const auto item = trim(piece);
    if (item.empty()) continue;
    const auto [name, v] = detail::splitFirst(item, '=');
    Parameter p;
    p.name = std::string(trim(name));
    if (v) p.value = std::string(trim(*v));
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> Fmtp::parameter(std::string_view name) const {
  for (auto& p : parameterList()) {
    if (detail::equalsIgnoreCase(p.name, name)) return p.value.value_or(std::string());
  }
  return std::nullopt;
}

}  // namespace switchyard::media::sdp
