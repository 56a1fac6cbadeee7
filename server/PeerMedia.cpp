#include "server/PeerMedia.h"

#include <algorithm>
#include <cctype>

namespace switchyard::server {

namespace sdp = media::sdp;
namespace transport = media::transport;
namespace forward = media::forward;

nlohmann::json trackJson(const std::string& trackId, const std::string& peerId, sdp::MediaKind kind,
                         const std::string& source) {
  return nlohmann::json{{"trackId", trackId},
                        {"peerId", peerId},
                        {"kind", kind == sdp::MediaKind::kAudio ? "audio" : "video"},
                        {"source", source}};
}

std::optional<transport::TransportHost::RemoteParams> remoteParams(const sdp::RemoteTransport& remote) {
  std::string algorithm = remote.fingerprint.hashFunction;
  std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (algorithm != "sha-256" || remote.fingerprint.bytes.size() != media::dtls::Fingerprint::kSize) {
    return std::nullopt;
  }
  media::dtls::Fingerprint fingerprint;
  std::copy(remote.fingerprint.bytes.begin(), remote.fingerprint.bytes.end(), fingerprint.bytes.begin());
  transport::TransportHost::RemoteParams params;
  params.iceUfrag = remote.iceUfrag;
  params.fingerprint = fingerprint;
  // RFC 5763 5: the answerer to actpass/active is the DTLS server (passive); to passive, the client.
  params.localDtlsRole = remote.setup == sdp::SetupRole::kPassive ? media::dtls::DtlsRole::kClient
                                                                  : media::dtls::DtlsRole::kServer;
  return params;
}

sdp::LocalTransport localTransport(const transport::TransportHost::LocalParams& local) {
  sdp::LocalTransport result;
  result.iceUfrag = local.ice.ufrag;
  result.icePwd = local.ice.password;
  result.fingerprint.hashFunction = local.fingerprint.algorithm;
  result.fingerprint.bytes.assign(local.fingerprint.bytes.begin(), local.fingerprint.bytes.end());
  // RFC 8445 5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 - component).
  // Host type preference 126; UDP first, then TCP (RFC 6544 4.2 lowers TCP candidates).
  uint32_t index = 0;
  for (const bool tcp : {false, true}) {
    for (const transport::IceCandidate& c : local.candidates) {
      if ((c.protocol == transport::CandidateProtocol::kTcp) != tcp) continue;
      sdp::Candidate candidate;
      candidate.foundation = std::to_string(tcp ? 2 : 1);
      candidate.component = 1;
      candidate.transport = tcp ? "tcp" : "udp";
      const uint32_t localPreference = (tcp ? 32767U : 65535U) - std::min<uint32_t>(index, 1000);
      candidate.priority = (126U << 24) | (localPreference << 8) | 255U;
      candidate.address = c.address.ipString();
      candidate.port = c.address.port();
      candidate.type = "host";
      if (tcp) candidate.tcpType = "passive";
      result.candidates.push_back(std::move(candidate));
      ++index;
    }
  }
  return result;
}

forward::ProducerSpec producerSpec(uint32_t id, transport::TransportId transportId,
                                   const sdp::PublishedTrack& track) {
  forward::ProducerSpec spec;
  spec.id = id;
  spec.transport = transportId;
  spec.kind = track.kind == sdp::MediaKind::kAudio ? forward::TrackKind::kAudio : forward::TrackKind::kVideo;
  spec.clockRate = track.codec.clockRate;
  spec.payloadType = track.codec.payloadType;
  spec.rtxPayloadType = track.codec.rtxPayloadType;
  spec.dtmfPayloadType = track.codec.dtmfPayloadType;
  spec.ssrcs = track.ssrcs;
  spec.rtxSsrcs = track.rtxSsrcs;
  spec.mid = track.mid;
  spec.extensions = track.extensions;
  spec.simulcastRids = track.simulcastRids;
  if (track.codec.name == "VP8" || track.codec.name == "vp8") spec.videoCodec = media::codec::CodecKind::Vp8;
  if (track.codec.name == "VP9" || track.codec.name == "vp9") spec.videoCodec = media::codec::CodecKind::Vp9;
  if (track.codec.name == "H264" || track.codec.name == "h264")
    spec.videoCodec = media::codec::CodecKind::H264;
  spec.nack = std::any_of(track.codec.feedback.begin(), track.codec.feedback.end(),
                          [](const sdp::RtcpFeedback& fb) { return fb.type == "nack" && !fb.subtype; });
  spec.pli =
      std::any_of(track.codec.feedback.begin(), track.codec.feedback.end(),
                  [](const sdp::RtcpFeedback& fb) { return fb.type == "nack" && fb.subtype == "pli"; });
  spec.fir = std::any_of(track.codec.feedback.begin(), track.codec.feedback.end(),
                         [](const sdp::RtcpFeedback& fb) { return fb.type == "ccm" && fb.subtype == "fir"; });
  return spec;
}

forward::ConsumerSpec consumerSpec(uint32_t id, uint32_t producer, transport::TransportId transportId,
                                   const sdp::SubscribedTrack& track) {
  forward::ConsumerSpec spec;
  spec.id = id;
  spec.producer = producer;
  spec.transport = transportId;
  spec.ssrc = track.ssrc;
  spec.rtxSsrc = track.rtxPayloadType ? track.rtxSsrc : 0;
  spec.mid = track.mid;
  spec.payloadType = track.payloadType;
  spec.rtxPayloadType = track.rtxPayloadType;
  spec.dtmfPayloadType = track.dtmfPayloadType;
  spec.extensions = track.extensions;
  return spec;
}

}  // namespace switchyard::server
