#pragma once
// JSEP answer building (RFC 8829 section 5.3) for Switchyard's one-PeerConnection-per-client model:
// the client always offers (so only the server answers and glare cannot happen). Each offered
// audio/video m-section is one of:
//   - sendonly / sendrecv  -> a published track: the server answers recvonly with ONE codec (the
//     first of the offer's m= order that it supports) plus that codec's RTX and, for audio,
//     telephone-event at the same clock rate, and the supported header extensions with the
//     offer's ids;
//   - recvonly             -> a subscription, when `subscriptionFor(mid)` names a published track
//     whose codec the subscriber offered: answered sendonly with the subscriber's payload types
//     and extension ids, a=msid and a=ssrc / a=ssrc-group:FID lines for the server's SSRCs;
//     otherwise answered inactive (with a reason);
//   - inactive             -> inactive; port 0 -> rejected (port 0) as JSEP requires;
//   - application (data channels, RFC 8841 `UDP/DTLS/SCTP webrtc-datachannel`) -> the first one is
//     answered with the server's a=sctp-port and a=max-message-size; further ones and the legacy
//     `DTLS/SCTP` + a=sctpmap form are rejected (port 0).
// Control plane only: allocates and throws NegotiationError (with a message for the client) when
// the offer cannot be answered at all (no BUNDLE, no rtcp-mux, missing ICE credentials or DTLS
// fingerprint, bundled sections with different ICE credentials, ...).
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "media/rtp/RtpHeaderExtensions.h"
#include "media/sdp/Candidate.h"
#include "media/sdp/Fingerprint.h"
#include "media/sdp/MediaKind.h"
#include "media/sdp/Msid.h"
#include "media/sdp/RtcpFeedback.h"
#include "media/sdp/SessionDescription.h"
#include "media/sdp/SetupRole.h"

namespace switchyard::media::sdp {

class NegotiationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NegotiationOptions {
  bool opusInbandFec = true;         // answer a=fmtp useinbandfec=1 for Opus
  bool opusDtx = true;               // answer a=fmtp usedtx=1 for Opus
  bool dataChannels = true;          // false: application sections are rejected
  uint16_t sctpPort = 5000;          // our a=sctp-port
  uint64_t maxMessageSize = 262144;  // our a=max-message-size: the largest message we accept
  // Answer a publisher's simulcast (RFC 8853: a=rid recv + a=simulcast:recv for its send RIDs) so
  // it sends every layer; false: no a=simulcast, browsers send one encoding.
  bool simulcast = false;
};

// What the application (data channel) section negotiated.
struct DataChannelAnswer {
  uint16_t remotePort = 5000;             // the offer's a=sctp-port (5000 when absent)
  uint64_t remoteMaxMessageSize = 65536;  // the offer's a=max-message-size (RFC 8841 section 6:
                                          // 64 KiB when absent; 0 = no limit)
  friend bool operator==(const DataChannelAnswer&, const DataChannelAnswer&) = default;
};

// The codec a published m-section negotiated (in the publisher's payload type numbering).
struct NegotiatedCodec {
  std::string name;  // as the offer wrote it: "opus", "PCMU", "PCMA", "VP8", "VP9", "H264", "AV1"
  uint32_t clockRate = 0;
  uint32_t channels = 1;  // audio; 1 for video
  std::string fmtp;       // the offer's a=fmtp parameter text for this payload type ("" if none)
  uint8_t payloadType = 0;
  std::optional<uint8_t> rtxPayloadType;   // RFC 4588 rtx with apt=payloadType
  std::optional<uint8_t> dtmfPayloadType;  // telephone-event at clockRate (audio only)
  std::vector<RtcpFeedback> feedback;      // the answered a=rtcp-fb for payloadType

  friend bool operator==(const NegotiatedCodec&, const NegotiatedCodec&) = default;
};

// What a publisher's sendonly/sendrecv section negotiated.
struct PublishedTrack {
  std::string mid;
  MediaKind kind = MediaKind::kAudio;
  NegotiatedCodec codec;
  rtp::RtpExtensionIds extensions;  // the publisher's ids of the answered extensions
  std::vector<uint32_t> ssrcs;      // media SSRCs from a=ssrc (the first of each FID group); may be empty
  std::vector<uint32_t> rtxSsrcs;   // the repair SSRC of each a=ssrc-group:FID
  std::vector<std::string> rids;    // a=rid ... send (every one the offer lists)
  std::vector<std::string> simulcastRids;  // the layers answered with a=simulcast:recv (empty: none)
  std::optional<Msid> msid;
  std::string cname;  // a=ssrc:<ssrc> cname:<...>, if any

  friend bool operator==(const PublishedTrack&, const PublishedTrack&) = default;
};

// What the server decided to send in a subscriber's recvonly section.
struct SubscriptionSource {
  const PublishedTrack* track = nullptr;  // the source (its codec decides the payload type)
  uint32_t ssrc = 0;                      // the server's SSRC for this subscriber's stream
  uint32_t rtxSsrc = 0;                   // announced only when RTX is negotiated
  std::string streamId;                   // a=msid stream id (the publishing peer's id)
  std::string trackId;                    // a=msid track id (the server's track id)
  std::string cname;                      // a=ssrc cname
};

// What a subscriber's section negotiated (in the subscriber's numbering).
struct SubscribedTrack {
  std::string mid;
  uint8_t payloadType = 0;
  std::optional<uint8_t> rtxPayloadType;
  std::optional<uint8_t> dtmfPayloadType;
  rtp::RtpExtensionIds extensions;  // the subscriber's ids of the answered extensions
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // 0 when RTX was not negotiated
  std::vector<RtcpFeedback> feedback;

  friend bool operator==(const SubscribedTrack&, const SubscribedTrack&) = default;
};

struct MediaAnswer {
  enum class Role : uint8_t { kRejected, kInactive, kPublish, kSubscribe, kDataChannel };
  Role role = Role::kRejected;
  std::string mid;  // empty for a section without a=mid (only possible when rejected)
  MediaKind kind = MediaKind::kAudio;
  std::optional<PublishedTrack> published;       // role kPublish
  std::optional<SubscribedTrack> subscribed;     // role kSubscribe
  std::optional<DataChannelAnswer> dataChannel;  // role kDataChannel
  std::string reason;                            // why kRejected / kInactive, for logs and the client
};

// The server's side of the (single, bundled) transport.
struct LocalTransport {
  std::string iceUfrag;
  std::string icePwd;
  Fingerprint fingerprint;
  std::vector<Candidate> candidates;  // host candidates (UDP, and TCP passive)
};

// The offerer's side of the transport, the same for every bundled section.
struct RemoteTransport {
  std::string iceUfrag;
  std::string icePwd;
  Fingerprint fingerprint;
  SetupRole setup = SetupRole::kActPass;
};

struct Answer {
  SessionDescription description;  // write() it to send it
  std::vector<MediaAnswer> media;  // one per offered m-section, in offer order
};

using SubscriptionLookup = std::function<std::optional<SubscriptionSource>(std::string_view mid)>;

// The offer's ICE credentials, fingerprint and setup role (session level or the first bundled
// section's). Throws NegotiationError when any is missing or bundled sections disagree.
[[nodiscard]] RemoteTransport remoteTransport(const SessionDescription& offer);

// Builds the answer. `sessionId`/`sessionVersion` go to the o= line (the version must grow with
// every answer of a session). Throws NegotiationError (see the top of this file).
[[nodiscard]] Answer answerOffer(const SessionDescription& offer, const LocalTransport& local,
                                 const SubscriptionLookup& subscriptionFor, uint64_t sessionId,
                                 uint64_t sessionVersion, const NegotiationOptions& options = {});

}  // namespace switchyard::media::sdp
