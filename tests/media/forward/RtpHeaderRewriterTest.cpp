#include "media/forward/RtpHeaderRewriter.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "media/forward/AbsSendTime.h"
#include "media/rtp/RtpPacket.h"
#include "tests/TestHex.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using switchyard::media::forward::absSendTime;
using switchyard::media::forward::RtpHeaderRewriter;
using switchyard::media::rtp::RtpExtensionForm;
using switchyard::media::rtp::RtpPacketView;
using switchyard::test::hex;
using namespace switchyard::media::forward::test;

// RFC 3550 §5.1 header V=2 P=1 X=1 CC=1, M=1 PT=96, seq 0x1234, ts 0xDEADBEEF, SSRC 0x11111111,
// CSRC 0xCAFEBABE; RFC 8285 §4.2 one-byte block (2 words): mid (id 4) "1", rid (id 10) "r0",
// one 0x00 pad; payload 01 02 03; two padding bytes AA 02 (RFC 3550 §5.1: the last counts them).
const Bytes kInput =
    hex("B1 E0 1234 DEADBEEF 11111111 CAFEBABE"
        "BEDE 0002 40 31 A1 72 30 00 00 00"
        "010203 AA02");

const Bytes kMid = textBytes("v2");
const Bytes kAbsSendTime = {0x06, 0x00, 0x00};
const RtpHeaderRewriter::Fields kFields{100, 0x1234, 0xDEADBEEF, 0xC2C2C2C2};

RtpPacketView input() {
  auto view = RtpPacketView::parse(kInput);
  REQUIRE(view);
  return *view;
}

Bytes write(const RtpHeaderRewriter& rewriter, const RtpHeaderRewriter::Fields& fields = kFields) {
  Bytes out(1500, 0xEE);
  const auto size = rewriter.write(input(), fields, out);
  REQUIRE(size);
  REQUIRE(*size == rewriter.sizeFor(input()));
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE(
    "RtpHeaderRewriter: one-byte block with the subscriber's elements, CSRCs, payload and padding kept") {
  RtpHeaderRewriter rewriter;
  REQUIRE(rewriter.add(1, kMid));
  REQUIRE(rewriter.add(3, kAbsSendTime));
  CHECK(rewriter.form() == RtpExtensionForm::kOneByte);
  CHECK(rewriter.extensionSize() == 12);
  // id 1 L=1 "v2" | id 3 L=2 06 00 00 | one pad byte -> 8 bytes, 2 words.
  const Bytes expected =
      hex("B1 E4 1234 DEADBEEF C2C2C2C2 CAFEBABE"
          "BEDE 0002 11 76 32 32 060000 00"
          "010203 AA02");
  CHECK(write(rewriter) == expected);
}

TEST_CASE("RtpHeaderRewriter: an id above 14 switches to the two-byte form (RFC 8285 §4.3)") {
  RtpHeaderRewriter rewriter;
  const Bytes twcc = {0x00, 0x07};
  REQUIRE(rewriter.add(1, kMid));
  REQUIRE(rewriter.add(200, twcc));
  CHECK(rewriter.form() == RtpExtensionForm::kTwoByte);
  const Bytes expected =
      hex("B1 E4 1234 DEADBEEF C2C2C2C2 CAFEBABE"
          "1000 0002 01 02 7632 C8 02 0007"
          "010203 AA02");
  const Bytes out = write(rewriter);
  CHECK(out == expected);
  const auto view = RtpPacketView::parse(out);
  REQUIRE(view);
  CHECK(view->extensionForm() == RtpExtensionForm::kTwoByte);
  CHECK(toBytes(*view->extension(200)) == twcc);
  CHECK(toBytes(*view->extension(1)) == kMid);
}

TEST_CASE("RtpHeaderRewriter: empty or over-16-byte data needs the two-byte form") {
  RtpHeaderRewriter rewriter;
  REQUIRE(rewriter.add(5, {}));
  CHECK(rewriter.form() == RtpExtensionForm::kTwoByte);
  Bytes out = write(rewriter);
  // 05 00 + 2 pad bytes = 1 word.
  CHECK(Bytes(out.begin() + 16, out.begin() + 24) == hex("1000 0001 0500 0000"));

  rewriter.clear();
  const Bytes long17(17, 0x5A);
  const Bytes exactly16(16, 0x5B);
  REQUIRE(rewriter.add(2, exactly16));
  CHECK(rewriter.form() == RtpExtensionForm::kOneByte);
  REQUIRE(rewriter.add(3, long17));
  CHECK(rewriter.form() == RtpExtensionForm::kTwoByte);
  out = write(rewriter);
  const auto view = RtpPacketView::parse(out);
  REQUIRE(view);
  CHECK(toBytes(*view->extension(2)) == exactly16);
  CHECK(toBytes(*view->extension(3)) == long17);
  CHECK(toBytes(view->payload()) == hex("010203"));
  CHECK(view->paddingSize() == 2);
}

TEST_CASE("RtpHeaderRewriter: no elements, no block (X clear)") {
  RtpHeaderRewriter rewriter;
  CHECK(rewriter.form() == RtpExtensionForm::kNone);
  CHECK(rewriter.extensionSize() == 0);
  CHECK(write(rewriter) == hex("A1 E4 1234 DEADBEEF C2C2C2C2 CAFEBABE 010203 AA02"));
}

TEST_CASE("RtpHeaderRewriter: the marker is copied and the payload type masked to 7 bits") {
  const Bytes plain = hex("80 60 0001 00000002 00000003 FF");
  const auto view = RtpPacketView::parse(plain);
  REQUIRE(view);
  RtpHeaderRewriter rewriter;
  Bytes out(64);
  REQUIRE(rewriter.write(*view, {0xFF, 9, 10, 11}, out) == 13u);
  out.resize(13);
  CHECK(out == hex("80 7F 0009 0000000A 0000000B FF"));
}

TEST_CASE("RtpHeaderRewriter: add() refuses id 0, a repeated id, data over 255 bytes, a ninth element") {
  RtpHeaderRewriter rewriter;
  const Bytes one = {1};
  CHECK_FALSE(rewriter.add(0, one));
  CHECK(rewriter.add(7, one));
  CHECK_FALSE(rewriter.add(7, one));
  CHECK_FALSE(rewriter.add(8, Bytes(256, 1)));
  CHECK(rewriter.add(8, Bytes(255, 1)));
  for (uint8_t id = 20; rewriter.elementCount() < RtpHeaderRewriter::kMaxElements; ++id)
    CHECK(rewriter.add(id, one));
  CHECK_FALSE(rewriter.add(99, one));
  CHECK(rewriter.elementCount() == RtpHeaderRewriter::kMaxElements);
}

TEST_CASE("RtpHeaderRewriter: every buffer shorter than the packet fails") {
  RtpHeaderRewriter rewriter;
  REQUIRE(rewriter.add(1, kMid));
  REQUIRE(rewriter.add(200, kAbsSendTime));
  const size_t size = rewriter.sizeFor(input());
  for (size_t length = 0; length < size; ++length) {
    Bytes out(length);
    INFO("buffer " << length);
    CHECK_FALSE(rewriter.write(input(), kFields, out));
  }
  Bytes out(size);
  CHECK(rewriter.write(input(), kFields, out) == size);
}

TEST_CASE("absSendTime: 6.18 fixed-point seconds, wrapping every 64 s") {
  // abs-send-time: 24 bits, 6 integer bits and 18 fraction bits of seconds.
  CHECK(absSendTime(at(0us)) == 0u);
  CHECK(absSendTime(at(1500000us)) == 0x060000u);   // 1.5 s = 1 << 18 | 0.5 * 2^18
  CHECK(absSendTime(at(64250000us)) == 0x010000u);  // 64.25 s wraps to 0.25 s
  CHECK(absSendTime(at(63999999us)) == 0xFFFFFFu);  // just under 64 s
  CHECK(absSendTime(at(3600000000000us)) == 0u);    // 1000 h: a multiple of 64 s
}
