#include "media/sdp/SsrcGroup.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<SsrcGroup> SsrcGroup::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.empty() || !detail::isToken(t[0])) {
    error = "a=ssrc-group needs <semantics> followed by SSRCs";
    return std::nullopt;
  }
  SsrcGroup g;
  g.semantics = std::string(t[0]);
  for (size_t i = 1; i < t.size(); ++i) {
    const auto ssrc = detail::parseNumber<uint32_t>(t[i]);
    if (!ssrc) {
      error = "a=ssrc-group: '" + std::string(t[i]) + "' is not a 32-bit SSRC";
      return std::nullopt;
    }
    g.ssrcs.push_back(*ssrc);
  }
  return g;
}

std::string SsrcGroup::toString() const {
  std::string out = semantics;
  for (const uint32_t s : ssrcs) {
    out += ' ';
    out += std::to_string(s);
  }
  return out;
}

}  // namespace switchyard::media::sdp
