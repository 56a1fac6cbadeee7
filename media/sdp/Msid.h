#pragma once
// a=msid:<stream id> [<track id>] (RFC 8830 section 2). Chromium writes "-" for a track without stream.
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct Msid {
  std::string streamId;
  std::optional<std::string> trackId;  // msid-appdata

  [[nodiscard]] static std::optional<Msid> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Msid&, const Msid&) = default;
};

}  // namespace switchyard::media::sdp
