#pragma once
// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 section 6.6).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct RtpMap {
  uint8_t payloadType = 0;  // 0..127
  std::string encodingName;
  uint32_t clockRate = 90000;
  std::optional<uint32_t> channels;  // audio channel count ("opus/48000/2")

  [[nodiscard]] static std::optional<RtpMap> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const RtpMap&, const RtpMap&) = default;
};

}  // namespace switchyard::media::sdp
