// answerOffer(): JSEP answers (RFC 8829 section 5.3.1) for one bundled, rtcp-muxed transport.
// The offer is checked first (BUNDLE, mids, rtcp-mux, ICE credentials, DTLS fingerprint, setup,
// proto); then every m-section is answered on its own: rejected (port 0), inactive, published
// (answered recvonly) or subscribed (answered sendonly).
#include "media/sdp/Negotiation.h"

#include <algorithm>
#include <array>
#include <utility>

#include "media/sdp/CodecMatch.h"
#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

using rtp::RtpExtension;

// RFC 8829 section 5.1.2 (with RFC 5124 and the plain SAVP profile some endpoints still offer).
constexpr std::array<std::string_view, 3> kRtpProtos = {"UDP/TLS/RTP/SAVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVP"};

constexpr std::array<RtpExtension, 4> kAudioExtensions = {
    RtpExtension::kMid, RtpExtension::kAbsSendTime, RtpExtension::kTransportCc, RtpExtension::kAudioLevel};
constexpr std::array<RtpExtension, 6> kVideoExtensions = {
    RtpExtension::kMid,         RtpExtension::kRid,         RtpExtension::kRepairedRid,
    RtpExtension::kAbsSendTime, RtpExtension::kTransportCc, RtpExtension::kVideoOrientation};

std::string describe(const MediaDescription& m, size_t index) {
  std::string out = "m-section " + std::to_string(index) + " (" + m.media;
  if (m.mid) out += " mid " + *m.mid;
  return out + ")";
}

bool isRtpKind(MediaKind kind) noexcept {
  return kind == MediaKind::kAudio || kind == MediaKind::kVideo;
}

// RFC 8843 section 6: port 0 means rejected, unless the section is "bundle-only" (then it shares
// the transport of the BUNDLE-tagged section).
bool isActive(const MediaDescription& m) noexcept {
  return m.port != 0 || m.findAttribute("bundle-only");
}

bool inGroup(const Group* group, const std::optional<std::string>& mid) {
  return group && mid && std::find(group->mids.begin(), group->mids.end(), *mid) != group->mids.end();
}

// The fingerprint the DTLS handshake is checked against: sha-256 when offered (what every browser
// sends), else the first.
Fingerprint preferredFingerprint(const std::vector<Fingerprint>& list) {
  for (const auto& f : list) {
    if (detail::equalsIgnoreCase(f.hashFunction, "sha-256")) return f;
  }
  return list.front();
}

// ---------------------------------------------------------------------------------------------
// Extensions, feedback and codec helpers

// RFC 8285 section 6: an answered extension's direction must be compatible with the offered one.
// `offererSends`: the media flows from the offerer (published) or to it (subscribed). False when the
// extension cannot be used in that flow; else `answered` is the direction to write (none = sendrecv).
bool answeredExtmapDirection(const Extmap& e, bool offererSends, std::optional<Direction>& answered) {
  answered.reset();
  if (!e.direction || *e.direction == Direction::kSendRecv) return true;
  if (*e.direction == Direction::kSendOnly && offererSends) {
    answered = Direction::kRecvOnly;
    return true;
  }
  if (*e.direction == Direction::kRecvOnly && !offererSends) {
    answered = Direction::kSendOnly;
    return true;
  }
  return false;  // inactive, or the wrong way
}

struct AnsweredExtensions {
  std::vector<Extmap> extmaps;
  rtp::RtpExtensionIds ids;
};

// The supported extensions the offer has for this section (media level first, then session level),
// with the offer's ids, in offer order. Placeholder ids (4096-4351) and repeats are skipped.
AnsweredExtensions answerExtensions(const SessionDescription& offer, const MediaDescription& m,
                                    bool offererSends, bool withRid) {
  AnsweredExtensions out;
  const bool audio = m.kind() == MediaKind::kAudio;
  std::array<bool, 256> usedIds{};
  const auto consider = [&](const Extmap& e) {
    const auto ext = rtp::rtpExtensionOf(e.uri);
    if (!ext) return;
    const bool supported =
        audio ? std::find(kAudioExtensions.begin(), kAudioExtensions.end(), *ext) != kAudioExtensions.end()
              : std::find(kVideoExtensions.begin(), kVideoExtensions.end(), *ext) != kVideoExtensions.end();
    if (!supported) return;
    if (!withRid && (*ext == RtpExtension::kRid || *ext == RtpExtension::kRepairedRid)) return;
    if (e.id == 0 || e.id > 255 || usedIds[e.id] || out.ids.has(*ext)) return;
    std::optional<Direction> direction;
    if (!answeredExtmapDirection(e, offererSends, direction)) return;
    usedIds[e.id] = true;
    const auto id = static_cast<uint8_t>(e.id);
    out.ids.set(*ext, id);
    Extmap answered;
    answered.id = id;
    answered.direction = direction;
    answered.uri = e.uri;
    out.extmaps.push_back(std::move(answered));
  };
  for (const auto& e : m.extmaps)
    consider(e);
  for (const auto& e : offer.extmaps)
    consider(e);
  return out;
}

// nack, nack pli, ccm fir, transport-cc (no goog-remb: the server does not send REMB).
bool isAnsweredFeedback(const RtcpFeedback& fb) noexcept {
  if (fb.type == "nack") return !fb.subtype || *fb.subtype == "pli";
  if (fb.type == "ccm") return fb.subtype && *fb.subtype == "fir";
  if (fb.type == "transport-cc") return !fb.subtype;
  return false;
}

// The offered feedback for a payload type (its own lines and "*"), answered with that payload type.
std::vector<RtcpFeedback> answerFeedback(const Codec& codec) {
  std::vector<RtcpFeedback> out;
  for (const auto& fb : codec.feedback) {
    if (!isAnsweredFeedback(fb)) continue;
    RtcpFeedback answered;
    answered.payloadType = codec.payloadType;
    answered.type = fb.type;
    answered.subtype = fb.subtype;
    if (std::find(out.begin(), out.end(), answered) == out.end()) out.push_back(std::move(answered));
  }
  return out;
}

const Codec* findRtxFor(const std::vector<Codec>& codecs, const Codec& codec) {
  for (const auto& c : codecs) {
    if (isRtx(c) && c.rtxApt() == codec.payloadType && c.clockRate == codec.clockRate) return &c;
  }
  return nullptr;
}

const Codec* findTelephoneEvent(const std::vector<Codec>& codecs, uint32_t clockRate) {
  for (const auto& c : codecs) {
    if (isTelephoneEvent(c) && c.clockRate == clockRate) return &c;
  }
  return nullptr;
}

// The a=rtpmap for an answered payload type: the offer's line, or one built from the RFC 3551
// static assignment.
RtpMap rtpMapOf(const MediaDescription& m, const Codec& c) {
  if (const auto* map = m.findRtpMap(c.payloadType)) return *map;
  RtpMap map;
  map.payloadType = c.payloadType;
  map.encodingName = c.name;
  map.clockRate = c.clockRate;
  if (c.channels && *c.channels > 1) map.channels = c.channels;
  return map;
}

// Adds one answered payload type: its m= format, a=rtpmap and (when there is one) a=fmtp.
void addPayloadType(MediaDescription& answer, const MediaDescription& offered, const Codec& c,
                    std::optional<std::string> fmtp) {
  answer.formats.push_back(std::to_string(c.payloadType));
  answer.rtpMaps.push_back(rtpMapOf(offered, c));
  if (fmtp && !fmtp->empty()) answer.fmtps.push_back(Fmtp{c.payloadType, std::move(*fmtp)});
}

// RFC 7587 section 7: useinbandfec / usedtx in the answer say what the answerer (the receiver of a
// published track) prefers to receive. Sets or removes them; everything else is kept as offered.
std::string opusAnswerFmtp(const std::string& offered, const NegotiationOptions& options) {
  Fmtp f;
  f.parameters = offered;
  auto list = f.parameterList();
  bool changed = false;
  const auto apply = [&](std::string_view name, bool wanted) {
    bool found = false;
    for (auto it = list.begin(); it != list.end();) {
      if (!detail::equalsIgnoreCase(it->name, name)) {
        ++it;
        continue;
      }
      if (wanted && !found && it->value == "1") {
        found = true;
        ++it;
        continue;
      }
      it = list.erase(it);
      changed = true;
    }
    if (wanted && !found) {
      list.push_back(Parameter{std::string(name), "1"});
      changed = true;
    }
  };
  apply("useinbandfec", options.opusInbandFec);
  apply("usedtx", options.opusDtx);
  if (!changed) return offered;
  std::string out;
  for (const auto& p : list) {
    if (!out.empty()) out += ';';
    out += p.name;
    if (p.value) {
      out += '=';
      out += *p.value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section builders

// An m= line needs at least one format (the parser guarantees one; a built offer may lack it).
std::string firstFormat(const MediaDescription& m) {
  if (!m.formats.empty()) return m.formats.front();
  return m.kind() == MediaKind::kApplication ? "webrtc-datachannel" : "0";
}

class AnswerBuilder {
 public:
  AnswerBuilder(const SessionDescription& offer, const LocalTransport& local, SetupRole answerSetup,
                const SubscriptionLookup& lookup, const NegotiationOptions& options)
      : offer_(offer), local_(local), setup_(answerSetup), lookup_(lookup), options_(options) {
    for (const auto& c : local.candidates) {
      if (detail::equalsIgnoreCase(c.transport, "udp")) candidates_.push_back(c);
    }
    for (const auto& c : local.candidates) {
      if (detail::equalsIgnoreCase(c.transport, "udp")) continue;
      Candidate tcp = c;
      if (detail::equalsIgnoreCase(tcp.transport, "tcp")) tcp.tcpType = "passive";  // RFC 6544 section 4.5
      candidates_.push_back(std::move(tcp));
    }
  }

  // Port 0, the offer's media and proto, its first format, and its mid.
  static MediaDescription rejected(const MediaDescription& offered) {
    MediaDescription a;
    a.media = offered.media;
    a.port = 0;
    a.proto = offered.proto;
    a.formats = {firstFormat(offered)};
    a.connection = Connection{};
    a.mid = offered.mid;
    return a;
  }

  // The transport part every answered section carries.
  MediaDescription base(const MediaDescription& offered) const {
    MediaDescription a;
    a.media = offered.media;
    a.port = 9;
    a.proto = offered.proto;
    a.connection = Connection{};
    a.iceUfrag = local_.iceUfrag;
    a.icePwd = local_.icePwd;
    a.fingerprints = {local_.fingerprint};
    a.setup = setup_;
    a.mid = offered.mid;
    a.rtcpMux = true;
    a.rtcpRsize = offered.rtcpRsize;
    a.candidates = candidates_;
    a.endOfCandidates = true;
    return a;
  }

  // a=inactive with one format: the offer's first codec that is not a repair format (rtx, red,
  // ulpfec, flexfec), or its first format.
  MediaDescription inactive(const MediaDescription& offered) const {
    MediaDescription a = base(offered);
    a.direction = Direction::kInactive;
    const auto codecs = offered.codecs();
    for (const auto& c : codecs) {
      if (isRtx(c) || detail::equalsIgnoreCase(c.name, "red") || detail::equalsIgnoreCase(c.name, "ulpfec") ||
          detail::equalsIgnoreCase(c.name, "flexfec-03")) {
        continue;
      }
      a.formats.push_back(std::to_string(c.payloadType));
      a.rtpMaps.push_back(rtpMapOf(offered, c));
      return a;
    }
    a.formats = {firstFormat(offered)};
    return a;
  }

  void answer(const MediaDescription& offered, MediaAnswer& result, MediaDescription& out) const {
    result.mid = offered.mid.value_or("");
    result.kind = offered.kind();
    if (!isActive(offered)) {
      result.role = MediaAnswer::Role::kRejected;
      result.reason = "the offer rejected this section (port 0)";
      out = rejected(offered);
      return;
    }
    if (result.kind == MediaKind::kApplication) {
      dataChannel(offered, result, out);
      return;
    }
    if (!isRtpKind(result.kind)) {
      result.role = MediaAnswer::Role::kRejected;
      result.reason = "media type '" + offered.media + "' is not supported";
      out = rejected(offered);
      return;
    }
    switch (offered.effectiveDirection()) {
      case Direction::kSendOnly:
      case Direction::kSendRecv:
        publish(offered, result, out);
        return;
      case Direction::kRecvOnly:
        subscribe(offered, result, out);
        return;
      case Direction::kInactive:
        result.role = MediaAnswer::Role::kInactive;
        result.reason = "the offer made mid " + result.mid + " inactive";
        out = inactive(offered);
        return;
    }
  }

 private:
  void publish(const MediaDescription& offered, MediaAnswer& result, MediaDescription& out) const {
    const auto codecs = offered.codecs();
    const Codec* chosen = nullptr;
    for (const auto& c : codecs) {
      if (isSupportedCodec(result.kind, c)) {
        chosen = &c;
        break;
      }
    }
    if (!chosen) {
      result.role = MediaAnswer::Role::kRejected;
      result.reason = result.kind == MediaKind::kAudio
                          ? "no supported audio codec offered (opus, PCMU, PCMA)"
                          : "no supported video codec offered (VP8, VP9, H264 packetization-mode=1, AV1)";
      out = rejected(offered);
      return;
    }
    const Codec* rtx = findRtxFor(codecs, *chosen);
    const Codec* dtmf =
        result.kind == MediaKind::kAudio ? findTelephoneEvent(codecs, chosen->clockRate) : nullptr;

    out = base(offered);
    out.direction = Direction::kRecvOnly;
    std::string fmtp = chosen->fmtp.value_or("");
    if (detail::equalsIgnoreCase(chosen->name, "opus")) fmtp = opusAnswerFmtp(fmtp, options_);
    addPayloadType(out, offered, *chosen, std::move(fmtp));
    if (rtx) addPayloadType(out, offered, *rtx, rtx->fmtp);
    if (dtmf) addPayloadType(out, offered, *dtmf, dtmf->fmtp);
    out.rtcpFeedback = answerFeedback(*chosen);
    auto extensions = answerExtensions(offer_, offered, /*offererSends=*/true, /*withRid=*/true);
    out.extmaps = std::move(extensions.extmaps);

    PublishedTrack track;
    track.mid = result.mid;
    track.kind = result.kind;
    track.codec.name = chosen->name;
    track.codec.clockRate = chosen->clockRate;
    track.codec.channels = chosen->channels.value_or(1);
    track.codec.fmtp = chosen->fmtp.value_or("");
    track.codec.payloadType = chosen->payloadType;
    if (rtx) track.codec.rtxPayloadType = rtx->payloadType;
    if (dtmf) track.codec.dtmfPayloadType = dtmf->payloadType;
    track.codec.feedback = out.rtcpFeedback;
    track.extensions = extensions.ids;
    fillSources(offered, track);
    for (const auto& rid : offered.rids) {
      if (rid.direction == Rid::Direction::kSend) track.rids.push_back(rid.id);
    }
    if (options_.simulcast) answerSimulcast(offered, track, out);
    result.role = MediaAnswer::Role::kPublish;
    result.published = std::move(track);
  }

  // RFC 8853 section 5.3: the answerer receives what the offer sends: each simulcast stream's first
  // alternative that names an a=rid ... send line, as a=rid ... recv and one a=simulcast:recv list in
  // the offer's order. A paused alternative ('~') stays a layer, answered paused: browsers mark the
  // encodings the server had them switch off (`encodings`, docs/protocol.md) paused in their next
  // offer, and those layers must come back when a subscriber needs them again.
  static void answerSimulcast(const MediaDescription& offered, PublishedTrack& track, MediaDescription& out) {
    if (!offered.simulcast || offered.simulcast->send.empty()) return;
    Simulcast answer;
    for (const Simulcast::Stream& stream : offered.simulcast->send) {
      for (const Simulcast::Alternative& alternative : stream) {
        if (std::find(track.rids.begin(), track.rids.end(), alternative.rid) == track.rids.end() ||
            std::find(track.simulcastRids.begin(), track.simulcastRids.end(), alternative.rid) !=
                track.simulcastRids.end()) {
          continue;
        }
        answer.recv.push_back({Simulcast::Alternative{alternative.rid, alternative.paused}});
        track.simulcastRids.push_back(alternative.rid);
        Rid rid;
        rid.id = alternative.rid;
        rid.direction = Rid::Direction::kRecv;
        out.rids.push_back(std::move(rid));
        break;
      }
    }
    if (track.simulcastRids.size() < 2) {  // one layer is no simulcast
      track.simulcastRids.clear();
      out.rids.clear();
      return;
    }
    out.simulcast = std::move(answer);
  }

  // RFC 5576: media SSRCs (the first of each FID group, then every other a=ssrc id that is not the
  // repair or FEC stream of a group), repair SSRCs, cname and msid.
  static void fillSources(const MediaDescription& offered, PublishedTrack& track) {
    const auto known = [&](uint32_t ssrc) {
      return std::find(track.ssrcs.begin(), track.ssrcs.end(), ssrc) != track.ssrcs.end() ||
             std::find(track.rtxSsrcs.begin(), track.rtxSsrcs.end(), ssrc) != track.rtxSsrcs.end();
    };
    std::vector<uint32_t> secondary;  // non-first members of FID / FEC groups
    for (const auto& g : offered.ssrcGroups) {
      if (g.semantics == "SIM") continue;
      for (size_t i = 1; i < g.ssrcs.size(); ++i)
        secondary.push_back(g.ssrcs[i]);
    }
    for (const auto& g : offered.ssrcGroups) {
      if (g.semantics != "FID" || g.ssrcs.size() < 2) continue;
      if (known(g.ssrcs[0]) || known(g.ssrcs[1])) continue;
      track.ssrcs.push_back(g.ssrcs[0]);
      track.rtxSsrcs.push_back(g.ssrcs[1]);
    }
    for (const auto& s : offered.ssrcs) {
      if (known(s.ssrc) || std::find(secondary.begin(), secondary.end(), s.ssrc) != secondary.end()) continue;
      track.ssrcs.push_back(s.ssrc);
    }
    for (const auto& s : offered.ssrcs) {
      if (s.attribute == "cname" && s.value && !s.value->empty()) {
        track.cname = *s.value;
        break;
      }
    }
    if (!offered.msids.empty()) {
      track.msid = offered.msids.front();
    } else {
      for (const auto& s : offered.ssrcs) {
        if (s.attribute != "msid" || !s.value) continue;
        std::string error;
        if (auto msid = Msid::parse(*s.value, error)) {
          track.msid = std::move(*msid);
          break;
        }
      }
    }
  }

  void subscribe(const MediaDescription& offered, MediaAnswer& result, MediaDescription& out) const {
    const auto notSubscribed = [&](std::string reason) {
      result.role = MediaAnswer::Role::kInactive;
      result.reason = std::move(reason);
      out = inactive(offered);
    };
    std::optional<SubscriptionSource> source;
    if (lookup_) source = lookup_(result.mid);
    if (!source || !source->track) return notSubscribed("no subscription for mid " + result.mid);
    const PublishedTrack& track = *source->track;
    if (track.kind != result.kind) {
      return notSubscribed("mid " + result.mid + " is " + offered.media + " but the track is " +
                           (track.kind == MediaKind::kAudio ? "audio" : "video"));
    }
    const auto codecs = offered.codecs();
    const Codec* match = nullptr;
    for (const auto& c : codecs) {
      if (codecsMatch(track.codec, c)) {
        match = &c;
        break;
      }
    }
    if (!match) return notSubscribed("subscriber does not support " + track.codec.name);
    const Codec* rtx = source->rtxSsrc != 0 ? findRtxFor(codecs, *match) : nullptr;
    const Codec* dtmf = track.codec.dtmfPayloadType ? findTelephoneEvent(codecs, match->clockRate) : nullptr;

    out = base(offered);
    out.direction = Direction::kSendOnly;
    addPayloadType(out, offered, *match, match->fmtp);
    if (rtx) addPayloadType(out, offered, *rtx, rtx->fmtp);
    if (dtmf) addPayloadType(out, offered, *dtmf, dtmf->fmtp);
    out.rtcpFeedback = answerFeedback(*match);
    auto extensions = answerExtensions(offer_, offered, /*offererSends=*/false, /*withRid=*/false);
    out.extmaps = std::move(extensions.extmaps);

    // RFC 8830 section 2 (msid), RFC 5576 sections 4.1-4.2 (ssrc, ssrc-group:FID for RFC 4588 rtx).
    Msid msid;
    msid.streamId = source->streamId.empty() ? "-" : source->streamId;
    if (!source->trackId.empty()) msid.trackId = source->trackId;
    const std::string msidText = msid.toString();
    const std::string cname = source->cname.empty() ? msid.streamId : source->cname;
    out.msids = {msid};
    if (rtx) out.ssrcGroups.push_back(SsrcGroup{"FID", {source->ssrc, source->rtxSsrc}});
    const auto announce = [&](uint32_t ssrc) {
      out.ssrcs.push_back(Ssrc{ssrc, "cname", cname});
      out.ssrcs.push_back(Ssrc{ssrc, "msid", msidText});
    };
    announce(source->ssrc);
    if (rtx) announce(source->rtxSsrc);

    SubscribedTrack sub;
    sub.mid = result.mid;
    sub.payloadType = match->payloadType;
    if (rtx) sub.rtxPayloadType = rtx->payloadType;
    if (dtmf) sub.dtmfPayloadType = dtmf->payloadType;
    sub.extensions = extensions.ids;
    sub.ssrc = source->ssrc;
    sub.rtxSsrc = rtx ? source->rtxSsrc : 0;
    sub.feedback = out.rtcpFeedback;
    result.role = MediaAnswer::Role::kSubscribe;
    result.subscribed = std::move(sub);
  }

  void dataChannel(const MediaDescription& offered, MediaAnswer& result, MediaDescription& out) const {
    result.role = MediaAnswer::Role::kRejected;
    out = rejected(offered);
    const bool sctpProto = offered.proto == "UDP/DTLS/SCTP" || offered.proto == "TCP/DTLS/SCTP";
    if (!options_.dataChannels) {
      result.reason = "data channels are disabled on this server";
    } else if (!sctpProto || offered.formats.size() != 1 || offered.formats.front() != "webrtc-datachannel") {
      result.reason =
          "data channels need 'UDP/DTLS/SCTP webrtc-datachannel' (RFC 8841); the legacy DTLS/SCTP "
          "form is not supported";
    } else if (!offered.mid || !inGroup(offer_.bundleGroup(), offered.mid)) {
      result.reason = "the data channel section must have an a=mid in the BUNDLE group";
    } else if (dataChannelAnswered_) {
      result.reason = "only one data channel section is supported";
    } else {
      dataChannelAnswered_ = true;
      out = base(offered);
      out.rtcpMux = false;
      out.rtcpRsize = false;
      out.formats = {"webrtc-datachannel"};
      out.sctpPort = options_.sctpPort;
      out.maxMessageSize = options_.maxMessageSize;
      DataChannelAnswer answer;
      answer.remotePort = offered.sctpPort.value_or(5000);
      answer.remoteMaxMessageSize = offered.maxMessageSize.value_or(65536);
      result.role = MediaAnswer::Role::kDataChannel;
      result.dataChannel = answer;
    }
  }

  const SessionDescription& offer_;
  const LocalTransport& local_;
  SetupRole setup_;
  mutable bool dataChannelAnswered_ = false;
  const SubscriptionLookup& lookup_;
  const NegotiationOptions& options_;
  std::vector<Candidate> candidates_;  // UDP first, then TCP (passive)
};

// The checks of the top of Negotiation.h for every audio/video section the offer did not reject.
void checkRtpSections(const SessionDescription& offer) {
  const Group* bundle = offer.bundleGroup();
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& m = offer.media[i];
    if (!isRtpKind(m.kind()) || !isActive(m)) continue;
    if (!m.mid) throw NegotiationError(describe(m, i) + " has no a=mid");
    if (!inGroup(bundle, m.mid)) throw NegotiationError(describe(m, i) + " is not in the BUNDLE group");
    if (!m.rtcpMux) throw NegotiationError(describe(m, i) + " has no a=rtcp-mux (rtcp-mux is required)");
    if (std::find(kRtpProtos.begin(), kRtpProtos.end(), m.proto) == kRtpProtos.end()) {
      throw NegotiationError(describe(m, i) + " has proto " + m.proto + " (UDP/TLS/RTP/SAVPF is required)");
    }
  }
}

void checkLocal(const LocalTransport& local) {
  if (!detail::isIceChars(local.iceUfrag) || !detail::isIceChars(local.icePwd)) {
    throw std::invalid_argument("answerOffer: the local ICE ufrag/pwd must be non-empty ice-chars");
  }
  if (local.fingerprint.bytes.empty() || !detail::isToken(local.fingerprint.hashFunction)) {
    throw std::invalid_argument("answerOffer: the local DTLS fingerprint is empty");
  }
}

}  // namespace

RemoteTransport remoteTransport(const SessionDescription& offer) {
  const Group* bundle = offer.bundleGroup();
  if (!bundle) throw NegotiationError("the offer has no a=group:BUNDLE (BUNDLE is required)");

  // The offer's bundled sections, in offer order; the first one gives the transport (RFC 8843
  // section 7.2.1: every bundled section carries the same values, or none when bundle-only).
  std::vector<const MediaDescription*> bundled;
  for (const auto& m : offer.media) {
    if (isActive(m) && inGroup(bundle, m.mid)) bundled.push_back(&m);
  }
  const MediaDescription* first = bundled.empty() ? nullptr : bundled.front();
  const auto ufragOf = [&](const MediaDescription* m) {
    return m && m->iceUfrag ? m->iceUfrag : offer.iceUfrag;
  };
  const auto pwdOf = [&](const MediaDescription* m) { return m && m->icePwd ? m->icePwd : offer.icePwd; };
  const auto fingerprintsOf = [&](const MediaDescription* m) -> const std::vector<Fingerprint>& {
    return m && !m->fingerprints.empty() ? m->fingerprints : offer.fingerprints;
  };
  const auto setupOf = [&](const MediaDescription* m) { return m && m->setup ? m->setup : offer.setup; };

  const auto ufrag = ufragOf(first);
  const auto pwd = pwdOf(first);
  const auto& fingerprints = fingerprintsOf(first);
  const auto setup = setupOf(first);
  if (!ufrag || !pwd) throw NegotiationError("the offer has no a=ice-ufrag / a=ice-pwd");
  if (fingerprints.empty()) throw NegotiationError("the offer has no a=fingerprint (DTLS-SRTP is required)");
  // RFC 5763 section 5: the offerer says actpass; active/passive are accepted, holdconn is not.
  if (setup == SetupRole::kHoldConn) throw NegotiationError("the offer has a=setup:holdconn");

  for (const auto* m : bundled) {
    const std::string what =
        "mid " + m->mid.value_or("") + " (bundled with mid " + first->mid.value_or("") + ")";
    if (m->iceUfrag && m->iceUfrag != ufrag) throw NegotiationError(what + " has a different a=ice-ufrag");
    if (m->icePwd && m->icePwd != pwd) throw NegotiationError(what + " has a different a=ice-pwd");
    if (!m->fingerprints.empty() && m->fingerprints != fingerprints) {
      throw NegotiationError(what + " has a different a=fingerprint");
    }
    if (m->setup && m->setup != setup) throw NegotiationError(what + " has a different a=setup");
  }

  RemoteTransport r;
  r.iceUfrag = *ufrag;
  r.icePwd = *pwd;
  r.fingerprint = preferredFingerprint(fingerprints);
  r.setup = setup.value_or(SetupRole::kActPass);
  return r;
}

Answer answerOffer(const SessionDescription& offer, const LocalTransport& local,
                   const SubscriptionLookup& subscriptionFor, uint64_t sessionId, uint64_t sessionVersion,
                   const NegotiationOptions& options) {
  checkLocal(local);
  // An offer that rejects every section (all transceivers stopped) has nothing to bundle: it is
  // answered with every section rejected and needs neither BUNDLE nor a transport.
  const bool anyActive = std::any_of(offer.media.begin(), offer.media.end(), isActive);
  SetupRole answerSetup = SetupRole::kPassive;
  if (anyActive) {
    const RemoteTransport remote = remoteTransport(offer);
    checkRtpSections(offer);
    // RFC 5763 section 5: answer passive to actpass (the browser is the DTLS client) and to active.
    answerSetup = remote.setup == SetupRole::kPassive ? SetupRole::kActive : SetupRole::kPassive;
  }

  Answer answer;
  SessionDescription& sd = answer.description;
  sd.origin.username = "-";
  sd.origin.sessionId = sessionId;
  sd.origin.sessionVersion = sessionVersion;
  sd.origin.address = "0.0.0.0";
  sd.sessionName = "-";
  sd.timing = {Timing{}};
  sd.iceLite = true;
  sd.msidSemantic = MsidSemantic{"WMS", {"*"}};
  sd.extmapAllowMixed =
      offer.extmapAllowMixed ||
      std::any_of(offer.media.begin(), offer.media.end(), [](const auto& m) { return m.extmapAllowMixed; });

  const AnswerBuilder builder(offer, local, answerSetup, subscriptionFor, options);
  Group bundle{"BUNDLE", {}};
  answer.media.resize(offer.media.size());
  sd.media.resize(offer.media.size());
  for (size_t i = 0; i < offer.media.size(); ++i) {
    builder.answer(offer.media[i], answer.media[i], sd.media[i]);
    if (answer.media[i].role != MediaAnswer::Role::kRejected) bundle.mids.push_back(answer.media[i].mid);
  }
  if (!bundle.mids.empty()) sd.groups.push_back(std::move(bundle));

  sd.order.entries = {{LineKind::kTiming, 0},
                      {LineKind::kIceLite, 0},
                      {LineKind::kGroup, 0},
                      {LineKind::kMsidSemantic, 0},
                      {LineKind::kExtmapAllowMixed, 0}};
  return answer;
}

}  // namespace switchyard::media::sdp
