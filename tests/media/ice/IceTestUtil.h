#pragma once
// Helpers for the ICE agent tests: a fake clock, recording listeners, a check builder and an
// in-memory wire that connects an IceClientAgent to an IceLiteAgent.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IceLiteAgent.h"
#include "media/ice/StunBuilder.h"
#include "media/ice/StunMessage.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::ice::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using util::SocketAddress;

struct FakeClock {
  Clock::time_point now = Clock::time_point{} + 1000h;  // far from the epoch: no "time zero" luck
  void advance(Clock::duration d) { now += d; }
};

struct Sent {
  std::vector<uint8_t> bytes;
  SocketAddress to;
  Clock::time_point at;
  [[nodiscard]] StunMessage message() const { return *StunMessage::parse(bytes); }
};

struct LiteRecorder : IceLiteAgent::Listener {
  const FakeClock* clock = nullptr;
  std::vector<Sent> sent;
  std::vector<SocketAddress> selected;
  int consentExpired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override {
    sent.push_back({{stun.begin(), stun.end()}, to, clock != nullptr ? clock->now : Clock::time_point{}});
  }
  void onIceSelected(const SocketAddress& remote) override { selected.push_back(remote); }
  void onIceConsentExpired() override { ++consentExpired; }
};

struct ClientRecorder : IceClientAgent::Listener {
  const FakeClock* clock = nullptr;
  std::vector<Sent> sent;
  std::vector<SocketAddress> connected;
  std::vector<std::string> failed;
  int consentExpired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override {
    sent.push_back({{stun.begin(), stun.end()}, to, clock != nullptr ? clock->now : Clock::time_point{}});
  }
  void onIceConnected(const SocketAddress& remote) override { connected.push_back(remote); }
  void onIceFailed(std::string_view reason) override { failed.emplace_back(reason); }
  void onIceConsentExpired() override { ++consentExpired; }
};

inline const IceCredentials kLiteCredentials{"LiTe", "lite+password/0123456789"};
inline const IceCredentials kClientCredentials{"Cl1e", "client+password/abcdefgh"};
inline const SocketAddress kLiteAddress = SocketAddress::ipv4({192, 0, 2, 1}, 40000);
inline const SocketAddress kClientAddress = SocketAddress::ipv4({198, 51, 100, 7}, 50123);
inline const SocketAddress kClientAddress2 = SocketAddress::ipv4({198, 51, 100, 99}, 61000);
inline const SocketAddress kClientAddressV6 =
    SocketAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42}, 50000);

// A hand-built Binding request with the attributes a browser sends; each part can be left out or
// corrupted to probe the agents.
struct CheckSpec {
  StunClass cls = StunClass::kRequest;
  uint16_t method = kStunMethodBinding;
  StunTransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::optional<std::string> username = std::string("LiTe:Cl1e");
  std::optional<std::string> password = std::string("lite+password/0123456789");  // nullopt: no MI
  bool fingerprint = true;
  bool useCandidate = false;
  std::optional<uint32_t> priority = kIcePeerReflexivePriority;
  std::optional<uint64_t> controlling = 0x1122334455667788ull;
  std::optional<uint64_t> controlled;
  std::vector<uint16_t> extraAttributes;  // empty-valued attributes of these types
};

inline std::vector<uint8_t> buildCheck(const CheckSpec& s) {
  std::vector<uint8_t> buffer(1024);
  StunBuilder b(buffer, s.cls, s.method, s.id);
  if (s.username) b.addUsername(*s.username);
  if (s.priority) b.addPriority(*s.priority);
  if (s.controlling) b.addIceControlling(*s.controlling);
  if (s.controlled) b.addIceControlled(*s.controlled);
  if (s.useCandidate) b.addUseCandidate();
  for (const uint16_t type : s.extraAttributes) {
    const uint8_t value[4] = {1, 2, 3, 4};
    b.addAttribute(type, value);
  }
  if (s.password) b.addMessageIntegrity(std::string_view(*s.password));
  if (s.fingerprint) b.addFingerprint();
  const auto out = b.finish();
  if (!out) throw std::runtime_error("buildCheck: build failed");
  return {out->begin(), out->end()};
}

// Parses then hands bytes to an agent (the socket layer's job).
template <typename Agent>
bool deliver(Agent& agent, const std::vector<uint8_t>& bytes, const SocketAddress& from,
             Clock::time_point now) {
  const auto msg = StunMessage::parse(bytes);
  if (!msg) return false;
  return agent.handleStun(*msg, from, now);
}

// One client agent and one lite agent joined by in-memory queues. Packets from the client appear
// at the lite agent as coming from clientAddress (changeable: network change), responses are
// delivered back if addressed to it. dropToClient / dropToLite simulate loss.
struct Wire {
  FakeClock clock;
  LiteRecorder liteEvents;
  ClientRecorder clientEvents;
  IceLiteAgent lite;
  IceClientAgent client;
  SocketAddress clientAddress = kClientAddress;
  SocketAddress liteAddress = kLiteAddress;
  bool dropToLite = false;
  bool dropToClient = false;
  std::function<void(std::vector<uint8_t>&)> mutateToLite;  // e.g. flip a byte on the way
  size_t liteSentSeen = 0;
  size_t clientSentSeen = 0;

  explicit Wire(IceCredentials clientView = kLiteCredentials, IceLiteAgent::Options liteOptions = {},
                IceClientAgent::Options clientOptions = {}, IceCredentials liteCreds = kLiteCredentials,
                IceCredentials clientCreds = kClientCredentials,
                std::optional<std::string> liteRemoteUfrag = std::string("Cl1e"))
      : lite(std::move(liteCreds), std::move(liteRemoteUfrag), liteOptions, liteEvents),
        client(std::move(clientCreds), std::move(clientView), 0x0102030405060708ull, clientOptions,
               clientEvents) {
    liteEvents.clock = &clock;
    clientEvents.clock = &clock;
    client.addRemoteCandidate(liteAddress);
  }

  // Moves queued packets both ways until quiet.
  void pump() {
    while (clientSentSeen < clientEvents.sent.size() || liteSentSeen < liteEvents.sent.size()) {
      while (clientSentSeen < clientEvents.sent.size()) {
        Sent s = clientEvents.sent[clientSentSeen++];
        if (mutateToLite) mutateToLite(s.bytes);
        if (!dropToLite && s.to == liteAddress) deliver(lite, s.bytes, clientAddress, clock.now);
      }
      while (liteSentSeen < liteEvents.sent.size()) {
        const Sent s = liteEvents.sent[liteSentSeen++];
        if (!dropToClient && s.to == clientAddress) deliver(client, s.bytes, liteAddress, clock.now);
      }
    }
  }

  // Advances time in steps, ticking both agents and pumping packets.
  void run(Clock::duration total, Clock::duration step = 10ms, bool tickClient = true) {
    const auto end = clock.now + total;
    while (clock.now < end) {
      clock.advance(step);
      if (tickClient) client.tick(clock.now);
      lite.tick(clock.now);
      pump();
    }
  }

  void start() {
    client.start(clock.now);
    pump();
  }
};

}  // namespace switchyard::media::ice::test
