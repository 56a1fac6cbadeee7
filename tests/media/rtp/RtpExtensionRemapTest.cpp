#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "media/rtp/RtpExtensionIdMap.h"
#include "media/rtp/RtpPacket.h"
#include "tests/media/rtp/RtpTestPackets.h"

namespace {

using switchyard::media::rtp::dropAllExtensionIdMap;
using switchyard::media::rtp::identityExtensionIdMap;
using switchyard::media::rtp::RtpExtensionIdMap;
using switchyard::media::rtp::RtpPacket;
using switchyard::media::rtp::RtpPacketView;
namespace test = switchyard::media::rtp::test;

using Bytes = std::vector<uint8_t>;

struct Element {
  uint8_t id;
  Bytes data;
  bool operator==(const Element&) const = default;
};

std::vector<Element> elementsOf(const Bytes& buf) {
  const auto packet = RtpPacketView::parse(buf);
  REQUIRE(packet);
  std::vector<Element> out;
  for (auto e : packet->extensions())
    out.push_back({e.id, Bytes(e.data.begin(), e.data.end())});
  return out;
}

// Header size, payload and padding must survive any remap.
void checkLayoutKept(const Bytes& before, const Bytes& after) {
  REQUIRE(before.size() == after.size());
  Bytes b = before;
  Bytes a = after;
  const auto pb = RtpPacket::parse(b);
  const auto pa = RtpPacket::parse(a);
  REQUIRE(pb);
  REQUIRE(pa);
  CHECK(pa->headerSize() == pb->headerSize());
  CHECK(pa->paddingSize() == pb->paddingSize());
  CHECK(Bytes(pa->payload().begin(), pa->payload().end()) ==
        Bytes(pb->payload().begin(), pb->payload().end()));
  // Nothing outside the extension block changes.
  const size_t blockStart = static_cast<size_t>(pb->extensionBytes().data() - b.data());
  const size_t blockEnd = blockStart + pb->extensionBytes().size();
  for (size_t i = 0; i < before.size(); ++i) {
    if (i >= blockStart && i < blockEnd) continue;
    CHECK(before[i] == after[i]);
  }
}

}  // namespace

TEST_CASE("remapExtensionIds: identity leaves the packet untouched") {
  for (const Bytes& original : {test::kVp8Packet, test::kOneByteExamplePacket, test::kTwoByteExamplePacket}) {
    Bytes buf = original;
    auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    CHECK(packet->remapExtensionIds(identityExtensionIdMap()));
    CHECK(buf == original);
  }
}

TEST_CASE("remapExtensionIds: one-byte ids are rewritten in place") {
  Bytes buf = test::kVp8Packet;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = dropAllExtensionIdMap();
  map[2] = 3;  // abs-send-time 2 -> 3
  map[3] = 5;  // transport-cc 3 -> 5
  CHECK(packet->remapExtensionIds(map));
  CHECK(buf[16] == 0x32);  // id 3, L=2 kept
  CHECK(buf[20] == 0x51);  // id 5, L=1 kept
  CHECK(elementsOf(buf) == std::vector<Element>{{3, {0x12, 0x34, 0x56}}, {5, {0x00, 0x07}}});
  checkLayoutKept(test::kVp8Packet, buf);
  CHECK(packet->extension(5));
  CHECK_FALSE(packet->extension(2));
}

TEST_CASE("remapExtensionIds: swapping two ids works in one pass") {
  Bytes buf = test::kVp8Packet;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = identityExtensionIdMap();
  map[2] = 3;
  map[3] = 2;
  CHECK(packet->remapExtensionIds(map));
  CHECK(elementsOf(buf) == std::vector<Element>{{3, {0x12, 0x34, 0x56}}, {2, {0x00, 0x07}}});
}

TEST_CASE("remapExtensionIds: one-byte drop turns the element into padding bytes") {
  Bytes buf = test::kOneByteExamplePacket;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = identityExtensionIdMap();
  map[2] = 0;  // drop id 2 [BB CC]
  map[3] = 14;
  CHECK(packet->remapExtensionIds(map));
  // id 2's header and both data bytes are now 0x00 padding (RFC 8285 §4.2 padding).
  CHECK(Bytes(buf.begin() + 24, buf.begin() + 36) ==
        Bytes{0x10, 0xAA, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE3, 0x01, 0x02, 0x03, 0x04});
  CHECK(elementsOf(buf) == std::vector<Element>{{1, {0xAA}}, {14, {0x01, 0x02, 0x03, 0x04}}});
  checkLayoutKept(test::kOneByteExamplePacket, buf);
}

TEST_CASE("remapExtensionIds: dropping everything leaves an all-padding block") {
  for (const Bytes& original : {test::kVp8Packet, test::kOneByteExamplePacket, test::kTwoByteExamplePacket}) {
    Bytes buf = original;
    auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    CHECK(packet->remapExtensionIds(dropAllExtensionIdMap()));
    for (uint8_t b : packet->extensionBytes())
      CHECK(b == 0);
    CHECK(elementsOf(buf).empty());
    checkLayoutKept(original, buf);
  }
}

TEST_CASE("remapExtensionIds: one-byte targets above 14 fail and change nothing") {
  for (unsigned target : {15u, 16u, 200u, 255u}) {
    Bytes buf = test::kOneByteExamplePacket;
    auto packet = RtpPacket::parse(buf);
    REQUIRE(packet);
    RtpExtensionIdMap map = identityExtensionIdMap();
    map[1] = 0;                             // a drop before the failing element...
    map[3] = static_cast<uint8_t>(target);  // ...must not be applied either
    INFO("target " << target);
    CHECK_FALSE(packet->remapExtensionIds(map));
    CHECK(buf == test::kOneByteExamplePacket);
  }
}

TEST_CASE("remapExtensionIds: a failing target for an absent id does not matter") {
  Bytes buf = test::kVp8Packet;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = identityExtensionIdMap();
  map[7] = 200;  // id 7 is not in the packet
  CHECK(packet->remapExtensionIds(map));
  CHECK(buf == test::kVp8Packet);
}

TEST_CASE("remapExtensionIds: two-byte ids accept any target 1..255") {
  Bytes buf = test::kTwoByteExamplePacket;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = identityExtensionIdMap();
  map[1] = 255;
  map[2] = 0;  // drop [02 01 77] -> 00 00 00
  map[3] = 15;
  CHECK(packet->remapExtensionIds(map));
  CHECK(Bytes(buf.begin() + 16, buf.begin() + 28) ==
        Bytes{0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0F, 0x04, 0x0A, 0x0B, 0x0C, 0x0D});
  CHECK(elementsOf(buf) == std::vector<Element>{{255, {}}, {15, {0x0A, 0x0B, 0x0C, 0x0D}}});
  CHECK(packet->extensionAppBits() == 5);
  checkLayoutKept(test::kTwoByteExamplePacket, buf);
}

TEST_CASE("remapExtensionIds: elements after a one-byte ID 15 are left alone") {
  Bytes buf = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0xF0, 0x20};
  const Bytes original = buf;
  auto packet = RtpPacket::parse(buf);
  REQUIRE(packet);
  RtpExtensionIdMap map = dropAllExtensionIdMap();
  map[1] = 4;
  CHECK(packet->remapExtensionIds(map));
  CHECK(buf[16] == 0x40);
  CHECK(buf[18] == 0xF0);
  CHECK(buf[19] == 0x20);
}

TEST_CASE("remapExtensionIds: packets without RFC 8285 elements succeed untouched") {
  Bytes plain = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const Bytes plainOriginal = plain;
  CHECK(RtpPacket::parse(plain)->remapExtensionIds(dropAllExtensionIdMap()));
  CHECK(plain == plainOriginal);

  Bytes other = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78};
  const Bytes otherOriginal = other;
  CHECK(RtpPacket::parse(other)->remapExtensionIds(dropAllExtensionIdMap()));
  CHECK(other == otherOriginal);
}
