#include "media/sdp/Timing.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<Timing> Timing::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() != 2) {
    error = "t= needs 2 fields: <start-time> <stop-time>";
    return std::nullopt;
  }
  const auto start = detail::parseNumber<uint64_t>(t[0]);
  const auto stop = detail::parseNumber<uint64_t>(t[1]);
  if (!start || !stop) {
    error = "t= times must be decimal numbers";
    return std::nullopt;
  }
  Timing timing;
  timing.start = *start;
  timing.stop = *stop;
  return timing;
}

std::string Timing::toString() const {
  return std::to_string(start) + ' ' + std::to_string(stop);
}

}  // namespace switchyard::media::sdp
