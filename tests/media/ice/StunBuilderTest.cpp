#include "media/ice/StunBuilder.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "media/ice/StunMessage.h"
#include "media/util/BigEndian.h"

using namespace switchyard::media::ice;

namespace {

constexpr StunTransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
constexpr std::string_view kPassword = "asd88fgpdd777uzjYhagZg";  // ICE pwd: 22+ ice-chars
const StunAddress kV4 = StunAddress::ipv4({203, 0, 113, 77}, 50000);
const StunAddress kV6 =
    StunAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef}, 443);

// Adds every attribute the builder knows (all before MESSAGE-INTEGRITY) and finishes with both.
bool buildFull(StunBuilder& b) {
  const std::array<uint16_t, 3> unknown = {0x0031, 0x0032, 0x7FFF};
  return b.addXorMappedAddress(kV6) && b.addMappedAddress(kV4) && b.addUsername("remote:local") &&
         b.addPriority(0x6e0001ffu) && b.addIceControlling(0x0123456789abcdefull) && b.addUseCandidate() &&
         b.addErrorCode(487, "Role Conflict") && b.addSoftware("switchyard 0.1") &&
         b.addUnknownAttributes(unknown) && b.addMessageIntegrity(kPassword) && b.addFingerprint();
}

}  // namespace

TEST_CASE("Builder round-trips every attribute", "[ice][stun][builder]") {
  for (uint8_t c = 0; c < 4; ++c) {
    const auto cls = static_cast<StunClass>(c);
    std::vector<uint8_t> buf(512, 0xEE);
    StunBuilder b(buf, cls, kStunMethodBinding, kId);
    REQUIRE(buildFull(b));
    const auto out = b.finish();
    REQUIRE(out);
    CHECK(out->size() % 4 == 0);
    CHECK(switchyard::media::util::read16(out->data() + 2) == out->size() - kStunHeaderSize);
    const auto msg = StunMessage::parse(*out);
    REQUIRE(msg);
    CHECK(msg->messageClass() == cls);
    CHECK(msg->method() == kStunMethodBinding);
    CHECK(msg->transactionId() == kId);
    CHECK(msg->xorMappedAddress() == kV6);
    CHECK(msg->mappedAddress() == kV4);
    CHECK(msg->username() == "remote:local");
    CHECK(msg->priority() == 0x6e0001ffu);
    CHECK(msg->iceControlling() == 0x0123456789abcdefull);
    CHECK_FALSE(msg->iceControlled());
    CHECK(msg->useCandidate());
    REQUIRE(msg->errorCode());
    CHECK(msg->errorCode()->code == StunErrorCode::kRoleConflict);
    CHECK(msg->errorCode()->reason == "Role Conflict");
    CHECK(msg->software() == "switchyard 0.1");
    std::array<uint16_t, 4> unknown{};
    REQUIRE(msg->unknownAttributes(unknown) == 3);
    CHECK(unknown[0] == 0x0031);
    CHECK(unknown[1] == 0x0032);
    CHECK(unknown[2] == 0x7FFF);
    CHECK_FALSE(msg->hasUnknownComprehensionRequired());
    CHECK(msg->verifyMessageIntegrity(kPassword));
    CHECK_FALSE(msg->verifyMessageIntegrity(std::string_view("asd88fgpdd777uzjYhagZh")));
    CHECK(msg->verifyFingerprint());
    // Padding is zeros: USERNAME "remote:local" is 12 bytes (none), SOFTWARE 14 bytes (2).
    for (const StunAttribute a : msg->attributes()) {
      const auto* end = a.value.data() + a.value.size();
      for (size_t i = a.value.size(); i < stunPadded(a.value.size()); ++i)
        CHECK(end[i - a.value.size()] == 0);
    }
  }
}

TEST_CASE("Builder round-trips addresses, strings and numbers at their edges", "[ice][stun][builder]") {
  const std::vector<StunAddress> addresses = {
      StunAddress::ipv4({0, 0, 0, 0}, 0),
      StunAddress::ipv4({255, 255, 255, 255}, 65535),
      StunAddress::ipv4({0x21, 0x12, 0xA4, 0x42}, 0x2112),  // xor to zero
      StunAddress::ipv6({}, 1),
      StunAddress::ipv6(
          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
          65535),
  };
  for (const auto& a : addresses) {
    std::vector<uint8_t> buf(128);
    StunBuilder b(buf, StunClass::kSuccessResponse, kStunMethodBinding, kId);
    REQUIRE(b.addXorMappedAddress(a));
    REQUIRE(b.addMappedAddress(a));
    const auto msg = StunMessage::parse(*b.finish());
    REQUIRE(msg);
    CHECK(msg->xorMappedAddress() == a);
    CHECK(msg->mappedAddress() == a);
  }
  for (size_t len = 0; len <= 9; ++len) {
    const std::string s(len, 'x');
    std::vector<uint8_t> buf(128);
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addUsername(s));
    REQUIRE(b.addSoftware(s));
    REQUIRE(b.addErrorCode(300 + static_cast<uint16_t>(len), s));
    const auto out = b.finish();
    REQUIRE(out);
    CHECK(out->size() == 20 + 3 * 4 + 2 * stunPadded(len) + stunPadded(4 + len));
    const auto msg = StunMessage::parse(*out);
    REQUIRE(msg);
    CHECK(msg->username() == s);
    CHECK(msg->software() == s);
    CHECK(msg->errorCode()->code == 300 + len);
    CHECK(msg->errorCode()->reason == s);
  }
  for (const int code : {300, 399, 400, 401, 420, 487, 500, 699}) {
    std::vector<uint8_t> buf(64);
    StunBuilder b(buf, StunClass::kErrorResponse, kStunMethodBinding, kId);
    REQUIRE(b.addErrorCode(static_cast<uint16_t>(code), ""));
    const auto msg = StunMessage::parse(*b.finish());
    REQUIRE(msg);
    CHECK(msg->errorCode()->code == code);
  }
  for (const uint64_t tie : {0ull, 1ull, ~0ull}) {
    std::vector<uint8_t> buf(64);
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addIceControlled(tie));
    REQUIRE(b.addPriority(static_cast<uint32_t>(tie)));
    const auto msg = StunMessage::parse(*b.finish());
    REQUIRE(msg);
    CHECK(msg->iceControlled() == tie);
    CHECK(msg->priority() == static_cast<uint32_t>(tie));
  }
  for (const uint16_t method : {uint16_t{0}, uint16_t{0x003}, uint16_t{0x0ABC}, kStunMaxMethod}) {
    std::vector<uint8_t> buf(20);
    StunBuilder b(buf, StunClass::kIndication, method, kId);
    const auto msg = StunMessage::parse(*b.finish());
    REQUIRE(msg);
    CHECK(msg->method() == method);
    CHECK(msg->messageClass() == StunClass::kIndication);
  }
}

TEST_CASE("Builder finish() shorthand: integrity with or without fingerprint", "[ice][stun][builder]") {
  for (const bool fingerprint : {false, true}) {
    std::vector<uint8_t> buf(128);
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addUsername("a:b"));
    const auto out = b.finish(kPassword, fingerprint);
    REQUIRE(out);
    CHECK(out->size() == 20 + 8 + 24 + (fingerprint ? 8 : 0));
    const auto msg = StunMessage::parse(*out);
    REQUIRE(msg);
    CHECK(msg->verifyMessageIntegrity(kPassword));
    CHECK(msg->hasFingerprint() == fingerprint);
    CHECK(msg->verifyFingerprint() == fingerprint);
  }
  // An empty key is still a key (HMAC with a zero-length key).
  std::vector<uint8_t> buf(128);
  StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
  const auto out = b.finish(std::string_view(), true);
  REQUIRE(out);
  const auto msg = StunMessage::parse(*out);
  REQUIRE(msg);
  CHECK(msg->verifyMessageIntegrity(std::string_view()));
  CHECK_FALSE(msg->verifyMessageIntegrity(kPassword));
}

TEST_CASE("Builder fails cleanly on every too-small buffer", "[ice][stun][builder]") {
  std::vector<uint8_t> reference(512);
  size_t fullSize = 0;
  {
    StunBuilder b(reference, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(buildFull(b));
    const auto out = b.finish();
    REQUIRE(out);
    fullSize = out->size();
  }
  constexpr size_t kGuard = 64;
  for (size_t size = 0; size <= fullSize; ++size) {
    INFO("buffer size " << size);
    std::vector<uint8_t> buf(size + kGuard, 0xA5);
    StunBuilder b(std::span<uint8_t>(buf).first(size), StunClass::kRequest, kStunMethodBinding, kId);
    const bool added = buildFull(b);
    const auto out = b.finish();
    for (size_t i = size; i < buf.size(); ++i)
      REQUIRE(buf[i] == 0xA5);  // nothing written past the span
    if (size < fullSize) {
      CHECK_FALSE(added);
      CHECK_FALSE(b.ok());
      CHECK_FALSE(out);
    } else {
      REQUIRE(out);
      CHECK(std::equal(out->begin(), out->end(), reference.begin()));
    }
  }
}

TEST_CASE("Builder enforces attribute order and value rules", "[ice][stun][builder]") {
  std::vector<uint8_t> buf(256);
  const std::array<uint8_t, 4> value = {1, 2, 3, 4};

  SECTION("nothing but FINGERPRINT after MESSAGE-INTEGRITY") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addMessageIntegrity(kPassword));
    CHECK_FALSE(b.addPriority(1));
    CHECK_FALSE(b.finish());
  }
  SECTION("no second MESSAGE-INTEGRITY") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addMessageIntegrity(kPassword));
    CHECK_FALSE(b.addMessageIntegrity(kPassword));
    CHECK_FALSE(b.finish());
  }
  SECTION("nothing after FINGERPRINT") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addFingerprint());
    CHECK_FALSE(b.addMessageIntegrity(kPassword));
    CHECK_FALSE(b.finish());
  }
  SECTION("FINGERPRINT directly after MESSAGE-INTEGRITY") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    REQUIRE(b.addMessageIntegrity(kPassword));
    REQUIRE(b.addFingerprint());
    CHECK_FALSE(b.addFingerprint());
  }
  SECTION("addAttribute refuses the integrity types") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    CHECK_FALSE(b.addAttribute(kStunAttrFingerprint, value));
    StunBuilder b2(buf, StunClass::kRequest, kStunMethodBinding, kId);
    CHECK_FALSE(b2.addAttribute(kStunAttrMessageIntegrity, value));
  }
  SECTION("error codes outside 300..699") {
    for (const int code : {0, 299, 700, 65535}) {
      StunBuilder b(buf, StunClass::kErrorResponse, kStunMethodBinding, kId);
      CHECK_FALSE(b.addErrorCode(static_cast<uint16_t>(code), "x"));
      CHECK_FALSE(b.finish());
    }
  }
  SECTION("method wider than 12 bits") {
    StunBuilder b(buf, StunClass::kRequest, 0x1000, kId);
    CHECK_FALSE(b.ok());
    CHECK_FALSE(b.finish());
  }
  SECTION("unknown address family") {
    StunBuilder b(buf, StunClass::kRequest, kStunMethodBinding, kId);
    StunAddress a = kV4;
    a.family = static_cast<StunAddress::Family>(3);
    CHECK_FALSE(b.addXorMappedAddress(a));
  }
  SECTION("the 16-bit message length cannot overflow") {
    std::vector<uint8_t> big(kStunHeaderSize + 0x10000 + 64);
    const std::vector<uint8_t> blob(0xFFF0, 0x11);
    StunBuilder b(big, StunClass::kIndication, kStunMethodBinding, kId);
    REQUIRE(b.addAttribute(0x8070, blob));   // 4 + 0xFFF0 = 0xFFF4 bytes of attributes
    REQUIRE(b.addAttribute(0x8071, value));  // 0xFFFC: the maximum
    CHECK_FALSE(b.addUseCandidate());        // 0x10000 does not fit the length field
    CHECK_FALSE(b.finish());

    StunBuilder b2(big, StunClass::kIndication, kStunMethodBinding, kId);
    REQUIRE(b2.addAttribute(0x8070, blob));
    REQUIRE(b2.addAttribute(0x8071, value));
    const auto out = b2.finish();
    REQUIRE(out);
    CHECK(out->size() == kStunHeaderSize + 0xFFFC);
    const auto msg = StunMessage::parse(*out);
    REQUIRE(msg);
    CHECK_FALSE(msg->hasUnknownComprehensionRequired());
    // A value longer than 0xFFFF bytes is refused.
    StunBuilder b3(big, StunClass::kIndication, kStunMethodBinding, kId);
    const std::vector<uint8_t> huge(0x10000, 0);
    CHECK_FALSE(b3.addAttribute(0x8070, huge));
  }
}

TEST_CASE("Integrity over a large message (no size limit in verification)", "[ice][stun][integrity]") {
  std::vector<uint8_t> big(kStunHeaderSize + 0xFFFC);
  const std::vector<uint8_t> blob(0xFFFC - 4 - 24 - 8, 0x5A);
  StunBuilder b(big, StunClass::kRequest, kStunMethodBinding, kId);
  REQUIRE(b.addAttribute(0x8070, blob));
  const auto out = b.finish(kPassword, true);
  REQUIRE(out);
  CHECK(out->size() == big.size());
  const auto msg = StunMessage::parse(*out);
  REQUIRE(msg);
  CHECK(msg->verifyMessageIntegrity(kPassword));
  CHECK(msg->verifyFingerprint());
  (*out)[100] ^= 1;
  const auto flipped = StunMessage::parse(*out);
  REQUIRE(flipped);
  CHECK_FALSE(flipped->verifyMessageIntegrity(kPassword));
  CHECK_FALSE(flipped->verifyFingerprint());
}
