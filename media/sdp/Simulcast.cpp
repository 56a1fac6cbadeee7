#include "media/sdp/Simulcast.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

bool parseStreams(std::string_view list, std::vector<Simulcast::Stream>& out, std::string& error) {
  for (const auto streamText : detail::splitAll(list, ';')) {
    Simulcast::Stream stream;
    for (auto alt : detail::splitAll(streamText, ',')) {
      Simulcast::Alternative a;
      if (!alt.empty() && alt.front() == '~') {
        a.paused = true;
        alt.remove_prefix(1);
      }
      if (!detail::isRidId(alt)) {
        error = "a=simulcast: '" + std::string(alt) + "' is not a rid id";
        return false;
      }
      a.rid = std::string(alt);
      stream.push_back(std::move(a));
    }
    out.push_back(std::move(stream));
  }
  return true;
}

void appendStreams(std::string& out, const std::vector<Simulcast::Stream>& streams) {
  for (size_t s = 0; s < streams.size(); ++s) {
    if (s != 0) out += ';';
    for (size_t a = 0; a < streams[s].size(); ++a) {
      if (a != 0) out += ',';
      if (streams[s][a].paused) out += '~';
      out += streams[s][a].rid;
    }
  }
}

}  // namespace

std::optional<Simulcast> Simulcast::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() != 2 && t.size() != 4) {
    error = "a=simulcast must be <send|recv> <streams> [<recv|send> <streams>]";
    return std::nullopt;
  }
  Simulcast sc;
  bool haveSend = false;
  bool haveRecv = false;
  for (size_t i = 0; i < t.size(); i += 2) {
    if (t[i] == "send" && !haveSend) {
      haveSend = true;
      if (!parseStreams(t[i + 1], sc.send, error)) return std::nullopt;
    } else if (t[i] == "recv" && !haveRecv) {
      haveRecv = true;
      if (!parseStreams(t[i + 1], sc.recv, error)) return std::nullopt;
    } else {
      error = "a=simulcast: expected 'send' or 'recv' (each at most once), got '" + std::string(t[i]) + "'";
      return std::nullopt;
    }
  }
  return sc;
}

std::string Simulcast::toString() const {
  std::string out;
  if (!send.empty()) {
    out += "send ";
    appendStreams(out, send);
  }
  if (!recv.empty()) {
    if (!out.empty()) out += ' ';
    out += "recv ";
    appendStreams(out, recv);
  }
  return out;
}

}  // namespace switchyard::media::sdp
