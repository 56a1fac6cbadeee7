#include "media/sdp/MediaDescription.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

// RFC 3551 section 6 static payload types (the ones still met in WebRTC offers).
struct StaticPayload {
  uint8_t pt;
  const char* name;
  uint32_t clockRate;
  uint32_t channels;
};
constexpr StaticPayload kStaticPayloads[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},   {4, "G723", 8000, 1},   {8, "PCMA", 8000, 1},
    {9, "G722", 8000, 1},   {13, "CN", 8000, 1},   {18, "G729", 8000, 1},  {26, "JPEG", 90000, 0},
    {31, "H261", 90000, 0}, {32, "MPV", 90000, 0}, {34, "H263", 90000, 0},
};

}  // namespace

std::vector<uint8_t> MediaDescription::payloadTypes() const {
  std::vector<uint8_t> out;
  for (const auto& f : formats) {
    if (const auto pt = detail::parsePayloadType(f)) out.push_back(*pt);
  }
  return out;
}

const RtpMap* MediaDescription::findRtpMap(uint8_t payloadType) const noexcept {
  for (const auto& m : rtpMaps) {
    if (m.payloadType == payloadType) return &m;
  }
  return nullptr;
}

const Fmtp* MediaDescription::findFmtp(uint8_t payloadType) const noexcept {
  for (const auto& f : fmtps) {
    if (f.payloadType == payloadType) return &f;
  }
  return nullptr;
}

std::optional<Codec> MediaDescription::codec(uint8_t payloadType) const {
  Codec c;
  c.payloadType = payloadType;
  if (const auto* map = findRtpMap(payloadType)) {
    c.name = map->encodingName;
    c.clockRate = map->clockRate;
    c.channels = map->channels;
  } else {
    bool known = false;
    for (const auto& s : kStaticPayloads) {
      if (s.pt != payloadType) continue;
      c.name = s.name;
      c.clockRate = s.clockRate;
      if (s.channels != 0) c.channels = s.channels;
      known = true;
    }
    if (!known) return std::nullopt;
  }
  if (const auto* f = findFmtp(payloadType)) {
    c.fmtp = f->parameters;
    c.parameters = f->parameterList();
  }
  for (const auto& fb : rtcpFeedback) {
    if (!fb.payloadType || *fb.payloadType == payloadType) c.feedback.push_back(fb);
  }
  return c;
}

std::vector<Codec> MediaDescription::codecs() const {
  std::vector<Codec> out;
  for (const uint8_t pt : payloadTypes()) {
    if (auto c = codec(pt)) out.push_back(std::move(*c));
  }
  return out;
}

std::optional<uint16_t> MediaDescription::extmapId(std::string_view uri) const noexcept {
  for (const auto& e : extmaps) {
    if (e.uri == uri) return e.id;
  }
  return std::nullopt;
}

const Attribute* MediaDescription::findAttribute(std::string_view name) const noexcept {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace switchyard::media::sdp
