// Malformed and hostile SDP: every case must fail cleanly, on the right line, with a message that
// says what is wrong. Truncations and byte corruptions of the real offers must never crash.
#include <catch2/catch.hpp>

#include <algorithm>

#include "media/sdp/Sdp.h"
#include "tests/media/sdp/SdpTestUtil.h"

using namespace switchyard::media::sdp;
using namespace switchyard::media::sdp::test;

namespace {

void expectError(const std::string& text, size_t line, std::string_view fragment,
                 const ParseLimits& limits = {}) {
  const ParseResult r = parse(text, limits);
  INFO("input:\n" << (text.size() < 600 ? text : text.substr(0, 600) + "..."));
  REQUIRE_FALSE(r.ok());
  INFO("error: line " << r.line << ": " << r.error);
  CHECK(r.line == line);
  CHECK(r.error.find(fragment) != std::string::npos);
}

// Header (4 lines) + "m=audio ..." (line 5) + the given media-level lines from line 6 on.
std::string audioWith(const std::string& lines) {
  return minimalHeader() + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + lines;
}

}  // namespace

TEST_CASE("structure: v= o= s= first, t= before m=", "[sdp][malformed]") {
  // RFC 8866 section 5: "v=" first, then "o=", "s=", and a "t=" in the session part.
  expectError("", 1, "first line must be v=0");
  expectError("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1, "first line must be v=0");
  expectError("v=1\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1, "unsupported SDP version");
  expectError("v=0\r\n", 2, "missing o=");
  expectError("v=0\r\ns=-\r\n", 2, "second line must be o=");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", 3, "missing s=");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nt=0 0\r\n", 3, "third line must be s=");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", 4, "missing t=");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n", 4,
              "missing t= line before the first m=");
  expectError("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\nt=0 0\r\n", 2, "o= needs 6 fields");
  expectError("v=0\r\no=- x 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 2, "session id");
  expectError("v=0\r\no=- 1 99999999999999999999 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 2, "session version");
  expectError(minimalHeader() + "v=0\r\n", 5, "may appear only once");
  expectError(minimalHeader() + "s=again\r\n", 5, "may appear only once");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0\r\n", 4, "t= needs 2 fields");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=now later\r\n", 4, "t= times");
  expectError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nr=7d 1h 0\r\nt=0 0\r\n", 4, "r= without");
  expectError(minimalHeader() + "a=foo\r\nr=7d 1h 0\r\n", 6, "r= must follow its t=");
  expectError(audioWith("t=0 0\r\n"), 6, "not allowed in a media section");
  expectError(audioWith("u=http://example.com\r\n"), 6, "not allowed in a media section");
  expectError(minimalHeader() + "x=unknown\r\n", 5, "unknown line type 'x='");
  expectError(minimalHeader() + "A=upper\r\n", 5, "not <type>=<value>");
  expectError(minimalHeader() + "a:colon\r\n", 5, "not <type>=<value>");
  expectError(minimalHeader() + "a\r\n", 5, "not <type>=<value>");
  expectError(minimalHeader() + "\r\na=x\r\n", 5, "empty line");
  expectError(minimalHeader() + "c=IN IP4\r\n", 5, "c= needs 3 fields");
  expectError(minimalHeader() + "c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.5\r\n", 6, "more than one c=");
  expectError(minimalHeader() + "b=AS\r\n", 5, "b= must be");
  expectError(minimalHeader() + "b=AS:fast\r\n", 5, "not a decimal number");
  // Trailing blank lines are harmless.
  CHECK(parse(minimalHeader() + "\r\n\r\n").ok());
  CHECK(parse(minimalHeader() + "\n").ok());
}

TEST_CASE("m= line must be well formed", "[sdp][malformed]") {
  expectError(minimalHeader() + "m=audio abc RTP/AVP 0\r\n", 5, "m= port 'abc'");
  expectError(minimalHeader() + "m=audio 65536 RTP/AVP 0\r\n", 5, "m= port");
  expectError(minimalHeader() + "m=audio -1 RTP/AVP 0\r\n", 5, "m= port");
  expectError(minimalHeader() + "m=audio 9/x RTP/AVP 0\r\n", 5, "number of ports");
  expectError(minimalHeader() + "m=audio 9 RTP/AVP\r\n", 5, "m= needs <media> <port> <proto> <fmt>");
  expectError(minimalHeader() + "m=audio\r\n", 5, "m= needs");
  expectError(minimalHeader() + "m=\r\n", 5, "m= needs");
  expectError(minimalHeader() + "m=audio 9 RTP//AVP 0\r\n", 5, "proto");
  expectError(minimalHeader() + "m=aud(io 9 RTP/AVP 0\r\n", 5, "media type");
}

TEST_CASE("attributes that belong in a media section are refused at session level", "[sdp][malformed]") {
  for (const char* line : {"a=rtpmap:111 opus/48000/2", "a=mid:0", "a=candidate:1 1 udp 1 1.2.3.4 9 typ host",
                           "a=rtcp-mux", "a=fmtp:111 x=1", "a=ssrc:1 cname:x", "a=rid:q send",
                           "a=simulcast:send q", "a=msid:a b", "a=sctp-port:5000", "a=rtcp-fb:* nack"}) {
    INFO(line);
    expectError(minimalHeader() + line + "\r\nm=audio 9 RTP/AVP 0\r\n", 5, "media-level attribute");
  }
  // The same lines are fine after the m= line.
  CHECK(parse(audioWith("a=mid:0\r\na=rtcp-mux\r\n")).ok());
}

TEST_CASE("known attributes with bad values", "[sdp][malformed]") {
  // RFC 8866 section 6.6 rtpmap
  expectError(audioWith("a=rtpmap:abc opus/48000/2\r\n"), 6, "payload type 'abc' is not a number 0..127");
  expectError(audioWith("a=rtpmap:128 opus/48000/2\r\n"), 6, "payload type '128'");
  expectError(audioWith("a=rtpmap:111\r\n"), 6, "a=rtpmap needs");
  expectError(audioWith("a=rtpmap:111 opus\r\n"), 6, "a=rtpmap needs");
  expectError(audioWith("a=rtpmap:111 opus/0\r\n"), 6, "clock rate");
  expectError(audioWith("a=rtpmap:111 opus/48000/2/1\r\n"), 6, "a=rtpmap needs");
  expectError(audioWith("a=rtpmap:111 opus/48000/x\r\n"), 6, "channel count");
  expectError(audioWith("a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 opus/48000/2\r\n"), 7, "mapped twice");
  expectError(audioWith("a=fmtp:x minptime=10\r\n"), 6, "a=fmtp: payload type 'x'");
  expectError(audioWith("a=fmtp:111 a=1\r\na=fmtp:111 b=2\r\n"), 7, "two fmtp lines");
  expectError(audioWith("a=rtcp-fb:1000 nack\r\n"), 6, "neither '*' nor a number");
  expectError(audioWith("a=rtcp-fb:111\r\n"), 6, "a=rtcp-fb needs");

  // RFC 8122 section 5 fingerprint
  const std::string good32 =
      "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2";
  CHECK(parse(audioWith("a=fingerprint:sha-256 " + good32 + "\r\n")).ok());
  std::string badHex = good32;
  badHex[3] = 'G';
  expectError(audioWith("a=fingerprint:sha-256 " + badHex + "\r\n"), 6, "bad hex at byte 2");
  std::string badSep = good32;
  badSep[2] = '-';
  expectError(audioWith("a=fingerprint:sha-256 " + badSep + "\r\n"), 6, "bad hex at byte 1");
  expectError(audioWith("a=fingerprint:sha-256 " + good32.substr(3) + "\r\n"), 6, "needs 32 bytes, got 31");
  expectError(audioWith("a=fingerprint:sha-256 19E21C3B\r\n"), 6, "bad hex at byte 1");
  expectError(audioWith("a=fingerprint:sha-256 19E21C3\r\n"), 6, "not hex byte pairs");
  expectError(audioWith("a=fingerprint:sha-256\r\n"), 6, "a=fingerprint must be");
  expectError(audioWith("a=fingerprint:sha-256 " + good32 + ":AA:BB:" + good32 + "\r\n"), 6, "more than 64");

  // RFC 4145 setup, RFC 8839 ICE
  expectError(audioWith("a=setup:client\r\n"), 6, "a=setup must be actpass, active, passive or holdconn");
  expectError(audioWith("a=setup:active\r\na=setup:passive\r\n"), 7, "duplicate a=setup");
  expectError(audioWith("a=ice-ufrag:ab#c\r\n"), 6, "a=ice-ufrag must be");
  expectError(audioWith("a=ice-pwd:\r\n"), 6, "a=ice-pwd must be");
  expectError(audioWith("a=ice-ufrag:abcd\r\na=ice-ufrag:efgh\r\n"), 7, "duplicate a=ice-ufrag");
  expectError(audioWith("a=ice-options:\r\n"), 6, "at least one option");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 9 host\r\n"), 6, "a=candidate needs");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 9 kind host\r\n"), 6, "expected 'typ'");
  expectError(audioWith("a=candidate:1 0 udp 1 1.2.3.4 9 typ host\r\n"), 6, "component id");
  expectError(audioWith("a=candidate:1 1 udp 4294967296 1.2.3.4 9 typ host\r\n"), 6, "priority");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 99999 typ host\r\n"), 6, "port");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 9 typ host generation\r\n"), 6, "has no value");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 9 typ srflx rport x\r\n"), 6, "rport");
  expectError(audioWith("a=candidate:1 1 udp 1 1.2.3.4 9 typ host raddr a raddr b\r\n"), 6,
              "duplicate raddr");

  // RFC 8285 extmap
  expectError(audioWith("a=extmap:0 urn:x\r\n"), 6, "a=extmap: id '0'");
  expectError(audioWith("a=extmap:256 urn:x\r\n"), 6, "a=extmap: id '256'");
  expectError(audioWith("a=extmap:4352 urn:x\r\n"), 6, "a=extmap: id '4352'");
  expectError(audioWith("a=extmap:1/both urn:x\r\n"), 6, "direction 'both'");
  expectError(audioWith("a=extmap:1\r\n"), 6, "a=extmap needs");
  expectError(audioWith("a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n"), 7, "id 1 used twice");

  // RFC 5576, RFC 8830, RFC 8851, RFC 8853, RFC 8841
  expectError(audioWith("a=ssrc:abc cname:x\r\n"), 6, "not a 32-bit SSRC");
  expectError(audioWith("a=ssrc:4294967296 cname:x\r\n"), 6, "not a 32-bit SSRC");
  expectError(audioWith("a=ssrc:1\r\n"), 6, "a=ssrc needs");
  expectError(audioWith("a=ssrc-group:FID 1 x\r\n"), 6, "'x' is not a 32-bit SSRC");
  expectError(audioWith("a=msid:a b c\r\n"), 6, "a=msid must be");
  expectError(audioWith("a=rid:q both\r\n"), 6, "neither send nor recv");
  expectError(audioWith("a=rid:q!x send\r\n"), 6, "a=rid: id");
  expectError(audioWith("a=rid:q send max-width=1 max-height=2\r\n"), 6, "must not contain spaces");
  expectError(audioWith("a=rid:q send =5\r\n"), 6, "restriction without a name");
  expectError(audioWith("a=simulcast:send\r\n"), 6, "a=simulcast must be");
  expectError(audioWith("a=simulcast:send q;;h\r\n"), 6, "is not a rid id");
  expectError(audioWith("a=simulcast:send q send h\r\n"), 6, "each at most once");
  expectError(audioWith("a=simulcast:both q\r\n"), 6, "expected 'send' or 'recv'");
  expectError(audioWith("a=sctp-port:70000\r\n"), 6, "a=sctp-port");
  expectError(audioWith("a=max-message-size:-1\r\n"), 6, "a=max-message-size");

  // RFC 5888 / RFC 8843 mid and group
  expectError(audioWith("a=mid:\r\n"), 6, "a=mid value must be a non-empty token");
  expectError(audioWith("a=mid:0\r\na=mid:1\r\n"), 7, "duplicate a=mid");
  expectError(audioWith("a=mid:0\r\nm=video 9 RTP/AVP 96\r\na=mid:0\r\n"), 8,
              "used by another media section");
  expectError(minimalHeader() + "a=group:\r\n", 5, "a=group needs a semantics");
  expectError(minimalHeader() + "a=group:BUNDLE a(b\r\n", 5, "not a token");
  expectError(minimalHeader() + "a=msid-semantic:\r\n", 5, "a=msid-semantic needs");
  expectError(minimalHeader() + "a=ice-lite\r\na=ice-lite\r\n", 6, "duplicate a=ice-lite at session level");

  // Flags take no value; a section has one direction.
  expectError(audioWith("a=rtcp-mux:yes\r\n"), 6, "a=rtcp-mux takes no value");
  expectError(audioWith("a=sendrecv:1\r\n"), 6, "a=sendrecv takes no value");
  expectError(minimalHeader() + "a=ice-lite:1\r\n", 5, "a=ice-lite takes no value");
  expectError(audioWith("a=sendonly\r\na=recvonly\r\n"), 7, "more than one direction");
  expectError(audioWith("a=rtcp-rsize\r\na=rtcp-rsize\r\n"), 7, "duplicate a=rtcp-rsize");
  expectError(audioWith("a=\r\n"), 6, "attribute without a name");
  expectError(audioWith("a=:value\r\n"), 6, "attribute without a name");
}

TEST_CASE("unknown attributes are kept, whatever they hold", "[sdp][malformed]") {
  const auto r = parse(audioWith("a=x-weird:  spaced : colons : \r\na=flag\r\na=empty:\r\n"));
  REQUIRE(r.ok());
  const auto& attrs = r.description->media[0].attributes;
  REQUIRE(attrs.size() == 3);
  CHECK(attrs[0].value == "  spaced : colons : ");
  CHECK_FALSE(attrs[1].value);
  CHECK(attrs[2].value == "");
  CHECK(write(*r.description) == audioWith("a=x-weird:  spaced : colons : \r\na=flag\r\na=empty:\r\n"));
}

TEST_CASE("hostile input is capped", "[sdp][malformed][limits]") {
  SECTION("input larger than 64 KiB") {
    std::string text = minimalHeader();
    while (text.size() <= 64 * 1024)
      text += "a=x-padding:0123456789012345678901234567890123456789\r\n";
    expectError(text, 0, "more than the limit of 65536");
  }
  SECTION("NUL bytes") {
    std::string text = audioWith("a=mid:0\r\n");
    text.insert(text.size() - 3, 1, '\0');
    expectError(text, 6, "NUL byte");
    expectError(std::string("v=0\0\r\n", 6), 1, "NUL byte");
  }
  SECTION("stray CR inside a line") {
    expectError(audioWith("a=mid:0\rx\r\n"), 6, "stray CR");
  }
  SECTION("extremely long line") {
    expectError(audioWith("a=x-long:" + std::string(5000, 'x') + "\r\n"), 6, "line is 5009 bytes");
    expectError(audioWith("a=candidate:" + std::string(60000, '1') + "\r\n"), 6,
                "more than the limit of 4096");
    // Exactly at the limit is fine.
    CHECK(parse(audioWith("a=x-long:" + std::string(4096 - 9, 'x') + "\r\n")).ok());
  }
  SECTION("too many lines") {
    std::string text = minimalHeader();
    for (int i = 0; i < 9000; ++i)
      text += "a=x\r\n";
    expectError(text, 8193, "more than 8192 lines");
  }
  SECTION("10k media sections") {
    std::string sections;
    for (int i = 0; i < 10000; ++i)
      sections += "m=audio 9 RTP/AVP 0\r\n";
    // Refused by the size cap with the default limits...
    expectError(minimalHeader() + sections, 0, "more than the limit");
    // ... and by the section cap when the size cap is lifted: the 257th m= line is line 4 + 257.
    ParseLimits big;
    big.maxInputBytes = 1 << 20;
    big.maxLines = 1 << 20;
    expectError(minimalHeader() + sections, 261, "more than 256 media sections", big);
    // 300 small sections fit in 64 KiB but not under the section cap.
    expectError(minimalHeader() + sections.substr(0, 300 * 21), 261, "more than 256 media sections");
    CHECK(parse(minimalHeader() + sections.substr(0, 256 * 21)).ok());
  }
  SECTION("custom limits") {
    ParseLimits tight;
    tight.maxInputBytes = 100;
    expectError(readFixture("chromium-audio.sdp"), 0, "more than the limit of 100", tight);
  }
}

TEST_CASE("truncations of the fixtures fail cleanly or round-trip", "[sdp][malformed]") {
  // Every length of the smallest offer; for the others every line end and a byte on either side of
  // it (cutting inside a long line teaches nothing new and costs seconds under ASan). The fuzz
  // target's seed corpus holds more truncations.
  for (const auto& name : fixtureNames()) {
    INFO(name);
    const std::string text = readFixture(name);
    const size_t lineCount = crlfLines(text).size();
    std::vector<size_t> cuts;
    if (text.size() < 1500) {
      for (size_t n = 0; n <= text.size(); ++n)
        cuts.push_back(n);
    } else {
      for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\n') continue;
        cuts.push_back(i);  // before the LF (the line ends in a lone CR)
        cuts.push_back(i + 1);
        cuts.push_back(i + 2);
      }
    }
    size_t parsed = 0;
    for (const size_t n : cuts) {
      const ParseResult r = parse(std::string_view(text.data(), std::min(n, text.size())));
      if (!r.ok()) {
        if (r.line < 1 || r.line > lineCount + 1 || r.error.empty()) FAIL("length " << n << ": " << r.error);
        continue;
      }
      ++parsed;
      const auto again = parse(write(*r.description));
      if (!again.ok() || !(*again.description == *r.description)) FAIL("round trip differs at length " << n);
    }
    // Every cut at the end of a complete line from t= on parses.
    CHECK(parsed >= lineCount - 3);
  }
}

TEST_CASE("a NUL byte anywhere is reported on its line", "[sdp][malformed]") {
  const std::string text = readFixture("chromium-audio.sdp");
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    std::string corrupt = text;
    corrupt[i] = '\0';
    const ParseResult r = parse(corrupt);
    INFO("offset " << i);
    REQUIRE_FALSE(r.ok());
    if (text[i] == '\n') {
      // Replacing the LF joins two lines: the error is about the joined line (stray CR or NUL).
      CHECK(r.line == line);
    } else if (text[i] != '\r') {
      CHECK(r.line == line);
      CHECK(r.error == "NUL byte in line");
    }
    if (text[i] == '\n') ++line;
  }
}
