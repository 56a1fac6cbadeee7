#pragma once
// a=rid:<rid-id> <send|recv> [<restrictions>] (RFC 8851 section 10), e.g.
// "a=rid:f send pt=96,97;max-width=1280;max-height=720". Restrictions are kept in order; "pt=" is one
// of them and payloadTypes() reads it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp/Parameter.h"

namespace switchyard::media::sdp {

struct Rid {
  enum class Direction : uint8_t { kSend, kRecv };

  std::string id;
  Direction direction = Direction::kSend;
  std::vector<Parameter> restrictions;

  [[nodiscard]] static std::optional<Rid> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  // The value of a restriction ("max-width" -> "1280"); a bare name gives "".
  [[nodiscard]] std::optional<std::string_view> restriction(std::string_view name) const noexcept;
  // The pt= list; empty when absent (any payload type of the section).
  [[nodiscard]] std::vector<uint8_t> payloadTypes() const;

  friend bool operator==(const Rid&, const Rid&) = default;
};

}  // namespace switchyard::media::sdp
