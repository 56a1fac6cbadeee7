#pragma once
// One DTLS 1.2 association for DTLS-SRTP (RFC 5763, RFC 5764, RFC 8827) run over memory: datagrams
// come in through receive() and leave through DtlsTransportListener::onDtlsSend, so the transport
// knows nothing of sockets or ICE. After a handshake whose peer certificate matches the SDP
// fingerprint, it exports the SRTP keys (RFC 5764 §4.2) and then carries application data (SCTP).
//
// Timers: OpenSSL's DTLS retransmission timer runs on the real clock; nextTimeout() reports it
// relative to the caller's `now`, and handleTimeout() retransmits once it has expired. The total
// handshake time limit uses only the injected `now`. The first retransmission timeout is configurable
// (DTLS_set_timer_cb), doubling on each retransmission up to 60 s (RFC 6347 §4.2.4.1).
//
// Belongs to one worker thread, like its DtlsContext, which must outlive it. See
// DtlsTransportListener.h for what the listener may do from each callback.
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/dtls/DtlsCloseReason.h"
#include "media/dtls/DtlsContext.h"
#include "media/dtls/DtlsTransportListener.h"
#include "media/dtls/Fingerprint.h"
#include "media/dtls/OpenSslMemory.h"
#include "media/dtls/OpenSslPtr.h"
#include "media/srtp/SrtpProfile.h"

namespace switchyard::media::dtls {

// From SDP a=setup (RFC 5763 §5): "active" sends the ClientHello (client), "passive" waits (server).
enum class DtlsRole : uint8_t { kClient, kServer };

struct DtlsTransportConfig {
  DtlsRole role = DtlsRole::kServer;
  // The peer's a=fingerprint; a peer certificate with another fingerprint ends the handshake.
  Fingerprint remoteFingerprint;
  // Largest DTLS datagram (config rtc.dtls_mtu); handshake messages are fragmented to fit.
  uint32_t mtu = 1200;
  // The handshake must finish within this time after start() (measured with the injected `now`).
  std::chrono::milliseconds handshakeTimeout{30000};
  // First retransmission timeout; RFC 6347 §4.2.4.1 recommends 1 s. Note that OpenSSL 3.0 treats a
  // timer with under 15 ms left as expired and retransmits from inside every read while it is, so
  // values below ~20 ms make a flight go out several times at once (harmless, but wasteful).
  std::chrono::milliseconds initialRetransmitTimeout{1000};
};

class DtlsTransport {
 public:
  using Listener = DtlsTransportListener;
  using Clock = std::chrono::steady_clock;

  enum class State : uint8_t { kNew, kConnecting, kConnected, kClosed };

  static constexpr size_t kMaxDatagramSize = 16384 + 2048;                   // larger input is dropped
  static constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2

  // Throws std::runtime_error if the SSL object cannot be created or the MTU is refused (< 256).
  DtlsTransport(DtlsContext& context, DtlsTransportConfig config, Listener& listener);
  ~DtlsTransport();

  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;
  DtlsTransport(DtlsTransport&&) = delete;
  DtlsTransport& operator=(DtlsTransport&&) = delete;

  // Begins the handshake: the client sends its ClientHello, the server waits for one. Call once, for
  // either role; datagrams received before start() are ignored.
  void start(Clock::time_point now) noexcept;

  // Feeds one datagram from the peer (RFC 7983 demux: first byte 20..63). Anything malformed is
  // dropped or ends the association; it never throws or crashes.
  void receive(std::span<const uint8_t> datagram) noexcept;

  // When handleTimeout() should next be called: the retransmission timer or the handshake deadline,
  // whichever comes first; std::nullopt when connected or closed.
  [[nodiscard]] std::optional<Clock::time_point> nextTimeout(Clock::time_point now) const noexcept;
  // Retransmits the last flight if its timer expired; ends with kTimeout past the handshake deadline or
  // when OpenSSL gives up retransmitting.
  void handleTimeout(Clock::time_point now) noexcept;

  // Sends one application data record; false when not connected or when data does not fit one record
  // within the MTU (see maxApplicationDataSize()).
  bool sendApplicationData(std::span<const uint8_t> data) noexcept;
  // The largest application data payload that fits one datagram with the negotiated cipher (0 before
  // the handshake).
  [[nodiscard]] size_t maxApplicationDataSize() const noexcept;

  // Sends close_notify (if the handshake had begun) and ends with kLocalClose. No-op once closed.
  void close() noexcept;

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] DtlsRole role() const noexcept { return config_.role; }
  [[nodiscard]] std::optional<srtp::SrtpProfile> selectedProfile() const noexcept { return profile_; }
  // The OpenSSL object, for diagnostics and tests (e.g. an independent keying material export).
  [[nodiscard]] SSL* nativeHandle() const noexcept { return ssl_.get(); }

 private:
  // Marks the stack frames of public entry points so the transport can tell whether a listener callback
  // destroyed it (the destructor flags every active frame).
  struct Frame {
    bool destroyed = false;
    Frame* outer = nullptr;
  };
  class FrameScope;

  static int verifyPeer(int preverifyOk, X509_STORE_CTX* store);
  static unsigned int retransmitTimer(SSL* ssl, unsigned int currentUs);

  void continueHandshake(FrameScope& scope) noexcept;
  void finishHandshake(FrameScope& scope) noexcept;
  void readApplicationData(FrameScope& scope) noexcept;
  std::optional<srtp::SrtpKeys> exportKeys(srtp::SrtpProfile profile) noexcept;
  // Sets kClosed and tells the listener; the caller must return right after without touching members.
  void closeWith(DtlsCloseReason reason, std::string_view detail) noexcept;
  void failFromOpenSsl(int sslError, std::string_view during) noexcept;

  DtlsContext& context_;
  DtlsTransportConfig config_;
  Listener& listener_;
  OpenSslMemory::Owner memoryOwner_;  // outlives ssl_, whose buffers it records
  SslPtr ssl_;
  BIO* readBio_ = nullptr;  // owned by ssl_
  State state_ = State::kNew;
  Clock::time_point startedAt_{};
  std::optional<srtp::SrtpProfile> profile_;
  bool fingerprintMismatch_ = false;
  bool insideOpenSsl_ = false;  // guards against re-entry from onDtlsSend
  Frame* frames_ = nullptr;
};

}  // namespace switchyard::media::dtls
