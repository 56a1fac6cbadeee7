#pragma once
// Test harness: a DTLS client and server connected in memory. Each listener queues what its
// transport sends (never delivering synchronously: onDtlsSend must not re-enter a transport), and
// pump() delivers the queues until both are empty, through optional drop filters.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/dtls/DtlsTransport.h"

namespace switchyard::media::dtls::test {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;

struct Recorder : DtlsTransportListener {
  std::deque<Bytes> outbox;
  std::vector<Bytes> sent;  // every datagram ever sent, in order
  std::optional<srtp::SrtpKeys> keys;
  int connectedCount = 0;
  std::vector<Bytes> received;
  std::optional<DtlsCloseReason> closed;
  std::string closeDetail;
  int closedCount = 0;
  std::function<void()> onConnected;
  std::function<void(std::span<const uint8_t>)> onData;
  std::function<void()> onClosed;

  void onDtlsSend(std::span<const uint8_t> datagram) override {
    outbox.emplace_back(datagram.begin(), datagram.end());
    sent.emplace_back(datagram.begin(), datagram.end());
  }
  void onDtlsConnected(const srtp::SrtpKeys& k) override {
    keys = k;
    ++connectedCount;
    if (onConnected) onConnected();
  }
  void onDtlsApplicationData(std::span<const uint8_t> data) override {
    received.emplace_back(data.begin(), data.end());
    if (onData) onData(data);
  }
  void onDtlsClosed(DtlsCloseReason reason, std::string_view detail) override {
    closed = reason;
    closeDetail = std::string(detail);
    ++closedCount;
    if (onClosed) onClosed();
  }
};

struct PairOptions {
  DtlsContextOptions clientContext;
  DtlsContextOptions serverContext;
  uint32_t mtu = 1200;
  // The OpenSSL default: no spurious retransmissions in loss-free tests. Loss tests use 1 ms, which
  // OpenSSL treats as already expired (under 15 ms) and so retransmits from inside every read until
  // the doubled timeout reaches 16 ms: flights then arrive several times, which must be harmless.
  std::chrono::milliseconds initialRetransmitTimeout{1000};
  bool wrongFingerprintAtClient = false;  // the client expects another certificate
  bool wrongFingerprintAtServer = false;
};

// The certificates are generated once per test binary (key generation dominates otherwise).
inline const DtlsCertificate& clientCertificate() {
  static const DtlsCertificate certificate = DtlsCertificate::generate("client");
  return certificate;
}
inline const DtlsCertificate& serverCertificate() {
  static const DtlsCertificate certificate = DtlsCertificate::generate("server");
  return certificate;
}
inline Fingerprint otherFingerprint(Fingerprint fingerprint) {
  fingerprint.bytes[17] ^= 0x01;
  return fingerprint;
}

class DtlsPair {
 public:
  explicit DtlsPair(PairOptions options = {}, const DtlsCertificate* serverCert = nullptr)
      : clientContext_(clientCertificate(), options.clientContext),
        serverContext_(serverCert != nullptr ? *serverCert : serverCertificate(), options.serverContext) {
    const Fingerprint serverPrint = serverContext_.localFingerprint();
    const Fingerprint clientPrint = clientContext_.localFingerprint();
    DtlsTransportConfig clientConfig;
    clientConfig.role = DtlsRole::kClient;
    clientConfig.remoteFingerprint =
        options.wrongFingerprintAtClient ? otherFingerprint(serverPrint) : serverPrint;
    clientConfig.mtu = options.mtu;
    clientConfig.initialRetransmitTimeout = options.initialRetransmitTimeout;
    DtlsTransportConfig serverConfig = clientConfig;
    serverConfig.role = DtlsRole::kServer;
    serverConfig.remoteFingerprint =
        options.wrongFingerprintAtServer ? otherFingerprint(clientPrint) : clientPrint;
    client = std::make_unique<DtlsTransport>(clientContext_, clientConfig, clientRecorder);
    server = std::make_unique<DtlsTransport>(serverContext_, serverConfig, serverRecorder);
  }

  void start() {
    server->start(t0);
    client->start(t0);
  }

  // Delivers queued datagrams until both directions are quiet; returns how many were delivered.
  size_t pump(size_t limit = 10000) {
    size_t delivered = 0;
    while (delivered < limit && (!clientRecorder.outbox.empty() || !serverRecorder.outbox.empty())) {
      if (!clientRecorder.outbox.empty()) {
        Bytes datagram = std::move(clientRecorder.outbox.front());
        clientRecorder.outbox.pop_front();
        const size_t index = clientToServer++;
        if (!(dropClientToServer && dropClientToServer(index, datagram)) && server) server->receive(datagram);
        ++delivered;
      }
      if (!serverRecorder.outbox.empty()) {
        Bytes datagram = std::move(serverRecorder.outbox.front());
        serverRecorder.outbox.pop_front();
        const size_t index = serverToClient++;
        if (!(dropServerToClient && dropServerToClient(index, datagram)) && client) client->receive(datagram);
        ++delivered;
      }
    }
    return delivered;
  }

  bool connected() const {
    return client && server && client->state() == DtlsTransport::State::kConnected &&
           server->state() == DtlsTransport::State::kConnected;
  }

  const Clock::time_point t0 = Clock::now();
  Recorder clientRecorder;
  Recorder serverRecorder;
  std::function<bool(size_t, const Bytes&)> dropClientToServer;
  std::function<bool(size_t, const Bytes&)> dropServerToClient;
  size_t clientToServer = 0;
  size_t serverToClient = 0;

 private:
  DtlsContext clientContext_;
  DtlsContext serverContext_;

 public:
  std::unique_ptr<DtlsTransport> client;
  std::unique_ptr<DtlsTransport> server;
};

}  // namespace switchyard::media::dtls::test
