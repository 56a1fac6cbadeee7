#pragma once
// a=msid-semantic: WMS [*|<stream ids>] (draft-ietf-mmusic-msid, still sent by Chromium; RFC 8830
// dropped it). Written as Chromium writes it, with a space after the colon.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct MsidSemantic {
  std::string semantic = "WMS";
  std::vector<std::string> ids;

  [[nodiscard]] static std::optional<MsidSemantic> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;  // " WMS id1 id2"

  friend bool operator==(const MsidSemantic&, const MsidSemantic&) = default;
};

}  // namespace switchyard::media::sdp
