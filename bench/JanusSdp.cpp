#include "bench/JanusSdp.h"

#include <chrono>
#include <stdexcept>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IcePriority.h"
#include "media/sdp/Sdp.h"

namespace switchyard::bench {

namespace {

namespace sdp = media::sdp;

sdp::SessionDescription parseOrThrow(std::string_view text, const char* what) {
  sdp::ParseResult parsed = sdp::parse(text);
  if (!parsed) {
    throw std::runtime_error(std::string("Janus ") + what + ": unparsable SDP at line " +
                             std::to_string(parsed.line) + ": " + parsed.error);
  }
  return std::move(*parsed.description);
}

bool isRtp(const sdp::MediaDescription& m) {
  return m.kind() == sdp::MediaKind::kAudio || m.kind() == sdp::MediaKind::kVideo;
}

sdp::Direction answerDirection(sdp::Direction offered) {
  // We only receive: what Janus sends we take, anything else stays inactive.
  return offered == sdp::Direction::kSendOnly || offered == sdp::Direction::kSendRecv
             ? sdp::Direction::kRecvOnly
             : sdp::Direction::kInactive;
}

}  // namespace

std::string answerJanusOffer(std::string_view offerText, const JanusAnswerParams& params) {
  const sdp::SessionDescription offer = parseOrThrow(offerText, "offer");
  sdp::SessionDescription answer;
  answer.origin.sessionId =
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) &
      0x7FFFFFFFFFFFFFFFull;
  answer.origin.sessionVersion = 2;
  answer.origin.address = "127.0.0.1";
  answer.timing.push_back({});
  answer.msidSemantic = sdp::MsidSemantic{};

  sdp::Group bundle;
  bundle.semantics = "BUNDLE";
  sdp::Fingerprint fingerprint;
  fingerprint.hashFunction = params.fingerprint.algorithm;
  fingerprint.bytes.assign(params.fingerprint.bytes.begin(), params.fingerprint.bytes.end());

  bool candidatesWritten = false;
  for (const sdp::MediaDescription& offered : offer.media) {
    sdp::MediaDescription m;
    m.media = offered.media;
    m.proto = offered.proto;
    m.formats = offered.formats;
    m.mid = offered.mid;
    m.connection = sdp::Connection{};
    if (offered.port == 0 || !isRtp(offered) || !offered.mid) {
      m.port = 0;  // rejected (data channels included: the bench sends none)
      m.direction = sdp::Direction::kInactive;
      answer.media.push_back(std::move(m));
      continue;
    }
    m.port = 9;
    bundle.mids.push_back(*offered.mid);
    m.direction = answerDirection(offered.effectiveDirection());
    m.rtcpMux = true;
    m.rtcpRsize = offered.rtcpRsize;
    m.iceUfrag = params.ice.ufrag;
    m.icePwd = params.ice.password;
    m.fingerprints.push_back(fingerprint);
    m.setup = sdp::SetupRole::kActive;
    m.rtpMaps = offered.rtpMaps;
    m.fmtps = offered.fmtps;
    m.rtcpFeedback = offered.rtcpFeedback;
    m.extmaps = offered.extmaps;
    for (sdp::Extmap& e : m.extmaps)
      e.direction.reset();
    // With BUNDLE the transport is the first section's: the candidate goes there.
    if (!candidatesWritten && !params.candidate.empty()) {
      sdp::Candidate c;
      c.foundation = "1";
      c.component = 1;
      c.transport = "udp";
      c.priority = media::ice::kIceHostPriority;
      c.address = params.candidate.ipString();
      c.port = params.candidate.port();
      c.type = "host";
      m.candidates.push_back(std::move(c));
    }
    m.endOfCandidates = true;
    candidatesWritten = true;
    answer.media.push_back(std::move(m));
  }
  if (bundle.mids.empty()) throw std::runtime_error("Janus offer: no audio or video section to receive");
  answer.groups.push_back(std::move(bundle));
  return sdp::write(answer);
}

}  // namespace switchyard::bench
