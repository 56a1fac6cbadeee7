// Janus's SDP (as Janus 1.1.2's videoroom sent it to a bench client) turned into client transport
// parameters, and the recvonly answer a bench subscriber gives to Janus's offer.
#include "bench/BenchSdp.h"
#include "bench/JanusSdp.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "media/ice/IceClientAgent.h"
#include "media/sdp/Sdp.h"

using namespace switchyard;
using namespace switchyard::bench;
namespace sdp = media::sdp;

namespace {

constexpr const char* kJanusFingerprint =
    "B7:52:B3:4F:CB:A9:D4:BB:56:23:90:9D:25:C4:0B:B5:D1:88:FB:BA:A3:F9:0D:B2:C1:89:7D:B1:39:9A:5A:03";

// Janus's answer to a publisher's offer (audio + video, BUNDLE, it takes the DTLS client role).
std::string janusAnswer() {
  std::string s =
      "v=0\r\no=- 4611731400430051337 2 IN IP4 10.77.0.1\r\ns=VideoRoom 6681070483243092\r\nt=0 0\r\n"
      "a=group:BUNDLE 0 1\r\na=ice-options:trickle\r\na=fingerprint:sha-256 " +
      std::string(kJanusFingerprint) +
      "\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS *\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 10.77.0.1\r\na=recvonly\r\na=mid:0\r\na=rtcp-mux\r\n"
      "a=ice-ufrag:8HIG\r\na=ice-pwd:JzeN+RstXNuuSKpoCkPQT8\r\na=ice-options:trickle\r\na=setup:active\r\n"
      "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=msid:janus janus0\r\n"
      "a=ssrc:3441786655 cname:janus\r\na=candidate:1 1 udp 2015363583 10.77.0.1 46738 typ host\r\n"
      "a=end-of-candidates\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 10.77.0.1\r\na=recvonly\r\na=mid:1\r\na=rtcp-mux\r\n"
      "a=ice-ufrag:8HIG\r\na=ice-pwd:JzeN+RstXNuuSKpoCkPQT8\r\na=ice-options:trickle\r\na=setup:active\r\n"
      "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
      "a=msid:janus janus1\r\na=ssrc:1039462307 cname:janus\r\n"
      "a=candidate:1 1 udp 2015363583 10.77.0.1 46738 typ host\r\na=end-of-candidates\r\n";
  return s;
}

// Janus's offer to a subscriber (one publisher's audio and VP8 + RTX video, and a data channel
// section as Janus adds when the publisher has one).
std::string janusOffer(bool withData = true) {
  std::string s =
      "v=0\r\no=- 1795717173880924 1 IN IP4 10.77.0.1\r\ns=VideoRoom 1853018311268555\r\nt=0 0\r\n"
      "a=group:BUNDLE 0 1" +
      std::string(withData ? " 2" : "") + "\r\na=ice-options:trickle\r\na=fingerprint:sha-256 " +
      std::string(kJanusFingerprint) +
      "\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS *\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 10.77.0.1\r\na=sendonly\r\na=mid:0\r\na=rtcp-mux\r\n"
      "a=ice-ufrag:ui0z\r\na=ice-pwd:mjNSe1BsTcD0JldlNGiCXD\r\na=ice-options:trickle\r\na=setup:actpass\r\n"
      "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=fmtp:111 useinbandfec=1\r\n"
      "a=msid:janus janus0\r\na=ssrc:2428584605 cname:janus\r\n"
      "a=candidate:1 1 udp 2015363583 10.77.0.1 45929 typ host\r\na=end-of-candidates\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 10.77.0.1\r\na=sendonly\r\na=mid:1\r\na=rtcp-mux\r\n"
      "a=ice-ufrag:ui0z\r\na=ice-pwd:mjNSe1BsTcD0JldlNGiCXD\r\na=ice-options:trickle\r\na=setup:actpass\r\n"
      "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
      "a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
      "a=ssrc-group:FID 3532627399 1518362698\r\na=msid:janus janus1\r\na=ssrc:3532627399 cname:janus\r\n"
      "a=ssrc:1518362698 cname:janus\r\n"
      "a=candidate:1 1 udp 2015363583 10.77.0.1 45929 typ host\r\na=end-of-candidates\r\n";
  if (withData) {
    s += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 10.77.0.1\r\na=sendrecv\r\na=mid:2\r\n"
         "a=ice-ufrag:ui0z\r\na=ice-pwd:mjNSe1BsTcD0JldlNGiCXD\r\na=setup:actpass\r\na=sctp-port:5000\r\n";
  }
  return s;
}

const media::ice::IceCredentials kOurIce{"C6cMlir3", "YaNiICmSIb+LoXOEfpmi5fDg"};
const media::util::SocketAddress kBind = *media::util::SocketAddress::parse("10.77.0.2", 0);

}  // namespace

TEST_CASE("Janus's answer to a publisher: its ICE, candidate, fingerprint; we are the DTLS server",
          "[bench][janus]") {
  std::string error;
  const auto found = clientParamsFrom(janusAnswer(), false, kOurIce, kBind, error);
  REQUIRE(found);
  const auto& params = *found;
  CHECK(params.localIce.ufrag == kOurIce.ufrag);
  CHECK(params.remoteIce.ufrag == "8HIG");
  CHECK(params.remoteIce.password == "JzeN+RstXNuuSKpoCkPQT8");
  REQUIRE(params.remoteCandidates.size() == 1);  // the same candidate in both bundled sections
  CHECK(params.remoteCandidates[0].address == *media::util::SocketAddress::parse("10.77.0.1", 46738));
  CHECK(params.secure.remoteFingerprint.toText() == kJanusFingerprint);
  CHECK(params.secure.role == media::dtls::DtlsRole::kServer);  // a=setup:active
  CHECK_FALSE(params.tieBreaker.has_value());                   // Janus answered: it is controlled
  CHECK(params.localBind == kBind);
}

TEST_CASE("Janus's offer to a subscriber: we are the DTLS client and win the ICE role", "[bench][janus]") {
  std::string error;
  const auto found = clientParamsFrom(janusOffer(), true, kOurIce, kBind, error);
  REQUIRE(found);
  const auto& params = *found;
  CHECK(params.remoteIce.ufrag == "ui0z");
  REQUIRE(params.remoteCandidates.size() == 1);
  CHECK(params.remoteCandidates[0].address.port() == 45929);
  CHECK(params.secure.role == media::dtls::DtlsRole::kClient);  // actpass, answered active
  CHECK(params.tieBreaker == media::ice::IceClientAgent::kWinningTieBreaker);
}

TEST_CASE("Janus SDP that cannot drive a transport is refused with the reason", "[bench][janus]") {
  std::string text = janusAnswer();
  std::string error;
  const auto refused = [&error](const std::string& sdp, const media::util::SocketAddress& bind) {
    error.clear();
    return !clientParamsFrom(sdp, false, kOurIce, bind, error).has_value();
  };
  SECTION("no candidate of our family") {
    const auto v6 = *media::util::SocketAddress::parse("::1", 0);
    CHECK(refused(text, v6));
    CHECK_THAT(error, Catch::Contains("IPv6"));
  }
  SECTION("no fingerprint") {
    const size_t at = text.find("a=fingerprint:");
    text.erase(at, text.find("\r\n", at) + 2 - at);
    CHECK(refused(text, kBind));
    CHECK_THAT(error, Catch::Contains("fingerprint"));
  }
  SECTION("actpass in an answer") {
    for (size_t at = text.find("a=setup:active"); at != std::string::npos; at = text.find("a=setup:active"))
      text.replace(at, 14, "a=setup:actpass");
    CHECK(refused(text, kBind));
    CHECK_THAT(error, Catch::Contains("actpass"));
  }
  SECTION("not SDP") {
    CHECK(refused("hello", kBind));
    CHECK_THAT(error, Catch::Contains("unparsable"));
  }
}

TEST_CASE("The answer to Janus's offer is a recvonly browser answer with the same mids and codecs",
          "[bench][janus]") {
  media::dtls::Fingerprint ours;
  ours.bytes.fill(0xAB);
  const auto candidate = *media::util::SocketAddress::parse("10.77.0.2", 33567);
  const std::string text = answerJanusOffer(janusOffer(), {kOurIce, ours, candidate});
  const sdp::ParseResult parsed = sdp::parse(text);
  REQUIRE(parsed);
  const sdp::SessionDescription& answer = *parsed.description;
  REQUIRE(answer.bundleGroup() != nullptr);
  CHECK(answer.bundleGroup()->mids == std::vector<std::string>{"0", "1"});
  REQUIRE(answer.media.size() == 3);

  const sdp::MediaDescription& audio = answer.media[0];
  CHECK(audio.mid == "0");
  CHECK(audio.port == 9);
  CHECK(audio.direction == sdp::Direction::kRecvOnly);
  CHECK(audio.formats == std::vector<std::string>{"111"});
  CHECK(audio.iceUfrag == kOurIce.ufrag);
  CHECK(audio.icePwd == kOurIce.password);
  CHECK(audio.setup == sdp::SetupRole::kActive);
  CHECK(audio.rtcpMux);
  REQUIRE(audio.fingerprints.size() == 1);
  CHECK(audio.fingerprints[0].bytes == std::vector<uint8_t>(32, 0xAB));
  REQUIRE(audio.candidates.size() == 1);  // on the first bundled section only
  CHECK(audio.candidates[0].address == "10.77.0.2");
  CHECK(audio.candidates[0].port == 33567);
  CHECK(audio.endOfCandidates);
  CHECK(audio.ssrcs.empty());  // we send nothing

  const sdp::MediaDescription& video = answer.media[1];
  CHECK(video.mid == "1");
  CHECK(video.direction == sdp::Direction::kRecvOnly);
  CHECK(video.formats == std::vector<std::string>{"96", "97"});
  REQUIRE(video.findRtpMap(96) != nullptr);
  CHECK(video.findRtpMap(96)->encodingName == "VP8");
  REQUIRE(video.findFmtp(97) != nullptr);
  CHECK(video.extmapId("urn:ietf:params:rtp-hdrext:sdes:mid") == 4);  // Janus's ids kept
  CHECK(video.candidates.empty());
  CHECK(video.setup == sdp::SetupRole::kActive);

  const sdp::MediaDescription& data = answer.media[2];
  CHECK(data.media == "application");
  CHECK(data.port == 0);  // rejected: the bench sends no data channel

  // The text round-trips through the parser unchanged.
  CHECK(sdp::write(answer) == text);
}

TEST_CASE("An offer with nothing to receive cannot be answered", "[bench][janus]") {
  std::string offer = janusOffer(false);
  for (size_t at = offer.find("m=audio 9"); at != std::string::npos; at = offer.find("m=audio 9"))
    offer.replace(at, 9, "m=audio 0");
  for (size_t at = offer.find("m=video 9"); at != std::string::npos; at = offer.find("m=video 9"))
    offer.replace(at, 9, "m=video 0");
  CHECK_THROWS_WITH(answerJanusOffer(offer, {kOurIce, {}, {}}), Catch::Contains("no audio or video"));
}
