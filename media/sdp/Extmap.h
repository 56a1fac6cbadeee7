#pragma once
// a=extmap:<id>[/<direction>] <URI> [<extension attributes>] (RFC 8285 section 8).
// Ids 1-14 fit the one-byte header form, 1-255 the two-byte form; 4096-4351 are offer-only
// placeholders (RFC 8285 section 7). Anything else is refused.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "media/sdp/Direction.h"

namespace switchyard::media::sdp {

struct Extmap {
  uint16_t id = 1;
  std::optional<Direction> direction;
  std::string uri;
  std::optional<std::string> attributes;

  [[nodiscard]] static std::optional<Extmap> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Extmap&, const Extmap&) = default;
};

}  // namespace switchyard::media::sdp
