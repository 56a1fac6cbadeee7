#include "bench/ReceivePathBench.h"

#include <time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <future>
#include <thread>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpLibrary.h"
#include "media/transport/ClientTransport.h"
#include "media/transport/TransportHost.h"

namespace switchyard::bench {

namespace {

using namespace media;
using transport::Clock;

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Counter final : transport::TransportEvents {
  std::atomic<uint64_t> rtp{0};
  std::atomic<bool> connected{false};
  void onTransportConnected(transport::TransportId) override { connected = true; }
  void onTransportRtp(transport::TransportId, rtp::RtpPacket&) noexcept override {
    rtp.fetch_add(1, std::memory_order_relaxed);
  }
  void onTransportRtcp(transport::TransportId, std::span<uint8_t>) noexcept override {}
  void onTransportClosed(transport::TransportId, transport::TransportCloseReason, std::string_view) override {
  }
};

ReceivePathResult runOne(srtp::SrtpProfile profile, uint64_t packets, size_t packetBytes, double maxSeconds) {
  ReceivePathResult result;
  result.profile = std::string(srtp::srtpProfileOpenSslName(profile));
  result.packetBytes = packetBytes;

  const auto serverCertificate = dtls::DtlsCertificate::generate("bench-server");
  const auto clientCertificate = dtls::DtlsCertificate::generate("bench-client");
  dtls::DtlsContext serverContext(serverCertificate, dtls::DtlsContextOptions{{profile}});
  dtls::DtlsContext clientContext(clientCertificate);
  Counter serverEvents;
  Counter clientEvents;

  // The server: its own thread and io_context, as a worker.
  boost::asio::io_context serverIo(1);
  transport::TransportHost::Options options;
  options.udpBind.push_back(*util::SocketAddress::parse("127.0.0.1", 0));
  transport::TransportHost host(serverIo, serverContext, options, serverEvents);
  host.start();
  transport::ClientTransport::Params params;
  transport::TransportHost::RemoteParams remote;
  remote.iceUfrag = params.localIce.ufrag;
  remote.fingerprint = clientCertificate.fingerprint();
  const auto local = host.createTransport(remote);
  auto guard = boost::asio::make_work_guard(serverIo);
  std::promise<double> serverCpu;
  std::atomic<bool> measuring{false};
  std::thread serverThread([&] {
    double startCpu = 0;
    // Measure the CPU time of the loop from the moment the sender starts.
    boost::asio::post(serverIo, [] {});
    while (!measuring.load())
      serverIo.run_for(std::chrono::milliseconds(1));
    startCpu = threadCpuSeconds();
    serverIo.run();
    serverCpu.set_value(threadCpuSeconds() - startCpu);
  });

  // The client: this thread.
  boost::asio::io_context clientIo(1);
  params.answeredBy(local);
  params.localBind = *util::SocketAddress::parse("127.0.0.1", 0);
  transport::ClientTransport client(clientIo, clientContext, local.id, params, clientEvents);
  client.start();
  const auto connectDeadline = Clock::now() + std::chrono::seconds(10);
  while (!(clientEvents.connected && serverEvents.connected) && Clock::now() < connectDeadline) {
    clientIo.run_for(std::chrono::milliseconds(2));
  }
  if (!(clientEvents.connected && serverEvents.connected)) {
    std::fprintf(stderr, "  %s: could not connect\n", result.profile.c_str());
    measuring = true;
    guard.reset();
    serverIo.stop();
    serverThread.join();
    return result;
  }

  std::vector<uint8_t> payload(packetBytes - 12, 0x5a);
  std::vector<uint8_t> buffer(packetBytes + srtp::kSrtcpMaxTrailer + 64);
  measuring = true;
  const auto deadline = Clock::now() + std::chrono::duration<double>(maxSeconds);
  uint64_t sent = 0;
  while (sent < packets && Clock::now() < deadline) {
    for (int i = 0; i < 64 && sent < packets; ++i, ++sent) {
      const auto length = rtp::RtpPacketBuilder()
                              .setPayloadType(96)
                              .setSequenceNumber(static_cast<uint16_t>(sent))
                              .setTimestamp(static_cast<uint32_t>(sent / 10 * 3000))
                              .setSsrc(0xbe4c)
                              .setPayload(payload)
                              .build(buffer);
      if (length) client.sendRtp(buffer, *length);
    }
    // Keep the sender at most ~2000 packets ahead of the receiver, so the kernel buffer
    // never overflows and every packet sent is a packet measured.
    while (sent - serverEvents.rtp.load(std::memory_order_relaxed) > 2000 && Clock::now() < deadline) {
      std::this_thread::yield();
    }
    if (sent % 8192 < 64) {
      std::fprintf(stderr, "\r  %-24s %4zu B  %8llu / %llu packets", result.profile.c_str(), packetBytes,
                   static_cast<unsigned long long>(sent), static_cast<unsigned long long>(packets));
    }
  }
  // Wait for the last packets, then stop the server loop.
  const auto drainDeadline = Clock::now() + std::chrono::seconds(2);
  while (serverEvents.rtp.load() < sent && Clock::now() < drainDeadline)
    std::this_thread::yield();
  guard.reset();
  boost::asio::post(serverIo, [&] {
    host.stop();
    serverIo.stop();
  });
  result.serverCpuSeconds = serverCpu.get_future().get();
  serverThread.join();
  result.packetsSent = sent;
  result.packetsDelivered = serverEvents.rtp.load();
  result.packetsPerCpuSecond = static_cast<double>(result.packetsDelivered) / result.serverCpuSeconds;
  const auto& udp = host.udpCounters(0);
  result.datagramsPerRecvCall =
      udp.receiveCalls == 0 ? 0 : static_cast<double>(udp.received) / static_cast<double>(udp.receiveCalls);
  std::fprintf(stderr, "\r  %-24s %4zu B  %8llu packets, %.0f packets per server CPU-second\n",
               result.profile.c_str(), packetBytes, static_cast<unsigned long long>(result.packetsDelivered),
               result.packetsPerCpuSecond);
  return result;
}

}  // namespace

std::vector<ReceivePathResult> ReceivePathBench::run(uint64_t packets, size_t packetBytes,
                                                     double maxSeconds) {
  srtp::SrtpLibrary library;
  std::vector<ReceivePathResult> results;
  std::fprintf(stderr, "receive path (recvmmsg -> demux -> unprotect -> parse), %llu packets per profile:\n",
               static_cast<unsigned long long>(packets));
  for (const srtp::SrtpProfile profile : srtp::kSrtpProfilePreference) {
    results.push_back(runOne(profile, packets, packetBytes, maxSeconds));
  }
  return results;
}

}  // namespace switchyard::bench
