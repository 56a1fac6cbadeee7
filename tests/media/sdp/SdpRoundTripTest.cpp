// write(parse(x)) == x for the real offers, parse(write(d)) == d for models, and how the writer
// orders lines that were added by code.
#include <catch2/catch.hpp>

#include "media/sdp/Sdp.h"
#include "tests/media/sdp/SdpTestUtil.h"

using namespace switchyard::media::sdp;
using namespace switchyard::media::sdp::test;

namespace {

SessionDescription mustParse(std::string_view text) {
  ParseResult r = parse(text);
  INFO("line " << r.line << ": " << r.error);
  REQUIRE(r.ok());
  return std::move(*r.description);
}

// A model built in code, with an empty SourceOrder: the writer uses its canonical order.
SessionDescription builtAnswer() {
  SessionDescription sd;
  sd.origin.sessionId = 4242;
  sd.origin.sessionVersion = 1;
  sd.timing.push_back({});
  sd.groups.push_back({"BUNDLE", {"0", "1"}});
  sd.iceLite = true;
  sd.msidSemantic = MsidSemantic{"WMS", {"*"}};

  MediaDescription audio;
  audio.media = "audio";
  audio.port = 40000;
  audio.formats = {"111"};
  audio.connection = Connection{"IN", "IP4", "192.0.2.1"};
  audio.mid = "0";
  audio.direction = Direction::kRecvOnly;
  audio.rtcpMux = true;
  audio.iceUfrag = "abcd";
  audio.icePwd = "abcdefghijklmnopqrstuvwx";
  audio.fingerprints.push_back(Fingerprint{"sha-256", std::vector<uint8_t>(32, 0xAB)});
  audio.setup = SetupRole::kPassive;
  Candidate c;
  c.foundation = "1";
  c.priority = 2130706431;
  c.address = "192.0.2.1";
  c.port = 40000;
  audio.candidates.push_back(c);
  audio.endOfCandidates = true;
  audio.rtpMaps.push_back({111, "opus", 48000, 2});
  audio.fmtps.push_back({111, "minptime=10;useinbandfec=1"});
  audio.rtcpFeedback.push_back({111, "transport-cc", std::nullopt});
  audio.extmaps.push_back({1, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", std::nullopt});

  MediaDescription video;
  video.media = "video";
  video.port = 40000;
  video.formats = {"96", "97"};
  video.mid = "1";
  video.direction = Direction::kRecvOnly;
  video.rtcpMux = true;
  video.rtcpRsize = true;
  video.rtpMaps.push_back({96, "VP8", 90000, std::nullopt});
  video.rtpMaps.push_back({97, "rtx", 90000, std::nullopt});
  video.fmtps.push_back({97, "apt=96"});
  video.rtcpFeedback.push_back({96, "nack", std::nullopt});
  video.rtcpFeedback.push_back({96, "nack", std::string("pli")});
  video.rtcpFeedback.push_back({std::nullopt, "goog-remb", std::nullopt});
  video.rids.push_back({"q", Rid::Direction::kRecv, {{"max-width", std::string("320")}}});
  video.rids.push_back({"f", Rid::Direction::kRecv, {}});
  Simulcast sc;
  sc.recv = {{{"q", false}}, {{"f", true}}};
  video.simulcast = sc;
  video.ssrcGroups.push_back({"FID", {1, 2}});
  video.ssrcs.push_back({1, "cname", std::string("x")});
  video.msids.push_back({"s", std::string("t")});
  video.attributes.push_back({"x-custom", std::nullopt});

  sd.media = {audio, video};
  return sd;
}

}  // namespace

TEST_CASE("write(parse(offer)) reproduces every fixture line for line", "[sdp][roundtrip]") {
  for (const auto& name : fixtureNames()) {
    INFO(name);
    const std::string text = readFixture(name);
    REQUIRE_FALSE(text.empty());
    const auto sd = mustParse(text);
    const std::string written = write(sd);
    const auto expected = crlfLines(text);
    const auto actual = crlfLines(written);
    REQUIRE(actual.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("line " << (i + 1));
      CHECK(actual[i] == expected[i]);
    }
    CHECK(written == text);  // byte for byte, CRLF included
    CHECK(mustParse(written) == sd);
  }
}

TEST_CASE("LF-only input parses the same and is written with CRLF", "[sdp][roundtrip]") {
  const std::string crlf = readFixture("chromium-audio-video-simulcast-data.sdp");
  std::string lf;
  for (const char c : crlf) {
    if (c != '\r') lf += c;
  }
  const auto a = mustParse(crlf);
  const auto b = mustParse(lf);
  CHECK(a == b);
  CHECK(write(b) == crlf);
  // No final newline at all is accepted too.
  lf.pop_back();
  CHECK(mustParse(lf) == a);
}

TEST_CASE("a model built in code round-trips through text", "[sdp][roundtrip]") {
  const auto sd = builtAnswer();
  const std::string text = write(sd);
  const auto back = mustParse(text);
  CHECK(back == sd);
  CHECK(write(back) == text);  // the order recorded on re-parse is the canonical one
  for (const auto& line : crlfLines(text))
    CHECK_FALSE(line.empty());
  CHECK(text.size() >= 2);
  CHECK(text.substr(text.size() - 2) == "\r\n");

  // Canonical order: v o s t, session attributes, then per section transport, mid, extmap,
  // direction, msid, rtcp-mux, each rtpmap with its rtcp-fb and fmtp, ssrc-group, ssrc, rid, simulcast.
  const std::string expected =
      "v=0\r\n"
      "o=- 4242 1 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0 1\r\n"
      "a=ice-lite\r\n"
      "a=msid-semantic: WMS *\r\n"
      "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n"
      "c=IN IP4 192.0.2.1\r\n"
      "a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host\r\n"
      "a=end-of-candidates\r\n"
      "a=ice-ufrag:abcd\r\n"
      "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-256 "
      "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n"
      "a=setup:passive\r\n"
      "a=mid:0\r\n"
      "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "m=video 40000 UDP/TLS/RTP/SAVPF 96 97\r\n"
      "a=mid:1\r\n"
      "a=recvonly\r\n"
      "a=msid:s t\r\n"
      "a=rtcp-mux\r\n"
      "a=rtcp-rsize\r\n"
      "a=rtpmap:96 VP8/90000\r\n"
      "a=rtcp-fb:96 nack\r\n"
      "a=rtcp-fb:96 nack pli\r\n"
      "a=rtpmap:97 rtx/90000\r\n"
      "a=fmtp:97 apt=96\r\n"
      "a=rtcp-fb:* goog-remb\r\n"
      "a=ssrc-group:FID 1 2\r\n"
      "a=ssrc:1 cname:x\r\n"
      "a=rid:q recv max-width=320\r\n"
      "a=rid:f recv\r\n"
      "a=simulcast:recv q;~f\r\n"
      "a=x-custom\r\n";
  CHECK(text == expected);
}

TEST_CASE("fields changed after parsing are written, order kept for the rest", "[sdp][roundtrip]") {
  auto sd = mustParse(readFixture("chromium-audio.sdp"));
  auto& audio = sd.media[0];
  // Answer-style edits: new ICE credentials, a new role, an extra candidate, one codec dropped.
  audio.iceUfrag = "SwYd";
  audio.setup = SetupRole::kPassive;
  Candidate c;
  c.foundation = "99";
  c.priority = 1;
  c.address = "192.0.2.50";
  c.port = 5000;
  audio.candidates.push_back(c);
  audio.endOfCandidates = true;
  audio.rtpMaps.pop_back();  // a=rtpmap:126 telephone-event/8000 (the last one)
  audio.formats.pop_back();
  audio.attributes.clear();  // a=rtcp, a=rtcp-xr

  const std::string text = write(sd);
  const auto lines = crlfLines(text);
  const auto original = crlfLines(readFixture("chromium-audio.sdp"));
  CHECK(lines.size() == original.size() + 2 - 1 - 2);
  const auto at = [&](std::string_view l) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] == l) return static_cast<long>(i);
    }
    return -1L;
  };
  CHECK(at("a=ice-ufrag:SwYd") > 0);
  CHECK(at("a=setup:passive") > at("a=ice-ufrag:SwYd"));  // same place as before
  CHECK(at("a=rtpmap:126 telephone-event/8000") == -1);
  CHECK(at("a=rtcp:9 IN IP4 0.0.0.0") == -1);
  // Lines the order did not know about come at the end of the section.
  CHECK(at("a=candidate:99 1 udp 1 192.0.2.50 5000 typ host") == static_cast<long>(lines.size()) - 2);
  CHECK(lines.back() == "a=end-of-candidates");
  CHECK(mustParse(text) == sd);
}

TEST_CASE("equality ignores line order but not content", "[sdp][roundtrip]") {
  const std::string a = minimalHeader() + "m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=rtcp-mux\r\n";
  const std::string b = minimalHeader() + "m=audio 9 RTP/AVP 0\r\na=rtcp-mux\r\na=mid:0\r\n";
  const auto da = mustParse(a);
  const auto db = mustParse(b);
  CHECK(da == db);
  CHECK(write(da) == a);
  CHECK(write(db) == b);
  auto dc = db;
  dc.media[0].rtcpMux = false;
  CHECK_FALSE(dc == da);
}

TEST_CASE("non-canonical spellings parse to the canonical model", "[sdp][roundtrip]") {
  // Extra spaces between tokens, lower-case fingerprint hex, leading zeros, simulcast recv before send.
  const std::string text =
      minimalHeader() +
      "m=video  9  UDP/TLS/RTP/SAVPF  096 \r\n"
      "a=candidate:1  1 udp 0100 192.0.2.1 9 typ host\r\n"
      "a=fingerprint:sha-1 4a:ad:b9:b1:3f:82:18:3b:54:02:12:df:3e:5d:49:6b:19:e5:7c:ab\r\n"
      "a=rid:a recv\r\n"
      "a=rid:b send\r\n"
      "a=simulcast:recv a send b\r\n"
      "a=msid-semantic:WMS\r\n";
  const auto sd = mustParse(text);
  CHECK(sd.media[0].formats == std::vector<std::string>{"096"});
  CHECK(sd.media[0].payloadTypes() == std::vector<uint8_t>{96});
  CHECK(sd.media[0].candidates[0].priority == 100);
  CHECK(sd.media[0].fingerprints[0].bytes[0] == 0x4A);
  const std::string written = write(sd);
  CHECK(written.find("a=candidate:1 1 udp 100 192.0.2.1 9 typ host\r\n") != std::string::npos);
  CHECK(written.find("a=fingerprint:sha-1 4A:AD:B9") != std::string::npos);
  CHECK(written.find("a=simulcast:send b recv a\r\n") != std::string::npos);
  CHECK(written.find("a=msid-semantic:WMS\r\n") != std::string::npos);  // media-level: kept verbatim
  CHECK(mustParse(written) == sd);
}
