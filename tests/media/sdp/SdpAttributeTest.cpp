// Attribute codecs one by one, on examples in the style of the RFCs that define them.
#include <catch2/catch.hpp>

#include "media/sdp/Sdp.h"
#include "tests/media/sdp/SdpTestUtil.h"

using namespace switchyard::media::sdp;

namespace {

template <typename T>
T mustParse(std::string_view value) {
  std::string error;
  auto v = T::parse(value, error);
  INFO(value << " -> " << error);
  REQUIRE(v);
  CHECK(error.empty());
  // Every attribute writes back to text that parses to the same value.
  std::string error2;
  const auto again = T::parse(v->toString(), error2);
  REQUIRE(again);
  CHECK(*again == *v);
  return std::move(*v);
}

}  // namespace

TEST_CASE("RFC 8866 section 5 example session", "[sdp][attribute]") {
  const std::string text =
      "v=0\r\n"
      "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
      "s=Call to John Smith\r\n"
      "i=SDP Offer #1\r\n"
      "u=http://www.jdoe.example.com/home.html\r\n"
      "e=Jane Doe <jane@jdoe.example.com>\r\n"
      "p=+1 617 555-6011\r\n"
      "c=IN IP4 198.51.100.1\r\n"
      "t=0 0\r\n"
      "m=audio 49170 RTP/AVP 0\r\n"
      "m=audio 49180 RTP/AVP 0\r\n"
      "m=video 51372 RTP/AVP 99\r\n"
      "c=IN IP6 2001:db8::2\r\n"
      "a=rtpmap:99 h263-1998/90000\r\n";
  const auto r = parse(text);
  INFO(r.line << ": " << r.error);
  REQUIRE(r.ok());
  const auto& sd = *r.description;
  CHECK(sd.origin.username == "jdoe");
  CHECK(sd.origin.sessionId == 3724394400u);
  CHECK(sd.origin.sessionVersion == 3724394405u);
  CHECK(sd.origin.address == "198.51.100.1");
  CHECK(sd.sessionName == "Call to John Smith");
  REQUIRE(sd.textLines.size() == 4);
  CHECK(sd.textLines[0] == TextLine{'i', "SDP Offer #1"});
  CHECK(sd.textLines[2] == TextLine{'e', "Jane Doe <jane@jdoe.example.com>"});
  CHECK(sd.textLines[3] == TextLine{'p', "+1 617 555-6011"});
  CHECK(sd.connection == Connection{"IN", "IP4", "198.51.100.1"});
  REQUIRE(sd.media.size() == 3);
  CHECK(sd.media[0].port == 49170);
  CHECK(sd.media[0].proto == "RTP/AVP");
  CHECK(sd.media[0].codec(0)->name == "PCMU");  // static payload type 0 (RFC 3551)
  CHECK(sd.media[0].codec(0)->clockRate == 8000);
  CHECK_FALSE(sd.media[0].mid);
  CHECK(sd.media[2].connection == Connection{"IN", "IP6", "2001:db8::2"});
  CHECK(sd.media[2].codec(99)->name == "h263-1998");
  CHECK_FALSE(sd.media[2].codec(98));
  CHECK(write(sd) == text);
}

TEST_CASE("candidate (RFC 8839 section 5.1, RFC 6544)", "[sdp][attribute]") {
  auto host = mustParse<Candidate>("1 1 UDP 2130706431 203.0.113.141 8998 typ host");
  CHECK(host.foundation == "1");
  CHECK(host.transport == "UDP");  // case kept as written
  CHECK(host.priority == 2130706431u);
  CHECK(host.address == "203.0.113.141");
  CHECK(host.port == 8998);
  CHECK(host.type == "host");
  CHECK_FALSE(host.relatedAddress);
  CHECK(host.toString() == "1 1 UDP 2130706431 203.0.113.141 8998 typ host");

  auto srflx =
      mustParse<Candidate>("2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998");
  CHECK(srflx.relatedAddress == "203.0.113.141");
  CHECK(srflx.relatedPort == 8998);

  auto tcp =
      mustParse<Candidate>("3 1 tcp 1518280447 192.0.2.3 9 typ host tcptype active generation 2 ufrag Ab12");
  CHECK(tcp.tcpType == "active");
  CHECK(tcp.generation == 2u);
  CHECK(tcp.extension("ufrag") == "Ab12");
  CHECK_FALSE(tcp.extension("network-id"));

  // An mDNS host name (RFC 8839 allows an FQDN) and extensions in any order.
  auto mdns = mustParse<Candidate>(
      "4 1 udp 2122262783 2a6f1c2e-7b3b-4b2f-9a8e-7f2a1c0d9e4b.local 53000 typ host network-cost 10 "
      "generation 0");
  CHECK(mdns.address == "2a6f1c2e-7b3b-4b2f-9a8e-7f2a1c0d9e4b.local");
  CHECK(mdns.generation == 0u);
  CHECK(mdns.extensions.size() == 1);
  // Typed extensions are written first (canonical order).
  CHECK(mdns.toString() ==
        "4 1 udp 2122262783 2a6f1c2e-7b3b-4b2f-9a8e-7f2a1c0d9e4b.local 53000 typ host generation 0 "
        "network-cost 10");

  std::string error;
  CHECK_FALSE(Candidate::parse(std::string(33, 'f') + " 1 udp 1 1.2.3.4 9 typ host", error));
  CHECK(error.find("foundation") != std::string::npos);
  CHECK_FALSE(Candidate::parse("1 257 udp 1 1.2.3.4 9 typ host", error));
  CHECK(Candidate::parse("1 256 udp 1 1.2.3.4 9 typ host", error));
}

TEST_CASE("rtpmap, fmtp, rtcp-fb (RFC 8866 6.6/6.15, RFC 4585 4.2)", "[sdp][attribute]") {
  const auto opus = mustParse<RtpMap>("111 opus/48000/2");
  CHECK(opus.payloadType == 111);
  CHECK(opus.encodingName == "opus");
  CHECK(opus.clockRate == 48000);
  CHECK(opus.channels == 2u);
  const auto vp8 = mustParse<RtpMap>("96 VP8/90000");
  CHECK_FALSE(vp8.channels);
  CHECK(vp8.toString() == "96 VP8/90000");
  CHECK(mustParse<RtpMap>("0 PCMU/8000").payloadType == 0);
  CHECK(mustParse<RtpMap>("127 x/1").payloadType == 127);

  const auto h264 =
      mustParse<Fmtp>("102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  CHECK(h264.payloadType == 102);
  const auto params = h264.parameterList();
  REQUIRE(params.size() == 3);
  CHECK(params[0] == Parameter{"level-asymmetry-allowed", std::string("1")});
  CHECK(params[2] == Parameter{"profile-level-id", std::string("42001f")});
  CHECK(h264.parameter("Profile-Level-Id") == "42001f");
  CHECK_FALSE(h264.parameter("sprop-parameter-sets"));
  const auto red = mustParse<Fmtp>("63 111/111");
  CHECK(red.parameterList() == std::vector<Parameter>{{"111/111", std::nullopt}});
  CHECK(red.parameter("111/111") == "");
  const auto bare = mustParse<Fmtp>("100");
  CHECK(bare.parameters.empty());
  CHECK(bare.toString() == "100");
  // Spaces around separators are trimmed from the list, kept in the text.
  const auto spaced = mustParse<Fmtp>("109 maxplaybackrate=48000; stereo=1 ;useinbandfec = 1;");
  CHECK(spaced.parameters == "maxplaybackrate=48000; stereo=1 ;useinbandfec = 1;");
  CHECK(spaced.parameter("stereo") == "1");
  CHECK(spaced.parameter("useinbandfec") == "1");
  CHECK(spaced.parameterList().size() == 3);

  const auto nack = mustParse<RtcpFeedback>("98 nack rpsi");
  CHECK(nack.payloadType == 98);
  CHECK(nack.type == "nack");
  CHECK(nack.subtype == "rpsi");
  const auto wildcard = mustParse<RtcpFeedback>("* nack");
  CHECK_FALSE(wildcard.payloadType);
  CHECK_FALSE(wildcard.subtype);
  CHECK(wildcard.toString() == "* nack");
  const auto tmmbr = mustParse<RtcpFeedback>("96 ccm tmmbr smaxpr=120");
  CHECK(tmmbr.subtype == "tmmbr smaxpr=120");
}

TEST_CASE("extmap (RFC 8285 section 8)", "[sdp][attribute]") {
  const auto a = mustParse<Extmap>("1 http://example.com/082005/ext.htm#ttime");
  CHECK(a.id == 1);
  CHECK_FALSE(a.direction);
  CHECK(a.uri == "http://example.com/082005/ext.htm#ttime");
  CHECK_FALSE(a.attributes);
  const auto b = mustParse<Extmap>("2/sendrecv http://example.com/082005/ext.htm#xmeta short");
  CHECK(b.id == 2);
  CHECK(b.direction == Direction::kSendRecv);
  CHECK(b.attributes == "short");
  CHECK(b.toString() == "2/sendrecv http://example.com/082005/ext.htm#xmeta short");
  CHECK(mustParse<Extmap>("255 urn:x").id == 255);
  CHECK(mustParse<Extmap>("4351/inactive urn:x").direction == Direction::kInactive);
}

TEST_CASE("ssrc and ssrc-group (RFC 5576 sections 4.1, 4.2)", "[sdp][attribute]") {
  const auto cname = mustParse<Ssrc>("314159 cname:user@example.com");
  CHECK(cname.ssrc == 314159u);
  CHECK(cname.attribute == "cname");
  CHECK(cname.value == "user@example.com");
  const auto msid = mustParse<Ssrc>("4294967295 msid:stream track");
  CHECK(msid.ssrc == 4294967295u);
  CHECK(msid.value == "stream track");
  const auto flag = mustParse<Ssrc>("1 x-flag");
  CHECK_FALSE(flag.value);
  CHECK(flag.toString() == "1 x-flag");

  const auto fid = mustParse<SsrcGroup>("FID 1111 2222");
  CHECK(fid.semantics == "FID");
  CHECK(fid.ssrcs == std::vector<uint32_t>{1111, 2222});
  const auto sim = mustParse<SsrcGroup>("SIM 1 2 3");
  CHECK(sim.ssrcs.size() == 3);
}

TEST_CASE("rid (RFC 8851 section 10) and simulcast (RFC 8853 section 5.1)", "[sdp][attribute]") {
  const auto rid = mustParse<Rid>("1 send pt=97;max-width=1280;max-height=720");
  CHECK(rid.id == "1");
  CHECK(rid.direction == Rid::Direction::kSend);
  CHECK(rid.payloadTypes() == std::vector<uint8_t>{97});
  CHECK(rid.restriction("max-height") == "720");
  CHECK_FALSE(rid.restriction("max-fps"));
  CHECK(rid.toString() == "1 send pt=97;max-width=1280;max-height=720");
  const auto recv = mustParse<Rid>("foo_bar-2 recv pt=96,98,x;max-br=64000;flag");
  CHECK(recv.direction == Rid::Direction::kRecv);
  CHECK(recv.payloadTypes() == std::vector<uint8_t>{96, 98});  // "x" is not a payload type
  CHECK(recv.restriction("flag") == "");
  CHECK(mustParse<Rid>("f send").restrictions.empty());

  const auto sc = mustParse<Simulcast>("send 1;2,3 recv 4");
  REQUIRE(sc.send.size() == 2);
  CHECK(sc.send[0].size() == 1);
  CHECK(sc.send[1].size() == 2);
  CHECK(sc.send[1][1].rid == "3");
  REQUIRE(sc.recv.size() == 1);
  CHECK(sc.recv[0][0].rid == "4");
  CHECK(sc.toString() == "send 1;2,3 recv 4");
  const auto paused = mustParse<Simulcast>("recv 1;~2;3");
  CHECK(paused.recv[1][0].paused);
  CHECK(paused.recv[1][0].rid == "2");
  CHECK(paused.toString() == "recv 1;~2;3");
  // recv before send is accepted and written send first.
  const auto swapped = mustParse<Simulcast>("recv a send b");
  CHECK(swapped.toString() == "send b recv a");
}

TEST_CASE("fingerprint (RFC 8122 section 5)", "[sdp][attribute]") {
  const auto sha1 =
      mustParse<Fingerprint>("sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
  CHECK(sha1.bytes.size() == 20);
  CHECK(sha1.bytes.front() == 0x4A);
  CHECK(sha1.bytes.back() == 0xAB);
  CHECK(Fingerprint::digestSize("SHA-256") == 32);
  CHECK(Fingerprint::digestSize("sha-512") == 64);
  CHECK(Fingerprint::digestSize("x-unknown") == 0);
  // An unknown hash function is kept with any length up to 64 bytes.
  CHECK(mustParse<Fingerprint>("x-hash 01:02:03").bytes == std::vector<uint8_t>{1, 2, 3});
  Fingerprint f{"sha-256", std::vector<uint8_t>(32, 0)};
  f.bytes[0] = 0x0F;
  f.bytes[31] = 0xF0;
  CHECK(f.toString().substr(0, 13) == "sha-256 0F:00");
  CHECK(f.toString().substr(f.toString().size() - 3) == ":F0");
}

TEST_CASE("group, msid, msid-semantic, origin, bandwidth", "[sdp][attribute]") {
  const auto bundle = mustParse<Group>("BUNDLE 0 1 2");
  CHECK(bundle.semantics == "BUNDLE");
  CHECK(bundle.mids == std::vector<std::string>{"0", "1", "2"});
  CHECK(mustParse<Group>("BUNDLE").mids.empty());  // every section rejected (RFC 8843 section 7.3.3)

  const auto msid = mustParse<Msid>("- 7495421b-dd1e-4b17-8b53-0aef251973b8");
  CHECK(msid.streamId == "-");
  CHECK(mustParse<Msid>("stream").trackId == std::nullopt);

  const auto ms = mustParse<MsidSemantic>(" WMS a b");
  CHECK(ms.semantic == "WMS");
  CHECK(ms.ids == std::vector<std::string>{"a", "b"});
  CHECK(ms.toString() == " WMS a b");

  const auto o = mustParse<Origin>("- 18446744073709551615 0 IN IP6 ::1");
  CHECK(o.sessionId == 18446744073709551615u);
  CHECK(o.addrType == "IP6");

  const auto tias = mustParse<Bandwidth>("TIAS:128000");
  CHECK(tias.type == "TIAS");
  CHECK(tias.value == 128000u);
  CHECK(tias.toString() == "TIAS:128000");
}

TEST_CASE("direction and setup names", "[sdp][attribute]") {
  for (const auto d :
       {Direction::kSendRecv, Direction::kSendOnly, Direction::kRecvOnly, Direction::kInactive}) {
    CHECK(parseDirection(toString(d)) == d);
  }
  CHECK_FALSE(parseDirection("sendRecv"));
  for (const auto s : {SetupRole::kActPass, SetupRole::kActive, SetupRole::kPassive, SetupRole::kHoldConn}) {
    CHECK(parseSetupRole(toString(s)) == s);
  }
  CHECK_FALSE(parseSetupRole("ACTPASS"));
  CHECK(mediaKindOf("audio") == MediaKind::kAudio);
  CHECK(mediaKindOf("image") == MediaKind::kOther);
}
