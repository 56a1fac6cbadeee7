// Client transport <-> server TransportHost over real loopback sockets: ICE, DTLS, SRTP both ways,
// over UDP and ICE-TCP, IPv4 and IPv6, each SRTP profile, and the failure cases of the transport
// issue. One io_context on the test thread runs both sides; every wait is bounded.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <vector>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/ice/StunBuilder.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpLibrary.h"
#include "media/transport/ClientTransport.h"
#include "media/transport/TransportHost.h"
#include "tests/support/HeapCounter.h"

using namespace switchyard::media;
using namespace switchyard::media::transport;
using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__)
#define SWITCHYARD_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWITCHYARD_TEST_ASAN 1
#endif
#endif
#ifndef SWITCHYARD_TEST_ASAN
#define SWITCHYARD_TEST_ASAN 0
#endif

namespace {

struct Recorder final : TransportEvents {
  std::vector<TransportId> connected;
  std::vector<std::vector<uint8_t>> rtpPayloads;
  std::vector<uint32_t> rtpSsrcs;
  std::vector<uint32_t> rtcpSenderSsrcs;
  std::map<TransportId, TransportCloseReason> closed;
  std::map<TransportId, std::string> closeDetail;

  void onTransportConnected(TransportId id) override { connected.push_back(id); }
  void onTransportRtp(TransportId, rtp::RtpPacket& packet) noexcept override {
    rtpSsrcs.push_back(packet.ssrc());
    rtpPayloads.emplace_back(packet.payload().begin(), packet.payload().end());
  }
  void onTransportRtcp(TransportId, std::span<uint8_t> compound) noexcept override {
    for (const auto& item : rtcp::RtcpCompound(compound)) {
      if (auto sr = rtcp::SenderReportView::parse(item)) rtcpSenderSsrcs.push_back(sr->senderSsrc());
    }
  }
  void onTransportClosed(TransportId id, TransportCloseReason reason, std::string_view detail) override {
    closed[id] = reason;
    closeDetail[id] = std::string(detail);
  }
};

bool ipv6Available() {
  const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_storage storage{};
  const socklen_t length = util::SocketAddress::parse("::1", 0)->toSockaddr(storage);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0;
  close(fd);
  return ok;
}

util::SocketAddress loopback(bool v6) {
  return *util::SocketAddress::parse(v6 ? "::1" : "127.0.0.1", 0);
}

size_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// One test's world: a server host and client transports on one io_context.
struct World {
  explicit World(
      std::vector<srtp::SrtpProfile> serverProfiles = {srtp::kSrtpProfilePreference.begin(),
                                                       srtp::kSrtpProfilePreference.end()},
      std::function<Clock::time_point()> clock = [] { return Clock::now(); })
      : serverContext(serverCertificate, dtls::DtlsContextOptions{std::move(serverProfiles)}),
        clientContext(clientCertificate) {
    TransportHost::Options options;
    options.udpBind.push_back(loopback(false));
    options.tcpBind.push_back(loopback(false));
    if (ipv6Available()) {
      options.udpBind.push_back(loopback(true));
      options.tcpBind.push_back(loopback(true));
    }
    options.clock = std::move(clock);
    host = std::make_unique<TransportHost>(io, serverContext, options, serverEvents);
    host->start();
  }

  // Creates a server transport and a client for it; returns the server transport id.
  TransportId connect(bool v6, CandidateProtocol protocol, std::optional<std::string> wrongPassword = {},
                      std::optional<dtls::Fingerprint> wrongClientFingerprint = {}) {
    ClientTransport::Params params;
    TransportHost::RemoteParams remote;
    remote.iceUfrag = params.localIce.ufrag;
    remote.fingerprint = wrongClientFingerprint.value_or(clientCertificate.fingerprint());
    remote.localDtlsRole = dtls::DtlsRole::kServer;
    const auto local = host->createTransport(remote);
    params.answeredBy(local);
    if (wrongPassword) params.remoteIce.password = *wrongPassword;
    params.protocol = protocol;
    params.localBind = loopback(v6);
    params.ice.maxTransmissions = 4;  // a refused client gives up within about a second
    params.ice.maxRto = 400ms;
    clients.push_back(std::make_unique<ClientTransport>(io, clientContext, local.id, params, clientEvents));
    clients.back()->start();
    return local.id;
  }

  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      io.run_for(5ms);
    }
    return true;
  }

  srtp::SrtpLibrary library;
  boost::asio::io_context io;
  dtls::DtlsCertificate serverCertificate = dtls::DtlsCertificate::generate("server");
  dtls::DtlsCertificate clientCertificate = dtls::DtlsCertificate::generate("client");
  dtls::DtlsContext serverContext;
  dtls::DtlsContext clientContext;
  Recorder serverEvents;
  Recorder clientEvents;
  std::unique_ptr<TransportHost> host;
  std::vector<std::unique_ptr<ClientTransport>> clients;
};

// Builds an RTP packet with a payload derived from `seed` into `buffer`; returns its length.
size_t makeRtp(std::vector<uint8_t>& buffer, uint32_t ssrc, uint16_t seq, uint8_t seed, size_t payloadSize) {
  std::vector<uint8_t> payload(payloadSize);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<uint8_t>(seed + i * 7);
  buffer.assign(payloadSize + 64 + srtp::kSrtcpMaxTrailer, 0);
  const auto size = rtp::RtpPacketBuilder()
                        .setPayloadType(96)
                        .setSequenceNumber(seq)
                        .setTimestamp(seq * 3000U)
                        .setSsrc(ssrc)
                        .setPayload(payload)
                        .build(buffer);
  REQUIRE(size);
  return *size;
}

std::vector<uint8_t> expectedPayload(uint8_t seed, size_t payloadSize) {
  std::vector<uint8_t> payload(payloadSize);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<uint8_t>(seed + i * 7);
  return payload;
}

size_t makeSr(std::vector<uint8_t>& buffer, uint32_t ssrc) {
  buffer.assign(256 + srtp::kSrtcpMaxTrailer, 0);
  rtcp::RtcpCompoundBuilder builder(buffer);
  rtcp::SenderInfo info;
  info.ssrc = ssrc;
  info.packetCount = 10;
  REQUIRE(builder.addSr(info));
  REQUIRE(builder.addSdesCname(ssrc, "loopback"));
  return builder.size();
}

// Connects, then sends RTP and RTCP both ways and checks every byte arrived decrypted.
void exchangeMedia(World& world, TransportId id, ClientTransport& client) {
  REQUIRE(world.runUntil(
      [&] { return !world.serverEvents.connected.empty() && client.state() == TransportState::kConnected; }));
  WebRtcTransport* server = world.host->find(id);
  REQUIRE(server != nullptr);
  REQUIRE(server->state() == TransportState::kConnected);
  CHECK(server->srtpProfile() == client.srtpProfile());

  std::vector<uint8_t> buffer;
  for (uint16_t seq = 1; seq <= 20; ++seq) {
    const size_t size = seq % 2 ? 1200 - 12 : 160 - 12;
    const size_t length = makeRtp(buffer, 0x1111, seq, static_cast<uint8_t>(seq), size);
    REQUIRE(client.sendRtp(buffer, length));
  }
  for (uint16_t seq = 1; seq <= 20; ++seq) {
    const size_t length = makeRtp(buffer, 0x2222, seq, static_cast<uint8_t>(100 + seq), 500);
    REQUIRE(server->sendRtp(buffer, length));
  }
  size_t length = makeSr(buffer, 0x1111);
  REQUIRE(client.sendRtcp(buffer, length));
  length = makeSr(buffer, 0x2222);
  REQUIRE(server->sendRtcp(buffer, length));
  world.host->flush();

  REQUIRE(world.runUntil([&] {
    return world.serverEvents.rtpPayloads.size() == 20 && world.clientEvents.rtpPayloads.size() == 20 &&
           world.serverEvents.rtcpSenderSsrcs.size() == 1 && world.clientEvents.rtcpSenderSsrcs.size() == 1;
  }));
  for (uint16_t seq = 1; seq <= 20; ++seq) {
    const size_t size = seq % 2 ? 1200 - 12 : 160 - 12;
    CHECK(world.serverEvents.rtpPayloads[seq - 1] == expectedPayload(static_cast<uint8_t>(seq), size));
    CHECK(world.clientEvents.rtpPayloads[seq - 1] == expectedPayload(static_cast<uint8_t>(100 + seq), 500));
  }
  CHECK(world.serverEvents.rtcpSenderSsrcs[0] == 0x1111);
  CHECK(world.clientEvents.rtcpSenderSsrcs[0] == 0x2222);
  CHECK(server->counters().srtpAuthFailed == 0);
  CHECK(client.counters().srtpAuthFailed == 0);
}

}  // namespace

TEST_CASE("UDP over IPv4: ICE, DTLS and SRTP RTP/RTCP both ways", "[transport]") {
  World world;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  exchangeMedia(world, id, *world.clients.back());
  CHECK(world.host->find(id)->selectedPath()->remote == *world.clients.back()->localAddress());
  CHECK_FALSE(world.host->find(id)->selectedPath()->isTcp());
}

TEST_CASE("UDP over IPv6", "[transport]") {
  if (!ipv6Available()) {
    WARN("::1 cannot be bound on this machine: IPv6 skipped");
    return;
  }
  World world;
  const TransportId id = world.connect(true, CandidateProtocol::kUdp);
  exchangeMedia(world, id, *world.clients.back());
  CHECK(world.host->find(id)->selectedPath()->remote.isIpv6());
}

TEST_CASE("ICE-TCP over IPv4 and IPv6", "[transport]") {
  for (const bool v6 : {false, true}) {
    if (v6 && !ipv6Available()) {
      WARN("::1 cannot be bound on this machine: IPv6 skipped");
      continue;
    }
    DYNAMIC_SECTION((v6 ? "IPv6" : "IPv4")) {
      World world;
      const TransportId id = world.connect(v6, CandidateProtocol::kTcp);
      exchangeMedia(world, id, *world.clients.back());
      CHECK(world.host->find(id)->selectedPath()->isTcp());
    }
  }
}

TEST_CASE("each SRTP profile works end to end", "[transport]") {
  for (const srtp::SrtpProfile profile : srtp::kSrtpProfilePreference) {
    DYNAMIC_SECTION(srtp::srtpProfileOpenSslName(profile)) {
      World world({profile});
      const TransportId id = world.connect(false, CandidateProtocol::kUdp);
      exchangeMedia(world, id, *world.clients.back());
      CHECK(world.host->find(id)->srtpProfile() == profile);
    }
  }
}

TEST_CASE("the preferred profile is AES-256-GCM when both sides offer all", "[transport]") {
  World world;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  CHECK(world.host->find(id)->srtpProfile() == srtp::SrtpProfile::kAeadAes256Gcm);
}

TEST_CASE("a wrong ICE password gets no response and creates no state", "[transport]") {
  World world;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp, std::string(24, 'x'));
  ClientTransport& client = *world.clients.back();
  REQUIRE(world.runUntil([&] { return client.state() == TransportState::kClosed; }));
  CHECK(world.clientEvents.closed.at(id) == TransportCloseReason::kIceFailed);
  CHECK(world.host->counters().routedByUfrag > 0);  // the requests reached the transport's ICE agent
  CHECK(world.host->udpCounters(0).sent == 0);      // which answered none of them
  CHECK(world.host->routedAddressCount() == 0);     // and no path was remembered
  CHECK(world.host->find(id)->state() == TransportState::kNew);
  CHECK_FALSE(world.host->find(id)->iceConnected());
}

TEST_CASE("a wrong DTLS fingerprint closes the transport with the reason", "[transport]") {
  World world;
  dtls::Fingerprint wrong = world.clientCertificate.fingerprint();
  wrong.bytes[0] ^= 0xff;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp, std::nullopt, wrong);
  REQUIRE(world.runUntil([&] { return world.serverEvents.closed.contains(id); }));
  CHECK(world.serverEvents.closed.at(id) == TransportCloseReason::kFingerprintMismatch);
  CHECK_THAT(world.serverEvents.closeDetail.at(id), Catch::Contains("fingerprint"));
  CHECK(world.serverEvents.connected.empty());
  world.host->tick(Clock::now());
  CHECK(world.host->transportCount() == 0);
  CHECK(world.host->routedAddressCount() == 0);
}

TEST_CASE("consent expiry closes the transport", "[transport]") {
  // The host runs on a clock of its own that only moves when the test says so.
  auto fakeNow = std::make_shared<Clock::time_point>(Clock::now());
  World world({srtp::kSrtpProfilePreference.begin(), srtp::kSrtpProfilePreference.end()},
              [fakeNow] { return *fakeNow; });
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  world.clients.clear();  // the client vanishes without a word: no more consent checks
  const Clock::time_point lastCheck = *fakeNow;
  *fakeNow = lastCheck + 29s;
  world.host->tick(*fakeNow);
  CHECK_FALSE(world.serverEvents.closed.contains(id));
  *fakeNow = lastCheck + 31s;
  world.host->tick(*fakeNow);
  REQUIRE(world.serverEvents.closed.contains(id));
  CHECK(world.serverEvents.closed.at(id) == TransportCloseReason::kConsentExpired);
  world.host->tick(*fakeNow);
  CHECK(world.host->transportCount() == 0);
  CHECK(world.host->routedAddressCount() == 0);
}

TEST_CASE("a transport that is never nominated closes after the consent timeout", "[transport]") {
  auto fakeNow = std::make_shared<Clock::time_point>(Clock::now());
  World world({srtp::kSrtpProfilePreference.begin(), srtp::kSrtpProfilePreference.end()},
              [fakeNow] { return *fakeNow; });
  TransportHost::RemoteParams remote;
  remote.fingerprint = world.clientCertificate.fingerprint();
  const auto local = world.host->createTransport(remote);
  *fakeNow += 29s;
  world.host->tick(*fakeNow);
  CHECK_FALSE(world.serverEvents.closed.contains(local.id));
  *fakeNow += 2s;
  world.host->tick(*fakeNow);
  REQUIRE(world.serverEvents.closed.contains(local.id));
  CHECK(world.serverEvents.closed.at(local.id) == TransportCloseReason::kIceFailed);
}

TEST_CASE("garbage and replayed SRTP are dropped and counted", "[transport]") {
  World world;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  ClientTransport& client = *world.clients.back();
  REQUIRE(world.runUntil([&] { return client.state() == TransportState::kConnected; }));
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  REQUIRE(world.host->find(id) != nullptr);
  WebRtcTransport& server = *world.host->find(id);

  std::vector<uint8_t> buffer;
  const size_t length = makeRtp(buffer, 0x3333, 7, 1, 300);
  REQUIRE(client.sendRtp(buffer, length));  // buffer now holds the protected packet
  const std::vector<uint8_t> protectedPacket(buffer.begin(), buffer.begin() + static_cast<long>(length + 16));
  REQUIRE(world.runUntil([&] { return world.serverEvents.rtpPayloads.size() == 1; }));

  // The same protected packet again, three times: replays.
  const size_t protectedLength = length + srtp::srtpOverhead(*client.srtpProfile());
  for (int i = 0; i < 3; ++i)
    REQUIRE(client.sendRawDatagram(std::span(protectedPacket).first(protectedLength)));
  // Garbage that looks like RTP, and bytes of no known kind.
  std::mt19937 random(42);
  for (int i = 0; i < 50; ++i) {
    std::vector<uint8_t> junk(100 + static_cast<size_t>(i));
    for (auto& b : junk)
      b = static_cast<uint8_t>(random());
    junk[0] = 0x80;
    junk[1] = 96;
    REQUIRE(client.sendRawDatagram(junk));
  }
  const std::vector<uint8_t> unknownKind(40, 0x70);
  REQUIRE(client.sendRawDatagram(unknownKind));
  REQUIRE(world.runUntil([&] {
    return server.counters().srtpReplayed == 3 && server.counters().srtpAuthFailed == 50 &&
           server.counters().droppedMalformed == 1;
  }));
  CHECK(world.serverEvents.rtpPayloads.size() == 1);
  CHECK(server.state() == TransportState::kConnected);
}

TEST_CASE("a flood of 100k random datagrams from unknown ports changes nothing", "[transport][flood]") {
  World world;
  // Warm up allocations of the sockets and of one full connection before measuring.
  const TransportId warm = world.connect(false, CandidateProtocol::kUdp);
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  world.host->closeTransport(warm);
  world.clients.clear();
  world.host->tick(Clock::now());
  world.serverEvents.connected.clear();
  [[maybe_unused]] const size_t residentBefore = residentBytes();
  const int64_t heapBefore = switchyard::test::liveHeapBytes();
  const auto countersBefore = world.host->counters();

  // 64 attacker sockets on fresh ports.
  std::vector<int> attackers;
  for (int i = 0; i < 64; ++i) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    attackers.push_back(fd);
  }
  sockaddr_storage target{};
  const socklen_t targetLength = world.host->udpAddresses()[0].toSockaddr(target);

  // A real client connects while the flood runs. Its ufrag is known to the attacker too: requests
  // naming it with a forged integrity must not disturb it.
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  const std::string username = world.host->find(id)->localIce().ufrag + ":attacker";

  std::mt19937 random(7);
  std::vector<uint8_t> datagram(1500);
  size_t sent = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 100; ++i, ++sent) {
      const size_t size = 20 + random() % 1200;
      for (size_t b = 0; b < size; ++b)
        datagram[b] = static_cast<uint8_t>(random());
      const unsigned kind = random() % 4;
      if (kind == 0) {
        // A well-formed Binding request naming the real transport, signed with the wrong password.
        ice::StunTransactionId tid{};
        for (auto& b : tid)
          b = static_cast<uint8_t>(random());
        ice::StunBuilder builder(datagram, ice::StunClass::kRequest, ice::kStunMethodBinding, tid);
        builder.addUsername(username);
        builder.addPriority(1);
        builder.addUseCandidate();
        const auto message = builder.finish(std::string_view("not-the-password-at-all!"), true);
        REQUIRE(message);
        ::sendto(attackers[static_cast<size_t>(i) % attackers.size()], message->data(), message->size(), 0,
                 reinterpret_cast<const sockaddr*>(&target), targetLength);
        continue;
      }
      if (kind == 1) datagram[0] = static_cast<uint8_t>(random() % 4);          // STUN-looking
      if (kind == 2) datagram[0] = static_cast<uint8_t>(0x80 + random() % 64);  // RTP-looking
      ::sendto(attackers[static_cast<size_t>(i) % attackers.size()], datagram.data(), size, 0,
               reinterpret_cast<const sockaddr*>(&target), targetLength);
    }
    world.io.run_for(1ms);
  }
  REQUIRE(sent == 100000);
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  exchangeMedia(world, id, *world.clients.back());
  world.io.run_for(50ms);  // let the last attack datagrams drain

  const auto& counters = world.host->counters();
  INFO("dropped " << counters.droppedUnknownSource - countersBefore.droppedUnknownSource
                  << ", checked by ufrag " << counters.routedByUfrag - countersBefore.routedByUfrag);
  CHECK(world.host->transportCount() == 1);
  CHECK(world.host->routedAddressCount() == 1);  // only the real client's address
  CHECK(counters.droppedUnknownSource - countersBefore.droppedUnknownSource > 10000);
  CHECK(world.host->find(id)->state() == TransportState::kConnected);
  // The heap holds what it held before the flood, give or take the real client's transport and
  // its own client (a few tens of KiB): the attack allocated nothing that stayed.
  const int64_t heapAfter = switchyard::test::liveHeapBytes();
  INFO("live heap before " << heapBefore << " after " << heapAfter);
  CHECK(heapAfter - heapBefore < 512 * 1024);
#if !SWITCHYARD_TEST_ASAN
  // Resident memory too (not under ASan, whose quarantine keeps freed blocks resident).
  const size_t residentAfter = residentBytes();
  INFO("resident before " << residentBefore << " after " << residentAfter);
  CHECK(residentAfter < residentBefore + 8 * 1024 * 1024);
#endif
  for (int fd : attackers)
    close(fd);
}

TEST_CASE("the server follows the client to a new address when it nominates it", "[transport]") {
  World world;
  const TransportId id = world.connect(false, CandidateProtocol::kUdp);
  ClientTransport& client = *world.clients.back();
  REQUIRE(world.runUntil([&] { return !world.serverEvents.connected.empty(); }));
  WebRtcTransport& server = *world.host->find(id);
  const util::SocketAddress oldAddress = server.selectedPath()->remote;

  // The same client appears on a new port (a network change) and nominates the new pair: a signed
  // Binding request with USE-CANDIDATE, as a browser sends after switching networks.
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_storage local{};
  socklen_t localLength = util::SocketAddress::parse("127.0.0.1", 0)->toSockaddr(local);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&local), localLength) == 0);
  localLength = sizeof local;
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength);
  const auto newAddress =
      *util::SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&local), localLength);

  std::vector<uint8_t> request(512);
  ice::StunTransactionId tid{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
  ice::StunBuilder builder(request, ice::StunClass::kRequest, ice::kStunMethodBinding, tid);
  builder.addUsername(server.localIce().ufrag + ":" + client.localIce().ufrag);
  builder.addPriority(0x6effffff);
  builder.addIceControlling(1234);
  builder.addUseCandidate();
  const auto message = builder.finish(std::string_view(server.localIce().password), true);
  REQUIRE(message);
  sockaddr_storage target{};
  const socklen_t targetLength = world.host->udpAddresses()[0].toSockaddr(target);
  REQUIRE(::sendto(fd, message->data(), message->size(), 0, reinterpret_cast<sockaddr*>(&target),
                   targetLength) > 0);
  REQUIRE(world.runUntil([&] { return server.selectedPath()->remote == newAddress; }));
  CHECK_FALSE(oldAddress == newAddress);

  // Media now goes to the new address.
  std::vector<uint8_t> buffer;
  const size_t length = makeRtp(buffer, 0x4444, 1, 3, 200);
  REQUIRE(server.sendRtp(buffer, length));
  world.host->flush();
  std::vector<uint8_t> received(2048);
  ssize_t got = -1;
  // The first datagram is the Binding success response, the second the SRTP packet.
  for (int i = 0; i < 2; ++i) {
    REQUIRE(world.runUntil([&] {
      got = ::recv(fd, received.data(), received.size(), MSG_DONTWAIT);
      return got > 0;
    }));
  }
  CHECK(received[0] == 0x80);  // RTP version 2
  CHECK(static_cast<size_t>(got) == length + srtp::srtpOverhead(*server.srtpProfile()));
  close(fd);
}

TEST_CASE("announced addresses replace the bound ones in the candidates", "[transport]") {
  World world;
  TransportHost::Options options;
  options.udpBind.push_back(loopback(false));
  options.tcpBind.push_back(loopback(false));
  options.announced.push_back(*util::SocketAddress::parse("203.0.113.7", 0));
  Recorder events;
  TransportHost host(world.io, world.serverContext, options, events);
  host.start();
  TransportHost::RemoteParams remote;
  remote.fingerprint = world.clientCertificate.fingerprint();
  const auto local = host.createTransport(remote);
  // The announced address first, then the bound one, for UDP and for TCP.
  REQUIRE(local.candidates.size() == 4);
  CHECK(local.candidates[0].protocol == CandidateProtocol::kUdp);
  CHECK(local.candidates[0].address.ipString() == "203.0.113.7");
  CHECK(local.candidates[0].address.port() == host.udpAddresses()[0].port());
  CHECK(local.candidates[1].protocol == CandidateProtocol::kUdp);
  CHECK(local.candidates[1].address == host.udpAddresses()[0]);
  CHECK(local.candidates[2].protocol == CandidateProtocol::kTcp);
  CHECK(local.candidates[2].address.ipString() == "203.0.113.7");
  CHECK(local.candidates[2].address.port() == host.tcpAddresses()[0].port());
  CHECK(local.candidates[3].address == host.tcpAddresses()[0]);

  // Bound to every interface: only the announced address is a candidate.
  TransportHost::Options wildcard;
  wildcard.udpBind.push_back(*util::SocketAddress::parse("0.0.0.0", 0));
  wildcard.announced.push_back(*util::SocketAddress::parse("203.0.113.7", 0));
  TransportHost anyHost(world.io, world.serverContext, wildcard, events);
  anyHost.start();
  const auto anyLocal = anyHost.createTransport(remote);
  REQUIRE(anyLocal.candidates.size() == 1);
  CHECK(anyLocal.candidates[0].address.ipString() == "203.0.113.7");
  CHECK(local.ice.ufrag.size() >= 4);
  CHECK(local.ice.password.size() >= 22);
}

TEST_CASE("200 client transports in one process connect to one host", "[transport][scale]") {
  World world;
  std::vector<TransportId> ids;
  for (int i = 0; i < 200; ++i)
    ids.push_back(world.connect(false, CandidateProtocol::kUdp));
  REQUIRE(world.runUntil([&] { return world.serverEvents.connected.size() == 200; }, 60s));
  REQUIRE(world.runUntil(
      [&] {
        return std::all_of(world.clients.begin(), world.clients.end(),
                           [](const auto& c) { return c->state() == TransportState::kConnected; });
      },
      20s));
  // Every client sends one packet; each arrives once, on its own transport.
  std::vector<uint8_t> buffer;
  for (size_t i = 0; i < world.clients.size(); ++i) {
    const size_t length = makeRtp(buffer, static_cast<uint32_t>(1000 + i), 1, 1, 100);
    REQUIRE(world.clients[i]->sendRtp(buffer, length));
  }
  REQUIRE(world.runUntil([&] { return world.serverEvents.rtpSsrcs.size() == 200; }));
  std::sort(world.serverEvents.rtpSsrcs.begin(), world.serverEvents.rtpSsrcs.end());
  for (size_t i = 0; i < 200; ++i)
    CHECK(world.serverEvents.rtpSsrcs[i] == 1000 + i);
  CHECK(world.host->transportCount() == 200);
  CHECK(world.host->routedAddressCount() == 200);
}

TEST_CASE("a new peer on an address an old transport still holds takes it over", "[transport]") {
  World world;
  const TransportId first = world.connect(false, CandidateProtocol::kUdp);
  REQUIRE(world.runUntil([&] { return world.serverEvents.connected.size() == 1; }));
  const util::SocketAddress address = *world.clients.back()->localAddress();
  world.clients.clear();  // gone without a word: the old transport still routes its address

  // A new client on the very same address and port (an ephemeral port reused by the OS).
  ClientTransport::Params params;
  TransportHost::RemoteParams remote;
  remote.iceUfrag = params.localIce.ufrag;
  remote.fingerprint = world.clientCertificate.fingerprint();
  const auto local = world.host->createTransport(remote);
  params.answeredBy(local);
  params.localBind = address;
  world.clients.push_back(
      std::make_unique<ClientTransport>(world.io, world.clientContext, local.id, params, world.clientEvents));
  world.clients.back()->start();
  exchangeMedia(world, local.id, *world.clients.back());

  // The old transport let the path go, and its media to that address stopped.
  REQUIRE(world.host->find(first) != nullptr);
  CHECK_FALSE(world.host->find(first)->selectedPath().has_value());
  CHECK(world.host->find(first)->routeCount() == 0);
  std::vector<uint8_t> buffer;
  const size_t length = makeRtp(buffer, 0x5555, 1, 1, 100);
  CHECK_FALSE(world.host->find(first)->sendRtp(buffer, length));
  CHECK(world.host->routedAddressCount() == 1);
}
