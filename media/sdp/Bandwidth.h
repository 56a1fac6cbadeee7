#pragma once
// b=<bwtype>:<bandwidth> (RFC 8866 section 5.8; TIAS from RFC 3890). AS/CT are kbit/s, TIAS bit/s.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct Bandwidth {
  std::string type = "AS";
  uint64_t value = 0;

  [[nodiscard]] static std::optional<Bandwidth> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Bandwidth&, const Bandwidth&) = default;
};

}  // namespace switchyard::media::sdp
