// The Server in-process: workers start, a failing worker stops the server, stop() is orderly.
#include <catch2/catch.hpp>

#include <future>
#include <stdexcept>

#include <boost/asio/io_context.hpp>

#include "media/rtp/RtpPacketBuilder.h"
#include "media/transport/ClientTransport.h"
#include "server/Server.h"

using namespace switchyard;

namespace {
config::Config testConfig(uint32_t workers) {
  config::Config config;
  config.http.port = 0;
  config.workers.count = workers;
  config.rtc.udpPort = 0;  // ephemeral: tests run in parallel
  config.rtc.tcpPort = 0;
  return config;
}
}  // namespace

TEST_CASE("starts the configured number of workers and stops on request", "[server]") {
  server::Server server(testConfig(3));
  const std::string url = server.start();
  CHECK_THAT(url, Catch::StartsWith("http://127.0.0.1:"));
  CHECK(server.workerCount() == 3);
  std::atomic<int> ran{0};
  for (size_t i = 0; i < 3; ++i)
    server.postToWorker(i, [&] { ++ran; });
  server.stop();
  server.run();  // returns after the orderly shutdown
  CHECK(ran == 3);
  CHECK_FALSE(server.failed());
}

TEST_CASE("a worker that dies of an exception stops the server as failed", "[server]") {
  server::Server server(testConfig(2));
  server.start();
  server.postToWorker(1, [] { throw std::runtime_error("boom"); });
  auto running = std::async(std::launch::async, [&] { server.run(); });
  const bool stoppedByItself = running.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!stoppedByItself) {
    server.stop();
    running.wait();
  }
  CHECK(stoppedByItself);
  CHECK(server.failed());
}

TEST_CASE("a client connects to a worker's media port and its SRTP reaches the worker", "[server]") {
  server::Server server(testConfig(2));
  server.start();
  auto running = std::async(std::launch::async, [&] { server.run(); });
  // Whatever fails below, the server stops, so the future's destructor does not wait forever.
  struct StopOnExit {
    server::Server& server;
    ~StopOnExit() { server.stop(); }
  } stopOnExit{server};

  using namespace media;
  const auto clientCertificate = dtls::DtlsCertificate::generate("client");
  dtls::DtlsContext clientContext(clientCertificate);
  transport::ClientTransport::Params params;
  transport::TransportHost::RemoteParams remote;
  remote.iceUfrag = params.localIce.ufrag;
  remote.fingerprint = clientCertificate.fingerprint();
  // Transports are created on their worker's thread.
  std::promise<transport::TransportHost::LocalParams> created;
  server.postToWorker(1, [&] { created.set_value(server.workerMedia(1).host().createTransport(remote)); });
  const auto local = created.get_future().get();
  CHECK(local.fingerprint == server.certificate().fingerprint());
  REQUIRE_FALSE(local.candidates.empty());
  CHECK(local.candidates[0].address.ipString() == "127.0.0.1");

  struct Events final : transport::TransportEvents {
    bool connected = false;
    void onTransportConnected(transport::TransportId) override { connected = true; }
    void onTransportRtp(transport::TransportId, rtp::RtpPacket&) noexcept override {}
    void onTransportRtcp(transport::TransportId, std::span<uint8_t>) noexcept override {}
    void onTransportClosed(transport::TransportId, transport::TransportCloseReason,
                           std::string_view) override {}
  } events;
  boost::asio::io_context io;
  params.answeredBy(local);
  params.localBind = *util::SocketAddress::parse("127.0.0.1", 0);
  transport::ClientTransport client(io, clientContext, local.id, params, events);
  client.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!events.connected && std::chrono::steady_clock::now() < deadline)
    io.run_for(std::chrono::milliseconds(5));
  REQUIRE(events.connected);

  std::vector<uint8_t> payload(500, 0x42), buffer(1024);
  for (uint16_t seq = 0; seq < 10; ++seq) {
    const auto length = rtp::RtpPacketBuilder()
                            .setPayloadType(111)
                            .setSequenceNumber(seq)
                            .setSsrc(9)
                            .setPayload(payload)
                            .build(buffer);
    REQUIRE(length);
    REQUIRE(client.sendRtp(buffer, *length));
  }
  while (server.workerMedia(1).rtpReceived() < 10 && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
  }
  CHECK(server.workerMedia(1).rtpReceived() == 10);
  CHECK(server.workerMedia(0).rtpReceived() == 0);
  client.close();
  io.run_for(std::chrono::milliseconds(20));
  server.stop();
  running.wait();
}
