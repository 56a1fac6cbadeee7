#include "media/sdp/Candidate.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Candidate> Candidate::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() < 8) {
    error = "a=candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>";
    return std::nullopt;
  }
  Candidate c;
  if (t[0].size() > 32) {
    error = "a=candidate: foundation longer than 32 characters";
    return std::nullopt;
  }
  c.foundation = std::string(t[0]);
  const auto component = detail::parseUnsigned(t[1], 256);
  if (!component || *component == 0) {
    error = "a=candidate: component id must be 1..256";
    return std::nullopt;
  }
  c.component = static_cast<uint16_t>(*component);
  c.transport = std::string(t[2]);
  const auto priority = detail::parseNumber<uint32_t>(t[3]);
  if (!priority) {
    error = "a=candidate: priority must be a number below 2^32";
    return std::nullopt;
  }
  c.priority = *priority;
  c.address = std::string(t[4]);
  const auto port = detail::parseNumber<uint16_t>(t[5]);
  if (!port) {
    error = "a=candidate: port must be 0..65535";
    return std::nullopt;
  }
  c.port = *port;
  if (t[6] != "typ") {
    error = "a=candidate: expected 'typ' after the port";
    return std::nullopt;
  }
  c.type = std::string(t[7]);
  if ((t.size() - 8) % 2 != 0) {
    error = "a=candidate: extension '" + std::string(t.back()) + "' has no value";
    return std::nullopt;
  }
  for (size_t i = 8; i + 1 < t.size(); i += 2) {
    const std::string_view name = t[i];
    const std::string_view v = t[i + 1];
    if (name == "raddr") {
      if (c.relatedAddress) {
        error = "a=candidate: duplicate raddr";
        return std::nullopt;
      }
      c.relatedAddress = std::string(v);
    } else if (name == "rport") {
      const auto rport = detail::parseNumber<uint16_t>(v);
      if (!rport || c.relatedPort) {
        error = "a=candidate: bad or duplicate rport";
        return std::nullopt;
      }
      c.relatedPort = *rport;
    } else if (name == "tcptype") {
      if (c.tcpType) {
        error = "a=candidate: duplicate tcptype";
        return std::nullopt;
      }
      c.tcpType = std::string(v);
    } else if (name == "generation") {
      const auto generation = detail::parseNumber<uint32_t>(v);
      if (!generation || c.generation) {
        error = "a=candidate: bad or duplicate generation";
        return std::nullopt;
      }
      c.generation = *generation;
    } else {
      c.extensions.emplace_back(std::string(name), std::string(v));
    }
  }
  return c;
}

std::string Candidate::toString() const {
  std::string out = foundation;
  out += ' ';
  out += std::to_string(component);
  out += ' ';
  out += transport;
  out += ' ';
  out += std::to_string(priority);
  out += ' ';
  out += address;
  out += ' ';
  out += std::to_string(port);
  out += " typ ";
  out += type;
  if (relatedAddress) out += " raddr " + *relatedAddress;
  if (relatedPort) out += " rport " + std::to_string(*relatedPort);
  if (tcpType) out += " tcptype " + *tcpType;
  if (generation) out += " generation " + std::to_string(*generation);
  for (const auto& [name, v] : extensions) {
    out += ' ';
    out += name;
    out += ' ';
    out += v;
  }
  return out;
}

std::optional<std::string_view> Candidate::extension(std::string_view name) const noexcept {
  for (const auto& [n, v] : extensions) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace switchyard::media::sdp
