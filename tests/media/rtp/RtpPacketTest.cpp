#include "media/rtp/RtpPacket.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "tests/media/rtp/RtpTestPackets.h"

namespace {

using switchyard::media::rtp::RtpExtensionForm;
using switchyard::media::rtp::RtpPacket;
using switchyard::media::rtp::RtpPacketView;
namespace test = switchyard::media::rtp::test;

using test::Bytes;
using test::toBytes;

struct Element {
  uint8_t id;
  Bytes data;
  bool operator==(const Element&) const = default;
};

template <typename Packet>
std::vector<Element> elements(const Packet& packet) {
  std::vector<Element> out;
  for (auto e : packet.extensions())
    out.push_back({e.id, toBytes(e.data)});
  return out;
}

}  // namespace

TEST_CASE("RtpPacket: Chromium-style VP8 packet with one-byte extensions, every accessor") {
  Bytes buf = test::kVp8Packet;
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->marker());
  CHECK(packet->payloadType() == 96);
  CHECK(packet->sequenceNumber() == 0x1A2B);
  CHECK(packet->timestamp() == 123456);
  CHECK(packet->ssrc() == 0x12345678);
  CHECK(packet->csrcCount() == 0);
  CHECK(packet->csrc(0) == 0);
  CHECK_FALSE(packet->hasPadding());
  CHECK(packet->paddingSize() == 0);
  CHECK(packet->hasExtension());
  CHECK(packet->extensionForm() == RtpExtensionForm::kOneByte);
  CHECK(packet->extensionProfile() == uint16_t{0xBEDE});
  CHECK(packet->extensionAppBits() == 0);
  CHECK(toBytes(packet->extensionBytes()) == Bytes{0x22, 0x12, 0x34, 0x56, 0x31, 0x00, 0x07, 0x00});
  CHECK(packet->headerSize() == test::kVp8HeaderSize);
  CHECK(packet->size() == buf.size());
  CHECK(packet->data().data() == buf.data());
  CHECK(packet->payloadSize() == buf.size() - test::kVp8HeaderSize);
  CHECK(packet->payload().data() == buf.data() + test::kVp8HeaderSize);
  CHECK(toBytes(packet->payload()) == Bytes(buf.begin() + test::kVp8HeaderSize, buf.end()));

  // RFC 8285 §4.2: abs-send-time (id 2, 3 bytes), transport-wide-cc (id 3, 2 bytes).
  const auto absSendTime = packet->extension(2);
  REQUIRE(absSendTime);
  CHECK(toBytes(*absSendTime) == Bytes{0x12, 0x34, 0x56});
  CHECK(absSendTime->data() == buf.data() + 17);  // zero-copy
  const auto transportSeq = packet->extension(3);
  REQUIRE(transportSeq);
  CHECK(toBytes(*transportSeq) == Bytes{0x00, 0x07});
  CHECK(packet->hasExtensionId(2));
  CHECK_FALSE(packet->hasExtensionId(1));
  for (unsigned id = 0; id < 256; ++id) {
    if (id == 2 || id == 3) continue;
    CHECK_FALSE(packet->extension(static_cast<uint8_t>(id)));
  }
  CHECK(elements(*packet) == std::vector<Element>{{2, {0x12, 0x34, 0x56}}, {3, {0x00, 0x07}}});
  CHECK_FALSE(packet->extensions().empty());
}

TEST_CASE("RtpPacket: RFC 8285 §4.2 one-byte example with CSRCs and padding") {
  Bytes buf = test::kOneByteExamplePacket;
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK_FALSE(packet->marker());
  CHECK(packet->payloadType() == 8);
  CHECK(packet->sequenceNumber() == 0xFFFF);
  CHECK(packet->timestamp() == 0xFFFFFFFF);
  CHECK(packet->ssrc() == 0xCAFEBABE);
  REQUIRE(packet->csrcCount() == 2);
  CHECK(packet->csrc(0) == 1);
  CHECK(packet->csrc(1) == 0xDEADBEEF);
  CHECK(packet->csrc(2) == 0);
  CHECK(packet->csrc(15) == 0);
  CHECK(packet->hasPadding());
  CHECK(packet->paddingSize() == 3);
  CHECK(packet->headerSize() == test::kOneByteExampleHeaderSize);
  CHECK(toBytes(packet->payload()) == Bytes{0xA0, 0xA1, 0xA2, 0xA3});
  // The two 0 (pad) bytes between elements are skipped.
  CHECK(elements(*packet) ==
        std::vector<Element>{{1, {0xAA}}, {2, {0xBB, 0xCC}}, {3, {0x01, 0x02, 0x03, 0x04}}});
}

TEST_CASE("RtpPacket: RFC 8285 §4.3 two-byte example with appbits and an empty element") {
  Bytes buf = test::kTwoByteExamplePacket;
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->extensionForm() == RtpExtensionForm::kTwoByte);
  CHECK(packet->extensionProfile() == uint16_t{0x1005});
  CHECK(packet->extensionAppBits() == 5);
  CHECK(packet->payloadType() == 111);
  CHECK(packet->timestamp() == 960);
  CHECK(packet->ssrc() == 42);
  CHECK(packet->headerSize() == test::kTwoByteExampleHeaderSize);
  CHECK(toBytes(packet->payload()) == Bytes{0x55, 0x66});
  const auto empty = packet->extension(1);
  REQUIRE(empty);  // present, zero-length (two-byte form only)
  CHECK(empty->empty());
  CHECK(elements(*packet) == std::vector<Element>{{1, {}}, {2, {0x77}}, {3, {0x0A, 0x0B, 0x0C, 0x0D}}});
}

TEST_CASE("RtpPacket: two-byte form ids above 14 and long elements") {
  Bytes buf = {0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x00, 0x00, 0x06,
               // id 200, 20 bytes
               200, 20};
  for (uint8_t i = 0; i < 20; ++i)
    buf.push_back(i);
  buf.push_back(255);  // id 255 L=0
  buf.push_back(0);
  REQUIRE(buf.size() == 16 + 24);
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  REQUIRE(packet->extension(200));
  CHECK(packet->extension(200)->size() == 20);
  CHECK((*packet->extension(200))[19] == 19);
  REQUIRE(packet->extension(255));
  CHECK(packet->extension(255)->empty());
  CHECK(packet->payloadSize() == 0);
}

TEST_CASE("RtpPacket: minimal packet, no extension, empty payload") {
  Bytes buf = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->headerSize() == 12);
  CHECK(packet->payloadSize() == 0);
  CHECK(packet->payload().empty());
  CHECK_FALSE(packet->hasExtension());
  CHECK(packet->extensionForm() == RtpExtensionForm::kNone);
  CHECK_FALSE(packet->extensionProfile());
  CHECK(packet->extensionBytes().empty());
  CHECK(packet->extensions().empty());
  CHECK_FALSE(packet->extension(1));
}

TEST_CASE("RtpPacket: an empty extension block (length 0) is valid") {
  Bytes buf = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x00, 0xAB};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->hasExtension());
  CHECK(packet->headerSize() == 16);
  CHECK(packet->extensions().empty());
  CHECK(toBytes(packet->payload()) == Bytes{0xAB});
}

TEST_CASE("RtpPacket: another profile is kept as raw bytes without elements") {
  Bytes buf = {0x90, 0x00, 0,    0,    0,    0,    0,    0,    0,    0,   0,
               0,    0xAB, 0xCD, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78, 0x01};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->extensionForm() == RtpExtensionForm::kOther);
  CHECK(packet->extensionProfile() == uint16_t{0xABCD});
  CHECK(toBytes(packet->extensionBytes()) == Bytes{0x12, 0x34, 0x56, 0x78});
  CHECK(packet->extensions().empty());
  CHECK_FALSE(packet->extension(1));
  CHECK(packet->headerSize() == 20);
}

TEST_CASE("RtpPacket: RFC 8285 §4.2 ID 15 stops processing, its length ignored") {
  // id 1 [AA], then 0xFF (ID 15 with L=15 would overrun: must be ignored), then garbage.
  Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0xFF, 0x2F};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(elements(*packet) == std::vector<Element>{{1, {0xAA}}});
  CHECK_FALSE(packet->extension(2));
  CHECK_FALSE(packet->extension(15));
}

TEST_CASE("RtpPacket: a one-byte ID 0 with a non-zero length also stops processing") {
  Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x05, 0x20};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(elements(*packet) == std::vector<Element>{{1, {0xAA}}});
}

TEST_CASE("RtpPacket: duplicate ids, the first one is found") {
  Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x10, 0xBB};
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(toBytes(*packet->extension(1)) == Bytes{0xAA});
  CHECK(elements(*packet).size() == 2);
}

TEST_CASE("RtpPacket: the view is small and trivially copyable") {
  STATIC_REQUIRE(sizeof(RtpPacket) <= 32);
  STATIC_REQUIRE(std::is_trivially_copyable_v<RtpPacket>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<RtpPacketView>);
}

TEST_CASE("RtpPacketView: parse of a const buffer, and conversion from RtpPacket") {
  const Bytes buf = test::kVp8Packet;
  const auto view = RtpPacketView::parse(buf);
  REQUIRE(view);
  CHECK(view->sequenceNumber() == 0x1A2B);
  CHECK(toBytes(*view->extension(2)) == Bytes{0x12, 0x34, 0x56});
  static_assert(std::is_same_v<decltype(view->payload()), std::span<const uint8_t>>);
  CHECK(elements(*view).size() == 2);

  Bytes mutableBuf = test::kOneByteExamplePacket;
  const auto packet = RtpPacket::parse(mutableBuf);
  REQUIRE(packet);
  const RtpPacketView converted = *packet;
  CHECK(converted.headerSize() == packet->headerSize());
  CHECK(converted.paddingSize() == 3);
  CHECK(converted.csrc(1) == 0xDEADBEEF);
  CHECK(converted.payload().data() == packet->payload().data());
  CHECK(packet->view().ssrc() == 0xCAFEBABE);
}

TEST_CASE("RtpPacket: wrong versions are rejected") {
  for (uint8_t version = 0; version < 4; ++version) {
    Bytes buf = test::kVp8Packet;
    buf[0] = static_cast<uint8_t>((buf[0] & 0x3F) | (version << 6));
    CHECK(RtpPacket::parse(buf).has_value() == (version == 2));
  }
}

TEST_CASE("RtpPacket: truncation below the header size is always rejected") {
  for (const Bytes& original : {test::kVp8Packet, test::kOneByteExamplePacket, test::kTwoByteExamplePacket}) {
    const size_t headerSize = RtpPacketView::parse(original)->headerSize();
    for (size_t len = 0; len < headerSize; ++len) {
      Bytes buf(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(len));
      INFO("length " << len);
      CHECK_FALSE(RtpPacket::parse(buf));
    }
  }
}

TEST_CASE("RtpPacket: truncation after the header of a packet without padding shortens the payload") {
  for (const Bytes& original : {test::kVp8Packet, test::kTwoByteExamplePacket}) {
    const size_t headerSize = RtpPacketView::parse(original)->headerSize();
    for (size_t len = headerSize; len <= original.size(); ++len) {
      Bytes buf(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(len));
      const auto packet = RtpPacket::parse(buf);
      REQUIRE(packet);
      CHECK(packet->payloadSize() == len - headerSize);
    }
  }
}

TEST_CASE("RtpPacket: truncating a padded packet never yields a view past its bytes") {
  // With the P bit the last byte is the padding count: a truncation is accepted only if that byte
  // happens to be a count in 1..(bytes after the header).
  const Bytes& original = test::kOneByteExamplePacket;
  for (size_t len = 0; len <= original.size(); ++len) {
    Bytes buf(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(len));
    const auto packet = RtpPacket::parse(buf);
    INFO("length " << len);
    if (len <= test::kOneByteExampleHeaderSize) {
      CHECK_FALSE(packet);
      continue;
    }
    const uint8_t last = buf.back();
    const bool expectValid = last >= 1 && last <= len - test::kOneByteExampleHeaderSize;
    REQUIRE(packet.has_value() == expectValid);
    if (packet) {
      CHECK(packet->paddingSize() == last);
      CHECK(packet->headerSize() + packet->payloadSize() + packet->paddingSize() == len);
    }
  }
}

TEST_CASE("RtpPacket: CSRC count exceeding the length is rejected") {
  for (uint8_t cc = 1; cc <= 15; ++cc) {
    Bytes buf(12 + 4 * size_t{cc}, 0);
    buf[0] = static_cast<uint8_t>(0x80 | cc);
    CHECK(RtpPacket::parse(buf));  // exactly enough room for the CSRCs
    buf.pop_back();
    CHECK_FALSE(RtpPacket::parse(buf));
  }
}

TEST_CASE("RtpPacket: extension header and length overruns are rejected") {
  SECTION("X bit without room for the extension header") {
    for (size_t extra = 0; extra < 4; ++extra) {
      Bytes buf(12 + extra, 0);
      buf[0] = 0x90;
      CHECK_FALSE(RtpPacket::parse(buf));
    }
  }
  SECTION("X bit with CSRCs: the extension header comes after them") {
    Bytes buf(12 + 4 + 4, 0);
    buf[0] = 0x91;
    buf[16] = 0xBE;
    buf[17] = 0xDE;
    CHECK(RtpPacket::parse(buf));
    buf.pop_back();
    CHECK_FALSE(RtpPacket::parse(buf));
  }
  SECTION("extension length one word beyond the packet") {
    Bytes buf = test::kVp8Packet;
    buf.resize(test::kVp8HeaderSize);
    CHECK(RtpPacket::parse(buf));
    buf[15] = 3;  // 3 words, only 2 present
    CHECK_FALSE(RtpPacket::parse(buf));
    buf[14] = 0xFF;
    buf[15] = 0xFF;  // 65535 words
    CHECK_FALSE(RtpPacket::parse(buf));
  }
}

TEST_CASE("RtpPacket: RFC 8285 element overruns are rejected") {
  SECTION("one-byte element data past the block") {
    // id 1 L=3 (4 bytes) but only 3 bytes left in the 1-word block.
    Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x13, 0xAA, 0xBB, 0xCC, 0xDD};
    CHECK_FALSE(RtpPacket::parse(buf));
    buf[16] = 0x12;  // L=2 fits exactly
    CHECK(RtpPacket::parse(buf));
  }
  SECTION("one-byte element header as the last byte of the block") {
    Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x20};
    CHECK_FALSE(RtpPacket::parse(buf));
  }
  SECTION("two-byte id without its length byte") {
    Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x07};
    CHECK_FALSE(RtpPacket::parse(buf));
  }
  SECTION("two-byte element data past the block") {
    Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00, 0x01, 0x07, 0x03, 0xAA, 0xBB, 0xCC};
    CHECK_FALSE(RtpPacket::parse(buf));
    buf[17] = 2;
    CHECK(RtpPacket::parse(buf));
  }
}

TEST_CASE("RtpPacket: RFC 3550 §5.1 padding rules") {
  const Bytes base = {0xA0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};  // P=1, header 12 bytes
  SECTION("P bit with nothing after the header") {
    CHECK_FALSE(RtpPacketView::parse(base));
  }
  SECTION("a padding count of zero") {
    Bytes buf = base;
    buf.insert(buf.end(), {0x11, 0x22, 0x00});
    CHECK_FALSE(RtpPacket::parse(buf));
  }
  SECTION("padding larger than the bytes after the header") {
    Bytes buf = base;
    buf.insert(buf.end(), {0x11, 0x22, 0x04});
    CHECK_FALSE(RtpPacket::parse(buf));
    buf.back() = 0xFF;
    CHECK_FALSE(RtpPacket::parse(buf));
  }
  SECTION("padding filling everything after the header: padding-only packet") {
    Bytes buf = base;
    buf.insert(buf.end(), {0x00, 0x00, 0x03});
    const auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    CHECK(packet->paddingSize() == 3);
    CHECK(packet->payloadSize() == 0);
  }
  SECTION("a single padding byte") {
    Bytes buf = base;
    buf.insert(buf.end(), {0x11, 0x22, 0x01});
    const auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    CHECK(packet->paddingSize() == 1);
    CHECK(toBytes(packet->payload()) == Bytes{0x11, 0x22});
  }
  SECTION("padding may not reach into the extension block") {
    Bytes buf = test::kVp8Packet;
    buf.resize(test::kVp8HeaderSize);
    buf[0] |= 0x20;
    buf.push_back(0x02);  // 2 > 1 byte after the header
    CHECK_FALSE(RtpPacket::parse(buf));
    buf.back() = 0x01;
    CHECK(RtpPacket::parse(buf));
  }
}

TEST_CASE("RtpPacket: fixed header rewrites change only their bytes") {
  for (const Bytes& original : {test::kVp8Packet, test::kOneByteExamplePacket, test::kTwoByteExamplePacket}) {
    Bytes buf = original;
    auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    const size_t headerSize = packet->headerSize();
    const Bytes payload = toBytes(packet->payload());
    const size_t padding = packet->paddingSize();
    const bool hadMarker = packet->marker();

    packet->setSsrc(0xA1B2C3D4);
    packet->setSequenceNumber(0xFFFE);
    packet->setTimestamp(0x01020304);
    CHECK(packet->setPayloadType(127));
    packet->setMarker(!hadMarker);

    CHECK(buf[0] == original[0]);
    CHECK(buf[1] == ((hadMarker ? 0x00 : 0x80) | 127));
    CHECK(Bytes(buf.begin() + 2, buf.begin() + 12) ==
          Bytes{0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04, 0xA1, 0xB2, 0xC3, 0xD4});
    CHECK(std::equal(buf.begin() + 12, buf.end(), original.begin() + 12));

    const auto reparsed = RtpPacket::parse(buf);
    REQUIRE(reparsed);
    CHECK(reparsed->ssrc() == 0xA1B2C3D4);
    CHECK(reparsed->sequenceNumber() == 0xFFFE);
    CHECK(reparsed->timestamp() == 0x01020304);
    CHECK(reparsed->payloadType() == 127);
    CHECK(reparsed->marker() == !hadMarker);
    CHECK(reparsed->headerSize() == headerSize);
    CHECK(reparsed->paddingSize() == padding);
    CHECK(toBytes(reparsed->payload()) == payload);

    packet->setMarker(hadMarker);
    CHECK(packet->setPayloadType(0));
    CHECK(packet->marker() == hadMarker);
    CHECK(packet->payloadType() == 0);
  }
}

TEST_CASE("RtpPacket: setPayloadType rejects values above 127") {
  Bytes buf = test::kVp8Packet;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK_FALSE(packet->setPayloadType(128));
  CHECK_FALSE(packet->setPayloadType(255));
  CHECK(buf == test::kVp8Packet);
}

TEST_CASE("RtpPacket: setCsrc") {
  Bytes buf = test::kOneByteExamplePacket;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->setCsrc(1, 0x01020304));
  CHECK_FALSE(packet->setCsrc(2, 5));
  CHECK(RtpPacket::parse(buf)->csrc(1) == 0x01020304);
  CHECK(Bytes(buf.begin() + 16, buf.begin() + 20) == Bytes{1, 2, 3, 4});
}

TEST_CASE("RtpPacket: setExtensionValue overwrites an element of the same size") {
  Bytes buf = test::kVp8Packet;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  const Bytes absSendTime = {0xAB, 0xCD, 0xEF};
  const Bytes transportSeq = {0xFF, 0xFF};
  CHECK(packet->setExtensionValue(2, absSendTime));
  CHECK(packet->setExtensionValue(3, transportSeq));
  CHECK_FALSE(packet->setExtensionValue(3, absSendTime));  // size differs
  CHECK_FALSE(packet->setExtensionValue(2, Bytes{0x01}));  // size differs
  CHECK_FALSE(packet->setExtensionValue(4, Bytes{0x01}));  // absent
  CHECK_FALSE(packet->setExtensionValue(0, Bytes{}));      // padding id
  Bytes expected = test::kVp8Packet;
  expected[17] = 0xAB;
  expected[18] = 0xCD;
  expected[19] = 0xEF;
  expected[21] = 0xFF;
  expected[22] = 0xFF;
  CHECK(buf == expected);
  const auto reparsed = RtpPacket::parse(buf);
  REQUIRE(reparsed);
  CHECK(toBytes(*reparsed->extension(2)) == absSendTime);
  CHECK(toBytes(*reparsed->extension(3)) == transportSeq);
}

TEST_CASE("RtpPacket: setExtensionValue on a zero-length two-byte element") {
  Bytes buf = test::kTwoByteExamplePacket;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  CHECK(packet->setExtensionValue(1, Bytes{}));
  CHECK_FALSE(packet->setExtensionValue(1, Bytes{0x00}));
  CHECK(packet->setExtensionValue(3, Bytes{9, 8, 7, 6}));
  CHECK(toBytes(*RtpPacket::parse(buf)->extension(3)) == Bytes{9, 8, 7, 6});
}

TEST_CASE("RtpPacket: the view stays in bounds when the bytes change under it") {
  Bytes buf = test::kOneByteExamplePacket;
  const auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  // Someone scribbles over the header and the extension block after parsing.
  std::fill(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(test::kOneByteExampleHeaderSize), 0xFF);
  CHECK(packet->csrcCount() == 2);
  CHECK(packet->paddingSize() == 3);
  CHECK(packet->payloadSize() == 4);
  // All 0xFF: ID 15 stops the walk at once.
  CHECK(packet->extensions().empty());
  CHECK_FALSE(packet->extension(1));
  std::fill(buf.begin() + 24, buf.begin() + 36, 0x1F);  // id 1 L=15 repeatedly: would overrun
  CHECK_FALSE(packet->extension(2));
  size_t count = 0;
  for (auto e : packet->extensions()) {
    (void)e;
    ++count;
  }
  CHECK(count == 0);
}
