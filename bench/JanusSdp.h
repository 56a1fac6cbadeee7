#pragma once
// The SDP side of a bench client talking to Janus's videoroom:
//  - answerJanusOffer(): the answer a browser subscriber gives to Janus's subscriber offer:
//    recvonly for every audio/video section Janus sends on (same mids, payload types, rtpmap, fmtp,
//    rtcp-fb and extmap ids as offered), other sections rejected (port 0), BUNDLE, rtcp-mux, our ICE
//    credentials, certificate fingerprint, a=setup:active (we are the DTLS client) and our one host
//    candidate followed by a=end-of-candidates (Janus runs half-trickle; nothing trickles later).
//  Janus's SDP becomes transport parameters through clientParamsFrom() (BenchSdp.h).
//
// ICE roles: Janus is a full ICE agent (libnice), our IceClientAgent is always controlling. When
// Janus answers (publisher) it is controlled, as with our own server. When Janus offers
// (subscriber) it starts controlling; the params then carry IceClientAgent::kWinningTieBreaker, so
// our first check makes it switch to controlled and any check of its own that still claims
// control gets a 487 (RFC 8445 §7.3.1.1), after which libnice switches and retries. Our agent
// answers Janus's own checks (libnice selects a pair only when one of its checks succeeds).
//
// Candidates: Janus needs none from us. A publisher offer without a=candidate lines (as
// bench/BenchSdp's browserOffer writes) was seen to connect as well as one with them: libnice learns
// our address as peer-reflexive from our first check. The probe puts one in anyway.
//
// Control plane: both throw std::runtime_error saying what is missing or unparsable.
#include <string>
#include <string_view>

#include "media/dtls/Fingerprint.h"
#include "media/ice/IceCredentials.h"
#include "media/transport/ClientTransport.h"
#include "media/util/SocketAddress.h"

namespace switchyard::bench {

struct JanusAnswerParams {
  media::ice::IceCredentials ice;        // our ICE credentials (ClientTransport::Params::localIce)
  media::dtls::Fingerprint fingerprint;  // our certificate's
  media::util::SocketAddress candidate;  // our host candidate (the transport's bound address); empty: none
};

// A recvonly answer to Janus's subscriber offer (text in, CRLF text out).
[[nodiscard]] std::string answerJanusOffer(std::string_view offerText, const JanusAnswerParams& params);

}  // namespace switchyard::bench
