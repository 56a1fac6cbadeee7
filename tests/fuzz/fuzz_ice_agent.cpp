// Fuzz target for the ICE agents (media/ice): an IceLiteAgent and an IceClientAgent driven by a
// script of records  [op:1][length:2 big-endian][payload:length]  (a short last record takes what is
// left). Low 3 bits of op:
//   0  payload -> StunMessage::parse -> lite.handleStun from address (op >> 3) & 3
//   1  payload -> client.handleStun from address (op >> 3) & 3
//   2  advance time by ((op >> 3) + 1) * (length + 1) ms, tick both agents
//   3  re-sign: parse payload, copy its attributes (bit 3: replace USERNAME by the right one) and
//      sign with the lite password (bit 4: the wrong one), FINGERPRINT unless bit 5; -> lite
//   4  answer the client's latest request: success (bit 3) or error with code 300 + payload % 400,
//      signed with the lite password (bit 4: wrong one), FINGERPRINT unless bit 5, from address
//      (op >> 6) & 3
//   5  wire: the client's latest request -> lite (from address (op >> 3) & 3)
//   6  wire: the lite's latest response -> client (from the lite address)
//   7  client.networkChanged (bit 3: client.close())
// Invariants (trap on violation): the lite agent sends something only for a message that passes
// FINGERPRINT, USERNAME and MESSAGE-INTEGRITY with its own password, and then exactly one signed
// response with the request's transaction id; a message it rejects changes none of its state; the
// client only sends well-formed signed checks (and signed answers to authentic checks); each "once" callback
// fires at most once.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IceLiteAgent.h"
#include "media/ice/StunBuilder.h"
#include "media/ice/StunMessage.h"

using namespace switchyard::media::ice;
using switchyard::media::util::SocketAddress;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kLiteUfrag = "LiTe";
constexpr std::string_view kLitePassword = "lite+password/0123456789";
constexpr std::string_view kClientUfrag = "Cl1e";
constexpr std::string_view kClientPassword = "client+password/abcdefgh";
constexpr std::string_view kWrongPassword = "wrong+password/012345678";
constexpr std::string_view kUsername = "LiTe:Cl1e";

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const std::array<SocketAddress, 4> kAddresses = {
    SocketAddress::ipv4({198, 51, 100, 7}, 50123), SocketAddress::ipv4({198, 51, 100, 99}, 61000),
    SocketAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42}, 50000),
    SocketAddress::ipv4({192, 0, 2, 1}, 40000)};
const SocketAddress& kLiteAddress = kAddresses[3];

struct LiteEvents : IceLiteAgent::Listener {
  size_t sends = 0;
  std::vector<uint8_t> last;
  SocketAddress lastTo;
  int expired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override {
    ++sends;
    last.assign(stun.begin(), stun.end());
    lastTo = to;
  }
  void onIceSelected(const SocketAddress& remote) override { check(!remote.empty()); }
  void onIceConsentExpired() override { check(++expired == 1); }
};

struct ClientEvents : IceClientAgent::Listener {
  std::vector<uint8_t> last;
  int connected = 0;
  int failed = 0;
  int expired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override {
    const auto msg = StunMessage::parse(stun);
    check(msg.has_value() && msg->method() == kStunMethodBinding);
    if (msg->messageClass() != StunClass::kRequest) {
      // An answer to an authentic check of the peer: signed with the client's own password.
      check(msg->messageClass() == StunClass::kSuccessResponse ||
            msg->messageClass() == StunClass::kErrorResponse);
      check(msg->verifyMessageIntegrity(kClientPassword) && msg->verifyFingerprint() && !to.empty());
      return;
    }
    check(msg->username() == kUsername && msg->useCandidate() && msg->iceControlling().has_value());
    check(msg->verifyMessageIntegrity(kLitePassword) && msg->verifyFingerprint());
    check(!to.empty());
    last.assign(stun.begin(), stun.end());
  }
  void onIceConnected(const SocketAddress& remote) override {
    check(!remote.empty());
    check(++connected == 1);
  }
  void onIceFailed(std::string_view reason) override {
    check(!reason.empty());
    check(++failed == 1);
  }
  void onIceConsentExpired() override { check(++expired == 1); }
};

struct LiteSnapshot {
  IceLiteAgent::State state;
  std::optional<SocketAddress> selected;
  size_t remotes;
  Clock::time_point consent;
  bool operator==(const LiteSnapshot&) const = default;
};

LiteSnapshot snapshot(const IceLiteAgent& a) {
  return {a.state(), a.selected() ? std::optional<SocketAddress>(*a.selected()) : std::nullopt,
          a.validRemoteCount(), a.lastConsent()};
}

bool authentic(const StunMessage& m) {
  const auto u = m.username();
  return m.messageClass() == StunClass::kRequest && m.method() == kStunMethodBinding &&
         m.verifyFingerprint() && u && *u == kUsername && m.verifyMessageIntegrity(kLitePassword);
}

// Delivers bytes to the lite agent and checks the invariants.
void toLite(IceLiteAgent& lite, LiteEvents& ev, std::span<const uint8_t> bytes, const SocketAddress& from,
            Clock::time_point now) {
  const auto msg = StunMessage::parse(bytes);
  if (!msg) return;
  const size_t before = ev.sends;
  const LiteSnapshot s = snapshot(lite);
  const bool handled = lite.handleStun(*msg, from, now);
  const bool sent = ev.sends != before;
  check(handled == sent);
  check(ev.sends - before <= 1);
  if (!sent) {
    check(snapshot(lite) == s);  // rejected: no state change
    return;
  }
  check(authentic(*msg));  // never a response to a message failing integrity with our password
  const auto response = StunMessage::parse(ev.last);
  check(response.has_value() && ev.lastTo == from);
  check(response->messageClass() == StunClass::kSuccessResponse ||
        response->messageClass() == StunClass::kErrorResponse);
  check(response->transactionId() == msg->transactionId());
  check(response->verifyMessageIntegrity(kLitePassword) && response->verifyFingerprint());
}

std::array<uint8_t, 2048> gBuffer;

// Copies the attributes of `src` (except MESSAGE-INTEGRITY/FINGERPRINT) into a new signed message.
std::optional<std::span<uint8_t>> resign(const StunMessage& src, bool fixUsername, std::string_view password,
                                         bool fingerprint) {
  StunBuilder b(gBuffer, src.messageClass(), src.method(), src.transactionId());
  if (fixUsername) b.addUsername(kUsername);
  for (const StunAttribute a : src.attributes()) {
    if (a.type == kStunAttrMessageIntegrity || a.type == kStunAttrFingerprint) continue;
    if (fixUsername && a.type == kStunAttrUsername) continue;
    b.addAttribute(a.type, a.value);
  }
  b.addMessageIntegrity(password);
  if (fingerprint) b.addFingerprint();
  return b.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1000);
  LiteEvents liteEvents;
  ClientEvents clientEvents;
  IceLiteAgent::Options liteOptions;
  liteOptions.maxRemoteCandidates = 3;
  IceLiteAgent lite(IceCredentials{std::string(kLiteUfrag), std::string(kLitePassword)},
                    std::string(kClientUfrag), liteOptions, liteEvents);
  IceClientAgent client(IceCredentials{std::string(kClientUfrag), std::string(kClientPassword)},
                        IceCredentials{std::string(kLiteUfrag), std::string(kLitePassword)}, 42, {},
                        clientEvents);
  client.addRemoteCandidate(kLiteAddress);
  client.addRemoteCandidate(kAddresses[1]);
  client.start(now);

  size_t pos = 0;
  int records = 0;
  while (pos < size && records++ < 256) {
    const uint8_t op = data[pos++];
    size_t length = 0;
    if (size - pos >= 2) {
      length = (size_t{data[pos]} << 8) | data[pos + 1];
      pos += 2;
    } else {
      pos = size;
    }
    length = std::min(length, size - pos);
    const std::span<const uint8_t> payload(data + pos, length);
    pos += length;
    const SocketAddress& from = kAddresses[(op >> 3) & 3];

    switch (op & 7) {
      case 0:
        toLite(lite, liteEvents, payload, from, now);
        break;
      case 1:
        if (const auto msg = StunMessage::parse(payload)) client.handleStun(*msg, from, now);
        break;
      case 2:
        now += std::chrono::milliseconds(
            static_cast<int64_t>((static_cast<size_t>(op >> 3) + 1) * (length + 1)));
        client.tick(now);
        lite.tick(now);
        break;
      case 3:
        if (const auto msg = StunMessage::parse(payload)) {
          const auto out = resign(*msg, (op & 0x08) != 0, (op & 0x10) != 0 ? kWrongPassword : kLitePassword,
                                  (op & 0x20) == 0);
          if (out) toLite(lite, liteEvents, *out, kAddresses[(op >> 6) & 3], now);
        }
        break;
      case 4:
        if (const auto req = StunMessage::parse(clientEvents.last)) {
          const bool success = (op & 0x08) != 0;
          StunBuilder b(gBuffer, success ? StunClass::kSuccessResponse : StunClass::kErrorResponse,
                        kStunMethodBinding, req->transactionId());
          if (success) {
            b.addXorMappedAddress(StunAddress::ipv4({198, 51, 100, 7}, 50123));
          } else {
            const uint16_t code = static_cast<uint16_t>(300 + (payload.empty() ? 187 : payload[0] % 400));
            b.addErrorCode(code, "fuzz");
          }
          const auto out = b.finish((op & 0x10) != 0 ? kWrongPassword : kLitePassword, (op & 0x20) == 0);
          if (out) {
            if (const auto msg = StunMessage::parse(*out))
              client.handleStun(*msg, kAddresses[(op >> 6) & 3], now);
          }
        }
        break;
      case 5:
        toLite(lite, liteEvents, clientEvents.last, from, now);
        break;
      case 6:
        if (const auto msg = StunMessage::parse(liteEvents.last)) client.handleStun(*msg, kLiteAddress, now);
        break;
      case 7:
        if ((op & 0x08) != 0) {
          client.close();
        } else {
          client.networkChanged(now);
        }
        break;
    }
    check(client.outstandingTransactions() <= IceClientAgent::kMaxTransactions);
    check(lite.validRemoteCount() <= 3);
    check((lite.selected() != nullptr) == (lite.state() != IceLiteAgent::State::kNew));
  }
#ifdef ICE_FUZZ_DEBUG
  std::fprintf(stderr,
               "lite sends=%zu state=%d expired=%d | client connected=%d failed=%d expired=%d state=%d\n",
               liteEvents.sends, static_cast<int>(lite.state()), liteEvents.expired, clientEvents.connected,
               clientEvents.failed, clientEvents.expired, static_cast<int>(client.state()));
#endif
  return 0;
}
