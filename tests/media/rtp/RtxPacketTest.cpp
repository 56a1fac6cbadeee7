#include "media/rtp/RtxPacket.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "tests/media/rtp/RtpTestPackets.h"

namespace {

using switchyard::media::rtp::kRtxOsnSize;
using switchyard::media::rtp::RtpPacketBuilder;
using switchyard::media::rtp::RtpPacketView;
using switchyard::media::rtp::unwrapRtx;
using switchyard::media::rtp::wrapRtx;
namespace test = switchyard::media::rtp::test;

using test::Bytes;

constexpr uint8_t kRtxPt = 97;
constexpr uint32_t kRtxSsrc = 0xA1B2C3D4;
constexpr uint16_t kRtxSeq = 0x0102;

// Wraps `original` into a vector of exactly the RTX size.
Bytes wrap(const Bytes& original, uint16_t rtxSeq = kRtxSeq) {
  Bytes out(original.size() + kRtxOsnSize);
  const auto size = wrapRtx(original, out, kRtxPt, kRtxSsrc, rtxSeq);
  REQUIRE(size);
  out.resize(*size);
  return out;
}

// Unwraps `rtx` with the original's payload type and SSRC.
Bytes unwrap(Bytes rtx, const Bytes& original) {
  const auto view = RtpPacketView::parse(original);
  REQUIRE(view);
  const auto size = unwrapRtx(rtx, view->payloadType(), view->ssrc());
  REQUIRE(size);
  rtx.resize(*size);
  return rtx;
}

// `packet` without its padding bytes and with the P bit clear.
Bytes withoutPadding(const Bytes& packet) {
  const auto view = RtpPacketView::parse(packet);
  REQUIRE(view);
  Bytes out(packet.begin(), packet.end() - static_cast<std::ptrdiff_t>(view->paddingSize()));
  out[0] = static_cast<uint8_t>(out[0] & ~0x20);
  return out;
}

Bytes buildPacket(RtpPacketBuilder& builder) {
  Bytes out(builder.size());
  const auto size = builder.build(out);
  REQUIRE(size);
  return out;
}

}  // namespace

TEST_CASE("RTX: a hand-built RFC 4588 section 4 packet", "[rtx]") {
  // Original: V=2 X=0 CC=1 M=1 PT=100 seq 0x3039, ts 0x11223344, SSRC 0x0A0B0C0D, one CSRC,
  // payload DE AD BE EF.
  const Bytes original = {
      0x81, 0xE4, 0x30, 0x39,  // V=2 CC=1 | M=1 PT=100 | seq 12345
      0x11, 0x22, 0x33, 0x44,  // timestamp
      0x0A, 0x0B, 0x0C, 0x0D,  // SSRC
      0x00, 0x00, 0x00, 0x07,  // CSRC
      0xDE, 0xAD, 0xBE, 0xEF,  // payload
  };
  // RFC 4588 §4 figure: the same header with the RTX PT, sequence number and SSRC (timestamp,
  // marker, CSRC kept), then the OSN, then the original payload.
  const Bytes expected = {
      0x81, 0xE1, 0x01, 0x02,  // V=2 CC=1 | M=1 PT=97 | RTX seq 0x0102
      0x11, 0x22, 0x33, 0x44,  // timestamp (same as the original)
      0xA1, 0xB2, 0xC3, 0xD4,  // RTX SSRC
      0x00, 0x00, 0x00, 0x07,  // CSRC
      0x30, 0x39,              // OSN 12345
      0xDE, 0xAD, 0xBE, 0xEF,  // original payload
  };
  CHECK(wrap(original) == expected);
  CHECK(unwrap(expected, original) == original);

  const auto rtx = RtpPacketView::parse(expected);
  REQUIRE(rtx);
  CHECK(rtx->payloadType() == kRtxPt);
  CHECK(rtx->ssrc() == kRtxSsrc);
  CHECK(rtx->sequenceNumber() == kRtxSeq);
  CHECK(rtx->marker());
  CHECK(rtx->payloadSize() == 6);
}

TEST_CASE("RTX: wrap then unwrap gives the original", "[rtx]") {
  const Bytes payload = {0x01, 0x02, 0x03, 0x04, 0x05};
  const Bytes absSendTime = {0x12, 0x34, 0x56};

  SECTION("the VP8 packet with a one-byte extension block and marker") {
    const Bytes& original = test::kVp8Packet;
    const Bytes rtx = wrap(original);
    CHECK(rtx.size() == original.size() + 2);
    // Header bytes other than PT, seq and SSRC are the original's (extension block included).
    CHECK(Bytes(rtx.begin() + 4, rtx.begin() + 8) == Bytes(original.begin() + 4, original.begin() + 8));
    CHECK(Bytes(rtx.begin() + 12, rtx.begin() + test::kVp8HeaderSize) ==
          Bytes(original.begin() + 12, original.begin() + test::kVp8HeaderSize));
    CHECK(rtx[test::kVp8HeaderSize] == 0x1A);
    CHECK(rtx[test::kVp8HeaderSize + 1] == 0x2B);
    CHECK(unwrap(rtx, original) == original);
  }
  SECTION("the two-byte extension example") {
    CHECK(unwrap(wrap(test::kTwoByteExamplePacket), test::kTwoByteExamplePacket) ==
          test::kTwoByteExamplePacket);
  }
  SECTION("no extension, no CSRC, no marker") {
    RtpPacketBuilder builder;
    builder.setPayloadType(111).setSequenceNumber(65535).setTimestamp(960).setSsrc(42).setPayload(payload);
    const Bytes original = buildPacket(builder);
    const Bytes rtx = wrap(original);
    CHECK((rtx[1] & 0x80) == 0);
    CHECK(unwrap(rtx, original) == original);
  }
  SECTION("15 CSRCs and a two-byte block") {
    RtpPacketBuilder builder;
    builder.setMarker(true).setPayloadType(96).setSequenceNumber(1).setSsrc(7).setPayload(payload);
    builder.setExtensionForm(switchyard::media::rtp::RtpExtensionForm::kTwoByte, 3)
        .addExtension(200, absSendTime);
    for (uint32_t i = 0; i < 15; ++i)
      builder.addCsrc(i + 100);
    const Bytes original = buildPacket(builder);
    CHECK(unwrap(wrap(original), original) == original);
  }
  SECTION("an empty payload: the RTX packet holds only the OSN") {
    RtpPacketBuilder builder;
    builder.setPayloadType(96).setSequenceNumber(0xBEEF).setSsrc(7).addExtension(1, absSendTime);
    const Bytes original = buildPacket(builder);
    const Bytes rtx = wrap(original);
    const auto view = RtpPacketView::parse(rtx);
    REQUIRE(view);
    CHECK(view->payloadSize() == 2);
    CHECK(unwrap(rtx, original) == original);
  }
  SECTION("padding is not carried: unwrapped = the original without its padding") {
    const Bytes& original = test::kOneByteExamplePacket;  // P=1, 3 padding bytes, CSRCs, extension
    const Bytes rtx = wrap(original);
    CHECK(rtx.size() == original.size() - 3 + 2);
    CHECK((rtx[0] & 0x20) == 0);
    const Bytes back = unwrap(rtx, original);
    CHECK(back == withoutPadding(original));
    CHECK(back.size() == original.size() - 3);
  }
}

TEST_CASE("RTX: wrap in place", "[rtx]") {
  Bytes buffer = test::kVp8Packet;
  const size_t size = buffer.size();
  const Bytes expected = wrap(test::kVp8Packet);
  buffer.resize(size + 2);
  const auto written =
      wrapRtx(std::span<const uint8_t>(buffer).first(size), buffer, kRtxPt, kRtxSsrc, kRtxSeq);
  REQUIRE(written);
  CHECK(*written == size + 2);
  CHECK(buffer == expected);
}

TEST_CASE("RTX: unwrap drops the RTX packet's own padding", "[rtx]") {
  const Bytes payload = {0x00, 0x09, 0xAA, 0xBB};  // OSN 9, then two bytes
  RtpPacketBuilder builder;
  builder.setPayloadType(kRtxPt).setSequenceNumber(500).setTimestamp(3000).setSsrc(kRtxSsrc);
  builder.setPayload(payload).setPadding(4);
  Bytes rtx = buildPacket(builder);
  const auto size = unwrapRtx(rtx, 96, 0x1234);
  REQUIRE(size);
  rtx.resize(*size);
  const Bytes expected = {
      0x80, 0x60, 0x00, 0x09,  // V=2 P=0 | PT=96 | seq = OSN 9
      0x00, 0x00, 0x0B, 0xB8,  // timestamp 3000
      0x00, 0x00, 0x12, 0x34,  // SSRC
      0xAA, 0xBB,              // payload
  };
  CHECK(rtx == expected);
}

TEST_CASE("RTX: padding-only and short RTX packets are rejected", "[rtx]") {
  SECTION("padding only (probing): no payload at all") {
    RtpPacketBuilder builder;
    builder.setPayloadType(kRtxPt).setSequenceNumber(1).setSsrc(kRtxSsrc).setPadding(200);
    Bytes rtx = buildPacket(builder);
    const Bytes before = rtx;
    CHECK_FALSE(unwrapRtx(rtx, 96, 1));
    CHECK(rtx == before);
  }
  SECTION("one payload byte") {
    const Bytes payload = {0x07};
    RtpPacketBuilder builder;
    builder.setPayloadType(kRtxPt).setSequenceNumber(1).setSsrc(kRtxSsrc).setPayload(payload).setPadding(3);
    Bytes rtx = buildPacket(builder);
    CHECK_FALSE(unwrapRtx(rtx, 96, 1));
  }
  SECTION("a payload type above 127") {
    Bytes rtx = wrap(test::kVp8Packet);
    CHECK_FALSE(unwrapRtx(rtx, 128, 1));
  }
}

TEST_CASE("RTX: truncated and invalid inputs", "[rtx]") {
  const Bytes& original = test::kOneByteExamplePacket;
  Bytes out(original.size() + 2);

  SECTION("every truncation of an original is rejected or wraps a valid packet") {
    // Cutting the padding count off (or the header) makes the packet invalid.
    for (size_t n = 0; n < original.size(); ++n) {
      const std::span<const uint8_t> cut = std::span<const uint8_t>(original).first(n);
      CHECK(wrapRtx(cut, out, kRtxPt, kRtxSsrc, kRtxSeq).has_value() ==
            RtpPacketView::parse(cut).has_value());
    }
    CHECK_FALSE(wrapRtx({}, out, kRtxPt, kRtxSsrc, kRtxSeq));
  }
  SECTION("every truncation of an RTX packet is rejected or unwraps consistently") {
    const Bytes rtx = wrap(test::kVp8Packet);
    for (size_t n = 0; n < rtx.size(); ++n) {
      Bytes cut(rtx.begin(), rtx.begin() + static_cast<std::ptrdiff_t>(n));
      const auto view = RtpPacketView::parse(cut);
      const bool expectOk = view && view->payloadSize() >= 2;
      const auto size = unwrapRtx(cut, 96, 1);
      CHECK(size.has_value() == expectOk);
      if (size) CHECK(*size == n - 2);
    }
  }
  SECTION("not version 2") {
    Bytes bad = test::kVp8Packet;
    bad[0] = 0x50;
    CHECK_FALSE(wrapRtx(bad, out, kRtxPt, kRtxSsrc, kRtxSeq));
    CHECK_FALSE(unwrapRtx(bad, 96, 1));
  }
  SECTION("an RTX payload type above 127") {
    CHECK_FALSE(wrapRtx(original, out, 128, kRtxSsrc, kRtxSeq));
  }
}

TEST_CASE("RTX: out too small", "[rtx]") {
  const Bytes& original = test::kVp8Packet;
  const size_t needed = original.size() + 2;
  Bytes out(needed, 0xEE);
  CHECK_FALSE(wrapRtx(original, std::span<uint8_t>(out).first(needed - 1), kRtxPt, kRtxSsrc, kRtxSeq));
  CHECK(out == Bytes(needed, 0xEE));  // nothing written
  CHECK_FALSE(wrapRtx(original, {}, kRtxPt, kRtxSsrc, kRtxSeq));
  const auto size = wrapRtx(original, out, kRtxPt, kRtxSsrc, kRtxSeq);
  REQUIRE(size);
  CHECK(*size == needed);
  // With padding, the padding is not counted.
  const Bytes& padded = test::kOneByteExamplePacket;
  Bytes exact(padded.size() - 3 + 2);
  CHECK(wrapRtx(padded, exact, kRtxPt, kRtxSsrc, kRtxSeq) == exact.size());
}
