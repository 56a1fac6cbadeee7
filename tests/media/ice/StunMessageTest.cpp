#include "media/ice/StunMessage.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "media/ice/StunBuilder.h"
#include "media/util/BigEndian.h"
#include "tests/media/ice/StunTestUtil.h"

using namespace switchyard::media::ice;
using switchyard::media::ice::test::kRfc5769Ipv6ResponseHex;
using switchyard::media::ice::test::rfc5769;
using switchyard::media::ice::test::vectorBytes;
using switchyard::media::ice::test::vectorPassword;
using switchyard::test::hex;

namespace {

constexpr StunTransactionId kRfcTransactionId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

std::vector<uint8_t> allVectors(int i) {
  switch (i) {
    case 0:
      return vectorBytes("sample_request");
    case 1:
      return vectorBytes("sample_ipv4_response");
    default:
      return hex(kRfc5769Ipv6ResponseHex);
  }
}

// Offset of the first attribute of `type` in a well-formed message (0 if none).
size_t offsetOf(const std::vector<uint8_t>& msg, uint16_t type) {
  size_t off = kStunHeaderSize;
  while (off + 4 <= msg.size()) {
    if (switchyard::media::util::read16(msg.data() + off) == type) return off;
    off += 4 + stunPadded(switchyard::media::util::read16(msg.data() + off + 2));
  }
  return 0;
}

void setLength(std::vector<uint8_t>& msg, size_t length) {
  switchyard::media::util::write16(msg.data() + 2, static_cast<uint16_t>(length));
}

// Appends a raw attribute and fixes the header length (for hand-made malformed messages).
void appendRaw(std::vector<uint8_t>& msg, uint16_t type, const std::vector<uint8_t>& value, size_t declared) {
  const size_t at = msg.size();
  msg.resize(at + 4 + stunPadded(value.size()), 0);
  switchyard::media::util::write16(msg.data() + at, type);
  switchyard::media::util::write16(msg.data() + at + 2, static_cast<uint16_t>(declared));
  std::copy(value.begin(), value.end(), msg.begin() + static_cast<std::ptrdiff_t>(at + 4));
  setLength(msg, msg.size() - kStunHeaderSize);
}
void appendRaw(std::vector<uint8_t>& msg, uint16_t type, const std::vector<uint8_t>& value) {
  appendRaw(msg, type, value, value.size());
}

std::vector<uint8_t> emptyBindingRequest() {
  std::vector<uint8_t> msg(kStunHeaderSize, 0);
  StunBuilder b(msg, StunClass::kRequest, kStunMethodBinding, kRfcTransactionId);
  REQUIRE(b.finish());
  return msg;
}

}  // namespace

TEST_CASE("RFC 5769 §2.1 sample request", "[ice][stun][rfc5769]") {
  // RFC 5769 §2.1: "This request uses the following parameters: Software name: "STUN test client",
  // Username: "evtj:h6vY", Password: "VOkJxbRl1RmTxUk/WvJxBt"" with PRIORITY, ICE-CONTROLLED,
  // MESSAGE-INTEGRITY and FINGERPRINT.
  const auto& json = rfc5769().at("sample_request");
  const auto bytes = vectorBytes("sample_request");
  REQUIRE(bytes.size() == 108);
  const auto msg = StunMessage::parse(bytes);
  REQUIRE(msg);
  CHECK(msg->messageType() == 0x0001);
  CHECK(msg->messageClass() == StunClass::kRequest);
  CHECK(msg->method() == kStunMethodBinding);
  CHECK(msg->transactionId() == kRfcTransactionId);
  CHECK(msg->username() == json.at("username").get<std::string>());
  CHECK(msg->software() == json.at("software").get<std::string>());
  CHECK(msg->priority() == std::stoul(json.at("priority").get<std::string>(), nullptr, 16));
  CHECK(msg->iceControlled() == std::stoull(json.at("ice_controlled").get<std::string>(), nullptr, 16));
  CHECK_FALSE(msg->iceControlling());
  CHECK_FALSE(msg->useCandidate());
  CHECK_FALSE(msg->xorMappedAddress());
  CHECK_FALSE(msg->errorCode());
  CHECK_FALSE(msg->hasUnknownComprehensionRequired());
  REQUIRE(msg->hasMessageIntegrity());
  CHECK(msg->fingerprint() == 0xe57a3bcfu);
  CHECK(msg->verifyMessageIntegrity(vectorPassword()));
  CHECK(msg->verifyFingerprint());
  CHECK_FALSE(msg->verifyMessageIntegrity(std::string_view("VOkJxbRl1RmTxUk/WvJxBu")));
  CHECK_FALSE(msg->verifyMessageIntegrity(std::string_view("")));

  std::vector<uint16_t> types;
  for (const StunAttribute a : msg->attributes())
    types.push_back(a.type);
  CHECK(types == std::vector<uint16_t>{kStunAttrSoftware, kStunAttrPriority, kStunAttrIceControlled,
                                       kStunAttrUsername, kStunAttrMessageIntegrity, kStunAttrFingerprint});
}

TEST_CASE("RFC 5769 §2.2 sample IPv4 response", "[ice][stun][rfc5769]") {
  // RFC 5769 §2.2: "Password: "VOkJxbRl1RmTxUk/WvJxBt", Software name: "test vector",
  // Mapped address: 192.0.2.1 port 32853".
  const auto bytes = vectorBytes("sample_ipv4_response");
  const auto msg = StunMessage::parse(bytes);
  REQUIRE(msg);
  CHECK(msg->messageType() == 0x0101);
  CHECK(msg->messageClass() == StunClass::kSuccessResponse);
  CHECK(msg->method() == kStunMethodBinding);
  CHECK(msg->transactionId() == kRfcTransactionId);
  // SOFTWARE has length 11; the json's "test vector " also shows the 0x20 padding byte.
  CHECK(msg->software() == "test vector");
  const auto mapped = msg->xorMappedAddress();
  REQUIRE(mapped);
  CHECK(*mapped == StunAddress::ipv4({192, 0, 2, 1}, 32853));
  CHECK(rfc5769().at("sample_ipv4_response").at("xor_mapped_address") == "192.0.2.1:32853");
  CHECK_FALSE(msg->mappedAddress());
  CHECK(msg->verifyMessageIntegrity(vectorPassword()));
  CHECK(msg->verifyFingerprint());
}

TEST_CASE("RFC 5769 §2.3 sample IPv6 response", "[ice][stun][rfc5769]") {
  const auto bytes = hex(kRfc5769Ipv6ResponseHex);
  REQUIRE(bytes.size() == 92);
  const auto msg = StunMessage::parse(bytes);
  REQUIRE(msg);
  CHECK(msg->messageClass() == StunClass::kSuccessResponse);
  CHECK(msg->transactionId() == kRfcTransactionId);
  CHECK(msg->software() == "test vector");
  const auto mapped = msg->xorMappedAddress();
  REQUIRE(mapped);
  CHECK(*mapped == StunAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x00, 0x11, 0x22, 0x33,
                                      0x44, 0x55, 0x66, 0x77},
                                     32853));
  CHECK(msg->verifyMessageIntegrity(vectorPassword()));
  CHECK(msg->verifyFingerprint());
}

TEST_CASE("Builder reproduces the RFC 5769 §2.2 / §2.3 wire layout", "[ice][stun][rfc5769]") {
  for (int v = 1; v <= 2; ++v) {
    const auto vector = allVectors(v);
    const auto parsed = StunMessage::parse(vector);
    REQUIRE(parsed);
    std::vector<uint8_t> out(200, 0);
    StunBuilder b(out, StunClass::kSuccessResponse, kStunMethodBinding, kRfcTransactionId);
    REQUIRE(b.addSoftware("test vector"));
    REQUIRE(b.addXorMappedAddress(*parsed->xorMappedAddress()));
    const auto built = b.finish(vectorPassword(), true);
    REQUIRE(built);
    REQUIRE(built->size() == vector.size());
    // Identical except the SOFTWARE padding byte (the RFC pads with 0x20, we with 0x00) and the
    // MESSAGE-INTEGRITY and FINGERPRINT values, which cover that byte.
    const size_t paddingByte = 20 + 4 + 11;
    const size_t mi = offsetOf(vector, kStunAttrMessageIntegrity);
    for (size_t i = 0; i < vector.size(); ++i) {
      const bool covered = i == paddingByte || (i >= mi + 4 && i < mi + 24) || i >= vector.size() - 4;
      if (!covered) CHECK((*built)[i] == vector[i]);
    }
    CHECK((*built)[paddingByte] == 0);
    // Our own MESSAGE-INTEGRITY and FINGERPRINT (over the zero padding) verify with the parser
    // that the RFC vectors above validate.
    const auto reparsed = StunMessage::parse(*built);
    REQUIRE(reparsed);
    CHECK(reparsed->verifyMessageIntegrity(vectorPassword()));
    CHECK(reparsed->verifyFingerprint());
  }
}

TEST_CASE("Message type interleaves method and class bits (RFC 8489 §5)", "[ice][stun]") {
  // RFC 8489 §6: Binding request 0x0001, success 0x0101, error 0x0111, indication 0x0011.
  CHECK(stunMessageType(StunClass::kRequest, kStunMethodBinding) == 0x0001);
  CHECK(stunMessageType(StunClass::kIndication, kStunMethodBinding) == 0x0011);
  CHECK(stunMessageType(StunClass::kSuccessResponse, kStunMethodBinding) == 0x0101);
  CHECK(stunMessageType(StunClass::kErrorResponse, kStunMethodBinding) == 0x0111);
  CHECK(stunMessageType(StunClass::kRequest, 0x0FFF) == 0x3EEF);
  for (uint16_t method = 0; method <= kStunMaxMethod; ++method) {
    for (uint8_t c = 0; c < 4; ++c) {
      const auto cls = static_cast<StunClass>(c);
      const uint16_t type = stunMessageType(cls, method);
      REQUIRE(type < 0x4000);
      REQUIRE(stunMethodOf(type) == method);
      REQUIRE(stunClassOf(type) == cls);
    }
  }
}

TEST_CASE("Truncating a valid message at any length fails to parse", "[ice][stun][malformed]") {
  for (int v = 0; v < 3; ++v) {
    const auto bytes = allVectors(v);
    for (size_t n = 0; n < bytes.size(); ++n) {
      INFO("vector " << v << " cut at " << n);
      CHECK_FALSE(StunMessage::parse(std::span<const uint8_t>(bytes).first(n)));
    }
  }
}

TEST_CASE("Truncation with a fixed-up header length parses only on attribute boundaries",
          "[ice][stun][malformed]") {
  for (int v = 0; v < 3; ++v) {
    const auto bytes = allVectors(v);
    std::vector<size_t> boundaries;
    for (size_t off = kStunHeaderSize; off <= bytes.size();) {
      boundaries.push_back(off);
      if (off == bytes.size()) break;
      off += 4 + stunPadded(switchyard::media::util::read16(bytes.data() + off + 2));
    }
    for (size_t n = kStunHeaderSize; n < bytes.size(); n += 4) {
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      setLength(cut, n - kStunHeaderSize);
      const bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
      INFO("vector " << v << " cut at " << n);
      CHECK(StunMessage::parse(cut).has_value() == boundary);
    }
  }
}

TEST_CASE("Malformed headers fail to parse", "[ice][stun][malformed]") {
  const auto good = vectorBytes("sample_request");
  REQUIRE(StunMessage::parse(good));

  SECTION("bad magic cookie") {
    for (size_t i = 4; i < 8; ++i) {
      auto bad = good;
      bad[i] ^= 0x01;
      CHECK_FALSE(StunMessage::parse(bad));
    }
  }
  SECTION("first two bits set") {
    for (const int bits : {0x40, 0x80, 0xC0}) {
      auto bad = good;
      bad[0] = static_cast<uint8_t>(bad[0] | bits);
      CHECK_FALSE(StunMessage::parse(bad));
    }
  }
  SECTION("length not a multiple of 4") {
    for (size_t delta = 1; delta < 4; ++delta) {
      auto bad = good;
      setLength(bad, good.size() - kStunHeaderSize - delta);
      CHECK_FALSE(StunMessage::parse(bad));
      bad.resize(good.size() - delta);  // even when the buffer matches the odd length
      CHECK_FALSE(StunMessage::parse(bad));
    }
  }
  SECTION("length does not match the buffer") {
    auto longer = good;
    setLength(longer, good.size() - kStunHeaderSize + 4);
    CHECK_FALSE(StunMessage::parse(longer));
    auto shorter = good;
    setLength(shorter, good.size() - kStunHeaderSize - 4);
    CHECK_FALSE(StunMessage::parse(shorter));
    auto trailing = good;
    trailing.insert(trailing.end(), {0, 0, 0, 0});
    CHECK_FALSE(StunMessage::parse(trailing));
    auto zero = good;
    setLength(zero, 0);
    CHECK_FALSE(StunMessage::parse(zero));
  }
  SECTION("attribute length overruns the message") {
    const size_t at = offsetOf(good, kStunAttrUsername);
    for (const uint16_t length : {uint16_t{13}, uint16_t{200}, uint16_t{0xFFFF}}) {
      auto bad = good;
      switchyard::media::util::write16(bad.data() + at + 2, length);
      CHECK_FALSE(StunMessage::parse(bad));
    }
    // The last attribute's padding must be inside the message too.
    auto bad = emptyBindingRequest();
    appendRaw(bad, 0x8030, {1, 2, 3, 4}, 5);
    CHECK_FALSE(StunMessage::parse(bad));
  }
  SECTION("header only is a valid message with no attributes") {
    const auto empty = emptyBindingRequest();
    const auto msg = StunMessage::parse(empty);
    REQUIRE(msg);
    CHECK(msg->attributes().begin() == msg->attributes().end());
    CHECK_FALSE(msg->verifyMessageIntegrity(std::string_view("x")));
    CHECK_FALSE(msg->verifyFingerprint());
  }
}

TEST_CASE("Malformed known attributes fail to parse", "[ice][stun][malformed]") {
  struct Case {
    const char* name;
    uint16_t type;
    std::vector<uint8_t> value;
  };
  const std::vector<Case> cases = {
      {"PRIORITY of 3 bytes", kStunAttrPriority, {1, 2, 3}},
      {"PRIORITY of 8 bytes", kStunAttrPriority, {1, 2, 3, 4, 5, 6, 7, 8}},
      {"ICE-CONTROLLED of 4 bytes", kStunAttrIceControlled, {1, 2, 3, 4}},
      {"ICE-CONTROLLING of 12 bytes", kStunAttrIceControlling, std::vector<uint8_t>(12, 1)},
      {"USE-CANDIDATE with a value", kStunAttrUseCandidate, {0, 0, 0, 0}},
      {"MESSAGE-INTEGRITY of 16 bytes", kStunAttrMessageIntegrity, std::vector<uint8_t>(16, 1)},
      {"FINGERPRINT of 8 bytes", kStunAttrFingerprint, std::vector<uint8_t>(8, 1)},
      {"XOR-MAPPED-ADDRESS family 3", kStunAttrXorMappedAddress, {0, 3, 0, 1, 1, 2, 3, 4}},
      {"XOR-MAPPED-ADDRESS IPv4 of 20 bytes", kStunAttrXorMappedAddress,
       [] {
         std::vector<uint8_t> v(20, 0);
         v[1] = 1;
         return v;
       }()},
      {"XOR-MAPPED-ADDRESS IPv6 of 8 bytes", kStunAttrXorMappedAddress, {0, 2, 0, 1, 1, 2, 3, 4}},
      {"MAPPED-ADDRESS of 2 bytes", kStunAttrMappedAddress, {0, 1}},
      {"ERROR-CODE class 2", kStunAttrErrorCode, {0, 0, 2, 0}},
      {"ERROR-CODE class 7", kStunAttrErrorCode, {0, 0, 7, 0}},
      {"ERROR-CODE number 100", kStunAttrErrorCode, {0, 0, 4, 100}},
      {"ERROR-CODE of 3 bytes", kStunAttrErrorCode, {0, 0, 4}},
      {"UNKNOWN-ATTRIBUTES of odd length", kStunAttrUnknownAttributes, {0, 1, 0}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto bad = emptyBindingRequest();
    appendRaw(bad, c.type, c.value);
    CHECK_FALSE(StunMessage::parse(bad));
    // The same attribute after MESSAGE-INTEGRITY is ignored, so the message parses (unless it is
    // a FINGERPRINT, which is still processed there).
    auto ignored = emptyBindingRequest();
    appendRaw(ignored, kStunAttrMessageIntegrity, std::vector<uint8_t>(20, 0));
    appendRaw(ignored, c.type, c.value);
    CHECK(StunMessage::parse(ignored).has_value() == (c.type != kStunAttrFingerprint));
  }
  // Edge values that are valid.
  auto ok = emptyBindingRequest();
  appendRaw(ok, kStunAttrErrorCode, {0xFF, 0xF8, 6, 99});  // reserved bits are ignored
  const auto msg = StunMessage::parse(ok);
  REQUIRE(msg);
  CHECK(msg->errorCode()->code == 699);
  CHECK(msg->errorCode()->reason.empty());
}

TEST_CASE("Every single-bit flip breaks MESSAGE-INTEGRITY or FINGERPRINT", "[ice][stun][integrity]") {
  for (int v = 0; v < 3; ++v) {
    const auto good = allVectors(v);
    const size_t mi = offsetOf(good, kStunAttrMessageIntegrity);
    const size_t miEnd = mi + 24;
    REQUIRE(mi != 0);
    size_t parsed = 0;
    size_t parsedAfterIntegrity = 0;
    for (size_t bit = 0; bit < good.size() * 8; ++bit) {
      auto bad = good;
      bad[bit / 8] = static_cast<uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
      const auto msg = StunMessage::parse(bad);
      INFO("vector " << v << " bit " << bit);
      if (!msg) continue;  // header or attribute structure broken: rejected outright
      ++parsed;
      if (bit / 8 >= miEnd) ++parsedAfterIntegrity;
      CHECK_FALSE(msg->verifyFingerprint());
      if (bit / 8 < miEnd) CHECK_FALSE(msg->verifyMessageIntegrity(vectorPassword()));
      // FINGERPRINT is outside the HMAC, so flipping its bits leaves MESSAGE-INTEGRITY valid.
      if (bit / 8 >= miEnd) CHECK(msg->verifyMessageIntegrity(vectorPassword()));
    }
    // Most flips (attribute values, the transaction id, the MAC itself) keep the structure
    // intact; the checks above must have run on them, on both sides of MESSAGE-INTEGRITY.
    INFO("vector " << v << ": " << parsed << " of " << good.size() * 8 << " flips parsed");
    CHECK(parsed > good.size() * 8 / 2);
    CHECK(parsedAfterIntegrity > 0);
  }
}

TEST_CASE("Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored", "[ice][stun][integrity]") {
  const std::string password = "0123456789abcdefghijkl";
  std::vector<uint8_t> buf(256, 0);
  StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kRfcTransactionId);
  REQUIRE(b.addUsername("a:b"));
  REQUIRE(b.addMessageIntegrity(password));
  const auto built = b.finish();
  REQUIRE(built);
  std::vector<uint8_t> msg(built->begin(), built->end());
  // Append PRIORITY, USE-CANDIDATE and an unknown comprehension-required attribute after it.
  appendRaw(msg, kStunAttrPriority, {0, 0, 0, 7});
  appendRaw(msg, kStunAttrUseCandidate, {});
  appendRaw(msg, 0x0042, {1, 2, 3, 4});
  const auto parsed = StunMessage::parse(msg);
  REQUIRE(parsed);
  CHECK(parsed->verifyMessageIntegrity(password));
  CHECK_FALSE(parsed->priority());
  CHECK_FALSE(parsed->useCandidate());
  CHECK_FALSE(parsed->hasUnknownComprehensionRequired());
  CHECK(parsed->username() == "a:b");
  size_t count = 0;
  for ([[maybe_unused]] const StunAttribute a : parsed->attributes())
    ++count;
  CHECK(count == 5);
}

TEST_CASE("FINGERPRINT must be last and correct", "[ice][stun][fingerprint]") {
  std::vector<uint8_t> buf(256, 0);
  StunBuilder b(buf, StunClass::kIndication, kStunMethodBinding, kRfcTransactionId);
  REQUIRE(b.addSoftware("switchyard"));
  REQUIRE(b.addFingerprint());
  const auto built = b.finish();
  REQUIRE(built);
  const std::vector<uint8_t> good(built->begin(), built->end());
  const auto ok = StunMessage::parse(good);
  REQUIRE(ok);
  CHECK(ok->verifyFingerprint());
  CHECK_FALSE(ok->hasMessageIntegrity());
  CHECK_FALSE(ok->verifyMessageIntegrity(std::string_view("anything")));

  SECTION("not last") {
    auto bad = good;
    appendRaw(bad, 0x8050, {1, 2, 3, 4});
    const auto msg = StunMessage::parse(bad);
    REQUIRE(msg);
    CHECK(msg->hasFingerprint());
    CHECK_FALSE(msg->verifyFingerprint());
  }
  SECTION("wrong value") {
    for (size_t i = good.size() - 4; i < good.size(); ++i) {
      auto bad = good;
      bad[i] ^= 0x80;
      const auto msg = StunMessage::parse(bad);
      REQUIRE(msg);
      CHECK_FALSE(msg->verifyFingerprint());
    }
  }
  SECTION("CRC without the 0x5354554E xor") {
    auto bad = good;
    const uint32_t fp = switchyard::media::util::read32(bad.data() + bad.size() - 4);
    switchyard::media::util::write32(bad.data() + bad.size() - 4, fp ^ kStunFingerprintXor);
    const auto msg = StunMessage::parse(bad);
    REQUIRE(msg);
    CHECK_FALSE(msg->verifyFingerprint());
  }
  SECTION("MESSAGE-INTEGRITY after FINGERPRINT is ignored") {
    auto bad = good;
    appendRaw(bad, kStunAttrMessageIntegrity, std::vector<uint8_t>(20, 0));
    const auto msg = StunMessage::parse(bad);
    REQUIRE(msg);
    CHECK_FALSE(msg->hasMessageIntegrity());
    CHECK_FALSE(msg->verifyFingerprint());
  }
}

TEST_CASE("Unknown comprehension-required attributes are listed once each", "[ice][stun]") {
  std::vector<uint8_t> buf(256, 0);
  StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kRfcTransactionId);
  const std::array<uint8_t, 4> value = {1, 2, 3, 4};
  REQUIRE(b.addAttribute(0x0030, value));
  REQUIRE(b.addAttribute(0x9000, value));  // comprehension-optional: not listed
  REQUIRE(b.addAttribute(0x0030, value));  // duplicate
  REQUIRE(b.addAttribute(kStunAttrRealm, value));
  REQUIRE(b.addPriority(5));
  REQUIRE(b.addAttribute(0x0031, {}));
  REQUIRE(b.addMessageIntegrity(std::string_view("pw")));
  const auto built = b.finish();
  REQUIRE(built);
  const auto msg = StunMessage::parse(*built);
  REQUIRE(msg);
  CHECK(msg->hasUnknownComprehensionRequired());
  std::array<uint16_t, 8> out{};
  REQUIRE(msg->unknownComprehensionRequired(out) == 3);
  CHECK(out[0] == 0x0030);
  CHECK(out[1] == kStunAttrRealm);
  CHECK(out[2] == 0x0031);
  std::array<uint16_t, 2> small{};
  CHECK(msg->unknownComprehensionRequired(small) == 2);
  CHECK(msg->unknownComprehensionRequired({}) == 0);
  CHECK(msg->priority() == 5u);
  CHECK(msg->verifyMessageIntegrity(std::string_view("pw")));
}

TEST_CASE("An empty unknown attribute at the very end is still listed", "[ice][stun]") {
  // Regression (fuzz): the scan compared the value offset, equal to the message end here.
  auto msg = emptyBindingRequest();
  appendRaw(msg, 0xBF0F, {});
  appendRaw(msg, 0x0000, {});
  const auto parsed = StunMessage::parse(msg);
  REQUIRE(parsed);
  REQUIRE(parsed->hasUnknownComprehensionRequired());
  std::array<uint16_t, 4> out{};
  REQUIRE(parsed->unknownComprehensionRequired(out) == 1);
  CHECK(out[0] == 0x0000);
}
