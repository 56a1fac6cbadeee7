#include "media/ice/IceLiteAgent.h"

#include <algorithm>
#include <array>
#include <utility>

#include "media/ice/IceAddress.h"
#include "media/ice/StunBuilder.h"
#include "media/ice/StunErrorCode.h"

namespace switchyard::media::ice {

namespace {

// Largest response: 420 with kMaxUnknown types = 20 + 28 + (4 + 32) + 24 + 8 = 116 bytes.
constexpr size_t kResponseBufferSize = 256;
constexpr size_t kMaxUnknown = 16;

}  // namespace

IceLiteAgent::IceLiteAgent(IceCredentials local, std::optional<std::string> remoteUfrag, Options options,
                           Listener& listener)
    : local_(std::move(local)),
      remoteUfrag_(remoteUfrag ? std::move(*remoteUfrag) : std::string()),
      options_(options),
      listener_(listener) {
  options_.maxRemoteCandidates = std::max<size_t>(options_.maxRemoteCandidates, 1);
  remotes_.reserve(options_.maxRemoteCandidates);
}

void IceLiteAgent::setRemoteUfrag(std::string remoteUfrag) {
  remoteUfrag_ = std::move(remoteUfrag);
}

std::optional<std::string_view> IceLiteAgent::localUfragOf(const StunMessage& msg) noexcept {
  if (msg.messageClass() != StunClass::kRequest || msg.method() != kStunMethodBinding) return std::nullopt;
  const auto username = msg.username();
  if (!username) return std::nullopt;
  const size_t colon = username->find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return username->substr(0, colon);
}

// RFC 8445 §7.3: the USERNAME of a check is "<receiver's ufrag>:<sender's ufrag>".
bool IceLiteAgent::usernameMatches(std::string_view username) const noexcept {
  const std::string_view localUfrag = local_.ufrag;
  if (username.size() <= localUfrag.size() || username.substr(0, localUfrag.size()) != localUfrag ||
      username[localUfrag.size()] != ':') {
    return false;
  }
  const std::string_view rest = username.substr(localUfrag.size() + 1);
  if (remoteUfrag_.empty()) return !rest.empty();
  return rest == remoteUfrag_;
}

bool IceLiteAgent::handleStun(const StunMessage& msg, const util::SocketAddress& from,
                              Clock::time_point now) noexcept {
  if (state_ == State::kClosed || from.empty()) return false;
  if (msg.messageClass() != StunClass::kRequest || msg.method() != kStunMethodBinding) return false;
  // RFC 8445 §7.3 / RFC 8489 §9.1.3: username, fingerprint, then integrity (cheapest first);
  // failing any -> silence.
  const auto username = msg.username();
  if (!username || !usernameMatches(*username)) return false;
  if (!msg.verifyFingerprint()) return false;
  if (!msg.verifyMessageIntegrity(std::string_view(local_.password))) return false;

  // RFC 8489 §6.3.1.1: authenticated, but with comprehension-required attributes we do not know.
  if (msg.hasUnknownComprehensionRequired()) {
    std::array<uint16_t, kMaxUnknown> unknown{};
    const size_t n = msg.unknownComprehensionRequired(unknown);
    sendError(msg, from, StunErrorCode::kUnknownAttribute, "Unknown Attribute",
              std::span<const uint16_t>(unknown).first(n));
    return true;
  }
  // RFC 8445 §7.3.1.1: the peer believes it is controlled too. A lite agent never takes the
  // controlling role (§6.1.1), so it answers as the tie-breaker winner: 487, no further processing.
  if (msg.iceControlled()) {
    sendError(msg, from, StunErrorCode::kRoleConflict, "Role Conflict", {});
    return true;
  }

  sendSuccess(msg, from);
  rememberRemote(from, now);
  if (state_ == State::kConnected && from == selected_) lastConsent_ = now;  // RFC 7675 §5.1
  if (msg.useCandidate() && (state_ == State::kNew || !(from == selected_))) {
    selected_ = from;
    state_ = State::kConnected;
    lastConsent_ = now;
    listener_.onIceSelected(selected_);
  }
  return true;
}

void IceLiteAgent::rememberRemote(const util::SocketAddress& from, Clock::time_point now) noexcept {
  for (Remote& r : remotes_) {
    if (r.address == from) {
      r.lastCheck = now;
      return;
    }
  }
  if (remotes_.size() < remotes_.capacity()) {
    remotes_.push_back(Remote{from, now});  // within the reserved capacity: no allocation
    return;
  }
  // Full: replace the least recently checked entry that is not the selected pair (capacity >= 1;
  // with capacity 1 the selected entry itself is replaced, the selection is tracked separately).
  Remote* victim = nullptr;
  for (Remote& r : remotes_) {
    if (state_ != State::kNew && r.address == selected_ && remotes_.size() > 1) continue;
    if (victim == nullptr || r.lastCheck < victim->lastCheck) victim = &r;
  }
  if (victim != nullptr) *victim = Remote{from, now};
}

bool IceLiteAgent::isValidRemote(const util::SocketAddress& remote) const noexcept {
  return std::any_of(remotes_.begin(), remotes_.end(),
                     [&remote](const Remote& r) { return r.address == remote; });
}

void IceLiteAgent::sendSuccess(const StunMessage& msg, const util::SocketAddress& from) noexcept {
  std::array<uint8_t, kResponseBufferSize> buffer;
  StunBuilder b(buffer, StunClass::kSuccessResponse, kStunMethodBinding, msg.transactionId());
  const auto mapped = toStunAddress(from);
  if (!mapped || !b.addXorMappedAddress(*mapped)) return;
  const auto out = b.finish(std::string_view(local_.password), true);
  if (out) listener_.onIceSend(*out, from);
}

void IceLiteAgent::sendError(const StunMessage& msg, const util::SocketAddress& from, uint16_t code,
                             std::string_view reason, std::span<const uint16_t> unknown) noexcept {
  std::array<uint8_t, kResponseBufferSize> buffer;
  StunBuilder b(buffer, StunClass::kErrorResponse, kStunMethodBinding, msg.transactionId());
  if (!b.addErrorCode(code, reason)) return;
  if (!unknown.empty() && !b.addUnknownAttributes(unknown)) return;
  const auto out = b.finish(std::string_view(local_.password), true);
  if (out) listener_.onIceSend(*out, from);
}

void IceLiteAgent::tick(Clock::time_point now) noexcept {
  if (state_ != State::kConnected) return;
  if (now - lastConsent_ >= options_.consentTimeout) {
    state_ = State::kClosed;
    listener_.onIceConsentExpired();
  }
}

}  // namespace switchyard::media::ice
