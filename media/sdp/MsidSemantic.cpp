#include "media/sdp/MsidSemantic.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<MsidSemantic> MsidSemantic::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.empty()) {
    error = "a=msid-semantic needs a semantic token (e.g. WMS)";
    return std::nullopt;
  }
  MsidSemantic m;
  m.semantic = std::string(t[0]);
  for (size_t i = 1; i < t.size(); ++i)
    m.ids.emplace_back(t[i]);
  return m;
}

std::string MsidSemantic::toString() const {
  std::string out = " " + semantic;
  for (const auto& id : ids) {
    out += ' ';
    out += id;
  }
  return out;
}

}  // namespace switchyard::media::sdp
