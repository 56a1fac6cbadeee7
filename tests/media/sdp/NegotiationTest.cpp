// JSEP answers (RFC 8829 section 5.3.1) to the real Chromium offers of tests/fixtures/sdp and to
// edited copies of them: codec choice, RTX (RFC 4588), telephone-event, header extensions (RFC
// 8285), BUNDLE (RFC 8843), DTLS setup (RFC 5763 section 5), subscriptions and refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "media/sdp/CodecMatch.h"
#include "media/sdp/Negotiation.h"
#include "media/sdp/Sdp.h"
#include "tests/media/sdp/SdpTestUtil.h"

using namespace switchyard::media::sdp;
using switchyard::media::rtp::RtpExtension;
using switchyard::media::sdp::test::crlfLines;
using switchyard::media::sdp::test::fixtureNames;
using switchyard::media::sdp::test::readFixture;
using Role = MediaAnswer::Role;

namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

// Drops every line that starts with `prefix`.
std::string removeLines(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const auto& line : crlfLines(text)) {
    if (line.rfind(prefix, 0) == 0) continue;
    out += line + "\r\n";
  }
  return out;
}

// A subscriber's offer made from a publisher's: recvonly, without a=ssrc / a=ssrc-group / a=msid.
std::string asRecvOnly(const std::string& text) {
  std::string out =
      replaceAll(replaceAll(text, "a=sendrecv\r\n", "a=recvonly\r\n"), "a=sendonly\r\n", "a=recvonly\r\n");
  for (const char* prefix : {"a=ssrc:", "a=ssrc-group:", "a=msid:", "a=rid:", "a=simulcast:"})
    out = removeLines(out, prefix);
  return out;
}

// Moves payload type `pt` to the front of the audio/video m= lines that list it.
std::string preferPayloadType(const std::string& text, const std::string& pt) {
  std::string out;
  for (const auto& line : crlfLines(text)) {
    if (line.rfind("m=video", 0) != 0 && line.rfind("m=audio", 0) != 0) {
      out += line + "\r\n";
      continue;
    }
    std::vector<std::string> fields;  // m=<media> <port> <proto> <fmt>...
    std::istringstream in(line);
    for (std::string f; in >> f;)
      fields.push_back(f);
    const auto at = std::find(fields.begin() + 3, fields.end(), pt);
    if (at != fields.end()) std::rotate(fields.begin() + 3, at, at + 1);
    std::string rebuilt;
    for (const auto& f : fields)
      rebuilt += (rebuilt.empty() ? "" : " ") + f;
    out += rebuilt + "\r\n";
  }
  return out;
}

SessionDescription parseOrFail(const std::string& text) {
  auto result = parse(text);
  INFO("line " << result.line << ": " << result.error);
  REQUIRE(result);
  return std::move(*result.description);
}

LocalTransport local() {
  LocalTransport l;
  l.iceUfrag = "sw1d";
  l.icePwd = "aaaabbbbccccddddeeeeffff";
  l.fingerprint.hashFunction = "sha-256";
  for (uint8_t i = 0; i < 32; ++i)
    l.fingerprint.bytes.push_back(i);
  Candidate tcp;  // given first: the answer still lists UDP first
  tcp.foundation = "tcp1";
  tcp.transport = "tcp";
  tcp.priority = 1518280447;
  tcp.address = "192.0.2.10";
  tcp.port = 3478;
  l.candidates.push_back(tcp);
  Candidate udp;
  udp.foundation = "udp1";
  udp.priority = 2122260223;
  udp.address = "192.0.2.10";
  udp.port = 40000;
  l.candidates.push_back(udp);
  return l;
}

const SubscriptionLookup kNoSubscriptions = [](std::string_view) {
  return std::optional<SubscriptionSource>();
};

Answer answerText(const std::string& offer, const SubscriptionLookup& lookup = kNoSubscriptions,
                  const NegotiationOptions& options = {}) {
  return answerOffer(parseOrFail(offer), local(), lookup, 4242, 7, options);
}

// write -> parse gives back an equal description, and writing that again gives the same text.
void requireRoundTrip(const Answer& answer) {
  const std::string text = write(answer.description);
  const auto reparsed = parse(text);
  INFO(text);
  INFO("line " << reparsed.line << ": " << reparsed.error);
  REQUIRE(reparsed);
  CHECK(*reparsed.description == answer.description);
  CHECK(write(*reparsed.description) == text);
}

std::vector<std::string> fbStrings(const std::vector<RtcpFeedback>& list) {
  std::vector<std::string> out;
  for (const auto& fb : list)
    out.push_back(fb.toString());
  return out;
}

std::vector<std::string> extmapStrings(const MediaDescription& m) {
  std::vector<std::string> out;
  for (const auto& e : m.extmaps)
    out.push_back(e.toString());
  return out;
}

const PublishedTrack& publishedAt(const Answer& a, size_t i) {
  REQUIRE(a.media.size() > i);
  REQUIRE(a.media[i].role == Role::kPublish);
  REQUIRE(a.media[i].published);
  return *a.media[i].published;
}

// Publishes `offerText` and returns the track of section `index` (stored for later subscriptions).
PublishedTrack publishTrack(const std::string& offerText, size_t index) {
  return publishedAt(answerText(offerText), index);
}

SubscriptionLookup subscribeTo(const PublishedTrack& track, uint32_t ssrc = 5000, uint32_t rtxSsrc = 5001) {
  return [&track, ssrc, rtxSsrc](std::string_view) -> std::optional<SubscriptionSource> {
    return SubscriptionSource{&track, ssrc, rtxSsrc, "peerA", "t9", "swcname"};
  };
}

}  // namespace

TEST_CASE("answer to Chromium's audio offer, line by line", "[negotiation]") {
  const Answer a = answerText(readFixture("chromium-audio.sdp"));
  // RFC 8829 section 5.3.1: session lines, then the one bundled section; opus (111) with
  // telephone-event/48000 (110), the four supported extensions with the offer's ids, the offer's
  // transport-cc feedback, useinbandfec and usedtx (RFC 7587 section 7) added to the offer's fmtp.
  const std::string expected =
      "v=0\r\n"
      "o=- 4242 7 IN IP4 0.0.0.0\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=ice-lite\r\n"
      "a=group:BUNDLE 0\r\n"
      "a=msid-semantic: WMS *\r\n"
      "a=extmap-allow-mixed\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 110\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=candidate:udp1 1 udp 2122260223 192.0.2.10 40000 typ host\r\n"
      "a=candidate:tcp1 1 tcp 1518280447 192.0.2.10 3478 typ host tcptype passive\r\n"
      "a=end-of-candidates\r\n"
      "a=ice-ufrag:sw1d\r\n"
      "a=ice-pwd:aaaabbbbccccddddeeeeffff\r\n"
      "a=fingerprint:sha-256 "
      "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n"
      "a=setup:passive\r\n"
      "a=mid:0\r\n"
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtcp-rsize\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n"
      "a=rtpmap:110 telephone-event/48000\r\n";
  CHECK(write(a.description) == expected);
  requireRoundTrip(a);

  const PublishedTrack& t = publishedAt(a, 0);
  CHECK(t.mid == "0");
  CHECK(t.kind == MediaKind::kAudio);
  CHECK(t.codec.name == "opus");
  CHECK(t.codec.payloadType == 111);
  CHECK(t.codec.clockRate == 48000);
  CHECK(t.codec.channels == 2);
  CHECK(t.codec.fmtp == "minptime=10;useinbandfec=1");  // the offer's text
  CHECK_FALSE(t.codec.rtxPayloadType);
  CHECK(t.codec.dtmfPayloadType == 110);
  CHECK(fbStrings(t.codec.feedback) == std::vector<std::string>{"111 transport-cc"});
  CHECK(t.extensions[RtpExtension::kAudioLevel] == 1);
  CHECK(t.extensions[RtpExtension::kAbsSendTime] == 2);
  CHECK(t.extensions[RtpExtension::kTransportCc] == 3);
  CHECK(t.extensions[RtpExtension::kMid] == 4);
  CHECK_FALSE(t.extensions.has(RtpExtension::kRid));
  CHECK(t.ssrcs == std::vector<uint32_t>{3533378645u});
  CHECK(t.rtxSsrcs.empty());
  CHECK(t.cname == "48ix8FjhBIRxy5Fn");
  REQUIRE(t.msid);
  CHECK(t.msid->streamId == "354b6cbb-4b22-496d-bbd7-21d01d8876c0");
  CHECK(t.msid->trackId == "8ef2039e-74c9-40af-bbf5-b94a598b40f6");
  CHECK(t.rids.empty());
  CHECK(a.media[0].reason.empty());
}

TEST_CASE("answer to Chromium's video offer: VP8 and its rtx", "[negotiation]") {
  const Answer a = answerText(readFixture("chromium-video.sdp"));
  requireRoundTrip(a);
  const auto& m = a.description.media.at(0);
  CHECK(m.formats == std::vector<std::string>{"96", "97"});
  CHECK(m.direction == Direction::kRecvOnly);
  REQUIRE(m.rtpMaps.size() == 2);
  CHECK(m.rtpMaps[0].toString() == "96 VP8/90000");
  CHECK(m.rtpMaps[1].toString() == "97 rtx/90000");
  REQUIRE(m.fmtps.size() == 1);
  CHECK(m.fmtps[0].toString() == "97 apt=96");
  // goog-remb is not answered: the server does not send REMB.
  CHECK(fbStrings(m.rtcpFeedback) ==
        std::vector<std::string>{"96 transport-cc", "96 ccm fir", "96 nack", "96 nack pli"});
  // toffset, playout-delay, video-content-type, video-timing, color-space are not answered.
  CHECK(extmapStrings(m) == std::vector<std::string>{
                                "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                                "3 urn:3gpp:video-orientation",
                                "4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                                "9 urn:ietf:params:rtp-hdrext:sdes:mid",
                                "10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                                "11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
                            });
  CHECK(m.ssrcs.empty());
  CHECK(m.msids.empty());

  const PublishedTrack& t = publishedAt(a, 0);
  CHECK(t.kind == MediaKind::kVideo);
  CHECK(t.codec.name == "VP8");
  CHECK(t.codec.payloadType == 96);
  CHECK(t.codec.rtxPayloadType == 97);
  CHECK_FALSE(t.codec.dtmfPayloadType);
  CHECK(t.codec.channels == 1);
  CHECK(t.codec.fmtp.empty());
  CHECK(t.codec.feedback == m.rtcpFeedback);
  CHECK(t.extensions[RtpExtension::kVideoOrientation] == 3);
  CHECK(t.extensions[RtpExtension::kMid] == 9);
  CHECK(t.extensions[RtpExtension::kRid] == 10);
  CHECK(t.extensions[RtpExtension::kRepairedRid] == 11);
  CHECK(t.ssrcs == std::vector<uint32_t>{1535846634u});
  CHECK(t.rtxSsrcs == std::vector<uint32_t>{151316549u});
  CHECK(t.cname == "JB1OhOToF/Nw2Dm1");
  REQUIRE(t.msid);
  CHECK(t.msid->trackId == "b4eb6260-e2ce-4fc2-b6b0-ac71481cb547");
}

TEST_CASE("simulcast offer: rids recorded, answered without a=simulcast and a=rid", "[negotiation]") {
  const Answer a = answerText(readFixture("chromium-audio-video-simulcast.sdp"));
  requireRoundTrip(a);
  REQUIRE(a.media.size() == 2);
  CHECK(publishedAt(a, 0).codec.name == "opus");
  const PublishedTrack& v = publishedAt(a, 1);
  CHECK(v.rids == std::vector<std::string>{"q", "h", "f"});
  CHECK(v.ssrcs.empty());  // rid-based: the SSRCs are learnt from the packets (mid/rid extensions)
  CHECK(v.codec.payloadType == 96);
  REQUIRE(v.msid);
  CHECK(v.msid->trackId == "bc681fe5-52fd-4313-af22-1c3886e736c1");
  const auto& m = a.description.media[1];
  CHECK(m.rids.empty());
  CHECK_FALSE(m.simulcast);
  const std::string text = write(a.description);
  CHECK(text.find("a=simulcast") == std::string::npos);
  CHECK(text.find("a=rid") == std::string::npos);
  // Both published sections are bundled, in offer order.
  REQUIRE(a.description.bundleGroup());
  CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0", "1"});
}

TEST_CASE("codec forcing: the first supported payload type of the m= line wins", "[negotiation]") {
  const std::string video = readFixture("chromium-video.sdp");
  struct Case {
    std::string first;
    std::string name;
    uint8_t pt;
    std::optional<uint8_t> rtx;
    std::string fmtp;
  };
  const std::vector<Case> cases = {
      {"102", "H264", 102, 103, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
      // 104 is H264 packetization-mode=0 (RFC 6184 single NAL unit mode): skipped, VP8 comes next.
      {"104", "VP8", 96, 97, ""},
      {"98", "VP9", 98, 99, "profile-id=0"},
      {"100", "VP9", 100, 101, "profile-id=2"},
      {"45", "AV1", 45, 46, "level-idx=5;profile=0;tier=0"},
      // rtx, red and ulpfec are never chosen as the media codec.
      {"97", "VP8", 96, 97, ""},
      {"118", "VP8", 96, 97, ""},
      {"120", "VP8", 96, 97, ""},
  };
  for (const auto& c : cases) {
    INFO("first payload type " << c.first);
    const Answer a = answerText(preferPayloadType(video, c.first));
    requireRoundTrip(a);
    const PublishedTrack& t = publishedAt(a, 0);
    CHECK(t.codec.name == c.name);
    CHECK(t.codec.payloadType == c.pt);
    CHECK(t.codec.rtxPayloadType == c.rtx);
    CHECK(t.codec.fmtp == c.fmtp);
    const auto& m = a.description.media[0];
    REQUIRE(m.formats.size() == 2);
    CHECK(m.formats[0] == std::to_string(c.pt));
    if (!c.fmtp.empty()) {
      REQUIRE(m.findFmtp(c.pt));
      CHECK(m.findFmtp(c.pt)->parameters == c.fmtp);  // the offer's fmtp, echoed
    }
  }

  SECTION("AV1X (older Chromium) counts as AV1") {
    const Answer a = answerText(replaceAll(preferPayloadType(video, "45"), "45 AV1/90000", "45 AV1X/90000"));
    CHECK(publishedAt(a, 0).codec.name == "AV1X");
  }
  SECTION("audio: PCMU first, with telephone-event/8000") {
    const Answer a = answerText(preferPayloadType(readFixture("chromium-audio.sdp"), "0"));
    const PublishedTrack& t = publishedAt(a, 0);
    CHECK(t.codec.name == "PCMU");
    CHECK(t.codec.clockRate == 8000);
    CHECK(t.codec.channels == 1);
    CHECK(t.codec.dtmfPayloadType == 126);  // telephone-event/8000, not the /48000 one
    CHECK(a.description.media[0].formats == std::vector<std::string>{"0", "126"});
    CHECK(a.description.media[0].fmtps.empty());
  }
  SECTION("audio: G722 first is skipped (not supported), opus follows") {
    const Answer a = answerText(preferPayloadType(readFixture("chromium-audio.sdp"), "9"));
    CHECK(publishedAt(a, 0).codec.name == "opus");
  }
}

TEST_CASE("opus fmtp follows the options", "[negotiation]") {
  const std::string audio = readFixture("chromium-audio.sdp");
  const auto fmtpOf = [&](const NegotiationOptions& o, const std::string& offer) {
    const Answer a = answerText(offer, kNoSubscriptions, o);
    requireRoundTrip(a);
    const auto* f = a.description.media[0].findFmtp(111);
    return f ? f->parameters : std::string("<none>");
  };
  NegotiationOptions both;
  NegotiationOptions none;
  none.opusDtx = false;
  none.opusInbandFec = false;
  NegotiationOptions fecOnly;
  fecOnly.opusDtx = false;
  CHECK(fmtpOf(both, audio) == "minptime=10;useinbandfec=1;usedtx=1");
  CHECK(fmtpOf(fecOnly, audio) == "minptime=10;useinbandfec=1");  // unchanged: echoed as offered
  CHECK(fmtpOf(none, audio) == "minptime=10");
  const std::string zeros =
      replaceAll(audio, "minptime=10;useinbandfec=1", "useinbandfec=0;usedtx=0;stereo=1");
  CHECK(fmtpOf(both, zeros) == "stereo=1;useinbandfec=1;usedtx=1");
  const std::string noFmtp = removeLines(audio, "a=fmtp:111");
  CHECK(fmtpOf(both, noFmtp) == "useinbandfec=1;usedtx=1");
  CHECK(fmtpOf(none, noFmtp) == "<none>");
}

TEST_CASE("data channel sections are answered with the server's sctp-port and max-message-size",
          "[negotiation]") {
  SECTION("data only: the application section is the BUNDLE tag") {
    const Answer a = answerText(readFixture("chromium-data.sdp"));
    requireRoundTrip(a);
    REQUIRE(a.media.size() == 1);
    CHECK(a.media[0].role == Role::kDataChannel);
    CHECK(a.media[0].kind == MediaKind::kApplication);
    CHECK(a.media[0].mid == "0");
    REQUIRE(a.media[0].dataChannel);
    CHECK(a.media[0].dataChannel->remotePort == 5000);
    CHECK(a.media[0].dataChannel->remoteMaxMessageSize == 262144);
    REQUIRE(a.description.bundleGroup());
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0"});
    const std::string text = write(a.description);
    CHECK(text.find("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n") != std::string::npos);
    CHECK(text.find("a=sctp-port:5000\r\n") != std::string::npos);
    CHECK(text.find("a=max-message-size:262144\r\n") != std::string::npos);
    CHECK(text.find("a=setup:passive\r\n") != std::string::npos);
    CHECK(text.find("a=candidate") != std::string::npos);
    CHECK(text.find("a=rtcp-mux") == std::string::npos);
    CHECK(text.find("a=sendrecv") == std::string::npos);
  }
  SECTION("audio, simulcast video and a data channel") {
    const Answer a = answerText(readFixture("chromium-audio-video-simulcast-data.sdp"));
    requireRoundTrip(a);
    REQUIRE(a.media.size() == 3);
    CHECK(a.media[0].role == Role::kPublish);
    CHECK(a.media[1].role == Role::kPublish);
    CHECK(a.media[2].role == Role::kDataChannel);
    REQUIRE(a.description.bundleGroup());
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0", "1", "2"});
    const auto& m = a.description.media[2];
    CHECK(m.port == 9);
    CHECK(m.proto == "UDP/DTLS/SCTP");
    CHECK(m.formats == std::vector<std::string>{"webrtc-datachannel"});
    CHECK(m.sctpPort == 5000);
    CHECK(m.maxMessageSize == 262144);
  }
  SECTION("a second application section, the legacy form, and disabled data channels are rejected") {
    std::string offer = readFixture("chromium-data.sdp");
    const auto pos = offer.find("m=application");
    REQUIRE(pos != std::string::npos);
    std::string section = offer.substr(pos);
    std::string second = section;
    const auto mid = second.find("a=mid:0");
    REQUIRE(mid != std::string::npos);
    second.replace(mid, 7, "a=mid:1");
    std::string twice = offer + second;
    const auto group = twice.find("a=group:BUNDLE 0");
    REQUIRE(group != std::string::npos);
    twice.replace(group, 16, "a=group:BUNDLE 0 1");
    const Answer a = answerText(twice);
    REQUIRE(a.media.size() == 2);
    CHECK(a.media[0].role == Role::kDataChannel);
    CHECK(a.media[1].role == Role::kRejected);
    CHECK(a.media[1].reason == "only one data channel section is supported");

    std::string legacy = offer;
    const auto proto = legacy.find("UDP/DTLS/SCTP webrtc-datachannel");
    legacy.replace(proto, 32, "DTLS/SCTP 5000");
    const Answer l = answerText(legacy);
    CHECK(l.media[0].role == Role::kRejected);

    NegotiationOptions off;
    off.dataChannels = false;
    const Answer d = answerText(offer, kNoSubscriptions, off);
    CHECK(d.media[0].role == Role::kRejected);
    CHECK(d.media[0].reason == "data channels are disabled on this server");
  }
}

TEST_CASE("every fixture's answer parses and round-trips", "[negotiation]") {
  for (const auto& name : fixtureNames()) {
    INFO(name);
    const std::string text = readFixture(name);
    const Answer a = answerText(text);
    requireRoundTrip(a);
    // And the same offer as a subscriber (recvonly, nothing subscribed).
    const Answer s = answerText(asRecvOnly(text));
    requireRoundTrip(s);
    for (const auto& m : s.media)
      CHECK(m.role != Role::kPublish);
  }
}

TEST_CASE("a recvonly section subscribed to a track gets the subscriber's payload types", "[negotiation]") {
  const std::string video = readFixture("chromium-video.sdp");
  const PublishedTrack source = publishTrack(video, 0);  // VP8 96 + rtx 97
  // The subscriber's browser numbers VP8 35 (rtx 97 stays: its apt now points at 35).
  std::string sub = asRecvOnly(video);
  sub = replaceAll(sub, "UDP/TLS/RTP/SAVPF 96 ", "UDP/TLS/RTP/SAVPF 35 ");
  sub = replaceAll(sub, "a=rtpmap:96 ", "a=rtpmap:35 ");
  sub = replaceAll(sub, "a=rtcp-fb:96 ", "a=rtcp-fb:35 ");
  sub = replaceAll(sub, "apt=96", "apt=35");
  sub = replaceAll(sub, "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid",
                   "a=extmap:12 urn:ietf:params:rtp-hdrext:sdes:mid");

  const Answer a = answerText(sub, subscribeTo(source, 5000, 5001));
  requireRoundTrip(a);
  REQUIRE(a.media.size() == 1);
  REQUIRE(a.media[0].role == Role::kSubscribe);
  REQUIRE(a.media[0].subscribed);
  const SubscribedTrack& s = *a.media[0].subscribed;
  CHECK(s.mid == "0");
  CHECK(s.payloadType == 35);
  CHECK(s.rtxPayloadType == 97);
  CHECK_FALSE(s.dtmfPayloadType);
  CHECK(s.ssrc == 5000);
  CHECK(s.rtxSsrc == 5001);
  CHECK(s.extensions[RtpExtension::kMid] == 12);  // the subscriber's id, not the publisher's 9
  CHECK(s.extensions[RtpExtension::kAbsSendTime] == 2);
  CHECK(s.extensions[RtpExtension::kTransportCc] == 4);
  CHECK(s.extensions[RtpExtension::kVideoOrientation] == 3);
  CHECK_FALSE(s.extensions.has(RtpExtension::kRid));  // the server sends one stream: no rid
  CHECK_FALSE(s.extensions.has(RtpExtension::kRepairedRid));
  CHECK(fbStrings(s.feedback) ==
        std::vector<std::string>{"35 transport-cc", "35 ccm fir", "35 nack", "35 nack pli"});

  const auto& m = a.description.media[0];
  CHECK(m.direction == Direction::kSendOnly);
  CHECK(m.formats == std::vector<std::string>{"35", "97"});
  CHECK(m.rtpMaps[0].toString() == "35 VP8/90000");
  REQUIRE(m.findFmtp(97));
  CHECK(m.findFmtp(97)->parameters == "apt=35");
  const std::string text = write(a.description);
  CHECK(text.find("a=msid:peerA t9\r\n") != std::string::npos);
  CHECK(text.find("a=ssrc-group:FID 5000 5001\r\n"
                  "a=ssrc:5000 cname:swcname\r\n"
                  "a=ssrc:5000 msid:peerA t9\r\n"
                  "a=ssrc:5001 cname:swcname\r\n"
                  "a=ssrc:5001 msid:peerA t9\r\n") != std::string::npos);
  CHECK(text.find("rtp-stream-id") == std::string::npos);
  CHECK(text.find("a=rid") == std::string::npos);

  SECTION("rtxSsrc 0: RTX is not negotiated") {
    const Answer b = answerText(sub, subscribeTo(source, 6000, 0));
    requireRoundTrip(b);
    REQUIRE(b.media[0].subscribed);
    CHECK_FALSE(b.media[0].subscribed->rtxPayloadType);
    CHECK(b.media[0].subscribed->rtxSsrc == 0);
    CHECK(b.description.media[0].formats == std::vector<std::string>{"35"});
    CHECK(b.description.media[0].ssrcGroups.empty());
    CHECK(b.description.media[0].ssrcs.size() == 2);
  }
  SECTION("the subscriber offers no rtx: none in the answer, no FID group") {
    std::string noRtx = removeLines(sub, "a=fmtp:97 ");
    const Answer b = answerText(noRtx, subscribeTo(source));
    requireRoundTrip(b);
    REQUIRE(b.media[0].subscribed);
    CHECK_FALSE(b.media[0].subscribed->rtxPayloadType);
    CHECK(b.media[0].subscribed->rtxSsrc == 0);
    CHECK(b.description.media[0].ssrcGroups.empty());
  }
}

TEST_CASE("audio subscription with telephone-event on both sides", "[negotiation]") {
  const std::string audio = readFixture("chromium-audio.sdp");
  const PublishedTrack source = publishTrack(audio, 0);
  REQUIRE(source.codec.dtmfPayloadType == 110);
  const Answer a = answerText(asRecvOnly(audio), subscribeTo(source, 77, 78));
  requireRoundTrip(a);
  REQUIRE(a.media[0].subscribed);
  const SubscribedTrack& s = *a.media[0].subscribed;
  CHECK(s.payloadType == 111);
  CHECK(s.dtmfPayloadType == 110);
  CHECK_FALSE(s.rtxPayloadType);
  CHECK(s.rtxSsrc == 0);
  CHECK(s.extensions[RtpExtension::kAudioLevel] == 1);
  const auto& m = a.description.media[0];
  CHECK(m.formats == std::vector<std::string>{"111", "110"});
  REQUIRE(m.findFmtp(111));
  CHECK(m.findFmtp(111)->parameters == "minptime=10;useinbandfec=1");  // the subscriber's text
  CHECK(m.ssrcGroups.empty());
  CHECK(m.ssrcs.size() == 2);

  SECTION("a publisher without telephone-event: none for the subscriber") {
    PublishedTrack noDtmf = source;
    noDtmf.codec.dtmfPayloadType.reset();
    const Answer b = answerText(asRecvOnly(audio), subscribeTo(noDtmf));
    REQUIRE(b.media[0].subscribed);
    CHECK_FALSE(b.media[0].subscribed->dtmfPayloadType);
    CHECK(b.description.media[0].formats == std::vector<std::string>{"111"});
  }
}

TEST_CASE("subscriptions answered inactive", "[negotiation]") {
  const std::string video = readFixture("chromium-video.sdp");
  const std::string sub = asRecvOnly(video);

  const auto requireInactive = [](const Answer& a, const std::string& reason) {
    requireRoundTrip(a);
    REQUIRE(a.media.size() == 1);
    CHECK(a.media[0].role == Role::kInactive);
    CHECK(a.media[0].reason == reason);
    CHECK_FALSE(a.media[0].subscribed);
    const auto& m = a.description.media[0];
    CHECK(m.port == 9);
    CHECK(m.direction == Direction::kInactive);
    CHECK(m.formats == std::vector<std::string>{"96"});  // the offer's first codec, minimal
    REQUIRE(m.rtpMaps.size() == 1);
    CHECK(m.rtpMaps[0].toString() == "96 VP8/90000");
    CHECK(m.ssrcs.empty());
    CHECK(m.msids.empty());
    CHECK(m.extmaps.empty());
    REQUIRE(a.description.bundleGroup());  // inactive sections stay bundled
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0"});
  };

  SECTION("unknown mid") {
    requireInactive(answerText(sub), "no subscription for mid 0");
  }
  SECTION("no lookup at all") {
    requireInactive(answerText(sub, SubscriptionLookup{}), "no subscription for mid 0");
  }
  SECTION("a source without a track") {
    const SubscriptionLookup empty = [](std::string_view) {
      return std::optional<SubscriptionSource>(SubscriptionSource{});
    };
    requireInactive(answerText(sub, empty), "no subscription for mid 0");
  }
  SECTION("H264 profile mismatch") {
    // Published: H264 Main (4d001f, payload type 116). The subscriber offers H264 only as
    // Constrained Baseline (42e01f) and Baseline (42001f).
    const PublishedTrack source = publishTrack(preferPayloadType(video, "116"), 0);
    REQUIRE(source.codec.name == "H264");
    std::string noMain = sub;
    noMain = replaceAll(noMain, "profile-level-id=4d001f", "profile-level-id=42c01f");
    requireInactive(answerText(noMain, subscribeTo(source)), "subscriber does not support H264");
  }
  SECTION("VP9 profile mismatch") {
    const PublishedTrack source = publishTrack(preferPayloadType(video, "100"), 0);  // VP9 profile 2
    REQUIRE(source.codec.fmtp == "profile-id=2");
    const std::string noProfile2 = replaceAll(sub, "a=fmtp:100 profile-id=2", "a=fmtp:100 profile-id=1");
    requireInactive(answerText(noProfile2, subscribeTo(source)), "subscriber does not support VP9");
  }
  SECTION("audio track for a video section") {
    const PublishedTrack source = publishTrack(readFixture("chromium-audio.sdp"), 0);
    requireInactive(answerText(sub, subscribeTo(source)), "mid 0 is video but the track is audio");
  }
}

TEST_CASE("H264 subscriptions match on packetization-mode and profile", "[negotiation]") {
  const std::string video = readFixture("chromium-video.sdp");
  const std::string sub = asRecvOnly(video);
  // Published Constrained Baseline 42e01f at 108: the subscriber's 102 (42001f, Baseline) has a
  // different profile-iop, 114 (42e01f) has packetization-mode 0; 108 matches.
  const PublishedTrack cb = publishTrack(preferPayloadType(video, "108"), 0);
  const Answer a = answerText(sub, subscribeTo(cb));
  requireRoundTrip(a);
  REQUIRE(a.media[0].subscribed);
  CHECK(a.media[0].subscribed->payloadType == 108);
  CHECK(a.media[0].subscribed->rtxPayloadType == 109);
  const auto& m = a.description.media[0];
  REQUIRE(m.findFmtp(108));
  CHECK(m.findFmtp(108)->parameters ==
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");

  // The subscriber numbers it differently and writes the profile in upper case: still a match.
  std::string renumbered = replaceAll(sub, "profile-level-id=42e01f", "profile-level-id=42E01F");
  renumbered = replaceAll(renumbered, " 108 ", " 123 ");
  renumbered = replaceAll(renumbered, ":108 ", ":123 ");
  renumbered = replaceAll(renumbered, "apt=108", "apt=123");
  const Answer b = answerText(renumbered, subscribeTo(cb));
  requireRoundTrip(b);
  REQUIRE(b.media[0].subscribed);
  CHECK(b.media[0].subscribed->payloadType == 123);
  CHECK(b.media[0].subscribed->rtxPayloadType == 109);
}

TEST_CASE("codec matching rules", "[negotiation]") {
  // RFC 6184 section 8.1: profile_idc + profile-iop; absent profile-level-id = 42000a.
  CHECK(h264Profile(std::string_view("42e01f")) == "42e0");
  CHECK(h264Profile(std::string_view("4D001F")) == "4d00");
  CHECK(h264Profile(std::nullopt) == "4200");
  CHECK(h264Profile(std::string_view("42")) == "42");

  const auto codec = [](std::string name, uint32_t rate, std::optional<uint32_t> ch, std::string fmtp) {
    Codec c;
    c.name = std::move(name);
    c.clockRate = rate;
    c.channels = ch;
    Fmtp f;
    f.parameters = fmtp;
    c.fmtp = fmtp;
    c.parameters = f.parameterList();
    return c;
  };
  const auto source = [](std::string name, uint32_t rate, uint32_t ch, std::string fmtp) {
    NegotiatedCodec n;
    n.name = std::move(name);
    n.clockRate = rate;
    n.channels = ch;
    n.fmtp = std::move(fmtp);
    return n;
  };
  CHECK(codecsMatch(source("opus", 48000, 2, "minptime=10"), codec("OPUS", 48000, 2, "")));
  CHECK_FALSE(codecsMatch(source("opus", 48000, 2, ""), codec("opus", 48000, 1, "")));
  CHECK_FALSE(codecsMatch(source("opus", 48000, 2, ""), codec("opus", 16000, 2, "")));
  CHECK(codecsMatch(source("PCMU", 8000, 1, ""), codec("pcmu", 8000, std::nullopt, "")));
  CHECK(codecsMatch(source("VP8", 90000, 1, ""), codec("vp8", 90000, std::nullopt, "")));
  CHECK_FALSE(codecsMatch(source("VP8", 90000, 1, ""), codec("VP9", 90000, std::nullopt, "")));
  CHECK(codecsMatch(source("VP9", 90000, 1, ""), codec("VP9", 90000, std::nullopt, "profile-id=0")));
  CHECK_FALSE(codecsMatch(source("VP9", 90000, 1, "profile-id=2"), codec("VP9", 90000, std::nullopt, "")));
  CHECK(codecsMatch(source("AV1", 90000, 1, "profile=0"), codec("AV1X", 90000, std::nullopt, "")));
  CHECK_FALSE(
      codecsMatch(source("AV1", 90000, 1, "profile=1"), codec("AV1", 90000, std::nullopt, "profile=0")));
  const std::string cb = "packetization-mode=1;profile-level-id=42e01f";
  CHECK(codecsMatch(source("H264", 90000, 1, cb),
                    codec("H264", 90000, std::nullopt, "profile-level-id=42e034;packetization-mode=1")));
  CHECK_FALSE(codecsMatch(source("H264", 90000, 1, cb),
                          codec("H264", 90000, std::nullopt, "profile-level-id=42e01f")));
  CHECK_FALSE(
      codecsMatch(source("H264", 90000, 1, cb),
                  codec("H264", 90000, std::nullopt, "packetization-mode=1;profile-level-id=42c01f")));
  CHECK(codecsMatch(source("H264", 90000, 1, "packetization-mode=1"),
                    codec("H264", 90000, std::nullopt, "packetization-mode=1;profile-level-id=42000b")));

  Codec pcmu = codec("PCMU", 8000, std::nullopt, "");
  CHECK(isSupportedCodec(MediaKind::kAudio, pcmu));
  CHECK_FALSE(isSupportedCodec(MediaKind::kVideo, pcmu));
  CHECK_FALSE(isSupportedCodec(MediaKind::kAudio, codec("opus", 48000, 1, "")));
  CHECK_FALSE(isSupportedCodec(MediaKind::kAudio, codec("G722", 8000, std::nullopt, "")));
  CHECK_FALSE(
      isSupportedCodec(MediaKind::kVideo, codec("H264", 90000, std::nullopt, "profile-level-id=42e01f")));
  CHECK(isSupportedCodec(MediaKind::kVideo, codec("h264", 90000, std::nullopt, "packetization-mode=1")));
  CHECK_FALSE(isSupportedCodec(MediaKind::kVideo, codec("VP8", 8000, std::nullopt, "")));
}

TEST_CASE("a=setup: passive to actpass and active, active to passive", "[negotiation]") {
  const std::string audio = readFixture("chromium-audio.sdp");
  const auto setupOf = [&](const std::string& offered) {
    const Answer a = answerText(replaceAll(audio, "a=setup:actpass", "a=setup:" + offered));
    requireRoundTrip(a);
    return a.description.media[0].setup;
  };
  CHECK(setupOf("actpass") == SetupRole::kPassive);
  CHECK(setupOf("active") == SetupRole::kPassive);
  CHECK(setupOf("passive") == SetupRole::kActive);
  CHECK_THROWS_AS(setupOf("holdconn"), NegotiationError);
  // No a=setup at all: taken as actpass.
  const Answer none = answerText(removeLines(audio, "a=setup:"));
  CHECK(none.description.media[0].setup == SetupRole::kPassive);

  const RemoteTransport r =
      remoteTransport(parseOrFail(replaceAll(audio, "a=setup:actpass", "a=setup:passive")));
  CHECK(r.iceUfrag == "dk+o");
  CHECK(r.icePwd == "BuBBBjYNTI6k/7ybLX2UYHWM");
  CHECK(r.fingerprint.hashFunction == "sha-256");
  CHECK(r.fingerprint.bytes.size() == 32);
  CHECK(r.fingerprint.bytes[0] == 0x54);
  CHECK(r.setup == SetupRole::kPassive);
}

TEST_CASE("remoteTransport: session-level attributes and bundled sections", "[negotiation]") {
  const std::string all = readFixture("chromium-audio-video-simulcast-data.sdp");
  const RemoteTransport r = remoteTransport(parseOrFail(all));
  CHECK(r.iceUfrag == "Xfiz");
  CHECK(r.setup == SetupRole::kActPass);

  // Session-level ufrag/pwd/fingerprint (RFC 8839 section 5.4 allows both levels).
  std::string sessionLevel = removeLines(all, "a=ice-ufrag:");
  sessionLevel = removeLines(sessionLevel, "a=ice-pwd:");
  sessionLevel = removeLines(sessionLevel, "a=fingerprint:");
  sessionLevel = replaceAll(
      sessionLevel, "a=extmap-allow-mixed\r\n",
      "a=extmap-allow-mixed\r\na=ice-ufrag:Sess\r\na=ice-pwd:sessionpasswordsessionpwd\r\n"
      "a=fingerprint:sha-256 "
      "21:C4:C8:07:08:66:73:98:1A:CC:83:05:C9:00:FA:C1:5E:C3:CA:1F:34:99:7E:77:89:39:E8:B0:6E:E8:C6:B2\r\n");
  const RemoteTransport s = remoteTransport(parseOrFail(sessionLevel));
  CHECK(s.iceUfrag == "Sess");
  CHECK(s.icePwd == "sessionpasswordsessionpwd");
  CHECK(s.fingerprint.bytes[0] == 0x21);
  requireRoundTrip(answerText(sessionLevel));

  // RFC 8843 bundle-only: a later section without transport attributes shares the first one's.
  std::string secondBare = all;
  const auto video = secondBare.find("m=video");
  const auto data = secondBare.find("m=application");
  std::string videoPart = secondBare.substr(video, data - video);
  for (const char* p :
       {"a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:", "a=setup:", "a=candidate:", "a=ice-options:"})
    videoPart = removeLines(videoPart, p);
  videoPart = replaceAll(videoPart, "m=video 55534 ", "m=video 0 ");
  videoPart = replaceAll(videoPart, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n");
  secondBare = secondBare.substr(0, video) + videoPart + secondBare.substr(data);
  CHECK(remoteTransport(parseOrFail(secondBare)).iceUfrag == "Xfiz");
  const Answer a = answerText(secondBare);
  requireRoundTrip(a);
  CHECK(a.media[1].role == Role::kPublish);
  CHECK(a.description.media[1].port == 9);
  CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0", "1", "2"});  // 2: data channel
}

TEST_CASE("offers that cannot be answered throw NegotiationError", "[negotiation]") {
  const std::string all = readFixture("chromium-audio-video-simulcast-data.sdp");
  const auto requireRefused = [](const std::string& offer, const std::string& fragment) {
    const auto sd = parseOrFail(offer);
    try {
      (void)answerOffer(sd, local(), kNoSubscriptions, 1, 1);
      FAIL("answered an offer that " << fragment);
    } catch (const NegotiationError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    }
  };
  // Applies a replacement to the n-th (0-based) m-section only.
  const auto inSection = [&](size_t n, const std::string& from, const std::string& to) {
    std::vector<size_t> starts;
    for (size_t p = all.find("\r\nm="); p != std::string::npos; p = all.find("\r\nm=", p + 1))
      starts.push_back(p + 2);
    const size_t begin = starts.at(n);
    const size_t end = n + 1 < starts.size() ? starts[n + 1] : all.size();
    const std::string part = all.substr(begin, end - begin);
    const std::string edited = replaceAll(part, from, to);
    REQUIRE(edited != part);
    return all.substr(0, begin) + edited + all.substr(end);
  };

  requireRefused(removeLines(all, "a=group:BUNDLE"), "a=group:BUNDLE");
  requireRefused(replaceAll(all, "a=group:BUNDLE 0 1 2", "a=group:LS 0 1 2"), "a=group:BUNDLE");
  requireRefused(replaceAll(all, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 2"),
                 "mid 1) is not in the BUNDLE group");
  requireRefused(inSection(0, "a=rtcp-mux\r\n", ""), "no a=rtcp-mux");
  requireRefused(inSection(1, "a=mid:1\r\n", ""), "has no a=mid");
  requireRefused(removeLines(all, "a=fingerprint:"), "no a=fingerprint");
  requireRefused(removeLines(all, "a=ice-pwd:"), "no a=ice-ufrag / a=ice-pwd");
  requireRefused(removeLines(all, "a=ice-ufrag:"), "no a=ice-ufrag / a=ice-pwd");
  requireRefused(inSection(1, "a=ice-ufrag:Xfiz", "a=ice-ufrag:Other"),
                 "mid 1 (bundled with mid 0) has a different a=ice-ufrag");
  requireRefused(inSection(2, "a=ice-pwd:I9fmUbBOTOeTRu8xlnEYA9jK", "a=ice-pwd:I9fmUbBOTOeTRu8xlnEYA9jX"),
                 "different a=ice-pwd");
  requireRefused(inSection(1, "a=fingerprint:sha-256 21:", "a=fingerprint:sha-256 22:"),
                 "different a=fingerprint");
  requireRefused(inSection(1, "a=setup:actpass", "a=setup:active"), "different a=setup");
  requireRefused(inSection(0, "UDP/TLS/RTP/SAVPF", "RTP/AVP"), "proto RTP/AVP");
  requireRefused(inSection(0, "a=setup:actpass", "a=setup:holdconn"), "holdconn");

  // remoteTransport() refuses the same transport problems.
  CHECK_THROWS_AS(remoteTransport(parseOrFail(removeLines(all, "a=group:BUNDLE"))), NegotiationError);
  CHECK_THROWS_AS(remoteTransport(parseOrFail(removeLines(all, "a=fingerprint:"))), NegotiationError);
  CHECK_THROWS_AS(remoteTransport(parseOrFail(inSection(1, "a=ice-ufrag:Xfiz", "a=ice-ufrag:Other"))),
                  NegotiationError);

  // The other allowed protos are answered with the offer's proto.
  for (const char* proto : {"RTP/SAVPF", "UDP/TLS/RTP/SAVP"}) {
    const Answer a = answerText(inSection(0, "UDP/TLS/RTP/SAVPF", proto));
    CHECK(a.description.media[0].proto == proto);
  }
  // A rejected (port 0) or data section is not held to the audio/video rules.
  const Answer a = answerText(inSection(2, "a=mid:2\r\n", ""));
  CHECK(a.media[2].role == Role::kRejected);
  CHECK(a.media[2].mid.empty());
  CHECK_FALSE(a.description.media[2].mid);

  // A misconfigured server is not the client's fault.
  LocalTransport bad = local();
  bad.iceUfrag.clear();
  CHECK_THROWS_AS(answerOffer(parseOrFail(all), bad, kNoSubscriptions, 1, 1), std::invalid_argument);
}

TEST_CASE("sections the offer rejected or made inactive", "[negotiation]") {
  const std::string all = readFixture("chromium-audio-video-simulcast.sdp");
  SECTION("port 0 (a stopped transceiver)") {
    std::string stopped = replaceAll(all, "m=audio 54639 ", "m=audio 0 ");
    stopped = replaceAll(stopped, "a=group:BUNDLE 0 1", "a=group:BUNDLE 1");
    const Answer a = answerText(stopped);
    requireRoundTrip(a);
    CHECK(a.media[0].role == Role::kRejected);
    CHECK(a.media[0].mid == "0");
    CHECK(a.media[1].role == Role::kPublish);
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"1"});
    const auto& m = a.description.media[0];
    CHECK(m.port == 0);
    CHECK(m.formats == std::vector<std::string>{"111"});
    CHECK(m.mid == "0");
    CHECK(m.candidates.empty());
    CHECK_FALSE(m.iceUfrag);
  }
  SECTION("every section stopped: answered without BUNDLE") {
    std::string stopped = replaceAll(all, "m=audio 54639 ", "m=audio 0 ");
    stopped = replaceAll(stopped, "m=video 45766 ", "m=video 0 ");
    stopped = removeLines(stopped, "a=group:BUNDLE");
    const Answer a = answerText(stopped);
    requireRoundTrip(a);
    CHECK(a.media[0].role == Role::kRejected);
    CHECK(a.media[1].role == Role::kRejected);
    CHECK(a.description.bundleGroup() == nullptr);
  }
  SECTION("inactive") {
    const Answer a = answerText(replaceAll(all, "a=sendrecv", "a=inactive"));
    requireRoundTrip(a);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(a.media[i].role == Role::kInactive);
      CHECK_FALSE(a.media[i].reason.empty());
      CHECK(a.description.media[i].direction == Direction::kInactive);
      CHECK(a.description.media[i].formats.size() == 1);
    }
    CHECK(a.description.media[0].formats[0] == "111");
    CHECK(a.description.media[1].formats[0] == "96");
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"0", "1"});
  }
  SECTION("no supported codec: rejected") {
    std::string g722 = replaceAll(all, "m=audio 54639 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
                                  "m=audio 54639 UDP/TLS/RTP/SAVPF 9 13 126");
    const Answer a = answerText(g722);
    requireRoundTrip(a);
    CHECK(a.media[0].role == Role::kRejected);
    CHECK(a.media[0].reason.find("no supported audio codec") != std::string::npos);
    CHECK(a.description.media[0].port == 0);
    CHECK(a.description.media[0].formats == std::vector<std::string>{"9"});
    CHECK(a.description.bundleGroup()->mids == std::vector<std::string>{"1"});
  }
  SECTION("an unknown media kind") {
    const std::string text = all + "m=text 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:7\r\na=rtpmap:98 t140/1000\r\n";
    const Answer a = answerText(text);
    requireRoundTrip(a);
    CHECK(a.media[2].role == Role::kRejected);
    CHECK(a.media[2].kind == MediaKind::kOther);
    CHECK(a.description.media[2].media == "text");
    CHECK(a.description.media[2].port == 0);
  }
}

TEST_CASE("hand-written offers: static payload types, session extmaps, extmap directions", "[negotiation]") {
  const std::string head =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n"
      "a=fingerprint:sha-256 "
      "21:C4:C8:07:08:66:73:98:1A:CC:83:05:C9:00:FA:C1:5E:C3:CA:1F:34:99:7E:77:89:39:E8:B0:6E:E8:C6:B2\r\n"
      "a=setup:actpass\r\n"
      "a=extmap:7 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
  const std::string text =
      head +
      "m=audio 9 UDP/TLS/RTP/SAVPF 8 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=sendonly\r\na=rtcp-mux\r\n"
      "a=extmap:1/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
      "a=extmap:2/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=ssrc:10 cname:c\r\na=ssrc:10 msid:s t\r\na=ssrc:11 cname:c\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=recvonly\r\na=rtcp-mux\r\n"
      "a=extmap:1/recvonly urn:3gpp:video-orientation\r\n"
      "a=extmap:2/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:* nack\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:* goog-remb\r\n";
  const RemoteTransport r = remoteTransport(parseOrFail(text));
  CHECK(r.fingerprint.hashFunction == "sha-256");  // preferred over sha-1

  const PublishedTrack vp8 = publishTrack(readFixture("chromium-video.sdp"), 0);
  const Answer a = answerText(text, subscribeTo(vp8));
  requireRoundTrip(a);
  // Audio: PCMA (static 8, no rtpmap) is first; the rtpmap is written for it.
  const PublishedTrack& t = publishedAt(a, 0);
  CHECK(t.codec.name == "PCMA");
  CHECK(t.codec.channels == 1);
  CHECK(t.ssrcs == std::vector<uint32_t>{10, 11});
  CHECK(t.cname == "c");
  REQUIRE(t.msid);
  CHECK(t.msid->toString() == "s t");
  const auto& am = a.description.media[0];
  CHECK(am.formats == std::vector<std::string>{"8"});
  REQUIRE(am.rtpMaps.size() == 1);
  CHECK(am.rtpMaps[0].toString() == "8 PCMA/8000");
  // The session-level mid extension applies; ssrc-audio-level is only received by the offerer
  // (recvonly): not answered for a published section; abs-send-time sent by the offerer: recvonly.
  CHECK(extmapStrings(am) ==
        std::vector<std::string>{"2/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                                 "7 urn:ietf:params:rtp-hdrext:sdes:mid"});
  CHECK(t.extensions[RtpExtension::kMid] == 7);
  CHECK_FALSE(t.extensions.has(RtpExtension::kAudioLevel));

  // Video subscription: orientation the offerer receives -> answered sendonly; abs-send-time only
  // sent by the offerer -> not answered. rtcp-fb "*" and "96" nack collapse to one line.
  REQUIRE(a.media[1].subscribed);
  const auto& vm = a.description.media[1];
  CHECK(extmapStrings(vm) == std::vector<std::string>{"1/sendonly urn:3gpp:video-orientation",
                                                      "7 urn:ietf:params:rtp-hdrext:sdes:mid"});
  CHECK(fbStrings(vm.rtcpFeedback) == std::vector<std::string>{"96 nack"});
  CHECK(a.media[1].subscribed->rtxSsrc == 0);  // no rtx offered
  CHECK_FALSE(a.description.extmapAllowMixed);
}

TEST_CASE("answer session and transport lines", "[negotiation]") {
  const Answer a = answerText(readFixture("chromium-audio-video-simulcast-data.sdp"));
  const auto& sd = a.description;
  CHECK(sd.origin.toString() == "- 4242 7 IN IP4 0.0.0.0");
  CHECK(sd.iceLite);
  CHECK(sd.extmapAllowMixed);
  REQUIRE(sd.msidSemantic);
  CHECK(sd.msidSemantic->toString() == " WMS *");
  CHECK(sd.fingerprints.empty());
  CHECK_FALSE(sd.iceUfrag);
  for (size_t i = 0; i < 2; ++i) {
    const auto& m = sd.media[i];
    CHECK(m.port == 9);
    CHECK(m.iceUfrag == "sw1d");
    CHECK(m.icePwd == "aaaabbbbccccddddeeeeffff");
    REQUIRE(m.fingerprints.size() == 1);
    CHECK(m.fingerprints[0] == local().fingerprint);
    CHECK(m.rtcpMux);
    CHECK(m.rtcpRsize);
    CHECK(m.endOfCandidates);
    REQUIRE(m.candidates.size() == 2);
    CHECK(m.candidates[0].transport == "udp");
    CHECK(m.candidates[0].foundation == "udp1");
    CHECK(m.candidates[0].priority == 2122260223);
    CHECK(m.candidates[1].transport == "tcp");
    CHECK(m.candidates[1].tcpType == "passive");
    CHECK(m.connection);
    CHECK(m.iceOptions.empty());
  }
  // Without rtcp-rsize in the offer there is none in the answer.
  const Answer b = answerText(removeLines(readFixture("chromium-audio.sdp"), "a=rtcp-rsize"));
  CHECK_FALSE(b.description.media[0].rtcpRsize);
  // Without extmap-allow-mixed in the offer there is none in the answer.
  const Answer c = answerText(removeLines(readFixture("chromium-audio.sdp"), "a=extmap-allow-mixed"));
  CHECK_FALSE(c.description.extmapAllowMixed);
}

TEST_CASE("simulcast is answered with a=rid recv and a=simulcast:recv when enabled", "[negotiation]") {
  const std::string offer = readFixture("chromium-audio-video-simulcast-data.sdp");
  SECTION("off (the default): one encoding, no a=simulcast") {
    const Answer a = answerText(offer);
    const auto& video = *a.media[1].published;
    CHECK(video.rids == std::vector<std::string>{"q", "h", "f"});
    CHECK(video.simulcastRids.empty());
    CHECK_FALSE(a.description.media[1].simulcast);
    CHECK(a.description.media[1].rids.empty());
  }
  SECTION("on: every send RID, in the offer's order") {
    NegotiationOptions options;
    options.simulcast = true;
    const Answer a = answerText(offer, kNoSubscriptions, options);
    requireRoundTrip(a);
    const auto& video = *a.media[1].published;
    CHECK(video.simulcastRids == std::vector<std::string>{"q", "h", "f"});
    const auto& m = a.description.media[1];
    REQUIRE(m.simulcast);
    CHECK(m.simulcast->send.empty());
    REQUIRE(m.simulcast->recv.size() == 3);
    CHECK(m.simulcast->recv[0][0].rid == "q");
    CHECK(m.simulcast->recv[2][0].rid == "f");
    REQUIRE(m.rids.size() == 3);
    for (const auto& rid : m.rids)
      CHECK(rid.direction == Rid::Direction::kRecv);
    const std::string text = write(a.description);
    CHECK(text.find("a=rid:q recv\r\n") != std::string::npos);
    CHECK(text.find("a=simulcast:recv q;h;f\r\n") != std::string::npos);
    // Audio has no simulcast.
    CHECK_FALSE(a.description.media[0].simulcast);
  }
  SECTION("a paused RID stays a layer, answered paused; unknown RIDs are left out") {
    // Chromium marks the encodings set inactive with setParameters paused in its next offer.
    std::string edited = offer;
    const auto at = edited.find("a=simulcast:send q;h;f");
    REQUIRE(at != std::string::npos);
    edited.replace(at, 22, "a=simulcast:send q;x;~f");
    NegotiationOptions options;
    options.simulcast = true;
    const Answer a = answerText(edited, kNoSubscriptions, options);
    requireRoundTrip(a);
    CHECK(a.media[1].published->simulcastRids == std::vector<std::string>{"q", "f"});
    REQUIRE(a.description.media[1].simulcast);
    CHECK(write(a.description).find("a=simulcast:recv q;~f\r\n") != std::string::npos);
  }
  SECTION("one layer left is no simulcast") {
    std::string edited = offer;
    const auto at = edited.find("a=simulcast:send q;h;f");
    REQUIRE(at != std::string::npos);
    edited.replace(at, 22, "a=simulcast:send x;~f");
    NegotiationOptions options;
    options.simulcast = true;
    const Answer a = answerText(edited, kNoSubscriptions, options);
    CHECK_FALSE(a.description.media[1].simulcast);
    CHECK(a.media[1].published->simulcastRids.empty());
  }
}
