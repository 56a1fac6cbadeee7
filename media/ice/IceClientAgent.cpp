#include "media/ice/IceClientAgent.h"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "media/ice/IceAddress.h"
#include "media/ice/StunBuilder.h"
#include "media/ice/StunErrorCode.h"

namespace switchyard::media::ice {

namespace {

// Header + USERNAME (at most 256 + 1 + 256 bytes, padded) + PRIORITY + ICE-CONTROLLING +
// USE-CANDIDATE + MESSAGE-INTEGRITY + FINGERPRINT = 20 + 520 + 8 + 12 + 4 + 24 + 8 = 596 bytes.
constexpr size_t kRequestBufferSize = 640;
// Success: header + XOR-MAPPED-ADDRESS (IPv6: 24) + MESSAGE-INTEGRITY + FINGERPRINT = 76 bytes;
// 487: header + ERROR-CODE ("Role Conflict", 20) + MESSAGE-INTEGRITY + FINGERPRINT = 72 bytes.
constexpr size_t kResponseBufferSize = 128;

uint64_t randomU64() {
  uint8_t bytes[8] = {};
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("IceClientAgent: RAND_bytes failed");
  uint64_t v = 0;
  for (const uint8_t b : bytes)
    v = (v << 8) | b;
  return v;
}

}  // namespace

IceClientAgent::IceClientAgent(IceCredentials local, IceCredentials remote, uint64_t tieBreaker,
                               Options options, Listener& listener)
    : local_(std::move(local)),
      remote_(std::move(remote)),
      options_(options),
      listener_(listener),
      tieBreaker_(tieBreaker),
      rng_(randomU64()) {
  username_ = remote_.ufrag + ":" + local_.ufrag;
  options_.maxTransmissions = std::clamp(options_.maxTransmissions, 1u, 32u);
  options_.initialRto = std::max(options_.initialRto, std::chrono::milliseconds(1));
  options_.maxRto = std::max(options_.maxRto, options_.initialRto);
}

uint64_t IceClientAgent::randomTieBreaker() {
  return randomU64();
}

// splitmix64 (Steele, Lea, Flood 2014): a fast, well-mixed 64-bit sequence from the random seed.
uint64_t IceClientAgent::nextRandom() noexcept {
  uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

IceClientAgent::Clock::duration IceClientAgent::waitAfter(unsigned transmissions) const noexcept {
  const unsigned doublings = std::min(transmissions - 1, 16u);
  const auto rto = options_.initialRto * (int64_t{1} << doublings);
  return std::min<std::chrono::milliseconds>(rto, options_.maxRto);
}

// RFC 7675 §5.1: the interval is randomised to 0.8-1.2 times the base to avoid synchronised checks.
IceClientAgent::Clock::duration IceClientAgent::consentDelay() noexcept {
  const auto permille = static_cast<int64_t>(800 + nextRandom() % 401);
  return std::chrono::duration_cast<Clock::duration>(options_.consentInterval) * permille / 1000;
}

bool IceClientAgent::addRemoteCandidate(const util::SocketAddress& remote) noexcept {
  if (remote.empty() || pairCount_ >= kMaxRemoteCandidates) return false;
  if (state_ != State::kNew && state_ != State::kChecking) return false;
  for (size_t i = 0; i < pairCount_; ++i)
    if (pairs_[i].remote == remote) return false;
  pairs_[pairCount_++] = Pair{remote, PairState::kWaiting};
  return true;
}

void IceClientAgent::start(Clock::time_point now) noexcept {
  if (state_ != State::kNew) return;
  if (pairCount_ == 0) {
    fail("no remote candidates");
    return;
  }
  state_ = State::kChecking;
  nextCheckAt_ = now;
  tick(now);
}

const util::SocketAddress* IceClientAgent::selected() const noexcept {
  return state_ == State::kConnected ? &pairs_[selected_].remote : nullptr;
}

size_t IceClientAgent::outstandingTransactions() const noexcept {
  return static_cast<size_t>(std::count_if(transactions_.begin(), transactions_.end(),
                                           [](const Transaction& t) { return t.transmissions != 0; }));
}

bool IceClientAgent::startTransaction(uint8_t pair, Kind kind, Clock::time_point now) noexcept {
  for (Transaction& t : transactions_) {
    if (t.transmissions != 0) continue;
    const uint64_t a = nextRandom();
    const uint64_t b = nextRandom();
    for (size_t i = 0; i < 8; ++i)
      t.id[i] = static_cast<uint8_t>(a >> (8 * i));
    for (size_t i = 0; i < 4; ++i)
      t.id[8 + i] = static_cast<uint8_t>(b >> (8 * i));
    t.pair = pair;
    t.kind = kind;
    t.transmissions = 1;
    t.deadline = now + waitAfter(1);
    transmit(t);
    return true;
  }
  return false;
}

// Rebuilt on every (re)transmission: same fields, same transaction id, so the same bytes
// (RFC 8489 §6.2.1) without storing the message.
void IceClientAgent::transmit(const Transaction& t) noexcept {
  std::array<uint8_t, kRequestBufferSize> buffer;
  StunBuilder b(buffer, StunClass::kRequest, kStunMethodBinding, t.id);
  b.addUsername(username_);
  b.addPriority(kCheckPriority);  // RFC 8445 §7.1.1
  b.addIceControlling(tieBreaker_);
  b.addUseCandidate();  // aggressive nomination
  const auto out = b.finish(std::string_view(remote_.password), true);
  if (out) listener_.onIceSend(*out, pairs_[t.pair].remote);
}

void IceClientAgent::tick(Clock::time_point now) noexcept {
  if (state_ != State::kChecking && state_ != State::kConnected) return;
  runTimers(now);
  if (state_ == State::kChecking) {
    if (now >= nextCheckAt_) {
      for (uint8_t i = 0; i < pairCount_; ++i) {
        if (pairs_[i].state != PairState::kWaiting) continue;
        if (startTransaction(i, Kind::kCheck, now)) {
          pairs_[i].state = PairState::kInProgress;
          nextCheckAt_ = now + options_.checkInterval;  // Ta: one new check per interval
        }
        break;
      }
    }
    failIfAllPairsFailed();
  } else if (state_ == State::kConnected) {
    if (now - lastConsent_ >= options_.consentTimeout) {
      cancelChecks();
      for (Transaction& t : transactions_)
        t.transmissions = 0;
      state_ = State::kClosed;
      listener_.onIceConsentExpired();
      return;
    }
    if (now >= nextConsentAt_) {
      startTransaction(selected_, Kind::kConsent, now);  // no free slot: skip this round
      nextConsentAt_ = now + consentDelay();
    }
  }
}

void IceClientAgent::runTimers(Clock::time_point now) noexcept {
  for (Transaction& t : transactions_) {
    if (t.transmissions == 0 || now < t.deadline) continue;
    if (t.transmissions >= options_.maxTransmissions) {
      const Transaction done = t;
      t.transmissions = 0;
      onTransactionFailed(done);
      if (state_ != State::kChecking && state_ != State::kConnected) return;
      continue;
    }
    ++t.transmissions;
    t.deadline = now + waitAfter(t.transmissions);
    transmit(t);
  }
}

void IceClientAgent::onTransactionFailed(const Transaction& t) noexcept {
  // A failed consent transaction just does not refresh consent; the timeout decides (RFC 7675).
  if (t.kind != Kind::kCheck) return;
  Pair& p = pairs_[t.pair];
  if (p.state == PairState::kInProgress) p.state = PairState::kFailed;
  failIfAllPairsFailed();
}

void IceClientAgent::failIfAllPairsFailed() noexcept {
  if (state_ != State::kChecking || pairCount_ == 0) return;
  for (size_t i = 0; i < pairCount_; ++i)
    if (pairs_[i].state != PairState::kFailed) return;
  fail("all candidate pairs failed");
}

void IceClientAgent::fail(std::string_view reason) noexcept {
  for (Transaction& t : transactions_)
    t.transmissions = 0;
  state_ = State::kFailed;
  listener_.onIceFailed(reason);
}

void IceClientAgent::cancelChecks() noexcept {
  for (Transaction& t : transactions_)
    if (t.kind == Kind::kCheck) t.transmissions = 0;
}

void IceClientAgent::close() noexcept {
  for (Transaction& t : transactions_)
    t.transmissions = 0;
  state_ = State::kClosed;
}

void IceClientAgent::networkChanged(Clock::time_point now) noexcept {
  if (state_ != State::kConnected) return;
  startTransaction(selected_, Kind::kCheck, now);
  nextConsentAt_ = now + consentDelay();
}

bool IceClientAgent::handleStun(const StunMessage& msg, const util::SocketAddress& from,
                                Clock::time_point now) noexcept {
  if (state_ != State::kChecking && state_ != State::kConnected) return false;
  const StunClass cls = msg.messageClass();
  if (cls == StunClass::kRequest && msg.method() == kStunMethodBinding) return answerRequest(msg, from);
  if ((cls != StunClass::kSuccessResponse && cls != StunClass::kErrorResponse) ||
      msg.method() != kStunMethodBinding) {
    return false;
  }
  const StunTransactionId id = msg.transactionId();
  Transaction* match = nullptr;
  for (Transaction& t : transactions_) {
    if (t.transmissions != 0 && t.id == id) {
      match = &t;
      break;
    }
  }
  if (match == nullptr) return false;
  if (!(pairs_[match->pair].remote == from)) return false;  // RFC 8445 §7.2.5.2.1: not symmetric
  if (!msg.verifyFingerprint() || !msg.verifyMessageIntegrity(std::string_view(remote_.password)))
    return false;

  const Transaction t = *match;
  match->transmissions = 0;
  Pair& pair = pairs_[t.pair];

  if (cls == StunClass::kErrorResponse) {
    const auto error = msg.errorCode();
    if (error && error->code == StunErrorCode::kRoleConflict) {
      fail("role conflict (487)");
      return true;
    }
    if (t.kind == Kind::kCheck && state_ == State::kChecking) {
      if (pair.state == PairState::kInProgress) pair.state = PairState::kFailed;
      failIfAllPairsFailed();
    }
    return true;
  }

  if (const auto xorMapped = msg.xorMappedAddress()) mapped_ = toSocketAddress(*xorMapped);
  if (state_ == State::kChecking) {
    // Every check nominates (aggressive nomination): the first success selects its pair.
    pair.state = PairState::kSucceeded;
    selected_ = t.pair;
    state_ = State::kConnected;
    lastConsent_ = now;
    nextConsentAt_ = now + consentDelay();
    cancelChecks();
    listener_.onIceConnected(pair.remote);
    return true;
  }
  if (t.pair == selected_) lastConsent_ = now;  // RFC 7675 §5.1: consent refreshed
  return true;
}

// A full peer's check (RFC 8445 §7.3): USERNAME "<our ufrag>:<its ufrag>", FINGERPRINT, then
// MESSAGE-INTEGRITY with our password (cheapest first); anything failing is ignored.
bool IceClientAgent::answerRequest(const StunMessage& msg, const util::SocketAddress& from) noexcept {
  const auto username = msg.username();
  const std::string_view localUfrag = local_.ufrag;
  if (from.empty() || !username || username->size() <= localUfrag.size() ||
      username->substr(0, localUfrag.size()) != localUfrag || (*username)[localUfrag.size()] != ':' ||
      username->substr(localUfrag.size() + 1) != remote_.ufrag) {
    return false;
  }
  if (!msg.verifyFingerprint() || !msg.verifyMessageIntegrity(std::string_view(local_.password)))
    return false;
  const auto mapped = toStunAddress(from);
  if (!mapped) return false;

  std::array<uint8_t, kResponseBufferSize> buffer;
  const auto theirs = msg.iceControlling();
  const bool conflict = theirs && tieBreaker_ >= *theirs;  // RFC 8445 §7.3.1.1, we stay controlling
  StunBuilder b(buffer, conflict ? StunClass::kErrorResponse : StunClass::kSuccessResponse,
                kStunMethodBinding, msg.transactionId());
  if (conflict) {
    b.addErrorCode(StunErrorCode::kRoleConflict, "Role Conflict");
  } else {
    b.addXorMappedAddress(*mapped);
  }
  const auto out = b.finish(std::string_view(local_.password), true);
  if (!out) return false;
  if (conflict) {
    ++roleConflictsAnswered_;
  } else {
    ++requestsAnswered_;
  }
  listener_.onIceSend(*out, from);
  return true;
}

}  // namespace switchyard::media::ice
