#include <openssl/ssl.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <unistd.h>

#include "media/dtls/DtlsTransport.h"
#include "tests/media/dtls/DtlsTestPair.h"

using namespace switchyard::media::dtls;
using namespace switchyard::media::dtls::test;
using switchyard::media::srtp::SrtpProfile;
using State = DtlsTransport::State;

namespace {

// Independent RFC 5764 §4.2 check: export the keying material ourselves and compare the split.
void checkKeyLayout(const DtlsTransport& transport, const switchyard::media::srtp::SrtpKeys& keys,
                    bool isClient) {
  const SrtpProfile profile = keys.local.profile;
  const size_t keyLength = switchyard::media::srtp::srtpMasterKeyLength(profile);
  const size_t saltLength = switchyard::media::srtp::srtpMasterSaltLength(profile);
  std::array<uint8_t, 88> material{};
  const char label[] = "EXTRACTOR-dtls_srtp";
  REQUIRE(SSL_export_keying_material(transport.nativeHandle(), material.data(), 2 * (keyLength + saltLength),
                                     label, sizeof(label) - 1, nullptr, 0, 0) == 1);
  const uint8_t* clientKey = material.data();
  const uint8_t* serverKey = material.data() + keyLength;
  const uint8_t* clientSalt = material.data() + 2 * keyLength;
  const uint8_t* serverSalt = material.data() + 2 * keyLength + saltLength;
  const auto& clientSide = isClient ? keys.local : keys.remote;
  const auto& serverSide = isClient ? keys.remote : keys.local;
  CHECK(std::memcmp(clientSide.bytes.data(), clientKey, keyLength) == 0);
  CHECK(std::memcmp(clientSide.bytes.data() + keyLength, clientSalt, saltLength) == 0);
  CHECK(std::memcmp(serverSide.bytes.data(), serverKey, keyLength) == 0);
  CHECK(std::memcmp(serverSide.bytes.data() + keyLength, serverSalt, saltLength) == 0);
  // Bytes past key+salt stay zero.
  for (size_t i = keyLength + saltLength; i < keys.local.bytes.size(); ++i) {
    CHECK(keys.local.bytes[i] == 0);
    CHECK(keys.remote.bytes[i] == 0);
  }
}

bool runHandshake(DtlsPair& pair) {
  pair.start();
  pair.pump();
  return pair.connected();
}

}  // namespace

TEST_CASE("DtlsTransport: in-memory handshake exports matching SRTP keys for each profile") {
  const auto profile =
      GENERATE(SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80);
  PairOptions options;
  options.clientContext.srtpProfiles = {profile};
  options.serverContext.srtpProfiles = {profile};
  DtlsPair pair(options);
  REQUIRE(pair.client->state() == State::kNew);
  REQUIRE(runHandshake(pair));

  REQUIRE(pair.clientRecorder.connectedCount == 1);
  REQUIRE(pair.serverRecorder.connectedCount == 1);
  const auto& c = *pair.clientRecorder.keys;
  const auto& s = *pair.serverRecorder.keys;
  CHECK(pair.client->selectedProfile() == profile);
  CHECK(pair.server->selectedProfile() == profile);
  CHECK(c.local.profile == profile);
  CHECK(c.remote.profile == profile);
  CHECK(s.local.profile == profile);
  CHECK(c.local.bytes == s.remote.bytes);
  CHECK(c.remote.bytes == s.local.bytes);
  CHECK(c.local.bytes != c.remote.bytes);
  CHECK(c.local.keySalt().size() == switchyard::media::srtp::srtpKeySaltLength(profile));
  checkKeyLayout(*pair.client, c, true);
  checkKeyLayout(*pair.server, s, false);
  CHECK_FALSE(pair.clientRecorder.closed);
  CHECK_FALSE(pair.serverRecorder.closed);
  CHECK(pair.client->nextTimeout(pair.t0) == std::nullopt);
  CHECK(pair.server->nextTimeout(pair.t0) == std::nullopt);
}

TEST_CASE("DtlsTransport: both role assignments (a=setup active or passive on either endpoint)") {
  // The same two certificates/contexts, with the endpoint called "client" in DtlsPair acting as the
  // DTLS server and vice versa: swap which certificate each side uses.
  const bool swapped = GENERATE(false, true);
  PairOptions options;
  const DtlsCertificate& serverCert = swapped ? clientCertificate() : serverCertificate();
  // When swapped, the DTLS client presents serverCertificate() by using a context of it.
  DtlsContext clientContext(swapped ? serverCertificate() : clientCertificate());
  DtlsContext serverContext(serverCert);
  Recorder clientRecorder;
  Recorder serverRecorder;
  DtlsTransportConfig clientConfig;
  clientConfig.role = DtlsRole::kClient;
  clientConfig.remoteFingerprint = serverContext.localFingerprint();
  DtlsTransportConfig serverConfig;
  serverConfig.role = DtlsRole::kServer;
  serverConfig.remoteFingerprint = clientContext.localFingerprint();
  DtlsTransport client(clientContext, clientConfig, clientRecorder);
  DtlsTransport server(serverContext, serverConfig, serverRecorder);
  CHECK(client.role() == DtlsRole::kClient);
  CHECK(server.role() == DtlsRole::kServer);
  const auto now = Clock::now();
  server.start(now);
  CHECK(serverRecorder.sent.empty());  // the server waits for a ClientHello
  client.start(now);
  CHECK(clientRecorder.sent.size() == 1);  // ClientHello
  for (int round = 0; round < 100 && (!clientRecorder.outbox.empty() || !serverRecorder.outbox.empty());
       ++round) {
    while (!clientRecorder.outbox.empty()) {
      const Bytes d = clientRecorder.outbox.front();
      clientRecorder.outbox.pop_front();
      server.receive(d);
    }
    while (!serverRecorder.outbox.empty()) {
      const Bytes d = serverRecorder.outbox.front();
      serverRecorder.outbox.pop_front();
      client.receive(d);
    }
  }
  REQUIRE(client.state() == State::kConnected);
  REQUIRE(server.state() == State::kConnected);
  // Both default profile lists: the server's first preference, AEAD_AES_256_GCM.
  CHECK(client.selectedProfile() == SrtpProfile::kAeadAes256Gcm);
  CHECK(clientRecorder.keys->local.bytes == serverRecorder.keys->remote.bytes);
  CHECK(clientRecorder.keys->remote.bytes == serverRecorder.keys->local.bytes);
  checkKeyLayout(client, *clientRecorder.keys, true);
  checkKeyLayout(server, *serverRecorder.keys, false);
}

TEST_CASE("DtlsTransport: the server's profile preference wins; no common profile ends both sides") {
  SECTION("server prefers AES128_CM_SHA1_80") {
    PairOptions options;
    options.serverContext.srtpProfiles = {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm};
    DtlsPair pair(options);
    REQUIRE(runHandshake(pair));
    CHECK(pair.client->selectedProfile() == SrtpProfile::kAes128CmSha1_80);
    CHECK(pair.server->selectedProfile() == SrtpProfile::kAes128CmSha1_80);
  }
  SECTION("disjoint lists") {
    PairOptions options;
    options.clientContext.srtpProfiles = {SrtpProfile::kAeadAes256Gcm};
    options.serverContext.srtpProfiles = {SrtpProfile::kAes128CmSha1_80};
    DtlsPair pair(options);
    CHECK_FALSE(runHandshake(pair));
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kNoSrtpProfile);
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kNoSrtpProfile);
    CHECK(pair.clientRecorder.connectedCount == 0);
    CHECK(pair.serverRecorder.connectedCount == 0);
    CHECK_FALSE(pair.client->selectedProfile());
  }
  SECTION("client offers no use_srtp at all") {
    PairOptions options;
    options.clientContext.srtpProfiles = {};
    DtlsPair pair(options);
    CHECK_FALSE(runHandshake(pair));
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kNoSrtpProfile);
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kNoSrtpProfile);
  }
}

TEST_CASE("DtlsContext: profile list string in preference order") {
  CHECK(DtlsContext::srtpProfileList(
            {SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80}) ==
        "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
  CHECK(DtlsContext::srtpProfileList({}).empty());
  DtlsContext context(clientCertificate());
  CHECK(context.localFingerprint() == clientCertificate().fingerprint());
  CHECK(SSL_CTX_get_min_proto_version(context.native()) == DTLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(context.native()) == DTLS1_2_VERSION);
  CHECK((SSL_CTX_get_options(context.native()) & SSL_OP_NO_QUERY_MTU) != 0);
  CHECK(SSL_CTX_get_verify_mode(context.native()) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
}

TEST_CASE("DtlsTransport: fingerprint mismatch is detected by the side that checks, nobody connects") {
  SECTION("client expects another server certificate") {
    PairOptions options;
    options.wrongFingerprintAtClient = true;
    DtlsPair pair(options);
    CHECK_FALSE(runHandshake(pair));
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kFingerprintMismatch);
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kHandshakeFailed);  // it got a bad_certificate alert
    CHECK(pair.clientRecorder.connectedCount == 0);
    CHECK(pair.serverRecorder.connectedCount == 0);
    CHECK_FALSE(pair.clientRecorder.keys);
    CHECK(pair.client->state() == State::kClosed);
    CHECK(pair.server->state() == State::kClosed);
  }
  SECTION("server expects another client certificate") {
    PairOptions options;
    options.wrongFingerprintAtServer = true;
    DtlsPair pair(options);
    CHECK_FALSE(runHandshake(pair));
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kFingerprintMismatch);
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kHandshakeFailed);
    CHECK(pair.clientRecorder.connectedCount == 0);
    CHECK(pair.serverRecorder.connectedCount == 0);
  }
  SECTION("both expect other certificates") {
    PairOptions options;
    options.wrongFingerprintAtClient = true;
    options.wrongFingerprintAtServer = true;
    DtlsPair pair(options);
    CHECK_FALSE(runHandshake(pair));
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kFingerprintMismatch);
    CHECK(pair.clientRecorder.connectedCount == 0);
    CHECK(pair.serverRecorder.connectedCount == 0);
  }
}

TEST_CASE("DtlsTransport: lost flights are retransmitted by the DTLS timer until connected") {
  // The DTLS timer runs on the real clock. The initial retransmission timeout is set to 1 ms through
  // DTLS_set_timer_cb (DtlsTransportConfig::initialRetransmitTimeout) and OpenSSL treats anything under
  // 15 ms as expired, so the loop rarely has to wait; when it does it sleeps at most the time
  // DTLSv1_get_timeout reports (through nextTimeout).
  const size_t dropEach = GENERATE(size_t{1}, size_t{2}, size_t{3}, size_t{5});
  PairOptions options;
  options.initialRetransmitTimeout = std::chrono::milliseconds(1);
  DtlsPair pair(options);
  pair.dropClientToServer = [dropEach](size_t index, const Bytes&) { return index < dropEach; };
  pair.dropServerToClient = [dropEach](size_t index, const Bytes&) { return index < dropEach; };
  pair.start();
  int iterations = 0;
  for (; iterations < 300 && !pair.connected(); ++iterations) {
    pair.pump();
    if (pair.connected()) break;
    for (auto* transport : {pair.client.get(), pair.server.get()}) {
      const auto next = transport->nextTimeout(pair.t0);
      REQUIRE(next);
      const auto wait = std::min<Clock::duration>(*next - pair.t0, std::chrono::milliseconds(100));
      if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
      transport->handleTimeout(pair.t0);  // injected time stays within the 30 s handshake limit
    }
  }
  INFO("iterations " << iterations << ", client closed: " << pair.clientRecorder.closeDetail
                     << ", server closed: " << pair.serverRecorder.closeDetail);
  REQUIRE(pair.connected());
  CHECK(pair.clientRecorder.keys->local.bytes == pair.serverRecorder.keys->remote.bytes);
  CHECK(pair.clientRecorder.keys->remote.bytes == pair.serverRecorder.keys->local.bytes);
  CHECK(pair.clientRecorder.connectedCount == 1);
  CHECK(pair.serverRecorder.connectedCount == 1);
}

TEST_CASE("DtlsTransport: the server's final flight lost, the client retransmits and both connect") {
  // Drop everything the server sends after the client's second flight (its ChangeCipherSpec+Finished).
  PairOptions options;
  options.initialRetransmitTimeout = std::chrono::milliseconds(1);
  DtlsPair pair(options);
  bool dropping = true;
  pair.dropServerToClient = [&](size_t, const Bytes& d) {
    return dropping && pair.server->state() == State::kConnected && !d.empty() && (d[0] == 20 || d[0] == 22);
  };
  pair.start();
  pair.pump();
  REQUIRE(pair.server->state() == State::kConnected);
  REQUIRE(pair.client->state() == State::kConnecting);
  dropping = false;
  for (int i = 0; i < 100 && !pair.connected(); ++i) {
    const auto next = pair.client->nextTimeout(pair.t0);
    REQUIRE(next);
    const auto wait = std::min<Clock::duration>(*next - pair.t0, std::chrono::milliseconds(100));
    if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
    pair.client->handleTimeout(pair.t0);
    pair.pump();
  }
  REQUIRE(pair.connected());
  CHECK(pair.serverRecorder.connectedCount == 1);
  CHECK(pair.clientRecorder.keys->local.bytes == pair.serverRecorder.keys->remote.bytes);
}

TEST_CASE("DtlsTransport: application data both ways after connect") {
  DtlsPair pair;
  const Bytes early{1, 2, 3};
  CHECK_FALSE(pair.client->sendApplicationData(early));  // not started
  CHECK(pair.client->maxApplicationDataSize() == 0);
  REQUIRE(runHandshake(pair));

  const Bytes ping{'p', 'i', 'n', 'g'};
  const Bytes pong{'p', 'o', 'n', 'g', '!'};
  REQUIRE(pair.client->sendApplicationData(ping));
  pair.pump();
  REQUIRE(pair.serverRecorder.received.size() == 1);
  CHECK(pair.serverRecorder.received[0] == ping);
  REQUIRE(pair.server->sendApplicationData(pong));
  pair.pump();
  REQUIRE(pair.clientRecorder.received.size() == 1);
  CHECK(pair.clientRecorder.received[0] == pong);
  CHECK_FALSE(pair.client->sendApplicationData({}));

  // The largest payload fits one datagram within the MTU; one byte more is refused.
  const size_t max = pair.client->maxApplicationDataSize();
  CHECK(max > 1000);
  CHECK(max < 1200);
  const Bytes big(max, 0x5a);
  const size_t sentBefore = pair.clientRecorder.sent.size();
  REQUIRE(pair.client->sendApplicationData(big));
  REQUIRE(pair.clientRecorder.sent.size() == sentBefore + 1);
  CHECK(pair.clientRecorder.sent.back().size() <= 1200);
  CHECK_FALSE(pair.client->sendApplicationData(Bytes(max + 1, 0x5a)));
  pair.pump();
  REQUIRE(pair.serverRecorder.received.size() == 2);
  CHECK(pair.serverRecorder.received[1] == big);

  // Many records, in order.
  for (uint8_t i = 0; i < 50; ++i)
    REQUIRE(pair.server->sendApplicationData(Bytes{i, i, i}));
  pair.pump();
  REQUIRE(pair.clientRecorder.received.size() == 51);
  for (uint8_t i = 0; i < 50; ++i)
    CHECK(pair.clientRecorder.received[1 + i] == (Bytes{i, i, i}));

  // A tampered record is dropped silently (RFC 6347 §4.1.2.7), the association survives.
  REQUIRE(pair.client->sendApplicationData(ping));
  Bytes tampered = pair.clientRecorder.outbox.back();
  pair.clientRecorder.outbox.clear();
  tampered.back() ^= 0x01;
  pair.server->receive(tampered);
  CHECK(pair.server->state() == State::kConnected);
  CHECK(pair.serverRecorder.received.size() == 2);
}

TEST_CASE("DtlsTransport: close sends close_notify, the peer sees kCloseNotify") {
  DtlsPair pair;
  REQUIRE(runHandshake(pair));
  pair.client->close();
  CHECK(pair.client->state() == State::kClosed);
  CHECK(pair.clientRecorder.closed == DtlsCloseReason::kLocalClose);
  REQUIRE_FALSE(pair.clientRecorder.outbox.empty());
  CHECK(pair.clientRecorder.outbox.front()[0] == 21);  // an alert record
  pair.pump();
  CHECK(pair.server->state() == State::kClosed);
  CHECK(pair.serverRecorder.closed == DtlsCloseReason::kCloseNotify);
  CHECK(pair.serverRecorder.closedCount == 1);
  // Closed is final: nothing more is sent or reported.
  pair.client->close();
  CHECK(pair.clientRecorder.closedCount == 1);
  CHECK_FALSE(pair.client->sendApplicationData(Bytes{1}));
  pair.server->receive(Bytes{23, 0xfe, 0xfd, 0, 1});
  CHECK(pair.serverRecorder.closedCount == 1);
}

TEST_CASE("DtlsTransport: close before start and during the handshake") {
  DtlsPair pair;
  pair.server->close();
  CHECK(pair.serverRecorder.closed == DtlsCloseReason::kLocalClose);
  CHECK(pair.serverRecorder.sent.empty());
  pair.client->start(pair.t0);
  pair.client->close();
  CHECK(pair.clientRecorder.closed == DtlsCloseReason::kLocalClose);
  pair.pump();
  CHECK(pair.client->state() == State::kClosed);
  pair.client->start(pair.t0);  // no restart
  CHECK(pair.client->state() == State::kClosed);
}

TEST_CASE("DtlsTransport: the listener may destroy the transport from its callbacks") {
  DtlsPair pair;
  REQUIRE(runHandshake(pair));
  // The server closes itself on the first application data; its onDtlsClosed destroys it.
  pair.serverRecorder.onData = [&](std::span<const uint8_t>) { pair.server->close(); };
  pair.serverRecorder.onClosed = [&] { pair.server.reset(); };
  REQUIRE(pair.client->sendApplicationData(Bytes{1}));
  REQUIRE(pair.client->sendApplicationData(Bytes{2}));
  pair.pump();
  CHECK(pair.server == nullptr);
  CHECK(pair.serverRecorder.closed == DtlsCloseReason::kLocalClose);
  CHECK(pair.serverRecorder.received.size() == 1);
  CHECK(pair.clientRecorder.closed == DtlsCloseReason::kCloseNotify);

  // Destroyed from onDtlsConnected via close().
  DtlsPair second;
  second.clientRecorder.onConnected = [&] { second.client->close(); };
  second.clientRecorder.onClosed = [&] { second.client.reset(); };
  second.start();
  second.pump();
  CHECK(second.client == nullptr);
  CHECK(second.clientRecorder.connectedCount == 1);
  CHECK(second.clientRecorder.closed == DtlsCloseReason::kLocalClose);
}

TEST_CASE("DtlsTransport: garbage datagrams to a server are harmless") {
  std::mt19937 random(1234);
  DtlsPair reference;
  reference.client->start(reference.t0);
  REQUIRE(reference.clientRecorder.outbox.size() == 1);
  const Bytes clientHello = reference.clientRecorder.outbox.front();
  REQUIRE(clientHello[0] == 22);  // handshake
  REQUIRE(clientHello.size() > 100);

  SECTION("random bytes, then a real client still connects") {
    DtlsPair pair;
    pair.server->start(pair.t0);
    for (int i = 0; i < 300; ++i) {
      Bytes junk(1 + random() % 300);
      for (auto& b : junk)
        b = static_cast<uint8_t>(random());
      if (i % 3 == 0) junk[0] = static_cast<uint8_t>(20 + random() % 44);  // looks like DTLS (RFC 7983)
      pair.server->receive(junk);
    }
    pair.server->receive({});
    CHECK(pair.serverRecorder.connectedCount == 0);
    if (pair.server->state() == State::kConnecting) {
      pair.client->start(pair.t0);
      pair.pump();
      CHECK(pair.connected());
    } else {
      CHECK(pair.server->state() == State::kClosed);
    }
  }
  SECTION("a ClientHello truncated at every length") {
    DtlsPair pair;
    pair.server->start(pair.t0);
    for (size_t n = 0; n < clientHello.size(); ++n) {
      pair.server->receive(std::span<const uint8_t>(clientHello.data(), n));
      REQUIRE(pair.server->state() != State::kConnected);
    }
    CHECK(pair.serverRecorder.connectedCount == 0);
    // Truncated records are dropped at the record layer: the real handshake still works.
    if (pair.server->state() == State::kConnecting) {
      pair.serverRecorder.outbox.clear();
      pair.client->start(pair.t0);
      pair.pump();
      CHECK(pair.connected());
    }
  }
  SECTION("a ClientHello with every byte flipped in turn") {
    for (size_t i = 0; i < clientHello.size(); i += 7) {
      DtlsPair pair;
      pair.server->start(pair.t0);
      Bytes flipped = clientHello;
      flipped[i] ^= 0xff;
      pair.server->receive(flipped);
      CHECK(pair.server->state() != State::kConnected);
      CHECK(pair.serverRecorder.connectedCount == 0);
    }
  }
  SECTION("a replayed ClientHello without its client") {
    DtlsPair pair;
    pair.server->start(pair.t0);
    pair.server->receive(clientHello);
    const size_t firstFlight = pair.serverRecorder.sent.size();
    CHECK(firstFlight >= 1);
    pair.server->receive(clientHello);  // a duplicate is a retransmission request
    pair.server->receive(clientHello);
    CHECK(pair.server->state() == State::kConnecting);
    CHECK(pair.serverRecorder.connectedCount == 0);
    // The replayer cannot finish the handshake: the server times out.
    pair.server->handleTimeout(pair.t0 + std::chrono::seconds(30));
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kTimeout);
  }
  SECTION("a ClientHello from another client after the handshake") {
    DtlsPair pair;
    REQUIRE(runHandshake(pair));
    pair.server->receive(clientHello);
    CHECK(pair.server->state() == State::kConnected);
    REQUIRE(pair.client->sendApplicationData(Bytes{7}));
    pair.pump();
    CHECK(pair.serverRecorder.received.size() == 1);
  }
  SECTION("datagrams before start are ignored") {
    DtlsPair pair;
    pair.server->receive(clientHello);
    CHECK(pair.serverRecorder.sent.empty());
    CHECK(pair.server->state() == State::kNew);
  }
}

TEST_CASE("DtlsTransport: the handshake times out after the configured time (injected clock)") {
  SECTION("client whose flights are all lost") {
    DtlsPair pair;
    pair.client->start(pair.t0);
    const auto next = pair.client->nextTimeout(pair.t0);
    REQUIRE(next);
    CHECK(*next <= pair.t0 + std::chrono::seconds(30));
    pair.client->handleTimeout(pair.t0 + std::chrono::seconds(29));
    CHECK(pair.client->state() == State::kConnecting);
    pair.client->handleTimeout(pair.t0 + std::chrono::seconds(30));
    CHECK(pair.client->state() == State::kClosed);
    CHECK(pair.clientRecorder.closed == DtlsCloseReason::kTimeout);
    CHECK(pair.clientRecorder.connectedCount == 0);
    CHECK(pair.client->nextTimeout(pair.t0) == std::nullopt);
  }
  SECTION("server that never hears from a client: the deadline is its only timer") {
    DtlsPair pair;
    pair.server->start(pair.t0);
    CHECK(pair.server->nextTimeout(pair.t0) == pair.t0 + std::chrono::seconds(30));
    pair.server->handleTimeout(pair.t0 + std::chrono::seconds(31));
    CHECK(pair.serverRecorder.closed == DtlsCloseReason::kTimeout);
  }
  SECTION("a client with no answer retransmits its ClientHello with doubling timeouts") {
    PairOptions options;
    options.initialRetransmitTimeout = std::chrono::milliseconds(1);
    DtlsPair pair(options);
    pair.client->start(pair.t0);
    for (int i = 0; i < 40 && pair.client->state() == State::kConnecting; ++i) {
      const auto next = pair.client->nextTimeout(pair.t0);
      REQUIRE(next);
      const auto wait = std::min<Clock::duration>(*next - pair.t0, std::chrono::milliseconds(300));
      if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
      pair.client->handleTimeout(pair.t0);
      if (pair.clientRecorder.sent.size() > 8) break;  // enough: retransmissions happen
    }
    CHECK(pair.clientRecorder.sent.size() > 3);
    // Each is the same ClientHello, in a record with a new sequence number (bytes 5..10).
    const Bytes& first = pair.clientRecorder.sent.front();
    for (const auto& d : pair.clientRecorder.sent) {
      REQUIRE(d.size() == first.size());
      CHECK(std::equal(d.begin(), d.begin() + 5, first.begin()));
      CHECK(std::equal(d.begin() + 11, d.end(), first.begin() + 11));
    }
  }
}

TEST_CASE("DtlsTransport: no datagram exceeds the MTU, even with a certificate chain") {
  const uint32_t mtu = GENERATE(300u, 576u, 1200u);
  // A server certificate file with two more certificates behind it: a Certificate message of ~1.5 kB.
  const DtlsCertificate base = DtlsCertificate::generate("server-with-chain");
  const auto dir =
      std::filesystem::temp_directory_path() / ("switchyard-dtls-mtu-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "cert.pem") << base.certificatePem()
                                    << DtlsCertificate::generate("ca1").certificatePem()
                                    << DtlsCertificate::generate("ca2").certificatePem();
    std::ofstream(dir / "key.pem") << base.privateKeyPem();
  }
  const DtlsCertificate withChain =
      DtlsCertificate::load((dir / "cert.pem").string(), (dir / "key.pem").string());
  std::filesystem::remove_all(dir);
  REQUIRE(withChain.chain().size() == 2);

  PairOptions options;
  options.mtu = mtu;
  DtlsPair pair(options, &withChain);
  REQUIRE(runHandshake(pair));
  // The client received all three certificates.
  const STACK_OF(X509)* received = SSL_get_peer_cert_chain(pair.client->nativeHandle());
  REQUIRE(received != nullptr);
  CHECK(sk_X509_num(received) == 3);
  size_t serverBytes = 0;
  for (const auto& d : pair.serverRecorder.sent) {
    CHECK(d.size() <= mtu);
    serverBytes += d.size();
  }
  for (const auto& d : pair.clientRecorder.sent)
    CHECK(d.size() <= mtu);
  CHECK(serverBytes > 1200);  // the chain really was sent
  // Several records share a datagram (OpenSSL 3.0 packs a flight up to the MTU); the Certificate
  // message does not fit one datagram at the smaller MTUs and is fragmented.
  CHECK(pair.serverRecorder.sent.size() >= (mtu < 1200 ? 4u : 3u));
  if (mtu < 1200) {
    CHECK(std::any_of(pair.serverRecorder.sent.begin(), pair.serverRecorder.sent.end(),
                      [mtu](const Bytes& d) { return d.size() > mtu - 40; }));
  }
}

TEST_CASE("DtlsTransport: an MTU below OpenSSL's minimum is refused") {
  DtlsContext context(clientCertificate());
  Recorder recorder;
  DtlsTransportConfig config;
  config.mtu = 100;
  CHECK_THROWS_AS(DtlsTransport(context, config, recorder), std::runtime_error);
}

TEST_CASE("DtlsTransport: calls back into the transport from onDtlsSend are ignored, not re-entered") {
  struct ReentrantListener : Recorder {
    DtlsTransport* self = nullptr;
    int attempts = 0;
    void onDtlsSend(std::span<const uint8_t> datagram) override {
      Recorder::onDtlsSend(datagram);
      if (self == nullptr) return;
      ++attempts;
      self->receive(datagram);  // dropped: we are inside OpenSSL
      CHECK_FALSE(self->sendApplicationData(datagram));
      self->handleTimeout(Clock::now() + std::chrono::hours(1));  // ignored too
      self->close();                                              // ignored too
    }
  };
  DtlsContext context(clientCertificate());
  ReentrantListener listener;
  DtlsTransportConfig config;
  config.role = DtlsRole::kClient;
  config.remoteFingerprint = serverCertificate().fingerprint();
  DtlsTransport transport(context, config, listener);
  listener.self = &transport;
  transport.start(Clock::now());
  CHECK(listener.attempts == 1);
  CHECK(transport.state() == State::kConnecting);
  CHECK_FALSE(listener.closed);
}

TEST_CASE("DtlsCloseReason names") {
  CHECK(toString(DtlsCloseReason::kCloseNotify) == "close-notify");
  CHECK(toString(DtlsCloseReason::kFingerprintMismatch) == "fingerprint-mismatch");
  CHECK(toString(DtlsCloseReason::kHandshakeFailed) == "handshake-failed");
  CHECK(toString(DtlsCloseReason::kTimeout) == "timeout");
  CHECK(toString(DtlsCloseReason::kNoSrtpProfile) == "no-srtp-profile");
  CHECK(toString(DtlsCloseReason::kLocalClose) == "local-close");
}
