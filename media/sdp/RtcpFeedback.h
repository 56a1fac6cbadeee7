#pragma once
// a=rtcp-fb:<payload type | *> <type> [<subtype and parameters>] (RFC 4585 section 4.2; ccm in
// RFC 5104, goog-remb and transport-cc as Chromium sends them).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct RtcpFeedback {
  std::optional<uint8_t> payloadType;  // nullopt = "*" (every payload type of the section)
  std::string type;                    // "nack", "ccm", "goog-remb", "transport-cc"
  std::optional<std::string> subtype;  // "pli", "fir", ... (rest of the line, as written)

  [[nodiscard]] static std::optional<RtcpFeedback> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const RtcpFeedback&, const RtcpFeedback&) = default;
};

}  // namespace switchyard::media::sdp
