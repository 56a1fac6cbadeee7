#include "media/ice/IceClientAgent.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "media/ice/IceAddress.h"
#include "tests/media/ice/IceTestUtil.h"

using namespace switchyard::media::ice;
using namespace switchyard::media::ice::test;

namespace {

constexpr uint64_t kTieBreaker = 0xA1B2C3D4E5F60718ull;

struct Client {
  FakeClock clock;
  ClientRecorder events;
  IceClientAgent agent;
  explicit Client(IceClientAgent::Options o = {})
      : agent(kClientCredentials, kLiteCredentials, kTieBreaker, o, events) {
    events.clock = &clock;
  }
  void advance(Clock::duration d, Clock::duration step = 1ms) {
    const auto end = clock.now + d;
    while (clock.now < end) {
      clock.advance(step);
      agent.tick(clock.now);
    }
  }
  // A response to sent request i, signed by the lite side (or not), from `from`.
  std::vector<uint8_t> response(size_t i, StunClass cls = StunClass::kSuccessResponse,
                                std::optional<uint16_t> error = std::nullopt,
                                std::string_view password = kLiteCredentials.password,
                                bool fingerprint = true) const {
    const StunMessage req = events.sent.at(i).message();
    std::vector<uint8_t> buffer(256);
    StunBuilder b(buffer, cls, kStunMethodBinding, req.transactionId());
    if (cls == StunClass::kSuccessResponse) b.addXorMappedAddress(*toStunAddress(kClientAddress));
    if (error) b.addErrorCode(*error, "x");
    b.addMessageIntegrity(password);
    if (fingerprint) b.addFingerprint();
    const auto out = b.finish();
    REQUIRE(out);
    return {out->begin(), out->end()};
  }
  bool reply(const std::vector<uint8_t>& bytes, const SocketAddress& from = kLiteAddress) {
    return deliver(agent, bytes, from, clock.now);
  }
};

}  // namespace

TEST_CASE("Candidate priority follows RFC 8445 §5.1.2.1", "[ice][client]") {
  // priority = (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID)
  CHECK(iceCandidatePriority(126, 65535, 1) == 126u * 16777216u + 65535u * 256u + 255u);
  CHECK(kIceHostPriority == 0x7EFFFFFFu);
  CHECK(kIcePeerReflexivePriority == 0x6EFFFFFFu);
  CHECK(iceCandidatePriority(0, 0, 1) == 255u);
  CHECK(iceCandidatePriority(126, 65535, 2) == 0x7EFFFFFEu);
  CHECK(IceClientAgent::kCheckPriority == kIcePeerReflexivePriority);
}

TEST_CASE("Client check carries every attribute a browser check carries", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  REQUIRE(c.events.sent.size() == 1);
  CHECK(c.events.sent[0].to == kLiteAddress);
  const StunMessage m = c.events.sent[0].message();
  CHECK(m.messageClass() == StunClass::kRequest);
  CHECK(m.method() == kStunMethodBinding);
  CHECK(m.username() == "LiTe:Cl1e");  // RFC 8445 §7.2.2: remote ufrag first
  CHECK(m.priority() == kIcePeerReflexivePriority);
  CHECK(m.iceControlling() == kTieBreaker);
  CHECK_FALSE(m.iceControlled());
  CHECK(m.useCandidate());
  CHECK(m.verifyMessageIntegrity(std::string_view(kLiteCredentials.password)));
  CHECK_FALSE(m.verifyMessageIntegrity(std::string_view(kClientCredentials.password)));
  CHECK(m.verifyFingerprint());
  CHECK(IceLiteAgent::localUfragOf(m) == "LiTe");
  CHECK(c.agent.state() == IceClientAgent::State::kChecking);
  CHECK(c.agent.outstandingTransactions() == 1);
}

TEST_CASE("Client retransmits with a doubling RTO capped at 1.6 s, then fails", "[ice][client]") {
  // RFC 8489 §6.2.1 with Rc = 7 and the RFC 8445 §14.3 RTO of 100 ms: transmissions at 0, 100, 300,
  // 700, 1500, then the capped 1600 ms steps 3100, 4700; the transaction times out at 6300 ms.
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  const auto t0 = c.clock.now;
  c.agent.start(t0);
  c.advance(10s);
  std::vector<int64_t> at;
  std::set<StunTransactionId> ids;
  for (const Sent& s : c.events.sent) {
    at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.at - t0).count());
    ids.insert(s.message().transactionId());
    CHECK(s.bytes == c.events.sent[0].bytes);  // retransmissions are identical
  }
  CHECK(at == std::vector<int64_t>{0, 100, 300, 700, 1500, 3100, 4700});
  CHECK(ids.size() == 1);
  REQUIRE(c.events.failed.size() == 1);
  CHECK(c.events.failed[0] == "all candidate pairs failed");
  CHECK(c.agent.state() == IceClientAgent::State::kFailed);
  CHECK(c.agent.outstandingTransactions() == 0);

  SECTION("the failure happens exactly at 6300 ms") {
    Client d;
    REQUIRE(d.agent.addRemoteCandidate(kLiteAddress));
    d.agent.start(d.clock.now);
    d.advance(6299ms);
    CHECK(d.events.failed.empty());
    d.advance(1ms);
    CHECK(d.events.failed.size() == 1);
  }
}

TEST_CASE("Client retransmission schedule follows the options", "[ice][client]") {
  IceClientAgent::Options o;
  o.initialRto = 50ms;
  o.maxRto = 300ms;
  o.maxTransmissions = 5;
  Client c(o);
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  const auto t0 = c.clock.now;
  c.agent.start(t0);
  c.advance(2s);
  std::vector<int64_t> at;
  for (const Sent& s : c.events.sent)
    at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.at - t0).count());
  CHECK(at == std::vector<int64_t>{0, 50, 150, 350, 650});
  REQUIRE(c.events.failed.size() == 1);
}

TEST_CASE("Client paces new checks by Ta and fails only when every pair failed", "[ice][client]") {
  Client c;
  const std::array<SocketAddress, 3> remotes = {SocketAddress::ipv4({10, 0, 0, 1}, 1),
                                                SocketAddress::ipv4({10, 0, 0, 2}, 2),
                                                SocketAddress::ipv4({10, 0, 0, 3}, 3)};
  for (const auto& r : remotes)
    REQUIRE(c.agent.addRemoteCandidate(r));
  CHECK_FALSE(c.agent.addRemoteCandidate(remotes[0]));  // duplicate
  CHECK_FALSE(c.agent.addRemoteCandidate(SocketAddress{}));
  const auto t0 = c.clock.now;
  c.agent.start(t0);
  c.advance(120ms);
  // First transmissions to the three pairs at 0, 50 and 100 ms (Ta = 50 ms).
  std::vector<std::pair<int64_t, SocketAddress>> firsts;
  std::set<StunTransactionId> seen;
  for (const Sent& s : c.events.sent) {
    if (seen.insert(s.message().transactionId()).second)
      firsts.emplace_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.at - t0).count(), s.to);
  }
  REQUIRE(firsts.size() == 3);
  CHECK(firsts[0] == std::make_pair(int64_t{0}, remotes[0]));
  CHECK(firsts[1] == std::make_pair(int64_t{50}, remotes[1]));
  CHECK(firsts[2] == std::make_pair(int64_t{100}, remotes[2]));
  c.advance(6250ms);  // the first pair has failed (6300 ms), the others not yet
  CHECK(c.events.failed.empty());
  c.advance(100ms);
  CHECK(c.events.failed.size() == 1);
}

TEST_CASE("Client without candidates fails at start; candidate table is bounded", "[ice][client]") {
  Client c;
  c.agent.start(c.clock.now);
  REQUIRE(c.events.failed.size() == 1);
  CHECK(c.events.failed[0] == "no remote candidates");
  CHECK(c.events.sent.empty());

  Client d;
  for (uint8_t i = 0; i < IceClientAgent::kMaxRemoteCandidates; ++i)
    CHECK(d.agent.addRemoteCandidate(SocketAddress::ipv4({10, 0, 0, i}, 9)));
  CHECK_FALSE(d.agent.addRemoteCandidate(SocketAddress::ipv4({10, 0, 1, 0}, 9)));
  CHECK(d.agent.remoteCandidateCount() == IceClientAgent::kMaxRemoteCandidates);
}

TEST_CASE("Client connects on an authentic success response", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  c.advance(150ms);  // two transmissions
  REQUIRE(c.reply(c.response(0)));
  REQUIRE(c.events.connected.size() == 1);
  CHECK(c.events.connected[0] == kLiteAddress);
  CHECK(c.agent.state() == IceClientAgent::State::kConnected);
  REQUIRE(c.agent.selected() != nullptr);
  CHECK(*c.agent.selected() == kLiteAddress);
  REQUIRE(c.agent.mappedAddress());
  CHECK(*c.agent.mappedAddress() == kClientAddress);
  CHECK(c.agent.outstandingTransactions() == 0);
  // A duplicate response (to a retransmission) is no longer matched.
  CHECK_FALSE(c.reply(c.response(1)));
  const size_t sent = c.events.sent.size();
  c.advance(3s);
  CHECK(c.events.sent.size() == sent);  // no more retransmissions, consent not due yet
}

TEST_CASE("Client ignores responses that are not authentic or not for it", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  SECTION("wrong password") {
    CHECK_FALSE(
        c.reply(c.response(0, StunClass::kSuccessResponse, std::nullopt, "wrong+password/0123456789")));
  }
  SECTION("signed with our own password") {
    CHECK_FALSE(
        c.reply(c.response(0, StunClass::kSuccessResponse, std::nullopt, kClientCredentials.password)));
  }
  SECTION("no fingerprint") {
    CHECK_FALSE(
        c.reply(c.response(0, StunClass::kSuccessResponse, std::nullopt, kLiteCredentials.password, false)));
  }
  SECTION("from another address") {
    CHECK_FALSE(c.reply(c.response(0), kClientAddress2));
  }
  SECTION("unknown transaction id") {
    auto bytes = c.response(0);
    bytes[10] ^= 0xFF;
    CHECK_FALSE(c.reply(bytes));
  }
  SECTION("a request, not a response, signed with the peer's password") {
    CheckSpec s;
    s.username = "Cl1e:LiTe";
    s.password = kLiteCredentials.password;
    CHECK_FALSE(c.reply(buildCheck(s)));
    CHECK(c.agent.requestsAnswered() == 0);
  }
  SECTION("unauthenticated 487 cannot fail the agent") {
    CHECK_FALSE(c.reply(c.response(0, StunClass::kErrorResponse, 487, "wrong+password/0123456789")));
  }
  CHECK(c.events.connected.empty());
  CHECK(c.events.failed.empty());
  CHECK(c.agent.state() == IceClientAgent::State::kChecking);
  CHECK(c.agent.outstandingTransactions() == 1);
}

TEST_CASE("Client: a signed 487 fails the agent; another error fails the pair", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  SECTION("487") {
    REQUIRE(c.reply(c.response(0, StunClass::kErrorResponse, 487)));
    REQUIRE(c.events.failed.size() == 1);
    CHECK(c.events.failed[0] == "role conflict (487)");
  }
  SECTION("420 on the only pair") {
    REQUIRE(c.reply(c.response(0, StunClass::kErrorResponse, 420)));
    REQUIRE(c.events.failed.size() == 1);
    CHECK(c.events.failed[0] == "all candidate pairs failed");
  }
  CHECK(c.agent.state() == IceClientAgent::State::kFailed);
  CHECK(c.agent.outstandingTransactions() == 0);
  const size_t sent = c.events.sent.size();
  c.advance(10s);
  CHECK(c.events.sent.size() == sent);
  CHECK(c.events.failed.size() == 1);
}

TEST_CASE("Client consent: checks every 4-6 s, expiry after 30 s without answers", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  const auto t0 = c.clock.now;
  c.agent.start(t0);
  REQUIRE(c.reply(c.response(0)));
  const size_t before = c.events.sent.size();

  // Answer every consent check for a minute: never expires; intervals within 0.8-1.2 x 5 s.
  std::vector<Clock::time_point> firstSends;
  std::set<StunTransactionId> ids;
  size_t processed = before;
  for (int ms = 0; ms < 60000; ++ms) {
    c.advance(1ms);
    for (; processed < c.events.sent.size(); ++processed) {
      const StunMessage m = c.events.sent[processed].message();
      CHECK(ids.insert(m.transactionId()).second);  // answered at once: never retransmitted
      firstSends.push_back(c.events.sent[processed].at);
      CHECK(m.useCandidate());
      REQUIRE(c.reply(c.response(processed)));
    }
  }
  CHECK(c.events.consentExpired == 0);
  CHECK(c.agent.state() == IceClientAgent::State::kConnected);
  REQUIRE(firstSends.size() >= 10);
  REQUIRE(firstSends.size() <= 15);
  for (size_t i = 1; i < firstSends.size(); ++i) {
    const auto gap = firstSends[i] - firstSends[i - 1];
    CHECK(gap >= 4s);
    CHECK(gap <= 6s);
  }

  // Stop answering: consent expires 30 s after the last answer, once.
  const auto lastAnswer = c.events.sent.back().at;  // answered the moment it was sent
  c.advance(lastAnswer + 30s - 1ms - c.clock.now);
  CHECK(c.events.consentExpired == 0);
  c.advance(1ms);
  CHECK(c.events.consentExpired == 1);
  CHECK(c.agent.state() == IceClientAgent::State::kClosed);
  CHECK(c.agent.selected() == nullptr);
  const size_t sent = c.events.sent.size();
  c.advance(30s, 10ms);
  CHECK(c.events.sent.size() == sent);
  CHECK(c.events.consentExpired == 1);
}

TEST_CASE("Client close() stops all sending without callbacks", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  c.agent.close();
  c.advance(10s, 10ms);
  CHECK(c.events.sent.size() == 1);
  CHECK(c.events.failed.empty());
  CHECK(c.agent.state() == IceClientAgent::State::kClosed);
}

TEST_CASE("Client transaction ids differ between checks and between agents", "[ice][client]") {
  std::set<StunTransactionId> ids;
  for (int i = 0; i < 20; ++i) {
    Client c;
    for (uint8_t k = 0; k < 4; ++k)
      REQUIRE(c.agent.addRemoteCandidate(SocketAddress::ipv4({10, 0, 0, k}, 9)));
    c.agent.start(c.clock.now);
    c.advance(200ms, 10ms);
    std::set<StunTransactionId> mine;
    for (const Sent& s : c.events.sent)
      mine.insert(s.message().transactionId());
    CHECK(mine.size() == 4);
    ids.insert(mine.begin(), mine.end());
  }
  CHECK(ids.size() == 80);
  CHECK(IceClientAgent::randomTieBreaker() != IceClientAgent::randomTieBreaker());
}

namespace {

// A full peer's check to the client: USERNAME "Cl1e:LiTe", signed with the client's password.
CheckSpec peerCheck() {
  CheckSpec s;
  s.username = "Cl1e:LiTe";
  s.password = kClientCredentials.password;
  s.controlling.reset();
  s.controlled = 0x42;
  return s;
}

}  // namespace

TEST_CASE("Client answers a full peer's authentic checks, connected or not", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  SECTION("not started: ignored") {
    CHECK_FALSE(c.reply(buildCheck(peerCheck())));
    CHECK(c.events.sent.empty());
    return;
  }
  c.agent.start(c.clock.now);
  REQUIRE(c.events.sent.size() == 1);
  SECTION("while checking, from a peer-reflexive address") {
    CheckSpec s = peerCheck();
    s.id[0] = 0x77;
    REQUIRE(c.reply(buildCheck(s), kClientAddress2));
    REQUIRE(c.events.sent.size() == 2);
    const Sent& out = c.events.sent[1];
    CHECK(out.to == kClientAddress2);
    const StunMessage response = out.message();
    CHECK(response.messageClass() == StunClass::kSuccessResponse);
    CHECK(response.method() == kStunMethodBinding);
    CHECK(response.transactionId() == s.id);
    CHECK(response.verifyMessageIntegrity(std::string_view(kClientCredentials.password)));
    CHECK(response.verifyFingerprint());
    REQUIRE(response.xorMappedAddress());
    CHECK(toSocketAddress(*response.xorMappedAddress()) == kClientAddress2);
    CHECK(c.agent.requestsAnswered() == 1);
    CHECK(c.agent.state() == IceClientAgent::State::kChecking);  // a request connects nothing
    CHECK(c.agent.outstandingTransactions() == 1);
  }
  SECTION("when connected (consent checks of the peer)") {
    REQUIRE(c.reply(c.response(0)));
    REQUIRE(c.agent.state() == IceClientAgent::State::kConnected);
    REQUIRE(c.reply(buildCheck(peerCheck())));
    CHECK(c.events.sent.back().message().messageClass() == StunClass::kSuccessResponse);
    CHECK(c.agent.requestsAnswered() == 1);
  }
}

TEST_CASE("Client ignores checks that are not authentic or not for it", "[ice][client]") {
  Client c;
  REQUIRE(c.agent.addRemoteCandidate(kLiteAddress));
  c.agent.start(c.clock.now);
  CheckSpec s = peerCheck();
  SECTION("wrong password") {
    s.password = "wrong+password/0123456789";
  }
  SECTION("no integrity") {
    s.password.reset();
  }
  SECTION("no fingerprint") {
    s.fingerprint = false;
  }
  SECTION("no username") {
    s.username.reset();
  }
  SECTION("our ufrag, another remote ufrag") {
    s.username = "Cl1e:Other";
  }
  SECTION("the username of our own checks") {
    s.username = "LiTe:Cl1e";
  }
  SECTION("a prefix of our ufrag") {
    s.username = "Cl1:LiTe";
  }
  CHECK_FALSE(c.reply(buildCheck(s)));
  CHECK(c.events.sent.size() == 1);
  CHECK(c.agent.requestsAnswered() == 0);
  CHECK(c.agent.roleConflictsAnswered() == 0);
}

TEST_CASE("Client role conflict: the larger tie-breaker stays controlling (RFC 8445 §7.3.1.1)",
          "[ice][client]") {
  FakeClock clock;
  ClientRecorder events;
  events.clock = &clock;
  CheckSpec s = peerCheck();
  s.controlled.reset();
  SECTION("winning tie-breaker: 487 to a controlling peer") {
    IceClientAgent agent(kClientCredentials, kLiteCredentials, IceClientAgent::kWinningTieBreaker, {},
                         events);
    REQUIRE(agent.addRemoteCandidate(kLiteAddress));
    agent.start(clock.now);
    s.controlling = 0xFFFFFFFFFFFFFFFEull;
    REQUIRE(deliver(agent, buildCheck(s), kLiteAddress, clock.now));
    REQUIRE(events.sent.size() == 2);
    const StunMessage response = events.sent[1].message();
    CHECK(response.messageClass() == StunClass::kErrorResponse);
    REQUIRE(response.errorCode());
    CHECK(response.errorCode()->code == StunErrorCode::kRoleConflict);
    CHECK(response.verifyMessageIntegrity(std::string_view(kClientCredentials.password)));
    CHECK(response.verifyFingerprint());
    CHECK(agent.roleConflictsAnswered() == 1);
    CHECK(agent.requestsAnswered() == 0);
    CHECK(agent.state() == IceClientAgent::State::kChecking);
    // Our own checks keep claiming the controlling role with that tie-breaker.
    CHECK(events.sent[0].message().iceControlling() == IceClientAgent::kWinningTieBreaker);
  }
  SECTION("losing tie-breaker: answered with a success, the peer keeps its role") {
    IceClientAgent agent(kClientCredentials, kLiteCredentials, 5, {}, events);
    REQUIRE(agent.addRemoteCandidate(kLiteAddress));
    agent.start(clock.now);
    s.controlling = 6;
    REQUIRE(deliver(agent, buildCheck(s), kLiteAddress, clock.now));
    REQUIRE(events.sent.size() == 2);
    CHECK(events.sent[1].message().messageClass() == StunClass::kSuccessResponse);
    CHECK(agent.requestsAnswered() == 1);
    CHECK(agent.roleConflictsAnswered() == 0);
  }
}
