#include "media/ice/IceLiteAgent.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "media/ice/IceAddress.h"
#include "tests/media/ice/IceTestUtil.h"

using namespace switchyard::media::ice;
using namespace switchyard::media::ice::test;

namespace {

struct Lite {
  FakeClock clock;
  LiteRecorder events;
  IceLiteAgent agent;
  explicit Lite(std::optional<std::string> remoteUfrag = std::string("Cl1e"), IceLiteAgent::Options o = {})
      : agent(kLiteCredentials, std::move(remoteUfrag), o, events) {
    events.clock = &clock;
  }
  bool check(const CheckSpec& s, const SocketAddress& from = kClientAddress) {
    return deliver(agent, buildCheck(s), from, clock.now);
  }
  void requireUntouched() const {
    CHECK(events.sent.empty());
    CHECK(events.selected.empty());
    CHECK(agent.state() == IceLiteAgent::State::kNew);
    CHECK(agent.selected() == nullptr);
    CHECK(agent.validRemoteCount() == 0);
  }
};

CheckSpec nominating() {
  CheckSpec s;
  s.useCandidate = true;
  return s;
}

// Checks the shape every response of the lite agent must have (RFC 8445 §7.3, RFC 8489 §6.3):
// same transaction id, signed with the local password, FINGERPRINT last.
StunMessage requireSignedResponse(const Sent& sent, StunClass cls, const StunTransactionId& id) {
  const auto msg = StunMessage::parse(sent.bytes);
  REQUIRE(msg.has_value());
  CHECK(msg->messageClass() == cls);
  CHECK(msg->method() == kStunMethodBinding);
  CHECK(msg->transactionId() == id);
  CHECK(msg->verifyMessageIntegrity(std::string_view(kLiteCredentials.password)));
  CHECK(msg->verifyFingerprint());
  return *msg;
}

}  // namespace

TEST_CASE("Lite agent answers a valid check with a signed XOR-MAPPED-ADDRESS response", "[ice][lite]") {
  Lite lite;
  CheckSpec s;
  REQUIRE(lite.check(s));
  REQUIRE(lite.events.sent.size() == 1);
  const Sent& r = lite.events.sent[0];
  CHECK(r.to == kClientAddress);
  const StunMessage msg = requireSignedResponse(r, StunClass::kSuccessResponse, s.id);
  REQUIRE(msg.xorMappedAddress().has_value());
  CHECK(toSocketAddress(*msg.xorMappedAddress()) == kClientAddress);
  CHECK_FALSE(msg.errorCode().has_value());
  // Without USE-CANDIDATE: a valid pair, not nominated.
  CHECK(lite.events.selected.empty());
  CHECK(lite.agent.state() == IceLiteAgent::State::kNew);
  CHECK(lite.agent.isValidRemote(kClientAddress));
  CHECK_FALSE(lite.agent.isValidRemote(kClientAddress2));
}

TEST_CASE("Lite agent reports an IPv6 source in XOR-MAPPED-ADDRESS", "[ice][lite]") {
  Lite lite;
  REQUIRE(lite.check(nominating(), kClientAddressV6));
  REQUIRE(lite.events.sent.size() == 1);
  const auto msg = StunMessage::parse(lite.events.sent[0].bytes);
  REQUIRE(msg);
  REQUIRE(msg->xorMappedAddress());
  CHECK(msg->xorMappedAddress()->family == StunAddress::Family::kIpv6);
  CHECK(toSocketAddress(*msg->xorMappedAddress()) == kClientAddressV6);
  REQUIRE(lite.events.selected.size() == 1);
  CHECK(lite.events.selected[0] == kClientAddressV6);
}

TEST_CASE("Lite agent: USE-CANDIDATE nominates, re-nomination of the same pair is silent", "[ice][lite]") {
  Lite lite;
  REQUIRE(lite.check(nominating()));
  REQUIRE(lite.events.selected.size() == 1);
  CHECK(lite.events.selected[0] == kClientAddress);
  CHECK(lite.agent.state() == IceLiteAgent::State::kConnected);
  REQUIRE(lite.agent.selected() != nullptr);
  CHECK(*lite.agent.selected() == kClientAddress);
  lite.clock.advance(1s);
  REQUIRE(lite.check(nominating()));
  CHECK(lite.events.selected.size() == 1);
  CHECK(lite.agent.lastConsent() == lite.clock.now);
  CHECK(lite.events.sent.size() == 2);
}

TEST_CASE("Lite agent: nomination from a new address switches the selected pair", "[ice][lite]") {
  Lite lite;
  REQUIRE(lite.check(nominating(), kClientAddress));
  REQUIRE(lite.check(CheckSpec{}, kClientAddress2));  // checked, not nominated: no switch
  CHECK(lite.events.selected.size() == 1);
  CHECK(*lite.agent.selected() == kClientAddress);
  REQUIRE(lite.check(nominating(), kClientAddress2));
  REQUIRE(lite.events.selected.size() == 2);
  CHECK(lite.events.selected[1] == kClientAddress2);
  CHECK(*lite.agent.selected() == kClientAddress2);
  CHECK(lite.agent.validRemoteCount() == 2);
}

TEST_CASE("Lite agent: wrong password, username or missing parts get no response and no state",
          "[ice][lite]") {
  Lite lite;
  SECTION("wrong password") {
    CheckSpec s = nominating();
    s.password = "wrong+password/0123456789";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("password of the other side") {
    CheckSpec s = nominating();
    s.password = kClientCredentials.password;
    CHECK_FALSE(lite.check(s));
  }
  SECTION("no MESSAGE-INTEGRITY") {
    CheckSpec s = nominating();
    s.password.reset();
    CHECK_FALSE(lite.check(s));
  }
  SECTION("no FINGERPRINT") {
    CheckSpec s = nominating();
    s.fingerprint = false;
    CHECK_FALSE(lite.check(s));
  }
  SECTION("no USERNAME") {
    CheckSpec s = nominating();
    s.username.reset();
    CHECK_FALSE(lite.check(s));
  }
  SECTION("wrong local ufrag") {
    CheckSpec s = nominating();
    s.username = "LiTx:Cl1e";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("local ufrag prefix only") {
    CheckSpec s = nominating();
    s.username = "LiT:Cl1e";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("local ufrag with extra characters") {
    CheckSpec s = nominating();
    s.username = "LiTeX:Cl1e";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("wrong remote ufrag") {
    CheckSpec s = nominating();
    s.username = "LiTe:Cl1f";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("swapped ufrags") {
    CheckSpec s = nominating();
    s.username = "Cl1e:LiTe";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("no colon") {
    CheckSpec s = nominating();
    s.username = "LiTe";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("empty remote part") {
    CheckSpec s = nominating();
    s.username = "LiTe:";
    CHECK_FALSE(lite.check(s));
  }
  SECTION("ufrag case differs") {
    CheckSpec s = nominating();
    s.username = "lite:Cl1e";
    CHECK_FALSE(lite.check(s));
  }
  lite.requireUntouched();
}

TEST_CASE("Lite agent: any tampered byte of a valid check gets no response", "[ice][lite]") {
  const std::vector<uint8_t> good = buildCheck(nominating());
  // Every byte after the header's type field, flipped one bit at a time (a changed type or length
  // byte may fail parse() instead; both must be silent).
  for (size_t i = 0; i < good.size(); ++i) {
    for (const uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
      Lite lite;
      std::vector<uint8_t> bad = good;
      bad[i] ^= mask;
      INFO("byte " << i << " mask " << int{mask});
      CHECK_FALSE(deliver(lite.agent, bad, kClientAddress, lite.clock.now));
      lite.requireUntouched();
    }
  }
}

TEST_CASE("Lite agent: a re-signed message with a recomputed fingerprint but wrong integrity is ignored",
          "[ice][lite]") {
  // An attacker who can compute CRC-32 but not HMAC: tamper with USERNAME, fix the FINGERPRINT.
  Lite lite;
  CheckSpec s = nominating();
  s.password = "not+the+lite+password/00";
  CHECK_FALSE(lite.check(s));
  lite.requireUntouched();
}

TEST_CASE("Lite agent: unknown remote ufrag accepts any remote part after the local ufrag", "[ice][lite]") {
  Lite lite(std::nullopt);
  CheckSpec s = nominating();
  s.username = "LiTe:whatever";
  REQUIRE(lite.check(s));
  CHECK(lite.events.selected.size() == 1);
  s.username = "LiTX:whatever";
  s.id[0] = 99;
  CHECK_FALSE(lite.check(s));
  CHECK(lite.events.sent.size() == 1);

  // Once the remote ufrag is learnt, only it is accepted.
  lite.agent.setRemoteUfrag("Cl1e");
  s.username = "LiTe:whatever";
  CHECK_FALSE(lite.check(s));
  s.username = "LiTe:Cl1e";
  CHECK(lite.check(s));
}

TEST_CASE("Lite agent: ICE-CONTROLLED in a check gets a signed 487 Role Conflict", "[ice][lite]") {
  // RFC 8445 §7.3.1.1: the peer believes it is controlled too; a lite agent stays controlled.
  Lite lite;
  CheckSpec s = nominating();
  s.controlling.reset();
  s.controlled = 0xFFFFFFFFFFFFFFFFull;  // even the largest tie-breaker does not make us controlling
  REQUIRE(lite.check(s));
  REQUIRE(lite.events.sent.size() == 1);
  const StunMessage msg = requireSignedResponse(lite.events.sent[0], StunClass::kErrorResponse, s.id);
  REQUIRE(msg.errorCode());
  CHECK(msg.errorCode()->code == 487);
  CHECK(msg.errorCode()->reason == "Role Conflict");
  CHECK_FALSE(msg.xorMappedAddress());
  // Not processed further: no nomination, no valid pair.
  CHECK(lite.events.selected.empty());
  CHECK(lite.agent.validRemoteCount() == 0);
  CHECK(lite.agent.state() == IceLiteAgent::State::kNew);
}

TEST_CASE("Lite agent: ICE-CONTROLLED with a wrong password gets nothing", "[ice][lite]") {
  Lite lite;
  CheckSpec s;
  s.controlled = 1;
  s.password = "wrong+password/0123456789";
  CHECK_FALSE(lite.check(s));
  lite.requireUntouched();
}

TEST_CASE("Lite agent: unknown comprehension-required attributes get a signed 420", "[ice][lite]") {
  // RFC 8489 §6.3.1.1: 420 with UNKNOWN-ATTRIBUTES listing them (after authentication).
  Lite lite;
  CheckSpec s = nominating();
  s.extraAttributes = {0x0031, 0x8123 /* comprehension-optional: not listed */, 0x7ABC};
  REQUIRE(lite.check(s));
  REQUIRE(lite.events.sent.size() == 1);
  const StunMessage msg = requireSignedResponse(lite.events.sent[0], StunClass::kErrorResponse, s.id);
  REQUIRE(msg.errorCode());
  CHECK(msg.errorCode()->code == 420);
  std::array<uint16_t, 8> types{};
  REQUIRE(msg.unknownAttributes(types) == 2);
  CHECK(types[0] == 0x0031);
  CHECK(types[1] == 0x7ABC);
  CHECK(lite.events.selected.empty());
  CHECK(lite.agent.validRemoteCount() == 0);

  SECTION("an unknown comprehension-optional attribute alone is fine") {
    CheckSpec ok = nominating();
    ok.extraAttributes = {0xC001};
    REQUIRE(lite.check(ok));
    CHECK(lite.events.selected.size() == 1);
  }
  SECTION("unknown attribute but wrong password: silence") {
    CheckSpec bad = nominating();
    bad.extraAttributes = {0x0031};
    bad.password = "wrong+password/0123456789";
    CHECK_FALSE(lite.check(bad));
    CHECK(lite.events.sent.size() == 1);
  }
}

TEST_CASE("Lite agent ignores indications, responses and other methods", "[ice][lite]") {
  Lite lite;
  for (const StunClass cls :
       {StunClass::kIndication, StunClass::kSuccessResponse, StunClass::kErrorResponse}) {
    CheckSpec s = nominating();
    s.cls = cls;
    CHECK_FALSE(lite.check(s));
  }
  CheckSpec other = nominating();
  other.method = 0x003;  // Allocate (TURN)
  CHECK_FALSE(lite.check(other));
  lite.requireUntouched();
}

TEST_CASE("Lite agent: consent expires once after consentTimeout without checks", "[ice][lite]") {
  Lite lite;
  REQUIRE(lite.check(nominating()));
  lite.clock.advance(29s);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 0);
  // A check (without USE-CANDIDATE) on the selected pair refreshes consent.
  CheckSpec s;
  REQUIRE(lite.check(s));
  lite.clock.advance(29s);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 0);
  // A check from another address does not refresh the selected pair.
  REQUIRE(lite.check(s, kClientAddress2));
  lite.clock.advance(1s);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 1);
  CHECK(lite.agent.state() == IceLiteAgent::State::kClosed);
  lite.clock.advance(60s);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 1);
  // Closed: checks are ignored.
  const size_t sent = lite.events.sent.size();
  CHECK_FALSE(lite.check(nominating()));
  CHECK(lite.events.sent.size() == sent);
  CHECK(lite.events.selected.size() == 1);
}

TEST_CASE("Lite agent: invalid checks do not refresh consent", "[ice][lite]") {
  Lite lite;
  REQUIRE(lite.check(nominating()));
  for (int i = 0; i < 30; ++i) {
    lite.clock.advance(1s);
    CheckSpec bad = nominating();
    bad.password = "wrong+password/0123456789";
    CHECK_FALSE(lite.check(bad));
    lite.agent.tick(lite.clock.now);
  }
  CHECK(lite.events.consentExpired == 1);
}

TEST_CASE("Lite agent: consent timeout is configurable; no expiry before nomination", "[ice][lite]") {
  IceLiteAgent::Options o;
  o.consentTimeout = 5s;
  Lite lite(std::string("Cl1e"), o);
  REQUIRE(lite.check(CheckSpec{}));  // valid, not nominated
  lite.clock.advance(1h);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 0);
  REQUIRE(lite.check(nominating()));
  lite.clock.advance(4999ms);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 0);
  lite.clock.advance(1ms);
  lite.agent.tick(lite.clock.now);
  CHECK(lite.events.consentExpired == 1);
}

TEST_CASE("Lite agent remembers at most maxRemoteCandidates, evicting the oldest unselected", "[ice][lite]") {
  IceLiteAgent::Options o;
  o.maxRemoteCandidates = 3;
  Lite lite(std::string("Cl1e"), o);
  const auto addr = [](uint8_t i) { return SocketAddress::ipv4({10, 0, 0, i}, 1000); };
  REQUIRE(lite.check(nominating(), addr(1)));  // selected, oldest
  for (uint8_t i = 2; i <= 6; ++i) {
    lite.clock.advance(1s);
    REQUIRE(lite.check(CheckSpec{}, addr(i)));
    CHECK(lite.agent.validRemoteCount() == std::min<size_t>(i, 3));
  }
  CHECK(lite.agent.isValidRemote(addr(1)));  // the selected pair survives
  CHECK_FALSE(lite.agent.isValidRemote(addr(2)));
  CHECK_FALSE(lite.agent.isValidRemote(addr(3)));
  CHECK_FALSE(lite.agent.isValidRemote(addr(4)));
  CHECK(lite.agent.isValidRemote(addr(5)));
  CHECK(lite.agent.isValidRemote(addr(6)));
}

TEST_CASE("Lite agent ignores a check from an empty address", "[ice][lite]") {
  Lite lite;
  CHECK_FALSE(lite.check(nominating(), SocketAddress{}));
  lite.requireUntouched();
}

TEST_CASE("localUfragOf extracts the local ufrag of a Binding request without crypto", "[ice][lite]") {
  const auto ufragOf = [](const CheckSpec& s) -> std::optional<std::string> {
    const auto bytes = buildCheck(s);
    const auto msg = StunMessage::parse(bytes);
    REQUIRE(msg);
    const auto u = IceLiteAgent::localUfragOf(*msg);
    return u ? std::optional<std::string>(std::string(*u)) : std::nullopt;
  };
  CheckSpec s;
  CHECK(ufragOf(s) == "LiTe");
  s.password = "wrong+password/0123456789";  // no crypto here: still routed (then rejected)
  CHECK(ufragOf(s) == "LiTe");
  s.username = "abc:";
  CHECK(ufragOf(s) == "abc");
  s.username = "a:b:c";
  CHECK(ufragOf(s) == "a");
  s.username = ":xyz";
  CHECK(ufragOf(s) == std::nullopt);
  s.username = "nocolon";
  CHECK(ufragOf(s) == std::nullopt);
  s.username.reset();
  CHECK(ufragOf(s) == std::nullopt);
  CheckSpec indication;
  indication.cls = StunClass::kIndication;
  CHECK(ufragOf(indication) == std::nullopt);
  CheckSpec response;
  response.cls = StunClass::kSuccessResponse;
  CHECK(ufragOf(response) == std::nullopt);
}
