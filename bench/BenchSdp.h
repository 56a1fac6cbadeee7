#pragma once
// SDP for the bench's simulated browsers: offers shaped like Chromium's (BUNDLE, rtcp-mux, actpass,
// Opus and VP8, optional three-layer simulcast by RID) and the client transport parameters an
// answer gives (the server's ICE credentials, host candidates, fingerprint and DTLS role).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/dtls/Fingerprint.h"
#include "media/ice/IceCredentials.h"
#include "media/transport/ClientTransport.h"

namespace switchyard::bench {

// Header extension ids and payload types the bench clients offer.
namespace sdpid {
inline constexpr uint8_t kAudioLevel = 1;
inline constexpr uint8_t kTransportCc = 3;
inline constexpr uint8_t kMid = 4;
inline constexpr uint8_t kRid = 10;
inline constexpr uint8_t kOpus = 111;
inline constexpr uint8_t kVp8 = 96;
}  // namespace sdpid

inline constexpr const char* kSimulcastRids[3] = {"q", "h", "f"};

struct OfferSection {
  std::string mid;
  bool video = false;
  bool send = false;       // sendonly (publish) or recvonly (subscribe)
  bool simulcast = false;  // send video as three RID layers q, h, f
  uint32_t ssrc = 0;       // sendonly without simulcast
  bool data = false;       // an m=application section (SCTP data channels); the rest is ignored
};

[[nodiscard]] std::string browserOffer(const media::ice::IceCredentials& ice,
                                       const media::dtls::Fingerprint& fingerprint,
                                       const std::vector<OfferSection>& sections, uint64_t sessionId,
                                       uint32_t version);

// The client transport for the remote side's SDP: its answer to our offer or, with `remoteOffered`,
// the offer we answer (with a=setup:active). Switchyard and Janus alike. From the first accepted
// section (or the session level): the ICE credentials, the sha-256 fingerprint and a=setup, which
// leaves us the DTLS role (active -> we are the server; passive, or actpass offered -> the client);
// the UDP host candidates (component 1) of localBind's family from every accepted section (bundled:
// one transport), deduplicated. A remote offerer (Janus) is a full ICE agent that expects to control:
// we take the winning tie-breaker so that the role conflict resolves to us. Nullopt with `error` set
// when something is missing.
[[nodiscard]] std::optional<media::transport::ClientTransport::Params> clientParamsFrom(
    std::string_view remoteSdp, bool remoteOffered, const media::ice::IceCredentials& localIce,
    const media::util::SocketAddress& localBind, std::string& error);

}  // namespace switchyard::bench
