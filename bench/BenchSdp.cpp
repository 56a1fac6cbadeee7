#include "bench/BenchSdp.h"

#include <algorithm>
#include <exception>

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
    const std::string& remoteSdp, const media::ice::IceCredentials& localIce, std::string& error) {
  const media::sdp::ParseResult parsed = media::sdp::parse(remoteSdp);
  if (!parsed) {
    error = "unparsable SDP: " + parsed.error;
    return std::nullopt;
  }
  const media::sdp::SessionDescription& d = *parsed.description;
  media::sdp::RemoteTransport remote;
  try {
    remote = media::sdp::remoteTransport(d);
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  media::transport::ClientTransport::Params params;
  params.localIce = localIce;
  params.remoteIce.ufrag = remote.iceUfrag;
  params.remoteIce.password = remote.icePwd;
  for (const auto& m : d.media) {
    if (m.port == 0) continue;
    for (const auto& c : m.candidates) {
      if (c.transport != "udp" && c.transport != "UDP") continue;
      if (c.component != 1) continue;
      const auto address = media::util::SocketAddress::parse(c.address, c.port);
      if (!address || address->family() != media::util::SocketAddress::Family::kIpv4) continue;
      if (std::find_if(params.remoteCandidates.begin(), params.remoteCandidates.end(), [&](const auto& x) {
            return x.address == *address;
          }) != params.remoteCandidates.end()) {
        continue;
      }
      params.remoteCandidates.push_back({media::transport::CandidateProtocol::kUdp, *address});
    }
    if (!params.remoteCandidates.empty()) break;
  }
  if (params.remoteCandidates.empty()) {
    error = "no IPv4 UDP host candidate in the remote SDP";
    return std::nullopt;
  }
  std::string algorithm = remote.fingerprint.hashFunction;
  std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (algorithm != "sha-256" || remote.fingerprint.bytes.size() != media::dtls::Fingerprint::kSize) {
    error = "the remote fingerprint is not sha-256";
    return std::nullopt;
  }
  std::copy(remote.fingerprint.bytes.begin(), remote.fingerprint.bytes.end(),
            params.secure.remoteFingerprint.bytes.begin());
  // RFC 5763 5: passive remote -> we are the DTLS client; active remote -> we are the server;
  // actpass (the remote offered; we answer active) -> client.
  params.secure.role = remote.setup == media::sdp::SetupRole::kActive ? media::dtls::DtlsRole::kServer
                                                                      : media::dtls::DtlsRole::kClient;
  return params;
}

}  // namespace switchyard::bench
