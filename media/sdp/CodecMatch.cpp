#include "media/sdp/CodecMatch.h"

#include "media/sdp/Fmtp.h"
#include "media/sdp/Negotiation.h"
#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

using detail::equalsIgnoreCase;

bool isAv1(std::string_view name) noexcept {
  return equalsIgnoreCase(name, "AV1") || equalsIgnoreCase(name, "AV1X");
}

bool sameName(std::string_view a, std::string_view b) noexcept {
  return equalsIgnoreCase(a, b) || (isAv1(a) && isAv1(b));
}

// A numeric format parameter with a default ("profile-id" of VP9, "profile" of AV1); a value that is
// not a number is kept as text so that only identical text matches.
std::string numericParameter(const std::optional<std::string>& value) {
  if (!value) return "0";
  if (const auto n = detail::parseNumber<uint32_t>(*value)) return std::to_string(*n);
  return "x" + *value;
}

std::optional<std::string> toString(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

}  // namespace

bool isRtx(const Codec& codec) noexcept {
  return equalsIgnoreCase(codec.name, "rtx");
}

bool isTelephoneEvent(const Codec& codec) noexcept {
  return equalsIgnoreCase(codec.name, "telephone-event");
}

bool isSupportedCodec(MediaKind kind, const Codec& codec) noexcept {
  const uint32_t channels = codec.channels.value_or(1);
  if (kind == MediaKind::kAudio) {
    // RFC 7587 section 7: opus is always signalled as opus/48000/2.
    if (equalsIgnoreCase(codec.name, "opus")) return codec.clockRate == 48000 && channels == 2;
    if (equalsIgnoreCase(codec.name, "PCMU") || equalsIgnoreCase(codec.name, "PCMA")) {
      return codec.clockRate == 8000 && channels == 1;
    }
    return false;
  }
  if (kind != MediaKind::kVideo || codec.clockRate != 90000) return false;
  if (equalsIgnoreCase(codec.name, "VP8") || equalsIgnoreCase(codec.name, "VP9") || isAv1(codec.name)) {
    return true;
  }
  if (equalsIgnoreCase(codec.name, "H264")) {
    // RFC 6184 section 8.1: packetization-mode absent means 0 (single NAL unit), which we do not take.
    const auto mode = codec.parameter("packetization-mode");
    return mode && *mode == "1";
  }
  return false;
}

std::string h264Profile(std::optional<std::string_view> profileLevelId) {
  const std::string_view id = profileLevelId.value_or("42000a");
  std::string out(id.substr(0, 4));
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool codecsMatch(const NegotiatedCodec& source, const Codec& offered) {
  if (!sameName(source.name, offered.name)) return false;
  if (source.clockRate != offered.clockRate) return false;
  if (source.channels != offered.channels.value_or(1)) return false;
  Fmtp sourceFmtp;
  sourceFmtp.parameters = source.fmtp;
  if (equalsIgnoreCase(source.name, "H264")) {
    const auto sourceMode = sourceFmtp.parameter("packetization-mode");
    const auto offeredMode = offered.parameter("packetization-mode");
    if (!sourceMode || *sourceMode != "1" || !offeredMode || *offeredMode != "1") return false;
    return h264Profile(sourceFmtp.parameter("profile-level-id")) ==
           h264Profile(offered.parameter("profile-level-id"));
  }
  if (equalsIgnoreCase(source.name, "VP9")) {
    return numericParameter(sourceFmtp.parameter("profile-id")) ==
           numericParameter(toString(offered.parameter("profile-id")));
  }
  if (isAv1(source.name)) {
    return numericParameter(sourceFmtp.parameter("profile")) ==
           numericParameter(toString(offered.parameter("profile")));
  }
  return true;
}

}  // namespace switchyard::media::sdp
