#pragma once
// Full ICE agent in the controlling role, as a browser runs it against our ICE-lite server
// (RFC 8445): used by the bench clients and the tests. Pure logic: no socket, no thread, no clock.
//
// One local candidate (whatever socket the caller sends from) paired with up to
// kMaxRemoteCandidates remote host candidates from the server's answer. start() sends the first
// check at once, then tick() starts one more check every Options::checkInterval (Ta, RFC 8445
// §14.2) and retransmits outstanding ones: transmission k (1-based) waits min(initialRto * 2^(k-1),
// maxRto) for an answer, Rc = maxTransmissions transmissions in all (RFC 8489 §6.2.1 with the
// RFC 8445 §14.3 RTO, capped); with the defaults the sends are at 0, 100, 300, 700, 1500, 3100 and
// 4700 ms and the transaction fails at 6300 ms. Nomination is aggressive: every check carries
// USE-CANDIDATE, so the first successful check connects (onIceConnected). When every pair has
// failed, onIceFailed() is called once.
//
// Every request: USERNAME "remoteUfrag:localUfrag", PRIORITY (peer-reflexive priority, RFC 8445
// §7.1.1), ICE-CONTROLLING (tie-breaker), USE-CANDIDATE, MESSAGE-INTEGRITY (remote password),
// FINGERPRINT. A response is accepted only if its transaction id is outstanding, it comes from the
// address the request went to (RFC 8445 §7.2.5.2.1), and its FINGERPRINT and MESSAGE-INTEGRITY
// (remote password) verify — error responses included, so an off-path attacker cannot fail a pair;
// anything else is ignored and the retransmissions go on. A 487 Role Conflict fails the agent (a
// lite peer is always controlled, so there is no role to switch to); other error codes fail the pair.
//
// Checks from the peer: a full ICE agent (e.g. Janus/libnice, unlike our ICE-lite server) sends its
// own Binding requests and only selects a pair once one of them succeeds, so while checking or
// connected the agent answers every authentic request (USERNAME "localUfrag:remoteUfrag",
// FINGERPRINT, MESSAGE-INTEGRITY with the local password) with a signed success response carrying
// XOR-MAPPED-ADDRESS, sent back to where the request came from. This agent stays controlling: a
// request with ICE-CONTROLLING is answered 487 Role Conflict when our tie-breaker is >= the peer's
// (RFC 8445 §7.3.1.1; the peer then switches to controlled), otherwise with a success (the peer
// keeps its role and will answer our checks 487, failing us). Against an agent that may want the
// controlling role (an offerer), pass the largest tie-breaker (kWinningTieBreaker). Requests from a
// peer that thinks it is controlled are simply answered. Nothing else about them changes our state.
//
// Once connected, consent freshness (RFC 7675 §5.1): a check on the selected pair every
// consentInterval randomised to 0.8-1.2x; without an authentic success response for consentTimeout
// the agent closes and reports onIceConsentExpired(). networkChanged() sends a fresh nominating
// check at once, e.g. after the caller moved to another local socket (the peer sees a new address
// and re-selects).
//
// Per-instance state is a few hundred bytes in fixed arrays (hundreds of agents per process).
// Transaction ids come from a per-instance PRNG seeded from RAND_bytes; responses are authenticated
// by MESSAGE-INTEGRITY, the ids only need to be unique. tick(), handleStun() and networkChanged() are
// noexcept and do not allocate; the span given to onIceSend() is valid only during the call. The
// listener must not call back into the agent or destroy it from inside a callback.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "media/ice/IceCredentials.h"
#include "media/ice/IcePriority.h"
#include "media/ice/StunMessage.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::ice {

class IceClientAgent {
 public:
  using Clock = std::chrono::steady_clock;

  enum class State : uint8_t { kNew, kChecking, kConnected, kFailed, kClosed };

  struct Options {
    std::chrono::milliseconds checkInterval{50};      // Ta (RFC 8445 §14.2)
    std::chrono::milliseconds initialRto{100};        // RFC 8445 §14.3
    std::chrono::milliseconds maxRto{1600};           // cap of the doubling RTO
    unsigned maxTransmissions = 7;                    // Rc (RFC 8489 §6.2.1), >= 1
    std::chrono::milliseconds consentInterval{5000};  // RFC 7675 §5.1, randomised 0.8-1.2x
    std::chrono::milliseconds consentTimeout{30000};  // RFC 7675 §5.1
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A STUN request to send to `to` (valid only during the call).
    virtual void onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) = 0;
    // First successful (nominating) check: the pair to `remote` is selected.
    virtual void onIceConnected(const util::SocketAddress& remote) = 0;
    // All pairs failed, no candidates, or a role conflict. Called once; the agent stays failed.
    virtual void onIceFailed(std::string_view reason) = 0;
    // No authentic response on the selected pair for consentTimeout; the agent is closed.
    virtual void onIceConsentExpired() = 0;
  };

  static constexpr size_t kMaxRemoteCandidates = 8;
  static constexpr size_t kMaxTransactions = 8;

  // A tie-breaker that wins every role conflict (a peer with the same value would answer 487 too;
  // the chance that a random one equals it is 2^-64).
  static constexpr uint64_t kWinningTieBreaker = ~uint64_t{0};

  // PRIORITY of every check: the peer-reflexive priority of our local candidate (RFC 8445 §7.1.1).
  static constexpr uint32_t kCheckPriority = kIcePeerReflexivePriority;

  // remote: the server's a=ice-ufrag / a=ice-pwd. tieBreaker: random 64 bits (randomTieBreaker()).
  IceClientAgent(IceCredentials local, IceCredentials remote, uint64_t tieBreaker, Options options,
                 Listener& listener);
  IceClientAgent(const IceClientAgent&) = delete;
  IceClientAgent& operator=(const IceClientAgent&) = delete;

  // 64 random bits from RAND_bytes (throws std::runtime_error if the CSPRNG fails).
  [[nodiscard]] static uint64_t randomTieBreaker();

  // A remote host candidate; false if empty, already known, full, or the agent has finished.
  bool addRemoteCandidate(const util::SocketAddress& remote) noexcept;
  // Starts checking (first check sent now). Without candidates: onIceFailed("no remote candidates").
  void start(Clock::time_point now) noexcept;
  // Starts new checks, retransmits, runs consent checks and the consent timeout.
  void tick(Clock::time_point now) noexcept;
  // Handles one parsed STUN message from `from`; true if it was an authentic response to one of our
  // outstanding requests, or an authentic Binding request from the peer (answered through onIceSend).
  bool handleStun(const StunMessage& msg, const util::SocketAddress& from, Clock::time_point now) noexcept;
  // Connected: sends a nominating check on the selected pair now (after a local network change).
  void networkChanged(Clock::time_point now) noexcept;
  // Stops everything without a callback (state kClosed): no more checks or consent requests.
  void close() noexcept;

  [[nodiscard]] State state() const noexcept { return state_; }
  // The selected remote address, or nullptr when not connected (also after close/expiry).
  [[nodiscard]] const util::SocketAddress* selected() const noexcept;
  // Our address as the peer saw it (XOR-MAPPED-ADDRESS of the last authentic success response).
  [[nodiscard]] const std::optional<util::SocketAddress>& mappedAddress() const noexcept { return mapped_; }
  [[nodiscard]] size_t remoteCandidateCount() const noexcept { return pairCount_; }
  [[nodiscard]] size_t outstandingTransactions() const noexcept;
  [[nodiscard]] uint64_t tieBreaker() const noexcept { return tieBreaker_; }
  // Authentic Binding requests from the peer answered with a success (role conflicts: with 487).
  [[nodiscard]] uint64_t requestsAnswered() const noexcept { return requestsAnswered_; }
  [[nodiscard]] uint64_t roleConflictsAnswered() const noexcept { return roleConflictsAnswered_; }
  [[nodiscard]] const IceCredentials& localCredentials() const noexcept { return local_; }

 private:
  enum class PairState : uint8_t { kWaiting, kInProgress, kSucceeded, kFailed };
  enum class Kind : uint8_t { kCheck, kConsent };

  struct Pair {
    util::SocketAddress remote;
    PairState state = PairState::kWaiting;
  };
  struct Transaction {
    StunTransactionId id{};
    Clock::time_point deadline{};  // next retransmission, or the timeout after the last one
    uint8_t transmissions = 0;     // 0: slot free
    uint8_t pair = 0;
    Kind kind = Kind::kCheck;
  };

  [[nodiscard]] uint64_t nextRandom() noexcept;
  [[nodiscard]] Clock::duration waitAfter(unsigned transmissions) const noexcept;
  [[nodiscard]] Clock::duration consentDelay() noexcept;
  bool startTransaction(uint8_t pair, Kind kind, Clock::time_point now) noexcept;
  void transmit(const Transaction& t) noexcept;
  void runTimers(Clock::time_point now) noexcept;
  void onTransactionFailed(const Transaction& t) noexcept;
  void failIfAllPairsFailed() noexcept;
  void fail(std::string_view reason) noexcept;
  void cancelChecks() noexcept;
  bool answerRequest(const StunMessage& msg, const util::SocketAddress& from) noexcept;

  IceCredentials local_;
  IceCredentials remote_;
  std::string username_;  // "remoteUfrag:localUfrag"
  Options options_;
  Listener& listener_;
  uint64_t tieBreaker_;
  uint64_t rng_;  // splitmix64 state
  std::array<Pair, kMaxRemoteCandidates> pairs_{};
  std::array<Transaction, kMaxTransactions> transactions_{};
  std::optional<util::SocketAddress> mapped_;
  Clock::time_point nextCheckAt_{};
  Clock::time_point nextConsentAt_{};
  Clock::time_point lastConsent_{};
  uint64_t requestsAnswered_ = 0;
  uint64_t roleConflictsAnswered_ = 0;
  uint8_t pairCount_ = 0;
  uint8_t selected_ = 0;
  State state_ = State::kNew;
};

}  // namespace switchyard::media::ice
