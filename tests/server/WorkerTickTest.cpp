// The worker's room tick runs in slices (workers.tick_slice_us) so that packets arriving during it
// are read between two slices, not after every room has ticked.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "media/dtls/DtlsCertificate.h"
#include "server/WorkerMedia.h"
#include "tests/media/net/NetTestUtil.h"

using namespace switchyard;

namespace {

struct TickRun {
  uint64_t slicesWhenRead = 0;  // slices run when the worker read the datagram
  uint64_t slicesPerRound = 0;  // slices of one whole round
};

// A worker with `rooms` rooms (one transport each). Once the first slice of a tick has run, a
// datagram reaches the worker's UDP socket; the io_context then runs until the worker has read it.
TickRun tickWithDatagram(uint32_t sliceUs, size_t rooms) {
  config::Config config;
  config.rtc.udpPort = 0;
  config.rtc.iceTcp = false;
  config.workers.tickSliceUs = sliceUs;
  const auto certificate = media::dtls::DtlsCertificate::generate("worker");
  const auto client = media::dtls::DtlsCertificate::generate("client");
  boost::asio::io_context io;
  server::WorkerMedia worker(io, 0, config, certificate);
  for (size_t i = 0; i < rooms; ++i) {
    media::transport::TransportHost::RemoteParams remote;
    remote.iceUfrag = "client" + std::to_string(i);
    remote.fingerprint = client.fingerprint();
    worker.createTransport(static_cast<server::RoomKey>(i + 1), remote);
  }
  REQUIRE(worker.roomCount() == rooms);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (worker.tickSlices() == 0 && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  REQUIRE(worker.tickSlices() > 0);

  media::net::test::PlainUdp sender(media::net::test::loopback4());
  const std::vector<uint8_t> junk(40, 0x55);  // neither STUN nor from a known path: dropped, counted
  REQUIRE(sender.sendTo(junk, worker.host().udpAddresses().at(0)));
  while (worker.host().udpCounters(0).received == 0 && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  REQUIRE(worker.host().udpCounters(0).received == 1);
  TickRun run;
  run.slicesWhenRead = worker.tickSlices();
  while (worker.ticking() && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  // One whole round, from its first slice (the timer, 10 ms after the last round ended) to its last.
  const uint64_t start = worker.tickSlices();
  while (worker.tickSlices() == start && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  while (worker.ticking() && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
  REQUIRE_FALSE(worker.ticking());
  run.slicesPerRound = worker.tickSlices() - start;
  return run;
}

}  // namespace

TEST_CASE("WorkerMedia: a datagram arriving during the room tick is read between two slices", "[server]") {
  // One room per slice: the datagram is read a slice or so after it arrived, long before the
  // round's 200th slice.
  const TickRun sliced = tickWithDatagram(0, 200);
  CHECK(sliced.slicesPerRound == 200);
  CHECK(sliced.slicesWhenRead <= 10);
}

TEST_CASE("WorkerMedia: a slice longer than the tick ticks every room at once", "[server]") {
  // 100 ms per slice: the whole round is one slice, and the datagram waits for all of it.
  const TickRun whole = tickWithDatagram(100000, 200);
  CHECK(whole.slicesPerRound == 1);
  CHECK(whole.slicesWhenRead == 1);
}
