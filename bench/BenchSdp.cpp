#include "bench/BenchSdp.h"

#include <algorithm>
#include <exception>

#include "media/ice/IceClientAgent.h"
#include "media/sdp/Negotiation.h"
#include "media/sdp/Sdp.h"

namespace switchyard::bench {

std::string browserOffer(const media::ice::IceCredentials& ice, const media::dtls::Fingerprint& fingerprint,
                         const std::vector<OfferSection>& sections, uint64_t sessionId, uint32_t version) {
  std::string sdp = "v=0\r\no=- " + std::to_string(sessionId) + " " + std::to_string(version) +
                    " IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
  for (const OfferSection& s : sections)
    sdp += " " + s.mid;
  sdp += "\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS bench\r\n";
  const std::string fp = fingerprint.toText();
  for (const OfferSection& s : sections) {
    if (s.data) {
      sdp +=
          "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag +
          "\r\na=ice-pwd:" + ice.password + "\r\na=ice-options:trickle\r\na=fingerprint:sha-256 " + fp +
          "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
      continue;
    }
    const std::string pt = std::to_string(s.video ? sdpid::kVp8 : sdpid::kOpus);
    sdp += std::string(s.video ? "m=video" : "m=audio") + " 9 UDP/TLS/RTP/SAVPF " + pt + "\r\n";
    sdp += "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag +
           "\r\na=ice-pwd:" + ice.password + "\r\na=ice-options:trickle\r\na=fingerprint:sha-256 " + fp +
           "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\n";
    sdp += "a=extmap:" + std::to_string(sdpid::kMid) + " urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    if (s.video) {
      if (s.send) {
        sdp += "a=extmap:" + std::to_string(sdpid::kTransportCc) +
               " http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
        sdp +=
            "a=extmap:" + std::to_string(sdpid::kRid) + " urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n";
      }
    } else {
      sdp += "a=extmap:" + std::to_string(sdpid::kAudioLevel) +
             " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
    }
    sdp += std::string("a=") + (s.send ? "sendonly" : "recvonly") + "\r\n";
    if (s.send) sdp += "a=msid:bench " + std::string(s.video ? "video-" : "audio-") + s.mid + "\r\n";
    sdp += "a=rtcp-mux\r\na=rtcp-rsize\r\n";
    if (s.video) {
      sdp += "a=rtpmap:" + pt + " VP8/90000\r\na=rtcp-fb:" + pt + " goog-remb\r\n";
      if (s.send) sdp += "a=rtcp-fb:" + pt + " transport-cc\r\n";
      sdp += "a=rtcp-fb:" + pt + " ccm fir\r\na=rtcp-fb:" + pt + " nack\r\na=rtcp-fb:" + pt + " nack pli\r\n";
    } else {
      sdp += "a=rtpmap:" + pt + " opus/48000/2\r\na=fmtp:" + pt + " minptime=10;useinbandfec=1\r\n";
    }
    if (s.send && s.simulcast) {
      for (const char* rid : kSimulcastRids)
        sdp += std::string("a=rid:") + rid + " send\r\n";
      sdp += "a=simulcast:send q;h;f\r\n";
    } else if (s.send) {
      sdp += "a=ssrc:" + std::to_string(s.ssrc) + " cname:bench\r\n";
    }
  }
  return sdp;
}

std::optional<media::transport::ClientTransport::Params> clientParamsFrom(
    std::string_view remoteSdp, bool remoteOffered, const media::ice::IceCredentials& localIce,
    const media::util::SocketAddress& localBind, std::string& error) {
  namespace sdp = media::sdp;
  const std::string what = remoteOffered ? "offer" : "answer";
  const sdp::ParseResult parsed = sdp::parse(remoteSdp);
  if (!parsed) {
    error = what + ": unparsable SDP at line " + std::to_string(parsed.line) + ": " + parsed.error;
    return std::nullopt;
  }
  const sdp::SessionDescription& d = *parsed.description;
  const auto accepted =
      std::find_if(d.media.begin(), d.media.end(), [](const auto& m) { return m.port != 0; });
  if (accepted == d.media.end()) {
    error = what + ": every media section is rejected";
    return std::nullopt;
  }
  const sdp::MediaDescription& first = *accepted;

  media::transport::ClientTransport::Params params;
  params.localIce = localIce;
  params.localBind = localBind;
  params.remoteIce.ufrag = first.iceUfrag.value_or(d.iceUfrag.value_or(""));
  params.remoteIce.password = first.icePwd.value_or(d.icePwd.value_or(""));
  if (params.remoteIce.ufrag.empty() || params.remoteIce.password.empty()) {
    error = what + ": no a=ice-ufrag / a=ice-pwd";
    return std::nullopt;
  }

  for (const sdp::MediaDescription& m : d.media) {
    if (m.port == 0) continue;
    for (const sdp::Candidate& c : m.candidates) {
      if (c.transport != "udp" && c.transport != "UDP") continue;
      if (c.component != 1) continue;
      const auto address = media::util::SocketAddress::parse(c.address, c.port);
      if (!address || address->family() != localBind.family()) continue;
      const bool known = std::any_of(params.remoteCandidates.begin(), params.remoteCandidates.end(),
                                     [&](const auto& k) { return k.address == *address; });
      if (!known) params.remoteCandidates.push_back({media::transport::CandidateProtocol::kUdp, *address});
    }
  }
  if (params.remoteCandidates.empty()) {
    error = what + ": no UDP host candidate of the " + (localBind.isIpv6() ? "IPv6" : "IPv4") + " family";
    return std::nullopt;
  }

  const std::vector<sdp::Fingerprint>& fingerprints =
      first.fingerprints.empty() ? d.fingerprints : first.fingerprints;
  const auto fingerprint =
      std::find_if(fingerprints.begin(), fingerprints.end(), [](const sdp::Fingerprint& f) {
        return media::dtls::Fingerprint::fromText(f.hashFunction,
                                                  f.toString().substr(f.hashFunction.size() + 1))
            .has_value();
      });
  if (fingerprint == fingerprints.end()) {
    error = what + ": no sha-256 a=fingerprint";
    return std::nullopt;
  }
  params.secure.remoteFingerprint = *media::dtls::Fingerprint::fromText(
      fingerprint->hashFunction, fingerprint->toString().substr(fingerprint->hashFunction.size() + 1));

  // RFC 5763 §5.
  const std::optional<sdp::SetupRole> setup = first.setup ? first.setup : d.setup;
  if (!setup) {
    error = what + ": no a=setup";
    return std::nullopt;
  }
  switch (*setup) {
    case sdp::SetupRole::kActive:
      params.secure.role = media::dtls::DtlsRole::kServer;
      break;
    case sdp::SetupRole::kPassive:
      params.secure.role = media::dtls::DtlsRole::kClient;
      break;
    case sdp::SetupRole::kActPass:
      if (!remoteOffered) {
        error = "answer: a=setup:actpass is not valid in an answer";
        return std::nullopt;
      }
      params.secure.role = media::dtls::DtlsRole::kClient;  // we answer active
      break;
    case sdp::SetupRole::kHoldConn:
      error = what + ": a=setup:holdconn";
      return std::nullopt;
  }
  if (remoteOffered) params.tieBreaker = media::ice::IceClientAgent::kWinningTieBreaker;
  return params;
}

}  // namespace switchyard::bench
