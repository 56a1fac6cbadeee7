// Fuzzes the JSEP answer builder: any SDP that parses is answered (or refused with
// NegotiationError) twice: once with every recvonly mid subscribed to a fixed track of its kind
// (opus or VP8), once subscribed to the tracks the first answer published. Every answer must write
// to text that parses back to an equal description, with one m-section per offered one, port 0
// exactly for the rejected ones and a BUNDLE group listing exactly the others.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "media/sdp/Negotiation.h"
#include "media/sdp/Sdp.h"

using namespace switchyard::media::sdp;

namespace {

LocalTransport makeLocal() {
  LocalTransport local;
  local.iceUfrag = "swyd";
  local.icePwd = "0123456789abcdefghijkl";
  local.fingerprint.hashFunction = "sha-256";
  local.fingerprint.bytes.assign(32, 0xab);
  Candidate tcp;
  tcp.foundation = "2";
  tcp.transport = "tcp";
  tcp.priority = 1518280447;
  tcp.address = "192.0.2.10";
  tcp.port = 40000;
  local.candidates.push_back(tcp);
  Candidate udp;
  udp.foundation = "1";
  udp.priority = 2122260223;
  udp.address = "192.0.2.10";
  udp.port = 40000;
  local.candidates.push_back(udp);
  return local;
}

PublishedTrack makeTrack(MediaKind kind) {
  PublishedTrack t;
  t.kind = kind;
  if (kind == MediaKind::kAudio) {
    t.codec = {"opus", 48000, 2, "minptime=10;useinbandfec=1", 111, std::nullopt, 110, {}};
  } else {
    t.codec = {"VP8", 90000, 1, "", 96, 97, std::nullopt, {}};
  }
  return t;
}

void check(const SessionDescription& offer, const Answer& answer) {
  const std::string text = write(answer.description);
  ParseLimits relaxed;  // the answer repeats the candidates in every section: it may outgrow the offer
  relaxed.maxInputBytes *= 8;
  relaxed.maxLineLength *= 2;
  const ParseResult reparsed = parse(text, relaxed);
  if (!reparsed) __builtin_trap();
  if (!(*reparsed.description == answer.description)) __builtin_trap();
  if (write(*reparsed.description) != text) __builtin_trap();

  const auto& sd = answer.description;
  if (sd.media.size() != offer.media.size() || answer.media.size() != offer.media.size()) __builtin_trap();
  std::vector<std::string> accepted;
  for (size_t i = 0; i < sd.media.size(); ++i) {
    const auto& m = sd.media[i];
    const auto& a = answer.media[i];
    const bool rejected = a.role == MediaAnswer::Role::kRejected;
    if (rejected != (m.port == 0)) __builtin_trap();
    if (m.formats.empty() || m.media != offer.media[i].media || m.mid != offer.media[i].mid) __builtin_trap();
    if (a.published.has_value() != (a.role == MediaAnswer::Role::kPublish)) __builtin_trap();
    if (a.subscribed.has_value() != (a.role == MediaAnswer::Role::kSubscribe)) __builtin_trap();
    const bool data = a.role == MediaAnswer::Role::kDataChannel;
    if (a.dataChannel.has_value() != data) __builtin_trap();
    if (data && (m.media != "application" || !m.sctpPort || !m.maxMessageSize || m.rtcpMux)) __builtin_trap();
    if (!rejected) {
      if (!m.mid || m.candidates.empty() || (!data && !m.rtcpMux) || !m.setup) __builtin_trap();
      accepted.push_back(*m.mid);
    }
    if ((a.role == MediaAnswer::Role::kRejected || a.role == MediaAnswer::Role::kInactive) &&
        a.reason.empty()) {
      __builtin_trap();
    }
    if (a.published && m.direction != Direction::kRecvOnly) __builtin_trap();
    // Simulcast answered: every answered layer is an offered send RID, listed once, as a recv RID.
    if (a.published && !a.published->simulcastRids.empty()) {
      if (!m.simulcast || m.simulcast->recv.size() != a.published->simulcastRids.size()) __builtin_trap();
      if (m.rids.size() != a.published->simulcastRids.size()) __builtin_trap();
      for (const auto& rid : a.published->simulcastRids) {
        if (std::count(a.published->rids.begin(), a.published->rids.end(), rid) < 1) __builtin_trap();
      }
    } else if (m.simulcast) {
      __builtin_trap();
    }
    if (a.subscribed && m.direction != Direction::kSendOnly) __builtin_trap();
  }
  const Group* bundle = sd.bundleGroup();
  if (accepted.empty() ? bundle != nullptr : (!bundle || bundle->mids != accepted)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const LocalTransport kLocal = makeLocal();
  static const PublishedTrack kAudio = makeTrack(MediaKind::kAudio);
  static const PublishedTrack kVideo = makeTrack(MediaKind::kVideo);

  const ParseResult parsed = parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  const SessionDescription& offer = *parsed.description;

  const SubscriptionLookup fixed = [&](std::string_view mid) -> std::optional<SubscriptionSource> {
    const auto* m = offer.findMedia(mid);
    if (!m || (m->kind() != MediaKind::kAudio && m->kind() != MediaKind::kVideo)) return std::nullopt;
    SubscriptionSource s;
    s.track = m->kind() == MediaKind::kAudio ? &kAudio : &kVideo;
    s.ssrc = 1111;
    s.rtxSsrc = m->kind() == MediaKind::kVideo ? 2222 : 0;
    s.streamId = "p1";
    s.trackId = "t1";
    s.cname = "switchyard";
    return s;
  };
  Answer first;
  try {
    first = answerOffer(offer, kLocal, fixed, 1, 2);
    (void)remoteTransport(offer);
  } catch (const NegotiationError& e) {
    if (std::string_view(e.what()).empty()) __builtin_trap();
    return 0;
  }
  check(offer, first);

  // Subscribe every recvonly mid to a track this same offer published (fuzzed codec parameters).
  std::vector<const PublishedTrack*> published;
  for (const auto& a : first.media) {
    if (a.published) published.push_back(&*a.published);
  }
  const SubscriptionLookup fromOffer = [&](std::string_view mid) -> std::optional<SubscriptionSource> {
    const auto* m = offer.findMedia(mid);
    if (!m) return std::nullopt;
    for (const auto* t : published) {
      if (t->kind != m->kind()) continue;
      SubscriptionSource s;
      s.track = t;
      s.ssrc = 3333;
      s.rtxSsrc = t->codec.rtxPayloadType ? 4444 : 0;
      s.streamId = t->msid ? t->msid->streamId : "";
      s.trackId = t->mid;
      s.cname = t->cname;
      return s;
    }
    return std::nullopt;
  };
  NegotiationOptions options;
  options.opusDtx = false;
  options.opusInbandFec = (size & 1) != 0;
  options.simulcast = (size & 2) != 0;
  try {
    check(offer, answerOffer(offer, kLocal, fromOffer, 1, 3, options));
  } catch (const NegotiationError&) {
    __builtin_trap();  // the same offer was answerable a moment ago
  }
  return 0;
}
