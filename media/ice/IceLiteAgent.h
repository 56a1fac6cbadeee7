#pragma once
// ICE-lite agent of the server (RFC 8445 §2.5, always in the controlled role) with consent
// freshness on the receive side (RFC 7675). Pure logic: no socket, no thread, no clock — the caller
// passes `now` and sends what the listener is given.
//
// handleStun() answers a connectivity check (RFC 8445 §7.3) only when it is authentic, in this order
// (RFC 8489 §6.3, §9.1.3; cheapest test first): a Binding request; USERNAME equal to
// "localUfrag:remoteUfrag" (or, while the remote ufrag is unknown, "localUfrag:<non-empty>");
// FINGERPRINT present, last and correct; MESSAGE-INTEGRITY correct with the local password. A
// request failing any of these gets no response at all and changes nothing (no 400/401: an
// unauthenticated sender learns nothing and cannot use us as a reflector). An authentic request
// then gets, signed with MESSAGE-INTEGRITY and FINGERPRINT and with the request's transaction id:
//   - 420 + UNKNOWN-ATTRIBUTES if it carries comprehension-required attributes we do not know;
//   - 487 Role Conflict if it carries ICE-CONTROLLED (RFC 8445 §7.3.1.1: a lite agent is always
//     controlled, so it behaves as if its tie-breaker always won);
//   - otherwise a Binding success response with XOR-MAPPED-ADDRESS = the source address. The source
//     becomes a valid remote candidate (RFC 8445 §7.3.1.4, at most Options::maxRemoteCandidates of
//     them, least recently checked evicted first); USE-CANDIDATE nominates it (§7.3.1.5) and makes
//     it the selected pair — the first nomination and every later change of address (network
//     change, client moved) are reported by onIceSelected(). A valid check from the selected address
//     refreshes consent (RFC 7675 §5.1); tick() expires consent after Options::consentTimeout without
//     one and closes the agent.
// Indications and responses are ignored. Once closed the agent ignores everything.
//
// handleStun() and tick() are noexcept and do not allocate; responses are built on the stack and
// the span given to onIceSend() is valid only during that call. The listener must not destroy the
// agent from inside a callback.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/ice/IceCredentials.h"
#include "media/ice/StunMessage.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::ice {

class IceLiteAgent {
 public:
  using Clock = std::chrono::steady_clock;

  enum class State : uint8_t { kNew, kConnected, kClosed };

  struct Options {
    std::chrono::milliseconds consentTimeout{30000};  // RFC 7675 §5.1: 30 s
    size_t maxRemoteCandidates = 8;                   // valid remote addresses remembered (>= 1)
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A STUN response to send to `to` (valid only during the call).
    virtual void onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) = 0;
    // The nominated (selected) remote address: first nomination and every change.
    virtual void onIceSelected(const util::SocketAddress& remote) = 0;
    // No valid check on the selected pair for consentTimeout: the agent is closed.
    virtual void onIceConsentExpired() = 0;
  };

  // remoteUfrag: from the offer's a=ice-ufrag when known (empty optional: accept any remote part).
  IceLiteAgent(IceCredentials local, std::optional<std::string> remoteUfrag, Options options,
               Listener& listener);
  IceLiteAgent(const IceLiteAgent&) = delete;
  IceLiteAgent& operator=(const IceLiteAgent&) = delete;

  // Learns (or replaces) the remote ufrag later, e.g. when the offer arrives after the agent (control
  // plane; may allocate).
  void setRemoteUfrag(std::string remoteUfrag);

  // Handles one parsed STUN message received from `from`. Returns true if it was an authentic
  // Binding request and a response (success, 420 or 487) was sent; false if it was ignored.
  bool handleStun(const StunMessage& msg, const util::SocketAddress& from, Clock::time_point now) noexcept;

  // Consent freshness: call periodically (e.g. from the worker tick).
  void tick(Clock::time_point now) noexcept;

  [[nodiscard]] State state() const noexcept { return state_; }
  // The nominated remote address, or nullptr before the first nomination.
  [[nodiscard]] const util::SocketAddress* selected() const noexcept {
    return state_ == State::kNew ? nullptr : &selected_;
  }
  // True if `remote` has sent an authentic check (media from it may be accepted, RFC 8445 §7.3.1.4).
  [[nodiscard]] bool isValidRemote(const util::SocketAddress& remote) const noexcept;
  [[nodiscard]] size_t validRemoteCount() const noexcept { return remotes_.size(); }
  [[nodiscard]] const IceCredentials& localCredentials() const noexcept { return local_; }
  // Time of the last valid check on the selected pair (meaningful once connected).
  [[nodiscard]] Clock::time_point lastConsent() const noexcept { return lastConsent_; }

  // Socket-layer pre-filter, no cryptography: for a Binding request carrying USERNAME
  // "<ufrag>:<rest>", returns <ufrag> (a view into msg) so a packet from an unknown address can be
  // routed to the agent owning that local ufrag. The agent then authenticates it with
  // handleStun(). nullopt for anything else (not a Binding request, no USERNAME, no ':' or an empty
  // ufrag).
  [[nodiscard]] static std::optional<std::string_view> localUfragOf(const StunMessage& msg) noexcept;

 private:
  struct Remote {
    util::SocketAddress address;
    Clock::time_point lastCheck;
  };

  [[nodiscard]] bool usernameMatches(std::string_view username) const noexcept;
  void sendSuccess(const StunMessage& msg, const util::SocketAddress& from) noexcept;
  void sendError(const StunMessage& msg, const util::SocketAddress& from, uint16_t code,
                 std::string_view reason, std::span<const uint16_t> unknown) noexcept;
  void rememberRemote(const util::SocketAddress& from, Clock::time_point now) noexcept;

  IceCredentials local_;
  std::string remoteUfrag_;  // empty: unknown
  Options options_;
  Listener& listener_;
  std::vector<Remote> remotes_;  // capacity reserved at construction; never grows past it
  util::SocketAddress selected_;
  Clock::time_point lastConsent_{};
  State state_ = State::kNew;
};

}  // namespace switchyard::media::ice
