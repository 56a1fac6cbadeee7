#include "media/dtls/DtlsTransport.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsSendBio.h"

namespace switchyard::media::dtls {

namespace {

constexpr unsigned int kMaxRetransmitTimeoutUs = 60'000'000;  // RFC 6347 §4.2.4.1: at least 60 s
constexpr size_t kReadBufferSize = 16384;                     // the largest DTLS plaintext record
constexpr int kMaxRecordsPerDatagram = 64;                    // bounds the read loop on hostile input

}  // namespace

// Registers a public entry point's stack frame; the destructor of the transport flags it.
class DtlsTransport::FrameScope {
 public:
  explicit FrameScope(DtlsTransport& transport) noexcept : transport_(transport) {
    frame_.outer = transport_.frames_;
    transport_.frames_ = &frame_;
  }
  ~FrameScope() {
    if (!frame_.destroyed) transport_.frames_ = frame_.outer;
  }
  FrameScope(const FrameScope&) = delete;
  FrameScope& operator=(const FrameScope&) = delete;

  [[nodiscard]] bool destroyed() const noexcept { return frame_.destroyed; }

 private:
  DtlsTransport& transport_;
  Frame frame_;
};

namespace {

// Marks the time spent inside an OpenSSL call, during which onDtlsSend may run, and makes the
// transport the owner of the buffers OpenSSL grows meanwhile (OpenSslMemory).
class InsideOpenSsl {
 public:
  InsideOpenSsl(bool& flag, OpenSslMemory::Owner& owner) noexcept : flag_(flag), owner_(owner) {
    flag_ = true;
  }
  ~InsideOpenSsl() { flag_ = false; }
  InsideOpenSsl(const InsideOpenSsl&) = delete;
  InsideOpenSsl& operator=(const InsideOpenSsl&) = delete;

 private:
  bool& flag_;
  OpenSslMemory::Owner::Scope owner_;
};

}  // namespace

DtlsTransport::DtlsTransport(DtlsContext& context, DtlsTransportConfig config, Listener& listener)
    : context_(context), config_(std::move(config)), listener_(listener) {
  ERR_clear_error();
  ssl_.reset(SSL_new(context_.native()));
  if (!ssl_) throw std::runtime_error("DTLS transport: SSL_new failed");
  SSL* ssl = ssl_.get();
  SSL_set_app_data(ssl, this);

  BioPtr readBio(BIO_new(BIO_s_mem()));
  BioPtr sendBio = DtlsSendBio::create(context_.sendBioMethod(), listener_);
  if (!readBio || !sendBio) throw std::runtime_error("DTLS transport: cannot create the BIOs");
  // An empty memory BIO must read as "retry later", not as end of file (the default, 0, makes OpenSSL
  // treat every read past the current datagram as a closed transport).
  BIO_set_mem_eof_return(readBio.get(), -1);
  readBio_ = readBio.get();
  SSL_set_bio(ssl, readBio.release(), sendBio.release());  // the SSL owns both from here

  // The per-SSL callback adds the fingerprint comparison to the context's "accept any issuer" policy.
  SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &DtlsTransport::verifyPeer);
  DTLS_set_timer_cb(ssl, &DtlsTransport::retransmitTimer);
  SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
  // Both are needed: SSL_set_mtu applies now, while the link MTU is re-applied (minus the BIO's
  // overhead, 0 here) whenever OpenSSL recomputes the MTU, e.g. after a retransmission.
  if (SSL_set_mtu(ssl, static_cast<long>(config_.mtu)) <= 0 ||
      DTLS_set_link_mtu(ssl, static_cast<long>(config_.mtu)) != 1) {
    ERR_clear_error();
    throw std::runtime_error("DTLS transport: MTU " + std::to_string(config_.mtu) + " refused");
  }
  // No record is larger than a datagram, so the write buffer need not hold a 16 KB record: this
  // sizes it to the MTU (OpenSSL's floor is 512) and saves about 15 KB per connection.
  SSL_set_max_send_fragment(ssl, std::clamp<long>(static_cast<long>(config_.mtu), 512, 16384));
  if (config_.role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
}

DtlsTransport::~DtlsTransport() {
  for (Frame* frame = frames_; frame != nullptr; frame = frame->outer)
    frame->destroyed = true;
}

void DtlsTransport::start(Clock::time_point now) noexcept {
  if (state_ != State::kNew || insideOpenSsl_) return;
  state_ = State::kConnecting;
  startedAt_ = now;
  if (config_.role == DtlsRole::kClient) {
    FrameScope scope(*this);
    continueHandshake(scope);  // sends the ClientHello
  }
}

void DtlsTransport::receive(std::span<const uint8_t> datagram) noexcept {
  if (insideOpenSsl_) return;  // re-entry from onDtlsSend: not supported, dropped
  if (state_ != State::kConnecting && state_ != State::kConnected) return;
  if (datagram.empty() || datagram.size() > kMaxDatagramSize) return;
  FrameScope scope(*this);
  // One datagram at a time: drop whatever an earlier datagram left unread.
  if (BIO_ctrl_pending(readBio_) > 0) (void)BIO_reset(readBio_);
  if (BIO_write(readBio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    (void)BIO_reset(readBio_);
    return;
  }
  if (state_ == State::kConnecting) {
    continueHandshake(scope);
  } else {
    readApplicationData(scope);
  }
}

std::optional<DtlsTransport::Clock::time_point> DtlsTransport::nextTimeout(
    Clock::time_point now) const noexcept {
  if (state_ != State::kConnecting) return std::nullopt;
  const Clock::time_point deadline = startedAt_ + config_.handshakeTimeout;
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_.get(), &remaining) == 1) {
    const auto retransmitAt =
        now + std::chrono::seconds(remaining.tv_sec) + std::chrono::microseconds(remaining.tv_usec);
    return std::min(retransmitAt, deadline);
  }
  return deadline;
}

void DtlsTransport::handleTimeout(Clock::time_point now) noexcept {
  if (insideOpenSsl_ || state_ != State::kConnecting) return;
  if (now - startedAt_ >= config_.handshakeTimeout) {
    closeWith(DtlsCloseReason::kTimeout, "handshake not finished in time");
    return;
  }
  ERR_clear_error();
  long result = 0;
  {
    InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
    result = DTLSv1_handle_timeout(ssl_.get());  // 1: retransmitted, 0: timer not expired or not running
  }
  if (result < 0) {
    ERR_clear_error();
    closeWith(DtlsCloseReason::kTimeout, "retransmission limit reached");
  }
}

bool DtlsTransport::sendApplicationData(std::span<const uint8_t> data) noexcept {
  if (insideOpenSsl_ || state_ != State::kConnected || data.empty()) return false;
  if (data.size() > maxApplicationDataSize()) return false;
  ERR_clear_error();
  int written = 0;
  {
    InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
    written = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
  }
  if (written != static_cast<int>(data.size())) {
    ERR_clear_error();
    return false;
  }
  return true;
}

size_t DtlsTransport::maxApplicationDataSize() const noexcept {
  if (state_ != State::kConnected) return 0;
  return std::min(DTLS_get_data_mtu(ssl_.get()), kReadBufferSize);
}

void DtlsTransport::close() noexcept {
  if (insideOpenSsl_ || state_ == State::kClosed) return;
  if (state_ == State::kConnected) {
    ERR_clear_error();
    InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
    (void)SSL_shutdown(ssl_.get());  // sends close_notify; we do not wait for the peer's
    ERR_clear_error();
  }
  closeWith(DtlsCloseReason::kLocalClose, "closed locally");
}

int DtlsTransport::verifyPeer(int, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return 0;
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  const X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (self == nullptr || leaf == nullptr) return 0;
  // Self-signed or unknown issuers are fine (no CA is involved): only the SDP fingerprint counts.
  try {
    if (!DtlsCertificate::fingerprintOf(*leaf).matches(self->config_.remoteFingerprint)) {
      self->fingerprintMismatch_ = true;
      return 0;
    }
  } catch (...) {
    return 0;
  }
  return 1;
}

unsigned int DtlsTransport::retransmitTimer(SSL* ssl, unsigned int currentUs) {
  const auto* self = static_cast<const DtlsTransport*>(SSL_get_app_data(ssl));
  if (currentUs == 0) {
    if (self == nullptr) return 1'000'000;
    const auto initialUs =
        std::chrono::duration_cast<std::chrono::microseconds>(self->config_.initialRetransmitTimeout);
    return static_cast<unsigned int>(
        std::clamp<std::chrono::microseconds::rep>(initialUs.count(), 1, kMaxRetransmitTimeoutUs));
  }
  return currentUs >= kMaxRetransmitTimeoutUs / 2 ? kMaxRetransmitTimeoutUs : currentUs * 2;
}

void DtlsTransport::continueHandshake(FrameScope& scope) noexcept {
  ERR_clear_error();  // SSL_get_error reads this thread's error queue, shared with other transports
  int result = 0;
  {
    InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
    result = SSL_do_handshake(ssl_.get());
  }
  if (result == 1) {
    finishHandshake(scope);
    return;
  }
  const int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  failFromOpenSsl(error, "handshake");
}

void DtlsTransport::finishHandshake(FrameScope& scope) noexcept {
  // The verify callback already compared the fingerprint; compare again on the certificate the
  // session holds, in case the callback was bypassed.
  const X509* peer = SSL_get0_peer_certificate(ssl_.get());
  bool matches = false;
  if (peer != nullptr) {
    try {
      matches = DtlsCertificate::fingerprintOf(*peer).matches(config_.remoteFingerprint);
    } catch (...) {
      matches = false;
    }
  }
  const auto sendCloseNotify = [this] {
    ERR_clear_error();
    InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
    (void)SSL_shutdown(ssl_.get());
    ERR_clear_error();
  };
  if (!matches) {
    sendCloseNotify();
    closeWith(
        DtlsCloseReason::kFingerprintMismatch,
        peer == nullptr ? "no peer certificate" : "peer certificate does not match the SDP fingerprint");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const std::optional<srtp::SrtpProfile> profile =
      selected != nullptr ? srtp::srtpProfileFromId(selected->id) : std::nullopt;
  if (!profile) {
    sendCloseNotify();
    closeWith(DtlsCloseReason::kNoSrtpProfile, "no common SRTP protection profile");
    return;
  }
  std::optional<srtp::SrtpKeys> keys = exportKeys(*profile);
  if (!keys) {
    sendCloseNotify();
    closeWith(DtlsCloseReason::kHandshakeFailed, "SRTP keying material export failed");
    return;
  }
  profile_ = profile;
  state_ = State::kConnected;
  // OpenSSL keeps its handshake message buffer over UDP but reads nothing of it from here on: its
  // pages go back to the kernel (OpenSslMemory), a third of an idle peer's memory.
  (void)memoryOwner_.discardHandshakeBuffers();
  listener_.onDtlsConnected(*keys);
  if (scope.destroyed()) return;
  OPENSSL_cleanse(&*keys, sizeof(srtp::SrtpKeys));
  // The datagram that completed the handshake may also carry application data.
  if (state_ == State::kConnected) readApplicationData(scope);
}

std::optional<srtp::SrtpKeys> DtlsTransport::exportKeys(srtp::SrtpProfile profile) noexcept {
  // RFC 5764 §4.2: client_write_SRTP_master_key | server_write_SRTP_master_key |
  //                client_write_SRTP_master_salt | server_write_SRTP_master_salt
  const size_t keyLength = srtp::srtpMasterKeyLength(profile);
  const size_t saltLength = srtp::srtpMasterSaltLength(profile);
  const size_t total = 2 * (keyLength + saltLength);
  std::array<uint8_t, 2 * srtp::kSrtpMaxKeySaltLength> material{};
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_.get(), material.data(), total, kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  srtp::SrtpKeySalt client{profile, {}};
  srtp::SrtpKeySalt server{profile, {}};
  std::memcpy(client.bytes.data(), material.data(), keyLength);
  std::memcpy(server.bytes.data(), material.data() + keyLength, keyLength);
  std::memcpy(client.bytes.data() + keyLength, material.data() + 2 * keyLength, saltLength);
  std::memcpy(server.bytes.data() + keyLength, material.data() + 2 * keyLength + saltLength, saltLength);
  OPENSSL_cleanse(material.data(), material.size());
  srtp::SrtpKeys keys;
  if (config_.role == DtlsRole::kClient) {
    keys.local = client;
    keys.remote = server;
  } else {
    keys.local = server;
    keys.remote = client;
  }
  OPENSSL_cleanse(&client, sizeof(client));
  OPENSSL_cleanse(&server, sizeof(server));
  return keys;
}

void DtlsTransport::readApplicationData(FrameScope& scope) noexcept {
  // One output buffer per thread, not per connection (16 KB a peer otherwise): the data is handed
  // to the listener before the next SSL_read, and no SSL_read runs inside a listener call.
  thread_local std::vector<uint8_t> readBuffer(kReadBufferSize);
  for (int record = 0; record < kMaxRecordsPerDatagram; ++record) {
    ERR_clear_error();
    int read = 0;
    {
      InsideOpenSsl inside(insideOpenSsl_, memoryOwner_);
      read = SSL_read(ssl_.get(), readBuffer.data(), static_cast<int>(readBuffer.size()));
    }
    if (read > 0) {
      listener_.onDtlsApplicationData(std::span<const uint8_t>(readBuffer.data(), static_cast<size_t>(read)));
      if (scope.destroyed() || state_ != State::kConnected) return;
      continue;
    }
    const int error = SSL_get_error(ssl_.get(), read);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      ERR_clear_error();
      closeWith(DtlsCloseReason::kCloseNotify, "peer sent close_notify");
      return;
    }
    failFromOpenSsl(error, "read");
    return;
  }
}

void DtlsTransport::closeWith(DtlsCloseReason reason, std::string_view detail) noexcept {
  state_ = State::kClosed;
  (void)BIO_reset(readBio_);
  listener_.onDtlsClosed(reason, detail);  // may destroy this: nothing after it
}

void DtlsTransport::failFromOpenSsl(int sslError, std::string_view during) noexcept {
  char reason[256] = "";
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    ERR_error_string_n(code, reason, sizeof(reason));
  } else {
    std::snprintf(reason, sizeof(reason), "SSL error %d", sslError);
  }
  ERR_clear_error();
  char detail[320];
  std::snprintf(detail, sizeof(detail), "%.*s failed: %s", static_cast<int>(during.size()), during.data(),
                reason);
  const DtlsCloseReason closeReason =
      fingerprintMismatch_ ? DtlsCloseReason::kFingerprintMismatch : DtlsCloseReason::kHandshakeFailed;
  closeWith(closeReason, detail);
}

}  // namespace switchyard::media::dtls
