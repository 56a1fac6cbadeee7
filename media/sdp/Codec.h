#pragma once
// A joined view of one RTP payload type of a media section: its a=rtpmap (or the RFC 3551 static
// assignment when there is none), a=fmtp and the a=rtcp-fb lines that apply to it (its own and "*").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp/Parameter.h"
#include "media/sdp/RtcpFeedback.h"

namespace switchyard::media::sdp {

struct Codec {
  uint8_t payloadType = 0;
  std::string name;  // encoding name as written ("opus", "VP8", "rtx"); empty when unknown
  uint32_t clockRate = 0;
  std::optional<uint32_t> channels;
  std::optional<std::string> fmtp;  // the a=fmtp parameter text
  std::vector<Parameter> parameters;
  std::vector<RtcpFeedback> feedback;

  // A format parameter by name (case-insensitive): codec.parameter("apt") -> "96".
  [[nodiscard]] std::optional<std::string_view> parameter(std::string_view key) const noexcept;
  // Feedback of this type/subtype applies ("nack", "pli"); subtype empty = the bare type.
  [[nodiscard]] bool hasFeedback(std::string_view type, std::string_view subtype = {}) const noexcept;
  // RFC 4588 rtx: the payload type this one repairs (fmtp apt=).
  [[nodiscard]] std::optional<uint8_t> rtxApt() const noexcept;

  friend bool operator==(const Codec&, const Codec&) = default;
};

}  // namespace switchyard::media::sdp
