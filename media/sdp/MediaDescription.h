#pragma once
// One media section: the m= line and everything up to the next m= line (RFC 8866 section 5.14),
// with the WebRTC attributes typed (RFC 8829 section 5.2 lists what JSEP puts there) and any other
// line kept verbatim, in order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp/Attribute.h"
#include "media/sdp/Bandwidth.h"
#include "media/sdp/Candidate.h"
#include "media/sdp/Codec.h"
#include "media/sdp/Connection.h"
#include "media/sdp/Direction.h"
#include "media/sdp/Extmap.h"
#include "media/sdp/Fingerprint.h"
#include "media/sdp/Fmtp.h"
#include "media/sdp/MediaKind.h"
#include "media/sdp/Msid.h"
#include "media/sdp/Rid.h"
#include "media/sdp/RtcpFeedback.h"
#include "media/sdp/RtpMap.h"
#include "media/sdp/SetupRole.h"
#include "media/sdp/Simulcast.h"
#include "media/sdp/SourceOrder.h"
#include "media/sdp/Ssrc.h"
#include "media/sdp/SsrcGroup.h"
#include "media/sdp/TextLine.h"

namespace switchyard::media::sdp {

struct MediaDescription {
  // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  std::string media = "audio";  // "audio", "video", "application", or another token
  uint16_t port = 9;
  std::optional<uint16_t> numberOfPorts;
  std::string proto = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;  // payload types as text, or "webrtc-datachannel"

  std::vector<TextLine> textLines;  // i=, k=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;

  std::optional<std::string> mid;  // RFC 8843 / RFC 5888
  std::optional<Direction> direction;
  bool rtcpMux = false;    // RFC 5761
  bool rtcpRsize = false;  // RFC 5506
  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;  // "trickle", "renomination"
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::vector<Candidate> candidates;
  bool endOfCandidates = false;  // RFC 8840
  std::vector<RtpMap> rtpMaps;
  std::vector<Fmtp> fmtps;
  std::vector<RtcpFeedback> rtcpFeedback;
  std::vector<Extmap> extmaps;
  bool extmapAllowMixed = false;  // RFC 8285 section 6
  std::vector<Ssrc> ssrcs;
  std::vector<SsrcGroup> ssrcGroups;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::vector<Msid> msids;
  std::optional<uint16_t> sctpPort;        // RFC 8841 section 5
  std::optional<uint64_t> maxMessageSize;  // RFC 8841 section 6 (0 = no limit)
  std::vector<Attribute> attributes;       // every other a= line, in order

  SourceOrder order;  // line order as parsed; ignored by ==

  [[nodiscard]] MediaKind kind() const noexcept { return mediaKindOf(media); }
  // The direction in force: a=sendrecv when none is given (RFC 8866 section 6.7).
  [[nodiscard]] Direction effectiveDirection() const noexcept {
    return direction.value_or(Direction::kSendRecv);
  }
  // The m= formats that are RTP payload types (0..127), in m= line order.
  [[nodiscard]] std::vector<uint8_t> payloadTypes() const;
  // One Codec per payload type of the m= line, in preference order. A payload type with neither an
  // a=rtpmap nor an RFC 3551 static assignment has no Codec (codec() gives nullopt, codecs() skips it).
  [[nodiscard]] std::vector<Codec> codecs() const;
  [[nodiscard]] std::optional<Codec> codec(uint8_t payloadType) const;
  [[nodiscard]] const RtpMap* findRtpMap(uint8_t payloadType) const noexcept;
  [[nodiscard]] const Fmtp* findFmtp(uint8_t payloadType) const noexcept;
  // The extmap id of an extension URI, if negotiated in this section.
  [[nodiscard]] std::optional<uint16_t> extmapId(std::string_view uri) const noexcept;
  // The first unknown attribute with this name.
  [[nodiscard]] const Attribute* findAttribute(std::string_view name) const noexcept;

  friend bool operator==(const MediaDescription&, const MediaDescription&) = default;
};

}  // namespace switchyard::media::sdp
