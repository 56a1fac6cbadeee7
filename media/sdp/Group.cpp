#include "media/sdp/Group.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Group> Group::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.empty() || !detail::isToken(t[0])) {
    error = "a=group needs a semantics token (e.g. BUNDLE)";
    return std::nullopt;
  }
  Group g;
  g.semantics = std::string(t[0]);
  for (size_t i = 1; i < t.size(); ++i) {
    if (!detail::isToken(t[i])) {
      error = "a=group: identification tag '" + std::string(t[i]) + "' is not a token";
      return std::nullopt;
    }
    g.mids.emplace_back(t[i]);
  }
  return g;
}

std::string Group::toString() const {
  std::string out = semantics;
  for (const auto& mid : mids) {
    out += ' ';
    out += mid;
  }
  return out;
}

}  // namespace switchyard::media::sdp
