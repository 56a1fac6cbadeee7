#include "media/sdp/Msid.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Msid> Msid::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.empty() || t.size() > 2) {
    error = "a=msid must be <stream id> [<track id>]";
    return std::nullopt;
  }
  Msid m;
  m.streamId = std::string(t[0]);
  if (t.size() == 2) m.trackId = std::string(t[1]);
  return m;
}

std::string Msid::toString() const {
  std::string out = streamId;
  if (trackId) {
    out += ' ';
    out += *trackId;
  }
  return out;
}

}  // namespace switchyard::media::sdp
