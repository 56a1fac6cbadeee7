#include "media/rtp/RtpPacketBuilder.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "media/rtp/RtpPacket.h"
#include "tests/media/rtp/RtpTestPackets.h"

namespace {

using switchyard::media::rtp::RtpExtensionForm;
using switchyard::media::rtp::RtpPacketBuilder;
using switchyard::media::rtp::RtpPacketView;
namespace test = switchyard::media::rtp::test;

using test::Bytes;
using test::toBytes;

const Bytes kAbsSendTime = {0x12, 0x34, 0x56};
const Bytes kTransportSeq = {0x00, 0x07};
const Bytes kVp8Payload = {0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A};

RtpPacketBuilder vp8Builder() {
  RtpPacketBuilder builder;
  builder.setMarker(true)
      .setPayloadType(96)
      .setSequenceNumber(0x1A2B)
      .setTimestamp(123456)
      .setSsrc(0x12345678)
      .addExtension(2, kAbsSendTime)
      .addExtension(3, kTransportSeq)
      .setPayload(kVp8Payload);
  return builder;
}

// Every buffer smaller than the packet fails without writing; the exact size succeeds.
void checkEverySize(const RtpPacketBuilder& builder, const Bytes& expected) {
  REQUIRE(builder.valid());
  REQUIRE(builder.size() == expected.size());
  for (size_t len = 0; len < expected.size(); ++len) {
    Bytes buf(len, 0xEE);
    INFO("buffer size " << len);
    CHECK_FALSE(builder.build(buf));
    CHECK(buf == Bytes(len, 0xEE));
  }
  Bytes buf(expected.size(), 0xEE);
  CHECK(builder.build(buf) == expected.size());
  CHECK(buf == expected);
  Bytes larger(expected.size() + 7, 0xEE);
  CHECK(builder.build(larger) == expected.size());
  CHECK(Bytes(larger.begin(), larger.begin() + static_cast<std::ptrdiff_t>(expected.size())) == expected);
  CHECK(larger.back() == 0xEE);
}

}  // namespace

TEST_CASE("RtpPacketBuilder: writes the Chromium-style VP8 known-answer packet") {
  checkEverySize(vp8Builder(), test::kVp8Packet);
}

TEST_CASE("RtpPacketBuilder: writes the RFC 8285 §4.2 one-byte example with CSRCs and padding") {
  const Bytes e1 = {0xAA};
  const Bytes e2 = {0xBB, 0xCC};
  const Bytes e3 = {0x01, 0x02, 0x03, 0x04};
  const Bytes payload = {0xA0, 0xA1, 0xA2, 0xA3};
  RtpPacketBuilder builder;
  builder.setPayloadType(8)
      .setSequenceNumber(0xFFFF)
      .setTimestamp(0xFFFFFFFF)
      .setSsrc(0xCAFEBABE)
      .addCsrc(1)
      .addCsrc(0xDEADBEEF)
      .addExtension(1, e1)
      .addExtension(2, e2)
      .addExtension(3, e3)
      .setPayload(payload)
      .setPadding(3);
  // The builder packs elements without the example's two padding bytes between them and pads the
  // block at the end instead: same elements, same size.
  Bytes expected = test::kOneByteExamplePacket;
  const Bytes packedBlock = {0x10, 0xAA, 0x21, 0xBB, 0xCC, 0x33, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00};
  std::copy(packedBlock.begin(), packedBlock.end(), expected.begin() + 24);
  checkEverySize(builder, expected);
}

TEST_CASE("RtpPacketBuilder: two-byte form round trip") {
  const Bytes empty;
  const Bytes e2 = {0x77};
  const Bytes e3 = {0x0A, 0x0B, 0x0C, 0x0D};
  const Bytes payload = {0x55, 0x66};
  RtpPacketBuilder builder;
  builder.setPayloadType(111)
      .setTimestamp(960)
      .setSsrc(42)
      .setExtensionForm(RtpExtensionForm::kTwoByte, 5)
      .addExtension(1, empty)
      .addExtension(2, e2)
      .addExtension(3, e3)
      .setPayload(payload);
  Bytes expected = test::kTwoByteExamplePacket;
  const Bytes packedBlock = {0x01, 0x00, 0x02, 0x01, 0x77, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D, 0x00};
  std::copy(packedBlock.begin(), packedBlock.end(), expected.begin() + 16);
  checkEverySize(builder, expected);
  const auto view = RtpPacketView::parse(expected);
  REQUIRE(view);
  CHECK(view->extensionAppBits() == 5);
  CHECK(view->extension(1)->empty());
}

TEST_CASE("RtpPacketBuilder: two-byte form with large ids and 255-byte values") {
  const Bytes big(255, 0x5A);
  const Bytes small = {1};
  RtpPacketBuilder builder;
  builder.setExtensionForm(RtpExtensionForm::kTwoByte).addExtension(255, big).addExtension(100, small);
  Bytes buf(builder.size());
  REQUIRE(builder.build(buf));
  CHECK(buf.size() == 12 + 4 + 260);  // 2+255+2+1 = 260, already a multiple of 4
  const auto view = RtpPacketView::parse(buf);
  REQUIRE(view);
  CHECK(view->extension(255)->size() == 255);
  CHECK((*view->extension(100))[0] == 1);
}

TEST_CASE("RtpPacketBuilder: minimal packet and raw extension blocks") {
  SECTION("12-byte header only") {
    checkEverySize(RtpPacketBuilder().setSsrc(1), Bytes{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  }
  SECTION("raw block of another profile") {
    const Bytes body = {1, 2, 3, 4};
    checkEverySize(RtpPacketBuilder().setRawExtension(0xABCD, body),
                   Bytes{0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD, 0, 1, 1, 2, 3, 4});
  }
  SECTION("empty one-byte block") {
    checkEverySize(RtpPacketBuilder().setRawExtension(0xBEDE, {}),
                   Bytes{0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0, 0});
  }
}

TEST_CASE("RtpPacketBuilder: padding sizes 1..255 round trip") {
  const Bytes payload = {9, 8, 7};
  for (unsigned padding = 1; padding <= 255; ++padding) {
    RtpPacketBuilder builder;
    builder.setPayload(payload).setPadding(static_cast<uint8_t>(padding));
    Bytes buf(builder.size());
    REQUIRE(builder.build(buf) == 12 + 3 + padding);
    CHECK(buf.back() == padding);
    const auto view = RtpPacketView::parse(buf);
    REQUIRE(view);
    CHECK(view->paddingSize() == padding);
    CHECK(toBytes(view->payload()) == payload);
  }
}

TEST_CASE("RtpPacketBuilder: invalid settings fail the build") {
  const Bytes one = {1};
  const Bytes sixteen(16, 1);
  const Bytes seventeen(17, 1);
  const Bytes tooLong(256, 1);
  const Bytes three = {1, 2, 3};
  std::array<uint8_t, 2048> out{};

  CHECK(RtpPacketBuilder().addExtension(14, sixteen).build(out));  // limits themselves are fine
  CHECK_FALSE(RtpPacketBuilder().setPayloadType(128).build(out));
  CHECK_FALSE(RtpPacketBuilder().addExtension(0, one).build(out));
  CHECK_FALSE(RtpPacketBuilder().addExtension(15, one).build(out));
  CHECK_FALSE(RtpPacketBuilder().addExtension(1, {}).build(out));
  CHECK_FALSE(RtpPacketBuilder().addExtension(1, seventeen).build(out));
  CHECK_FALSE(
      RtpPacketBuilder().setExtensionForm(RtpExtensionForm::kTwoByte).addExtension(0, one).build(out));
  CHECK_FALSE(
      RtpPacketBuilder().setExtensionForm(RtpExtensionForm::kTwoByte).addExtension(1, tooLong).build(out));
  CHECK_FALSE(RtpPacketBuilder().setExtensionForm(RtpExtensionForm::kTwoByte, 16).valid());
  CHECK_FALSE(RtpPacketBuilder().setExtensionForm(RtpExtensionForm::kOneByte, 1).valid());
  CHECK_FALSE(RtpPacketBuilder().setExtensionForm(RtpExtensionForm::kOther).valid());
  CHECK_FALSE(RtpPacketBuilder().setRawExtension(0xBEDE, three).valid());
  CHECK_FALSE(RtpPacketBuilder().addExtension(1, one).setRawExtension(0xBEDE, {}).valid());
  CHECK_FALSE(RtpPacketBuilder().setRawExtension(0xBEDE, {}).addExtension(1, one).valid());

  RtpPacketBuilder csrcs;
  for (uint32_t i = 0; i < 15; ++i)
    csrcs.addCsrc(i);
  CHECK(csrcs.build(out) == 12 + 60);
  CHECK(RtpPacketView::parse(std::span(out).first(72))->csrc(14) == 14);
  csrcs.addCsrc(15);
  CHECK_FALSE(csrcs.valid());
  CHECK_FALSE(csrcs.build(out));

  RtpPacketBuilder many;
  for (uint8_t id = 1; id <= 16; ++id)
    many.setExtensionForm(RtpExtensionForm::kTwoByte).addExtension(id, one);
  CHECK(many.build(out));
  many.addExtension(17, one);
  CHECK_FALSE(many.build(out));
}
