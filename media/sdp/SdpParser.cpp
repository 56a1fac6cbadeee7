// parse(): SDP text -> SessionDescription (RFC 8866 section 5 for the line grammar and order).
#include <bitset>
#include <new>
#include <set>

#include "media/sdp/Sdp.h"
#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

// Attributes that only make sense inside a media section; seeing one before the first m= is an error.
bool isMediaOnlyAttribute(std::string_view name) noexcept {
  static constexpr std::string_view kMediaOnly[] = {
      "mid",       "rtpmap", "fmtp",      "rtcp-fb",          "ssrc",     "ssrc-group", "rid",
      "simulcast", "msid",   "sctp-port", "max-message-size", "rtcp-mux", "rtcp-rsize", "candidate",
  };
  for (const auto m : kMediaOnly) {
    if (m == name) return true;
  }
  return false;
}

bool isFlag(std::string_view name) noexcept {
  return name == "rtcp-mux" || name == "rtcp-rsize" || name == "ice-lite" || name == "end-of-candidates" ||
         name == "extmap-allow-mixed" || parseDirection(name).has_value();
}

class Parser {
 public:
  explicit Parser(const ParseLimits& limits) : limits_(limits) {}

  ParseResult run(std::string_view text) {
    ParseResult result;
    if (text.size() > limits_.maxInputBytes) {
      result.error = "SDP is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                     std::to_string(limits_.maxInputBytes);
      return result;
    }
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t nl = text.find('\n', pos);
      const size_t end = nl == std::string_view::npos ? text.size() : nl;
      std::string_view line = text.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++lineNo_;
      if (line.empty()) {
        // Blank lines are tolerated only at the very end.
        if (text.substr(pos).find_first_not_of("\r\n") == std::string_view::npos) break;
        return fail(result, "empty line");
      }
      if (lineNo_ > limits_.maxLines) {
        return fail(result, "more than " + std::to_string(limits_.maxLines) + " lines");
      }
      if (line.size() > limits_.maxLineLength) {
        return fail(result, "line is " + std::to_string(line.size()) + " bytes, more than the limit of " +
                                std::to_string(limits_.maxLineLength));
      }
      if (line.find('\0') != std::string_view::npos) return fail(result, "NUL byte in line");
      if (line.find('\r') != std::string_view::npos) return fail(result, "stray CR inside line");
      if (!parseLine(line)) return fail(result, std::move(error_));
    }
    if (!finish()) {
      ++lineNo_;
      return fail(result, std::move(error_));
    }
    result.description = std::move(sd_);
    return result;
  }

 private:
  ParseResult& fail(ParseResult& result, std::string message) {
    result.error = std::move(message);
    result.line = lineNo_;
    result.description.reset();
    return result;
  }

  bool error(std::string message) {
    error_ = std::move(message);
    return false;
  }

  void record(SourceOrder& order, LineKind kind, size_t idx = 0) {
    order.entries.push_back({kind, static_cast<uint32_t>(idx)});
  }

  bool parseLine(std::string_view line) {
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return error("line is not <type>=<value>");
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    // RFC 8866 section 5: v=, o=, s= come first, in that order.
    if (lineNo_ == 1) {
      if (type != 'v') return error("first line must be v=0");
      if (value != "0") return error("unsupported SDP version '" + std::string(value) + "' (only v=0)");
      sd_.version = 0;
      return true;
    }
    if (lineNo_ == 2) {
      if (type != 'o') return error("second line must be o=");
      auto origin = Origin::parse(value, error_);
      if (!origin) return false;
      sd_.origin = std::move(*origin);
      return true;
    }
    if (lineNo_ == 3) {
      if (type != 's') return error("third line must be s=");
      sd_.sessionName = std::string(value);
      return true;
    }
    switch (type) {
      case 'v':
      case 'o':
      case 's':
        return error(std::string(1, type) + "= may appear only once, at the top");
      case 'm':
        return parseMediaLine(value);
      case 'a':
        return media_ ? parseMediaAttribute(value) : parseSessionAttribute(value);
      case 'c':
        return parseConnection(value);
      case 'b':
        return parseBandwidth(value);
      case 't':
      case 'r':
        return parseTime(type, value);
      case 'i':
      case 'k':
        return addTextLine(type, value);
      case 'u':
      case 'e':
      case 'p':
      case 'z':
        if (media_) return error(std::string(1, type) + "= is not allowed in a media section");
        return addTextLine(type, value);
      default:
        // RFC 8866 section 5: a parser must not accept a type letter it does not understand.
        return error("unknown line type '" + std::string(1, type) + "='");
    }
  }

  SourceOrder& order() noexcept { return media_ ? media_->order : sd_.order; }

  bool addTextLine(char type, std::string_view value) {
    auto& lines = media_ ? media_->textLines : sd_.textLines;
    lines.push_back({type, std::string(value)});
    record(order(), LineKind::kTextLine, lines.size() - 1);
    return true;
  }

  bool parseConnection(std::string_view value) {
    auto& slot = media_ ? media_->connection : sd_.connection;
    if (slot) return error("more than one c= line in this section");
    auto c = Connection::parse(value, error_);
    if (!c) return false;
    slot = std::move(*c);
    record(order(), LineKind::kConnection);
    return true;
  }

  bool parseBandwidth(std::string_view value) {
    auto b = Bandwidth::parse(value, error_);
    if (!b) return false;
    auto& list = media_ ? media_->bandwidths : sd_.bandwidths;
    list.push_back(std::move(*b));
    record(order(), LineKind::kBandwidth, list.size() - 1);
    return true;
  }

  bool parseTime(char type, std::string_view value) {
    if (media_) return error(std::string(1, type) + "= is not allowed in a media section");
    if (type == 'r') {
      if (sd_.timing.empty()) return error("r= without a preceding t=");
      if (sd_.order.entries.empty() || sd_.order.entries.back().kind != LineKind::kTiming) {
        return error("r= must follow its t= line");
      }
      sd_.timing.back().repeats.emplace_back(value);
      return true;
    }
    auto t = Timing::parse(value, error_);
    if (!t) return false;
    sd_.timing.push_back(std::move(*t));
    record(sd_.order, LineKind::kTiming, sd_.timing.size() - 1);
    return true;
  }

  bool parseMediaLine(std::string_view value) {
    if (sd_.timing.empty()) return error("missing t= line before the first m= line");
    if (sd_.media.size() >= limits_.maxMediaSections) {
      return error("more than " + std::to_string(limits_.maxMediaSections) + " media sections");
    }
    const auto t = detail::tokens(value);
    if (t.size() < 4) return error("m= needs <media> <port> <proto> <fmt> ...");
    MediaDescription m;
    if (!detail::isToken(t[0])) return error("m= media type is not a token");
    m.media = std::string(t[0]);
    const auto [portText, countText] = detail::splitFirst(t[1], '/');
    const auto port = detail::parseNumber<uint16_t>(portText);
    if (!port) return error("m= port '" + std::string(t[1]) + "' is not a number 0..65535");
    m.port = *port;
    if (countText) {
      const auto count = detail::parseNumber<uint16_t>(*countText);
      if (!count) return error("m= number of ports '" + std::string(*countText) + "' is not a number");
      m.numberOfPorts = *count;
    }
    // RFC 8866 section 9: proto = token *("/" token).
    for (const auto piece : detail::splitAll(t[2], '/')) {
      if (!detail::isToken(piece))
        return error("m= proto '" + std::string(t[2]) + "' is not token/token/...");
    }
    m.proto = std::string(t[2]);
    for (size_t i = 3; i < t.size(); ++i)
      m.formats.emplace_back(t[i]);
    sd_.media.push_back(std::move(m));
    media_ = &sd_.media.back();
    rtpMapSeen_.reset();
    fmtpSeen_.reset();
    extmapSeen_.reset();
    return true;
  }

  bool parseSessionAttribute(std::string_view value) {
    const auto [name, arg] = detail::splitFirst(value, ':');
    if (name.empty()) return error("attribute without a name");
    if (isMediaOnlyAttribute(name)) {
      return error("a=" + std::string(name) +
                   " is a media-level attribute but appears before the first m= line");
    }
    if ((name == "ice-lite" || name == "extmap-allow-mixed") && arg) {
      return error("a=" + std::string(name) + " takes no value");
    }
    if (name == "group") {
      auto g = Group::parse(arg.value_or(""), error_);
      if (!g) return false;
      sd_.groups.push_back(std::move(*g));
      record(sd_.order, LineKind::kGroup, sd_.groups.size() - 1);
    } else if (name == "ice-lite") {
      if (sd_.iceLite) return duplicate(name);
      sd_.iceLite = true;
      record(sd_.order, LineKind::kIceLite);
    } else if (name == "msid-semantic") {
      if (sd_.msidSemantic) return duplicate(name);
      auto m = MsidSemantic::parse(arg.value_or(""), error_);
      if (!m) return false;
      sd_.msidSemantic = std::move(*m);
      record(sd_.order, LineKind::kMsidSemantic);
    } else if (name == "extmap-allow-mixed") {
      if (sd_.extmapAllowMixed) return duplicate(name);
      sd_.extmapAllowMixed = true;
      record(sd_.order, LineKind::kExtmapAllowMixed);
    } else if (name == "ice-ufrag" || name == "ice-pwd" || name == "ice-options" || name == "fingerprint" ||
               name == "setup" || name == "extmap") {
      return parseTransportAttribute(name, arg, sd_.iceUfrag, sd_.icePwd, sd_.iceOptions, sd_.fingerprints,
                                     sd_.setup, sd_.extmaps, sd_.order);
    } else {
      return keep(sd_.attributes, sd_.order, name, arg);
    }
    return true;
  }

  bool duplicate(std::string_view name) {
    return error("duplicate a=" + std::string(name) +
                 (media_ ? " in this media section" : " at session level"));
  }

  bool keep(std::vector<Attribute>& list, SourceOrder& ord, std::string_view name,
            std::optional<std::string_view> arg) {
    Attribute a;
    a.name = std::string(name);
    if (arg) a.value = std::string(*arg);
    list.push_back(std::move(a));
    record(ord, LineKind::kAttribute, list.size() - 1);
    return true;
  }

  // Attributes allowed at both levels (ICE, DTLS, RTP header extensions).
  bool parseTransportAttribute(std::string_view name, std::optional<std::string_view> arg,
                               std::optional<std::string>& ufrag, std::optional<std::string>& pwd,
                               std::vector<std::string>& options, std::vector<Fingerprint>& fingerprints,
                               std::optional<SetupRole>& setup, std::vector<Extmap>& extmaps,
                               SourceOrder& ord) {
    const std::string_view v = arg.value_or("");
    if (name == "ice-ufrag" || name == "ice-pwd") {
      auto& slot = name == "ice-ufrag" ? ufrag : pwd;
      if (slot) return duplicate(name);
      // RFC 8839 section 5.4: ice-char only, at most 256 characters.
      if (!detail::isIceChars(v) || v.size() > 256) {
        return error("a=" + std::string(name) + " must be 1..256 characters of [A-Za-z0-9+/]");
      }
      slot = std::string(v);
      record(ord, name == "ice-ufrag" ? LineKind::kIceUfrag : LineKind::kIcePwd);
    } else if (name == "ice-options") {
      if (!options.empty()) return duplicate(name);
      const auto t = detail::tokens(v);
      if (t.empty()) return error("a=ice-options needs at least one option");
      for (const auto o : t)
        options.emplace_back(o);
      record(ord, LineKind::kIceOptions);
    } else if (name == "fingerprint") {
      auto f = Fingerprint::parse(v, error_);
      if (!f) return false;
      fingerprints.push_back(std::move(*f));
      record(ord, LineKind::kFingerprint, fingerprints.size() - 1);
    } else if (name == "setup") {
      if (setup) return duplicate(name);
      const auto role = parseSetupRole(v);
      if (!role) return error("a=setup must be actpass, active, passive or holdconn");
      setup = *role;
      record(ord, LineKind::kSetup);
    } else {  // extmap
      auto e = Extmap::parse(v, error_);
      if (!e) return false;
      if (extmapSeen_.test(e->id)) return error("a=extmap: id " + std::to_string(e->id) + " used twice");
      extmapSeen_.set(e->id);
      extmaps.push_back(std::move(*e));
      record(ord, LineKind::kExtmap, extmaps.size() - 1);
    }
    return true;
  }

  bool setFlag(bool& flag, std::string_view name, LineKind kind) {
    if (flag) return duplicate(name);
    flag = true;
    record(media_->order, kind);
    return true;
  }

  template <typename T>
  bool append(std::vector<T>& list, std::string_view v, LineKind kind) {
    auto item = T::parse(v, error_);
    if (!item) return false;
    list.push_back(std::move(*item));
    record(media_->order, kind, list.size() - 1);
    return true;
  }

  bool parseMediaAttribute(std::string_view value) {
    MediaDescription& m = *media_;
    const auto [name, arg] = detail::splitFirst(value, ':');
    if (name.empty()) return error("attribute without a name");
    if (isFlag(name) && arg) return error("a=" + std::string(name) + " takes no value");
    const std::string_view v = arg.value_or("");
    if (name == "mid") {
      if (m.mid) return duplicate(name);
      if (!detail::isToken(v)) return error("a=mid value must be a non-empty token");
      if (!mids_.emplace(v).second)
        return error("a=mid:" + std::string(v) + " is used by another media section");
      m.mid = std::string(v);
      record(m.order, LineKind::kMid);
    } else if (const auto dir = parseDirection(name)) {
      if (m.direction) return error("more than one direction attribute in this media section");
      m.direction = *dir;
      record(m.order, LineKind::kDirection);
    } else if (name == "rtcp-mux") {
      return setFlag(m.rtcpMux, name, LineKind::kRtcpMux);
    } else if (name == "rtcp-rsize") {
      return setFlag(m.rtcpRsize, name, LineKind::kRtcpRsize);
    } else if (name == "end-of-candidates") {
      return setFlag(m.endOfCandidates, name, LineKind::kEndOfCandidates);
    } else if (name == "extmap-allow-mixed") {
      return setFlag(m.extmapAllowMixed, name, LineKind::kExtmapAllowMixed);
    } else if (name == "ice-ufrag" || name == "ice-pwd" || name == "ice-options" || name == "fingerprint" ||
               name == "setup" || name == "extmap") {
      return parseTransportAttribute(name, arg, m.iceUfrag, m.icePwd, m.iceOptions, m.fingerprints, m.setup,
                                     m.extmaps, m.order);
    } else if (name == "candidate") {
      return append(m.candidates, v, LineKind::kCandidate);
    } else if (name == "rtpmap") {
      auto map = RtpMap::parse(v, error_);
      if (!map) return false;
      if (rtpMapSeen_.test(map->payloadType)) {
        return error("a=rtpmap: payload type " + std::to_string(map->payloadType) + " mapped twice");
      }
      rtpMapSeen_.set(map->payloadType);
      m.rtpMaps.push_back(std::move(*map));
      record(m.order, LineKind::kRtpMap, m.rtpMaps.size() - 1);
    } else if (name == "fmtp") {
      auto f = Fmtp::parse(v, error_);
      if (!f) return false;
      if (fmtpSeen_.test(f->payloadType)) {
        return error("a=fmtp: payload type " + std::to_string(f->payloadType) + " has two fmtp lines");
      }
      fmtpSeen_.set(f->payloadType);
      m.fmtps.push_back(std::move(*f));
      record(m.order, LineKind::kFmtp, m.fmtps.size() - 1);
    } else if (name == "rtcp-fb") {
      return append(m.rtcpFeedback, v, LineKind::kRtcpFeedback);
    } else if (name == "ssrc") {
      return append(m.ssrcs, v, LineKind::kSsrc);
    } else if (name == "ssrc-group") {
      return append(m.ssrcGroups, v, LineKind::kSsrcGroup);
    } else if (name == "rid") {
      return append(m.rids, v, LineKind::kRid);
    } else if (name == "msid") {
      return append(m.msids, v, LineKind::kMsid);
    } else if (name == "simulcast") {
      if (m.simulcast) return duplicate(name);
      auto sc = Simulcast::parse(v, error_);
      if (!sc) return false;
      m.simulcast = std::move(*sc);
      record(m.order, LineKind::kSimulcast);
    } else if (name == "sctp-port") {
      if (m.sctpPort) return duplicate(name);
      const auto port = detail::parseNumber<uint16_t>(v);
      if (!port) return error("a=sctp-port must be a number 0..65535");
      m.sctpPort = *port;
      record(m.order, LineKind::kSctpPort);
    } else if (name == "max-message-size") {
      if (m.maxMessageSize) return duplicate(name);
      const auto size = detail::parseNumber<uint64_t>(v);
      if (!size) return error("a=max-message-size must be a decimal number");
      m.maxMessageSize = *size;
      record(m.order, LineKind::kMaxMessageSize);
    } else {
      return keep(m.attributes, m.order, name, arg);
    }
    return true;
  }

  bool finish() {
    if (lineNo_ == 0) return error("empty SDP: first line must be v=0");
    if (lineNo_ < 2) return error("missing o= line");
    if (lineNo_ < 3) return error("missing s= line");
    if (sd_.timing.empty()) return error("missing t= line");
    return true;
  }

  const ParseLimits& limits_;
  SessionDescription sd_;
  MediaDescription* media_ = nullptr;  // the section being parsed (points into sd_.media)
  size_t lineNo_ = 0;
  std::string error_;
  std::set<std::string, std::less<>> mids_;
  std::bitset<128> rtpMapSeen_;
  std::bitset<128> fmtpSeen_;
  std::bitset<4352> extmapSeen_;
};

}  // namespace

ParseResult parse(std::string_view text, const ParseLimits& limits) noexcept {
  try {
    Parser parser(limits);
    return parser.run(text);
  } catch (const std::bad_alloc&) {
    ParseResult r;
    r.error = "out of memory";
    return r;
  } catch (...) {
    ParseResult r;
    r.error = "internal error";
    return r;
  }
}

}  // namespace switchyard::media::sdp
