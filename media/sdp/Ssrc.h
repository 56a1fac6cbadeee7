#pragma once
// a=ssrc:<ssrc-id> <attribute>[:<value>] (RFC 5576 section 4.1), e.g. "a=ssrc:1234 cname:abc".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct Ssrc {
  uint32_t ssrc = 0;
  std::string attribute;  // "cname", "msid", ...
  std::optional<std::string> value;

  [[nodiscard]] static std::optional<Ssrc> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Ssrc&, const Ssrc&) = default;
};

}  // namespace switchyard::media::sdp
