// DCEP (RFC 8832) DATA_CHANNEL_OPEN / DATA_CHANNEL_ACK codec and the data channel PPIDs (RFC 8831).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "media/sctp/DcepAck.h"
#include "media/sctp/DcepChannelType.h"
#include "media/sctp/DcepMessageType.h"
#include "media/sctp/DcepOpen.h"
#include "media/sctp/Ppid.h"
#include "tests/TestHex.h"

using namespace switchyard::media::sctp;  // NOLINT(google-build-using-namespace)
using switchyard::test::hex;

namespace {

std::vector<uint8_t> build(const DcepOpenParams& p) {
  std::vector<uint8_t> out(kDcepOpenHeaderSize + p.label.size() + p.protocol.size() + 8, 0xee);
  const auto n = writeDcepOpen(out, p);
  REQUIRE(n.has_value());
  out.resize(*n);
  return out;
}

}  // namespace

// RFC 8832 section 5.1: "Message Type: 1 byte (unsigned integer) ... 0x03", "Channel Type: 1 byte",
// "Priority: 2 bytes (unsigned integer)", "Reliability Parameter: 4 bytes (unsigned integer)",
// "Label Length: 2 bytes (unsigned integer)", "Protocol Length: 2 bytes (unsigned integer)", then
// the Label and Protocol bytes, no padding. Bytes below written by hand from that figure.
TEST_CASE("DcepOpen parses a hand-written reliable ordered open with label chat (RFC 8832 5.1)") {
  const auto bytes = hex("03 00 0100 00000000 0004 0000 63686174");
  const auto open = DcepOpen::parse(bytes);
  REQUIRE(open);
  CHECK(open->channelType() == 0x00);
  CHECK(open->ordered());
  CHECK(open->reliability() == DcepReliability::kReliable);
  CHECK(open->priority() == 256);
  CHECK(open->reliabilityParameter() == 0);
  CHECK(open->label() == "chat");
  CHECK(open->protocol().empty());
  CHECK(dcepMessageType(bytes) == DcepMessageType::kOpen);

  DcepOpenParams p;
  p.label = "chat";
  CHECK(build(p) == bytes);
}

TEST_CASE("DcepOpen parses a hand-written unordered rexmit open with label and protocol") {
  // 0x81 DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED, priority 512, 3 retransmissions,
  // label "a", protocol "b".
  const auto bytes = hex("03 81 0200 00000003 0001 0001 61 62");
  const auto open = DcepOpen::parse(bytes);
  REQUIRE(open);
  CHECK_FALSE(open->ordered());
  CHECK(open->reliability() == DcepReliability::kMaxRetransmits);
  CHECK(open->priority() == kDcepPriorityHigh);
  CHECK(open->reliabilityParameter() == 3);
  CHECK(open->label() == "a");
  CHECK(open->protocol() == "b");
  CHECK(build(open->params()) == bytes);
}

TEST_CASE("DcepOpen parses a hand-written timed open with an empty label") {
  // 0x02 DATA_CHANNEL_PARTIAL_RELIABLE_TIMED, priority 128, lifetime 0x00012345 ms, protocol "x".
  const auto bytes = hex("03 02 0080 00012345 0000 0001 78");
  const auto open = DcepOpen::parse(bytes);
  REQUIRE(open);
  CHECK(open->ordered());
  CHECK(open->reliability() == DcepReliability::kMaxPacketLifetime);
  CHECK(open->reliabilityParameter() == 0x12345);
  CHECK(open->label().empty());
  CHECK(open->protocol() == "x");
}

TEST_CASE("DcepOpen round trips every channel type") {
  struct Case {
    uint8_t wire;
    DcepReliability reliability;
    bool ordered;
  };
  const std::array<Case, 6> cases = {{
      {0x00, DcepReliability::kReliable, true},
      {0x80, DcepReliability::kReliable, false},
      {0x01, DcepReliability::kMaxRetransmits, true},
      {0x81, DcepReliability::kMaxRetransmits, false},
      {0x02, DcepReliability::kMaxPacketLifetime, true},
      {0x82, DcepReliability::kMaxPacketLifetime, false},
  }};
  for (const auto& c : cases) {
    CAPTURE(c.wire);
    CHECK(dcepChannelType(c.reliability, c.ordered) == c.wire);
    CHECK(dcepReliabilityOf(c.wire) == c.reliability);
    DcepOpenParams p;
    p.reliability = c.reliability;
    p.ordered = c.ordered;
    p.reliabilityParameter = c.reliability == DcepReliability::kReliable ? 0 : 0xdeadbeef;
    p.priority = 0xabcd;
    p.label = "label";
    p.protocol = "proto";
    const auto bytes = build(p);
    REQUIRE(bytes.size() == 22);
    CHECK(bytes[0] == 0x03);
    CHECK(bytes[1] == c.wire);
    const auto open = DcepOpen::parse(bytes);
    REQUIRE(open);
    CHECK(open->channelType() == c.wire);
    CHECK(open->ordered() == c.ordered);
    CHECK(open->reliability() == c.reliability);
    CHECK(open->reliabilityParameter() == p.reliabilityParameter);
    CHECK(open->priority() == 0xabcd);
    CHECK(open->label() == "label");
    CHECK(open->protocol() == "proto");
    CHECK(build(open->params()) == bytes);
  }
}

TEST_CASE("DcepOpen reliable channels send 0 and ignore a received reliability parameter") {
  // RFC 8832 section 5.1: "For reliable channels, this field MUST be set to 0 on the sending side
  // and MUST be ignored on the receiving side."
  DcepOpenParams p;
  p.ordered = false;
  p.reliabilityParameter = 77;
  const auto bytes = build(p);
  CHECK(bytes == hex("03 80 0100 00000000 0000 0000"));

  const auto received = hex("03 00 0100 00000009 0000 0000");
  const auto open = DcepOpen::parse(received);
  REQUIRE(open);
  CHECK(open->rawReliabilityParameter() == 9);
  CHECK(open->reliabilityParameter() == 0);
}

TEST_CASE("DcepOpen keeps UTF-8 label and protocol bytes as they are") {
  DcepOpenParams p;
  p.label = "\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac";  // "ü-日本"
  p.protocol = "\xf0\x9f\x98\x80";                // U+1F600
  const auto bytes = build(p);
  CHECK(bytes == hex("03 00 0100 00000000 0009 0004 c3bc2de697a5e69cac f09f9880"));
  const auto open = DcepOpen::parse(bytes);
  REQUIRE(open);
  CHECK(open->label() == p.label);
  CHECK(open->protocol() == p.protocol);
  // The views point into the message: zero copy.
  CHECK(reinterpret_cast<const uint8_t*>(open->label().data()) == bytes.data() + 12);
}

TEST_CASE("DcepOpen rejects every truncation and every extension by trailing bytes") {
  const auto bytes = hex("03 82 0100 000003e8 0003 0004 616263 74657374");
  REQUIRE(DcepOpen::parse(bytes));
  for (size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(DcepOpen::parse(std::span<const uint8_t>(bytes).first(n)));
  }
  for (size_t extra = 1; extra <= 4; ++extra) {
    auto longer = bytes;
    longer.insert(longer.end(), extra, 0x00);
    CAPTURE(extra);
    CHECK_FALSE(DcepOpen::parse(longer));
  }
}

TEST_CASE("DcepOpen rejects label and protocol lengths that do not add up") {
  // 7 bytes of strings follow the header; only 3+4 (or any split summing to 7) is accepted.
  const auto ok = hex("03 00 0100 00000000 0003 0004 61626364656667");
  REQUIRE(DcepOpen::parse(ok));
  auto split = ok;
  split[9] = 0x00;   // label 0
  split[11] = 0x07;  // protocol 7
  CHECK(DcepOpen::parse(split));
  for (unsigned label : {0u, 1u, 2u, 4u, 7u, 8u, 0xffffu}) {
    for (unsigned protocol : {0u, 3u, 4u, 5u, 0xffffu}) {
      auto bad = ok;
      bad[8] = static_cast<uint8_t>(label >> 8);
      bad[9] = static_cast<uint8_t>(label);
      bad[10] = static_cast<uint8_t>(protocol >> 8);
      bad[11] = static_cast<uint8_t>(protocol);
      CAPTURE(label, protocol);
      CHECK(DcepOpen::parse(bad).has_value() == (label + protocol == 7));
    }
  }
  // Lengths whose sum overflows 16 bits must not wrap.
  auto wrap = ok;
  wrap[8] = 0xff;
  wrap[9] = 0xff;
  wrap[10] = 0x00;
  wrap[11] = 0x08;  // 0xffff + 8 = 7 (mod 2^16)
  CHECK_FALSE(DcepOpen::parse(wrap));
}

TEST_CASE("DcepOpen rejects unknown channel types and other message types") {
  auto bytes = hex("03 00 0100 00000000 0000 0000");
  REQUIRE(DcepOpen::parse(bytes));
  for (unsigned t = 0; t <= 0xff; ++t) {
    bytes[1] = static_cast<uint8_t>(t);
    const bool known = t == 0x00 || t == 0x80 || t == 0x01 || t == 0x81 || t == 0x02 || t == 0x82;
    CAPTURE(t);
    CHECK(DcepOpen::parse(bytes).has_value() == known);
    CHECK(dcepReliabilityOf(static_cast<uint8_t>(t)).has_value() == known);
  }
  bytes[1] = 0x00;
  for (unsigned t = 0; t <= 0xff; ++t) {
    bytes[0] = static_cast<uint8_t>(t);
    CAPTURE(t);
    CHECK(DcepOpen::parse(bytes).has_value() == (t == 0x03));
  }
}

TEST_CASE("writeDcepOpen fails on buffers that are too small and on oversized strings") {
  DcepOpenParams p;
  p.reliability = DcepReliability::kMaxPacketLifetime;
  p.reliabilityParameter = 5000;
  p.label = "chat";
  p.protocol = "json";
  REQUIRE(dcepOpenSize(p) == 20u);
  std::vector<uint8_t> out(20);
  for (size_t n = 0; n < 20; ++n) {
    CAPTURE(n);
    CHECK_FALSE(writeDcepOpen(std::span<uint8_t>(out).first(n), p));
  }
  CHECK(writeDcepOpen(out, p) == 20u);
  CHECK(out == hex("03 02 0100 00001388 0004 0004 63686174 6a736f6e"));

  const std::string big(65536, 'x');
  const std::string max(65535, 'y');
  std::vector<uint8_t> huge(12 + 65536 + 65535);
  p.label = big;
  p.protocol = "";
  CHECK_FALSE(dcepOpenSize(p));
  CHECK_FALSE(writeDcepOpen(huge, p));
  p.label = "";
  p.protocol = big;
  CHECK_FALSE(writeDcepOpen(huge, p));
  p.label = max;
  p.protocol = max;
  const auto n = writeDcepOpen(huge, p);
  REQUIRE(n == 12u + 65535u + 65535u);
  const auto open = DcepOpen::parse(std::span<const uint8_t>(huge).first(*n));
  REQUIRE(open);
  CHECK(open->label().size() == 65535);
  CHECK(open->protocol() == max);
}

TEST_CASE("DcepAck is exactly the byte 0x02 (RFC 8832 5.2)") {
  // RFC 8832 section 5.2: "Message Type: 1 byte (unsigned integer) This field holds the IANA-defined
  // message type for the DATA_CHANNEL_ACK message. The value of this field is 0x02".
  const auto ack = hex("02");
  CHECK(DcepAck::parse(ack));
  CHECK(dcepMessageType(ack) == DcepMessageType::kAck);
  CHECK_FALSE(DcepAck::parse({}));
  CHECK_FALSE(DcepAck::parse(hex("0200")));
  CHECK_FALSE(DcepAck::parse(hex("03")));
  CHECK_FALSE(DcepAck::parse(hex("00")));
  CHECK_FALSE(DcepAck::parse(hex("03 00 0100 00000000 0000 0000")));

  std::array<uint8_t, 2> out = {0xee, 0xee};
  CHECK_FALSE(writeDcepAck(std::span<uint8_t>(out).first(0)));
  CHECK(out[0] == 0xee);
  CHECK(writeDcepAck(out) == 1u);
  CHECK(out[0] == 0x02);
  CHECK(out[1] == 0xee);
}

TEST_CASE("dcepMessageType peeks at the first byte only") {
  CHECK_FALSE(dcepMessageType({}));
  CHECK(dcepMessageType(hex("03")) == DcepMessageType::kOpen);  // truncated open: type still known
  CHECK(dcepMessageType(hex("0299")) == DcepMessageType::kAck);
  for (unsigned t : {0x00u, 0x01u, 0x04u, 0x80u, 0xffu})
    CHECK_FALSE(dcepMessageType(std::vector<uint8_t>{static_cast<uint8_t>(t)}));
}

TEST_CASE("Ppid values and classification (RFC 8831 section 8, RFC 8832 section 8.1)") {
  CHECK(toWire(Ppid::kDcep) == 50);
  CHECK(toWire(Ppid::kString) == 51);
  CHECK(toWire(Ppid::kBinaryPartialDeprecated) == 52);
  CHECK(toWire(Ppid::kBinary) == 53);
  CHECK(toWire(Ppid::kStringPartialDeprecated) == 54);
  CHECK(toWire(Ppid::kStringEmpty) == 56);
  CHECK(toWire(Ppid::kBinaryEmpty) == 57);

  for (uint32_t ppid = 0; ppid < 100; ++ppid) {
    CAPTURE(ppid);
    const bool data = ppid == 51 || ppid == 52 || ppid == 53 || ppid == 54 || ppid == 56 || ppid == 57;
    CHECK(isDataPpid(ppid) == data);
    CHECK(dataKindOf(ppid).has_value() == data);
    CHECK(isDcepPpid(ppid) == (ppid == 50));
    CHECK(isEmptyPpid(ppid) == (ppid == 56 || ppid == 57));
    CHECK(isDeprecatedPpid(ppid) == (ppid == 52 || ppid == 54));
  }
  CHECK_FALSE(isDataPpid(55));
  CHECK_FALSE(isDataPpid(0xffffffffu));
  CHECK(dataKindOf(51) == DataKind::kString);
  CHECK(dataKindOf(54) == DataKind::kString);
  CHECK(dataKindOf(56) == DataKind::kString);
  CHECK(dataKindOf(52) == DataKind::kBinary);
  CHECK(dataKindOf(53) == DataKind::kBinary);
  CHECK(dataKindOf(57) == DataKind::kBinary);
}

TEST_CASE("Empty messages go out as one 0x00 byte with PPID 56/57 (RFC 8831 section 6.6)") {
  // RFC 8831 section 6.6: "SCTP does not support the sending of empty user messages. Therefore, if
  // an empty message has to be sent, the appropriate PPID (WebRTC String Empty or WebRTC Binary
  // Empty) is used, and the SCTP user message of one zero byte is sent."
  const auto emptyString = outgoingData(DataKind::kString, {});
  CHECK(emptyString.ppid == Ppid::kStringEmpty);
  REQUIRE(emptyString.payload.size() == 1);
  CHECK(emptyString.payload[0] == 0x00);
  const auto emptyBinary = outgoingData(DataKind::kBinary, {});
  CHECK(emptyBinary.ppid == Ppid::kBinaryEmpty);
  REQUIRE(emptyBinary.payload.size() == 1);
  CHECK(emptyBinary.payload[0] == 0x00);

  const auto hello = hex("68656c6c6f");
  const auto s = outgoingData(DataKind::kString, hello);
  CHECK(s.ppid == Ppid::kString);
  CHECK(s.payload.data() == hello.data());
  CHECK(s.payload.size() == 5);
  CHECK(outgoingData(DataKind::kBinary, hello).ppid == Ppid::kBinary);
  CHECK(ppidForSend(DataKind::kString, 0) == Ppid::kStringEmpty);
  CHECK(ppidForSend(DataKind::kBinary, 1) == Ppid::kBinary);

  const auto zero = hex("00");
  const auto in56 = incomingData(56, zero);
  REQUIRE(in56);
  CHECK(in56->kind == DataKind::kString);
  CHECK(in56->message.empty());
  const auto in57 = incomingData(57, zero);
  REQUIRE(in57);
  CHECK(in57->kind == DataKind::kBinary);
  CHECK(in57->message.empty());
  const auto in53 = incomingData(53, hello);
  REQUIRE(in53);
  CHECK(in53->kind == DataKind::kBinary);
  CHECK(in53->message.size() == 5);
  CHECK_FALSE(incomingData(50, hello));
  CHECK_FALSE(incomingData(0, hello));
}
