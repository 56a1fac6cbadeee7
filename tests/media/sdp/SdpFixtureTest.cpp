// Parses the real Chromium 156 offers in tests/fixtures/sdp/ and checks what they carry.
#include <catch2/catch.hpp>

#include <set>

#include "media/sdp/Sdp.h"
#include "tests/media/sdp/SdpTestUtil.h"

using namespace switchyard::media::sdp;
using switchyard::media::sdp::test::readFixture;

namespace {

SessionDescription parseFixture(const std::string& name) {
  const std::string text = readFixture(name);
  REQUIRE_FALSE(text.empty());
  ParseResult r = parse(text);
  INFO(name << ": line " << r.line << ": " << r.error);
  REQUIRE(r.ok());
  return std::move(*r.description);
}

// What every Chromium offer's transport looks like (JSEP RFC 8829 section 5.2.1; BUNDLE RFC 8843).
void checkChromiumTransport(const SessionDescription& sd) {
  CHECK(sd.version == 0);
  CHECK(sd.origin.username == "-");
  CHECK(sd.origin.sessionVersion == 2);
  CHECK(sd.origin.address == "127.0.0.1");
  CHECK(sd.sessionName == "-");
  REQUIRE(sd.timing.size() == 1);
  CHECK(sd.timing[0].start == 0);
  CHECK(sd.timing[0].stop == 0);
  CHECK(sd.extmapAllowMixed);
  REQUIRE(sd.msidSemantic);
  CHECK(sd.msidSemantic->semantic == "WMS");

  // The BUNDLE group lists every mid, in m= order.
  const Group* bundle = sd.bundleGroup();
  REQUIRE(bundle != nullptr);
  REQUIRE(bundle->mids.size() == sd.media.size());
  for (size_t i = 0; i < sd.media.size(); ++i) {
    REQUIRE(sd.media[i].mid);
    CHECK(bundle->mids[i] == *sd.media[i].mid);
    CHECK(sd.findMedia(*sd.media[i].mid) == &sd.media[i]);
  }

  const auto& first = sd.media.front();
  for (const auto& m : sd.media) {
    REQUIRE(m.iceUfrag);
    REQUIRE(m.icePwd);
    CHECK(m.iceUfrag->size() >= 4);
    CHECK(m.icePwd->size() >= 22);
    CHECK(*m.iceUfrag == *first.iceUfrag);  // one transport (BUNDLE)
    CHECK(m.iceOptions == std::vector<std::string>{"trickle"});
    REQUIRE(m.fingerprints.size() == 1);
    CHECK(m.fingerprints[0].hashFunction == "sha-256");
    CHECK(m.fingerprints[0].bytes.size() == 32);
    CHECK(m.fingerprints[0] == first.fingerprints[0]);
    CHECK(m.setup == SetupRole::kActPass);
    REQUIRE(m.connection);
    CHECK(m.connection->address == "127.0.0.1");
    // Gathering completed: udp and tcp host candidates on loopback and the interfaces.
    CHECK(m.candidates.size() == 8);
    bool loopbackUdp = false;
    for (const auto& c : m.candidates) {
      CHECK(c.component == 1);
      CHECK(c.type == "host");
      CHECK(c.generation == 0u);
      CHECK(c.extension("network-id"));
      if (c.transport == "udp" && c.address == "127.0.0.1") {
        loopbackUdp = true;
        CHECK(c.port == m.port);  // the default candidate is on the m= line
      }
      if (c.transport == "tcp") {
        CHECK(c.tcpType == "active");
        CHECK(c.port == 9);
      }
      // No address outside loopback and the documentation ranges ever lands in a fixture.
      const bool allowed = c.address == "127.0.0.1" || c.address == "::1" ||
                           c.address.rfind("192.0.2.", 0) == 0 || c.address.rfind("2001:db8:", 0) == 0;
      CHECK(allowed);
    }
    CHECK(loopbackUdp);
    CHECK_FALSE(m.endOfCandidates);
  }
}

void checkOpusSection(const MediaDescription& audio) {
  CHECK(audio.kind() == MediaKind::kAudio);
  CHECK(audio.proto == "UDP/TLS/RTP/SAVPF");
  CHECK(audio.formats == std::vector<std::string>{"111", "63", "9", "0", "8", "13", "110", "126"});
  CHECK(audio.rtcpMux);
  CHECK(audio.rtcpRsize);
  CHECK(audio.direction == Direction::kSendRecv);

  const auto opus = audio.codec(111);
  REQUIRE(opus);
  CHECK(opus->name == "opus");
  CHECK(opus->clockRate == 48000);
  CHECK(opus->channels == 2u);
  CHECK(opus->fmtp == "minptime=10;useinbandfec=1");
  CHECK(opus->parameter("minptime") == "10");
  CHECK(opus->parameter("useinbandfec") == "1");
  CHECK(opus->hasFeedback("transport-cc"));
  CHECK_FALSE(opus->hasFeedback("nack"));

  const auto red = audio.codec(63);
  REQUIRE(red);
  CHECK(red->name == "red");
  REQUIRE(red->parameters.size() == 1);
  CHECK(red->parameters[0].name == "111/111");
  CHECK_FALSE(red->parameters[0].value);

  const auto codecs = audio.codecs();
  REQUIRE(codecs.size() == 8);
  CHECK(codecs[3].name == "PCMU");
  CHECK(codecs[3].clockRate == 8000);
  CHECK(codecs[7].name == "telephone-event");

  // RFC 8285 extmap ids as Chromium assigns them.
  CHECK(audio.extmapId("urn:ietf:params:rtp-hdrext:ssrc-audio-level") == 1);
  CHECK(audio.extmapId("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time") == 2);
  CHECK(audio.extmapId("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01") == 3);
  CHECK(audio.extmapId("urn:ietf:params:rtp-hdrext:sdes:mid") == 4);

  // a=rtcp and a=rtcp-xr are not typed: kept verbatim.
  const Attribute* rtcp = audio.findAttribute("rtcp");
  REQUIRE(rtcp != nullptr);
  CHECK(rtcp->value == "9 IN IP4 0.0.0.0");
  REQUIRE(audio.findAttribute("rtcp-xr") != nullptr);
}

void checkVideoCodecs(const MediaDescription& video) {
  CHECK(video.kind() == MediaKind::kVideo);
  CHECK(video.rtcpMux);
  CHECK(video.rtcpRsize);
  const auto vp8 = video.codec(96);
  REQUIRE(vp8);
  CHECK(vp8->name == "VP8");
  CHECK(vp8->clockRate == 90000);
  CHECK_FALSE(vp8->channels);
  CHECK(vp8->hasFeedback("goog-remb"));
  CHECK(vp8->hasFeedback("transport-cc"));
  CHECK(vp8->hasFeedback("ccm", "fir"));
  CHECK(vp8->hasFeedback("nack"));
  CHECK(vp8->hasFeedback("nack", "pli"));

  const auto rtx = video.codec(97);
  REQUIRE(rtx);
  CHECK(rtx->name == "rtx");
  CHECK(rtx->rtxApt() == 96);
  CHECK(rtx->feedback.empty());

  const auto h264 = video.codec(102);
  REQUIRE(h264);
  CHECK(h264->name == "H264");
  CHECK(h264->parameter("profile-level-id") == "42001f");
  CHECK(h264->parameter("PACKETIZATION-MODE") == "1");  // names are case-insensitive
  CHECK(video.codec(103)->rtxApt() == 102);

  CHECK(video.codec(45)->name == "AV1");
  CHECK(video.codec(98)->name == "VP9");
  CHECK(video.codec(98)->parameter("profile-id") == "0");
  CHECK(video.codec(100)->parameter("profile-id") == "2");
  CHECK(video.codec(118)->name == "red");
  CHECK(video.codec(120)->name == "ulpfec");

  // Every rtx payload type repairs a payload type of the same section.
  size_t rtxCount = 0;
  for (const auto& c : video.codecs()) {
    if (const auto apt = c.rtxApt()) {
      ++rtxCount;
      CHECK(video.codec(*apt));
    }
  }
  CHECK(rtxCount == 11);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id") == 10);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id") == 11);
}

void checkSimulcast(const MediaDescription& video) {
  // RFC 8851 rids and RFC 8853 simulcast: three send layers q, h, f.
  REQUIRE(video.rids.size() == 3);
  CHECK(video.rids[0].id == "q");
  CHECK(video.rids[1].id == "h");
  CHECK(video.rids[2].id == "f");
  for (const auto& rid : video.rids) {
    CHECK(rid.direction == Rid::Direction::kSend);
    CHECK(rid.restrictions.empty());
  }
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->recv.empty());
  REQUIRE(video.simulcast->send.size() == 3);
  const char* expected[] = {"q", "h", "f"};
  for (size_t i = 0; i < 3; ++i) {
    REQUIRE(video.simulcast->send[i].size() == 1);
    CHECK(video.simulcast->send[i][0].rid == expected[i]);
    CHECK_FALSE(video.simulcast->send[i][0].paused);
  }
  // With simulcast Chromium also offers the dependency descriptor and video-layers-allocation, and
  // shares ids with the audio section of the same BUNDLE (mid = 4).
  CHECK(video.extmaps.size() == 13);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:toffset") == 14);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:mid") == 4);
  CHECK(video.extmapId(
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension") == 12);
  // With rids Chromium sends no a=ssrc lines for the video section.
  CHECK(video.ssrcs.empty());
  CHECK(video.ssrcGroups.empty());
}

void checkDataChannel(const MediaDescription& data) {
  // RFC 8841: SCTP over DTLS, port 5000, 256 KiB messages.
  CHECK(data.kind() == MediaKind::kApplication);
  CHECK(data.proto == "UDP/DTLS/SCTP");
  CHECK(data.formats == std::vector<std::string>{"webrtc-datachannel"});
  CHECK(data.sctpPort == 5000);
  CHECK(data.maxMessageSize == 262144u);
  CHECK(data.rtpMaps.empty());
  CHECK(data.payloadTypes().empty());
  CHECK(data.codecs().empty());
  CHECK_FALSE(data.direction);
  CHECK_FALSE(data.rtcpMux);
}

}  // namespace

TEST_CASE("chromium audio offer", "[sdp][fixture]") {
  const auto sd = parseFixture("chromium-audio.sdp");
  REQUIRE(sd.media.size() == 1);
  checkChromiumTransport(sd);
  const auto& audio = sd.media[0];
  CHECK(sd.origin.sessionId == 1972555239855747386u);
  CHECK(audio.mid == "0");
  CHECK(audio.port == 58596);
  CHECK(audio.iceUfrag == "dk+o");
  CHECK(audio.icePwd == "BuBBBjYNTI6k/7ybLX2UYHWM");
  const std::vector<uint8_t> fingerprint = {0x54, 0xAA, 0xF7, 0x4A, 0x2F, 0xE1, 0xF9, 0x97, 0x06, 0x58, 0x5F,
                                            0xF6, 0xEC, 0x04, 0xCA, 0xCA, 0xA5, 0xC4, 0x54, 0x10, 0xCB, 0xCB,
                                            0x86, 0xC1, 0x29, 0x3A, 0xBA, 0xAB, 0xF6, 0x13, 0x01, 0x3E};
  CHECK(audio.fingerprints[0].bytes == fingerprint);
  checkOpusSection(audio);

  // RFC 8830 msid and RFC 5576 ssrc attributes.
  REQUIRE(audio.msids.size() == 1);
  CHECK(audio.msids[0].streamId == "354b6cbb-4b22-496d-bbd7-21d01d8876c0");
  CHECK(audio.msids[0].trackId == "8ef2039e-74c9-40af-bbf5-b94a598b40f6");
  CHECK(sd.msidSemantic->ids == std::vector<std::string>{"354b6cbb-4b22-496d-bbd7-21d01d8876c0"});
  REQUIRE(audio.ssrcs.size() == 2);
  CHECK(audio.ssrcs[0].ssrc == 3533378645u);
  CHECK(audio.ssrcs[0].attribute == "cname");
  CHECK(audio.ssrcs[0].value == "48ix8FjhBIRxy5Fn");
  CHECK(audio.ssrcs[1].attribute == "msid");
  CHECK(audio.ssrcs[1].value == "354b6cbb-4b22-496d-bbd7-21d01d8876c0 8ef2039e-74c9-40af-bbf5-b94a598b40f6");
}

TEST_CASE("chromium plain video offer has rtx ssrc-group FID", "[sdp][fixture]") {
  const auto sd = parseFixture("chromium-video.sdp");
  REQUIRE(sd.media.size() == 1);
  checkChromiumTransport(sd);
  const auto& video = sd.media[0];
  checkVideoCodecs(video);
  CHECK(video.rids.empty());
  CHECK_FALSE(video.simulcast);
  CHECK(video.extmaps.size() == 11);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:toffset") == 1);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:mid") == 9);
  REQUIRE(video.ssrcGroups.size() == 1);
  CHECK(video.ssrcGroups[0].semantics == "FID");
  CHECK(video.ssrcGroups[0].ssrcs == std::vector<uint32_t>{1535846634u, 151316549u});
  CHECK(video.ssrcs.size() == 4);
  CHECK(video.msids.size() == 1);
}

TEST_CASE("chromium audio + simulcast video offer", "[sdp][fixture]") {
  const auto sd = parseFixture("chromium-audio-video-simulcast.sdp");
  REQUIRE(sd.media.size() == 2);
  checkChromiumTransport(sd);
  CHECK(sd.bundleGroup()->mids == std::vector<std::string>{"0", "1"});
  checkOpusSection(sd.media[0]);
  checkVideoCodecs(sd.media[1]);
  checkSimulcast(sd.media[1]);
  CHECK(sd.media[0].iceUfrag == "R244");
  CHECK(sd.media[1].icePwd == "SWgIX7Hjpd6lb3TLnpFe09sO");
  // Audio and video share the stream id, each has its own track id.
  REQUIRE(sd.media[0].msids.size() == 1);
  REQUIRE(sd.media[1].msids.size() == 1);
  CHECK(sd.media[0].msids[0].streamId == sd.media[1].msids[0].streamId);
  CHECK(sd.media[0].msids[0].trackId != sd.media[1].msids[0].trackId);
}

TEST_CASE("chromium data channel offer", "[sdp][fixture]") {
  const auto sd = parseFixture("chromium-data.sdp");
  REQUIRE(sd.media.size() == 1);
  checkChromiumTransport(sd);
  checkDataChannel(sd.media[0]);
  CHECK(sd.msidSemantic->ids.empty());  // "a=msid-semantic: WMS"
  CHECK(sd.media[0].iceUfrag == "i/Pm");
}

TEST_CASE("chromium audio + simulcast video + data channel offer", "[sdp][fixture]") {
  const auto sd = parseFixture("chromium-audio-video-simulcast-data.sdp");
  REQUIRE(sd.media.size() == 3);
  checkChromiumTransport(sd);
  CHECK(sd.bundleGroup()->mids == std::vector<std::string>{"0", "1", "2"});
  checkOpusSection(sd.media[0]);
  checkVideoCodecs(sd.media[1]);
  checkSimulcast(sd.media[1]);
  checkDataChannel(sd.media[2]);
  CHECK(sd.media[0].port == 53992);
  CHECK(sd.media[1].port == 55534);
  CHECK(sd.media[2].port == 47462);
  // Candidates are typed in full.
  const Candidate& c = sd.media[0].candidates[0];
  CHECK(c.foundation == "3538797126");
  CHECK(c.transport == "udp");
  CHECK(c.priority == 2122194687u);
  CHECK(c.address == "127.0.0.1");
  CHECK(c.port == 53992);
  CHECK(c.extension("network-cost") == "50");
  std::set<std::string> foundations;
  for (const auto& cand : sd.media[2].candidates)
    foundations.insert(cand.foundation);
  CHECK(foundations.size() == 8);
}

TEST_CASE("handwritten fixture covers the rest of the model", "[sdp][fixture]") {
  const auto sd = parseFixture("handwritten-features.sdp");
  CHECK(sd.origin.sessionId == 4611686018427387904u);
  CHECK(sd.origin.sessionVersion == 7);
  REQUIRE(sd.textLines.size() == 1);
  CHECK(sd.textLines[0].type == 'i');
  REQUIRE(sd.connection);
  CHECK(sd.connection->address == "192.0.2.10");
  REQUIRE(sd.bandwidths.size() == 1);
  CHECK(sd.bandwidths[0].type == "AS");
  CHECK(sd.bandwidths[0].value == 2048);
  REQUIRE(sd.groups.size() == 2);
  CHECK(sd.groups[1].semantics == "LS");
  CHECK(sd.bundleGroup()->mids == std::vector<std::string>{"audio0", "video0", "data0"});
  CHECK(sd.iceLite);
  CHECK(sd.iceUfrag == "sWyD");
  CHECK(sd.icePwd == "asd88fgpdd777uzjYhagZg+/x9");
  CHECK(sd.iceOptions == std::vector<std::string>{"trickle", "renomination"});
  REQUIRE(sd.fingerprints.size() == 2);
  CHECK(sd.fingerprints[1].hashFunction == "sha-1");
  CHECK(sd.fingerprints[1].bytes.size() == 20);
  CHECK(sd.setup == SetupRole::kPassive);
  CHECK(sd.msidSemantic->ids == std::vector<std::string>{"*"});
  REQUIRE(sd.extmaps.size() == 1);
  CHECK(sd.extmaps[0].direction == Direction::kSendOnly);
  // A session-level direction is legal (RFC 8866 section 6.7) but not typed: kept verbatim.
  REQUIRE(sd.attributes.size() == 2);
  CHECK(sd.attributes[0].name == "tool");
  CHECK(sd.attributes[1].name == "recvonly");
  CHECK_FALSE(sd.attributes[1].value);
  REQUIRE(sd.media.size() == 4);

  const auto& audio = sd.media[0];
  CHECK(audio.textLines.size() == 1);
  CHECK(audio.bandwidths[0].type == "TIAS");
  CHECK(audio.bandwidths[0].value == 64000);
  CHECK(audio.direction == Direction::kSendOnly);
  CHECK_FALSE(audio.connection);
  CHECK(audio.endOfCandidates);
  REQUIRE(audio.candidates.size() == 4);
  const Candidate& srflx = audio.candidates[1];
  CHECK(srflx.type == "srflx");
  CHECK(srflx.relatedAddress == "192.0.2.10");
  CHECK(srflx.relatedPort == 40000);
  CHECK(srflx.generation == 0u);
  CHECK(srflx.extension("ufrag") == "sWyD");
  CHECK(audio.candidates[2].tcpType == "passive");
  CHECK(audio.candidates[3].component == 2);
  CHECK(audio.candidates[3].type == "relay");
  CHECK_FALSE(audio.candidates[3].generation);
  // "*" feedback applies to every payload type; opus has its own transport-cc on top.
  const auto opus = audio.codec(111);
  REQUIRE(opus);
  CHECK(opus->hasFeedback("nack"));
  CHECK(opus->hasFeedback("transport-cc"));
  CHECK(opus->parameter("useinbandfec") == "1");  // "; " separators are trimmed
  CHECK(opus->parameter("stereo") == "");
  CHECK(audio.codec(0)->name == "PCMU");  // RFC 3551 static payload type, no rtpmap
  CHECK(audio.codec(0)->hasFeedback("nack"));
  CHECK(audio.msids.size() == 2);
  CHECK(audio.ssrcs[1].attribute == "label");
  CHECK_FALSE(audio.ssrcs[1].value);

  const auto& video = sd.media[1];
  CHECK(video.numberOfPorts == 2);
  CHECK(video.direction == Direction::kRecvOnly);
  CHECK(video.extmapAllowMixed);
  CHECK(video.extmaps[1].direction == Direction::kRecvOnly);
  CHECK(video.extmaps[3].id == 4096);
  CHECK(video.extmaps[3].attributes == "some attributes");
  CHECK(video.codec(96)->hasFeedback("ccm", "tmmbr smaxpr=120"));
  CHECK(video.codec(97)->parameter("rtx-time") == "3000");
  REQUIRE(video.rids.size() == 4);
  CHECK(video.rids[0].direction == Rid::Direction::kRecv);
  CHECK(video.rids[0].restriction("max-width") == "1280");
  CHECK(video.rids[0].restriction("max-fps") == "30");
  CHECK(video.rids[0].payloadTypes() == std::vector<uint8_t>{96});
  CHECK(video.rids[1].payloadTypes() == std::vector<uint8_t>{96, 97});
  CHECK(video.rids[2].restrictions.empty());
  CHECK(video.rids[3].restriction("depend") == "lo");
  REQUIRE(video.simulcast);
  REQUIRE(video.simulcast->recv.size() == 3);
  CHECK(video.simulcast->recv[1].size() == 2);
  CHECK(video.simulcast->recv[1][0].rid == "mid");
  CHECK(video.simulcast->recv[1][1].rid == "alt");
  CHECK(video.simulcast->recv[1][1].paused);
  CHECK(video.simulcast->recv[2][0].paused);
  REQUIRE(video.simulcast->send.size() == 1);
  CHECK(video.simulcast->send[0][0].rid == "lo");
  CHECK(video.ssrcGroups.size() == 2);
  CHECK(video.findAttribute("x-google-flag")->value == "conference");

  const auto& data = sd.media[2];
  CHECK(data.port == 0);
  CHECK(data.direction == Direction::kInactive);
  CHECK(data.connection->addrType == "IP6");
  CHECK(data.maxMessageSize == 0u);
  CHECK(data.findAttribute("bundle-only") != nullptr);

  const auto& text = sd.media[3];
  CHECK(text.kind() == MediaKind::kOther);
  CHECK(text.media == "text");
  CHECK(text.codec(98)->name == "t140");
}
