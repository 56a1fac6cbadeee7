// write(): SessionDescription -> CRLF SDP text. Each section first follows its SourceOrder (so a
// parsed offer comes back line for line), then writes whatever that order did not mention in a
// canonical, Chromium-like order.
#include <array>

#include "media/sdp/Sdp.h"

namespace switchyard::media::sdp {

namespace {

// Remembers which entries of a section were written; a repeated or out-of-range order entry is skipped.
class Written {
 public:
  // Returns true (and marks it) when entry `index` of `kind`, out of `size`, still has to be written.
  bool take(LineKind kind, size_t index, size_t size) {
    auto& flags = flags_[static_cast<size_t>(kind)];
    if (index >= size) return false;
    if (flags.size() < size) flags.resize(size, false);
    if (flags[index]) return false;
    flags[index] = true;
    return true;
  }

 private:
  std::array<std::vector<bool>, kLineKindCount> flags_;
};

class Writer {
 public:
  std::string run(const SessionDescription& sd) {
    line('v', std::to_string(sd.version));
    line('o', sd.origin.toString());
    line('s', sd.sessionName);
    Written written;
    for (const auto& e : sd.order.entries)
      session(sd, written, e.kind, e.index);
    // Canonical order for anything added by code.
    for (size_t i = 0; i < sd.textLines.size(); ++i)
      session(sd, written, LineKind::kTextLine, i);
    session(sd, written, LineKind::kConnection, 0);
    for (size_t i = 0; i < sd.bandwidths.size(); ++i)
      session(sd, written, LineKind::kBandwidth, i);
    for (size_t i = 0; i < sd.timing.size(); ++i)
      session(sd, written, LineKind::kTiming, i);
    for (size_t i = 0; i < sd.groups.size(); ++i)
      session(sd, written, LineKind::kGroup, i);
    for (const auto kind :
         {LineKind::kIceLite, LineKind::kIceUfrag, LineKind::kIcePwd, LineKind::kIceOptions}) {
      session(sd, written, kind, 0);
    }
    for (size_t i = 0; i < sd.fingerprints.size(); ++i)
      session(sd, written, LineKind::kFingerprint, i);
    session(sd, written, LineKind::kSetup, 0);
    session(sd, written, LineKind::kExtmapAllowMixed, 0);
    session(sd, written, LineKind::kMsidSemantic, 0);
    for (size_t i = 0; i < sd.extmaps.size(); ++i)
      session(sd, written, LineKind::kExtmap, i);
    for (size_t i = 0; i < sd.attributes.size(); ++i)
      session(sd, written, LineKind::kAttribute, i);
    for (const auto& m : sd.media)
      media(m);
    return std::move(out_);
  }

 private:
  void line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }

  void attribute(std::string_view name) {
    out_ += "a=";
    out_ += name;
    out_ += "\r\n";
  }

  void attribute(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }

  void unknown(const Attribute& a) {
    if (a.value) {
      attribute(a.name, *a.value);
    } else {
      attribute(a.name);
    }
  }

  void iceOptions(const std::vector<std::string>& options) {
    std::string v;
    for (size_t i = 0; i < options.size(); ++i) {
      if (i != 0) v += ' ';
      v += options[i];
    }
    attribute("ice-options", v);
  }

  // Writes one session-level entry if it exists and was not written yet.
  void session(const SessionDescription& sd, Written& w, LineKind kind, size_t i) {
    switch (kind) {
      case LineKind::kTextLine:
        if (w.take(kind, i, sd.textLines.size())) line(sd.textLines[i].type, sd.textLines[i].value);
        break;
      case LineKind::kConnection:
        if (w.take(kind, i, sd.connection ? 1 : 0)) line('c', sd.connection->toString());
        break;
      case LineKind::kBandwidth:
        if (w.take(kind, i, sd.bandwidths.size())) line('b', sd.bandwidths[i].toString());
        break;
      case LineKind::kTiming:
        if (w.take(kind, i, sd.timing.size())) {
          line('t', sd.timing[i].toString());
          for (const auto& r : sd.timing[i].repeats)
            line('r', r);
        }
        break;
      case LineKind::kGroup:
        if (w.take(kind, i, sd.groups.size())) attribute("group", sd.groups[i].toString());
        break;
      case LineKind::kIceLite:
        if (w.take(kind, i, sd.iceLite ? 1 : 0)) attribute("ice-lite");
        break;
      case LineKind::kMsidSemantic:
        if (w.take(kind, i, sd.msidSemantic ? 1 : 0)) attribute("msid-semantic", sd.msidSemantic->toString());
        break;
      case LineKind::kIceUfrag:
        if (w.take(kind, i, sd.iceUfrag ? 1 : 0)) attribute("ice-ufrag", *sd.iceUfrag);
        break;
      case LineKind::kIcePwd:
        if (w.take(kind, i, sd.icePwd ? 1 : 0)) attribute("ice-pwd", *sd.icePwd);
        break;
      case LineKind::kIceOptions:
        if (w.take(kind, i, sd.iceOptions.empty() ? 0 : 1)) iceOptions(sd.iceOptions);
        break;
      case LineKind::kFingerprint:
        if (w.take(kind, i, sd.fingerprints.size())) attribute("fingerprint", sd.fingerprints[i].toString());
        break;
      case LineKind::kSetup:
        if (w.take(kind, i, sd.setup ? 1 : 0)) attribute("setup", toString(*sd.setup));
        break;
      case LineKind::kExtmapAllowMixed:
        if (w.take(kind, i, sd.extmapAllowMixed ? 1 : 0)) attribute("extmap-allow-mixed");
        break;
      case LineKind::kExtmap:
        if (w.take(kind, i, sd.extmaps.size())) attribute("extmap", sd.extmaps[i].toString());
        break;
      case LineKind::kAttribute:
        if (w.take(kind, i, sd.attributes.size())) unknown(sd.attributes[i]);
        break;
      default:
        break;  // media-level kinds have no session-level field
    }
  }

  // Writes one media-level entry if it exists and was not written yet.
  void entry(const MediaDescription& m, Written& w, LineKind kind, size_t i) {
    switch (kind) {
      case LineKind::kTextLine:
        if (w.take(kind, i, m.textLines.size())) line(m.textLines[i].type, m.textLines[i].value);
        break;
      case LineKind::kConnection:
        if (w.take(kind, i, m.connection ? 1 : 0)) line('c', m.connection->toString());
        break;
      case LineKind::kBandwidth:
        if (w.take(kind, i, m.bandwidths.size())) line('b', m.bandwidths[i].toString());
        break;
      case LineKind::kIceUfrag:
        if (w.take(kind, i, m.iceUfrag ? 1 : 0)) attribute("ice-ufrag", *m.iceUfrag);
        break;
      case LineKind::kIcePwd:
        if (w.take(kind, i, m.icePwd ? 1 : 0)) attribute("ice-pwd", *m.icePwd);
        break;
      case LineKind::kIceOptions:
        if (w.take(kind, i, m.iceOptions.empty() ? 0 : 1)) iceOptions(m.iceOptions);
        break;
      case LineKind::kFingerprint:
        if (w.take(kind, i, m.fingerprints.size())) attribute("fingerprint", m.fingerprints[i].toString());
        break;
      case LineKind::kSetup:
        if (w.take(kind, i, m.setup ? 1 : 0)) attribute("setup", toString(*m.setup));
        break;
      case LineKind::kExtmapAllowMixed:
        if (w.take(kind, i, m.extmapAllowMixed ? 1 : 0)) attribute("extmap-allow-mixed");
        break;
      case LineKind::kExtmap:
        if (w.take(kind, i, m.extmaps.size())) attribute("extmap", m.extmaps[i].toString());
        break;
      case LineKind::kMid:
        if (w.take(kind, i, m.mid ? 1 : 0)) attribute("mid", *m.mid);
        break;
      case LineKind::kDirection:
        if (w.take(kind, i, m.direction ? 1 : 0)) attribute(toString(*m.direction));
        break;
      case LineKind::kRtcpMux:
        if (w.take(kind, i, m.rtcpMux ? 1 : 0)) attribute("rtcp-mux");
        break;
      case LineKind::kRtcpRsize:
        if (w.take(kind, i, m.rtcpRsize ? 1 : 0)) attribute("rtcp-rsize");
        break;
      case LineKind::kCandidate:
        if (w.take(kind, i, m.candidates.size())) attribute("candidate", m.candidates[i].toString());
        break;
      case LineKind::kEndOfCandidates:
        if (w.take(kind, i, m.endOfCandidates ? 1 : 0)) attribute("end-of-candidates");
        break;
      case LineKind::kRtpMap:
        if (w.take(kind, i, m.rtpMaps.size())) attribute("rtpmap", m.rtpMaps[i].toString());
        break;
      case LineKind::kFmtp:
        if (w.take(kind, i, m.fmtps.size())) attribute("fmtp", m.fmtps[i].toString());
        break;
      case LineKind::kRtcpFeedback:
        if (w.take(kind, i, m.rtcpFeedback.size())) attribute("rtcp-fb", m.rtcpFeedback[i].toString());
        break;
      case LineKind::kSsrc:
        if (w.take(kind, i, m.ssrcs.size())) attribute("ssrc", m.ssrcs[i].toString());
        break;
      case LineKind::kSsrcGroup:
        if (w.take(kind, i, m.ssrcGroups.size())) attribute("ssrc-group", m.ssrcGroups[i].toString());
        break;
      case LineKind::kRid:
        if (w.take(kind, i, m.rids.size())) attribute("rid", m.rids[i].toString());
        break;
      case LineKind::kSimulcast:
        if (w.take(kind, i, m.simulcast ? 1 : 0)) attribute("simulcast", m.simulcast->toString());
        break;
      case LineKind::kMsid:
        if (w.take(kind, i, m.msids.size())) attribute("msid", m.msids[i].toString());
        break;
      case LineKind::kSctpPort:
        if (w.take(kind, i, m.sctpPort ? 1 : 0)) attribute("sctp-port", std::to_string(*m.sctpPort));
        break;
      case LineKind::kMaxMessageSize:
        if (w.take(kind, i, m.maxMessageSize ? 1 : 0)) {
          attribute("max-message-size", std::to_string(*m.maxMessageSize));
        }
        break;
      case LineKind::kAttribute:
        if (w.take(kind, i, m.attributes.size())) unknown(m.attributes[i]);
        break;
      default:
        break;  // session-level kinds have no media-level field
    }
  }

  void media(const MediaDescription& m) {
    std::string ml = m.media + ' ' + std::to_string(m.port);
    if (m.numberOfPorts) ml += '/' + std::to_string(*m.numberOfPorts);
    ml += ' ';
    ml += m.proto;
    for (const auto& f : m.formats) {
      ml += ' ';
      ml += f;
    }
    line('m', ml);

    Written w;
    for (const auto& e : m.order.entries)
      entry(m, w, e.kind, e.index);

    const auto all = [&](LineKind kind, size_t count) {
      for (size_t i = 0; i < count; ++i)
        entry(m, w, kind, i);
    };
    all(LineKind::kTextLine, m.textLines.size());
    entry(m, w, LineKind::kConnection, 0);
    all(LineKind::kBandwidth, m.bandwidths.size());
    all(LineKind::kCandidate, m.candidates.size());
    entry(m, w, LineKind::kEndOfCandidates, 0);
    for (const auto kind : {LineKind::kIceUfrag, LineKind::kIcePwd, LineKind::kIceOptions})
      entry(m, w, kind, 0);
    all(LineKind::kFingerprint, m.fingerprints.size());
    entry(m, w, LineKind::kSetup, 0);
    entry(m, w, LineKind::kMid, 0);
    all(LineKind::kExtmap, m.extmaps.size());
    entry(m, w, LineKind::kExtmapAllowMixed, 0);
    entry(m, w, LineKind::kDirection, 0);
    all(LineKind::kMsid, m.msids.size());
    entry(m, w, LineKind::kRtcpMux, 0);
    entry(m, w, LineKind::kRtcpRsize, 0);
    // Each rtpmap followed by its own rtcp-fb and fmtp lines, as Chromium writes them.
    for (size_t i = 0; i < m.rtpMaps.size(); ++i) {
      entry(m, w, LineKind::kRtpMap, i);
      const uint8_t pt = m.rtpMaps[i].payloadType;
      for (size_t j = 0; j < m.rtcpFeedback.size(); ++j) {
        if (m.rtcpFeedback[j].payloadType == pt) entry(m, w, LineKind::kRtcpFeedback, j);
      }
      for (size_t j = 0; j < m.fmtps.size(); ++j) {
        if (m.fmtps[j].payloadType == pt) entry(m, w, LineKind::kFmtp, j);
      }
    }
    all(LineKind::kRtcpFeedback, m.rtcpFeedback.size());
    all(LineKind::kFmtp, m.fmtps.size());
    all(LineKind::kSsrcGroup, m.ssrcGroups.size());
    all(LineKind::kSsrc, m.ssrcs.size());
    all(LineKind::kRid, m.rids.size());
    entry(m, w, LineKind::kSimulcast, 0);
    entry(m, w, LineKind::kSctpPort, 0);
    entry(m, w, LineKind::kMaxMessageSize, 0);
    all(LineKind::kAttribute, m.attributes.size());
  }

  std::string out_;
};

}  // namespace

std::string write(const SessionDescription& description) {
  return Writer().run(description);
}

}  // namespace switchyard::media::sdp
