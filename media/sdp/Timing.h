#pragma once
// t=<start-time> <stop-time> (RFC 8866 section 5.9) and the r= lines that follow it (section 5.10,
// kept verbatim). WebRTC always sends "t=0 0".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;  // values of the r= lines after this t=

  [[nodiscard]] static std::optional<Timing> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;  // the t= value only

  friend bool operator==(const Timing&, const Timing&) = default;
};

}  // namespace switchyard::media::sdp
