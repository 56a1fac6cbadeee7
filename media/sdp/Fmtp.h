#pragma once
// a=fmtp:<payload type> <format specific parameters> (RFC 8866 section 6.15). The parameter text is
// kept as written (it is the source of truth for writing); parameters() splits it into the usual
// ';'-separated "name=value" list (RFC 7587 opus, RFC 6184 H.264, RFC 4588 rtx apt=...).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp/Parameter.h"

namespace switchyard::media::sdp {

struct Fmtp {
  uint8_t payloadType = 0;
  std::string parameters;  // "minptime=10;useinbandfec=1"

  [[nodiscard]] static std::optional<Fmtp> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  // The parameter list: split at ';', surrounding spaces trimmed, empty items skipped.
  [[nodiscard]] std::vector<Parameter> parameterList() const;
  // The value of `name` (case-insensitive, as the codec RFCs ask); a bare name gives "".
  [[nodiscard]] std::optional<std::string> parameter(std::string_view name) const;

  friend bool operator==(const Fmtp&, const Fmtp&) = default;
};

}  // namespace switchyard::media::sdp
