#include "media/net/TcpIceServer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "tests/media/net/NetTestUtil.h"

using switchyard::media::net::TcpConnectionId;
using switchyard::media::net::TcpIceServer;
using switchyard::media::util::SocketAddress;
namespace test = switchyard::media::net::test;
using namespace std::chrono_literals;

namespace {

struct Frame {
  TcpConnectionId id;
  std::vector<uint8_t> data;
  SocketAddress from;
};

struct Recorder : TcpIceServer::Listener {
  std::vector<std::pair<TcpConnectionId, SocketAddress>> accepted;
  std::vector<Frame> frames;
  std::vector<TcpConnectionId> closed;
  TcpIceServer* server = nullptr;
  bool echo = false;          // send every frame back
  bool closeOnFrame = false;  // close the connection from inside onTcpFrame
  void onTcpAccepted(TcpConnectionId id, const SocketAddress& from) noexcept override {
    accepted.emplace_back(id, from);
  }
  void onTcpFrame(TcpConnectionId id, std::span<uint8_t> frame, const SocketAddress& from) noexcept override {
    frames.push_back({id, std::vector<uint8_t>(frame.begin(), frame.end()), from});
    if (echo) server->sendFrame(id, frame);
    if (closeOnFrame) server->close(id);
  }
  void onTcpClosed(TcpConnectionId id) noexcept override { closed.push_back(id); }
};

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> v(size);
  for (size_t i = 0; i < size; ++i)
    v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

// RFC 4571 §2 framing: 16-bit big-endian LENGTH, then the packet.
std::vector<uint8_t> framed(const std::vector<uint8_t>& packet) {
  // Sized up front (GCC 12 -Warray-bounds false positive on insert into a 2-element vector).
  std::vector<uint8_t> out(2 + packet.size());
  out[0] = static_cast<uint8_t>(packet.size() >> 8);
  out[1] = static_cast<uint8_t>(packet.size());
  std::copy(packet.begin(), packet.end(), out.begin() + 2);
  return out;
}

struct Fixture {
  boost::asio::io_context io;
  Recorder recorder;
  std::unique_ptr<TcpIceServer> server;

  explicit Fixture(const TcpIceServer::Options& options = {}, const SocketAddress& bind = test::loopback4()) {
    server = std::make_unique<TcpIceServer>(io, bind, recorder, options);
    recorder.server = server.get();
    server->start();
  }
  // Connects a client and waits for the server to accept it.
  std::unique_ptr<test::PlainTcp> connect() {
    const size_t before = recorder.accepted.size();
    auto client = std::make_unique<test::PlainTcp>(server->localAddress());
    REQUIRE(test::runUntil(io, [&] { return recorder.accepted.size() == before + 1; }));
    CHECK(recorder.accepted.back().second == client->address());
    return client;
  }
  bool waitFrames(size_t n) {
    return test::runUntil(io, [&] { return recorder.frames.size() >= n; });
  }
};

}  // namespace

TEST_CASE("TcpIceServer: listens on an ephemeral port, bind errors name the address") {
  Fixture f;
  CHECK(f.server->localAddress().port() != 0);
  CHECK(f.server->localAddress().ipString() == "127.0.0.1");
  try {
    TcpIceServer again(f.io, *SocketAddress::parse("192.0.2.7", 0), f.recorder);
    FAIL("bound a non-local address");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("192.0.2.7") != std::string::npos);
    CHECK(std::string(e.what()).find("bind") != std::string::npos);
  }
}

TEST_CASE("TcpIceServer: frames split one byte per write") {
  Fixture f;
  auto client = f.connect();
  const std::vector<std::vector<uint8_t>> packets = {pattern(12, 1), pattern(1, 2), pattern(40, 3)};
  for (const auto& packet : packets) {
    for (const uint8_t byte : framed(packet)) {
      const uint8_t one[1] = {byte};
      client->write(one, f.io);
      test::runFor(f.io, 1ms);
    }
  }
  REQUIRE(f.waitFrames(packets.size()));
  REQUIRE(f.recorder.frames.size() == packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    CHECK(f.recorder.frames[i].data == packets[i]);
    CHECK(f.recorder.frames[i].from == client->address());
    CHECK(f.recorder.frames[i].id == f.recorder.accepted[0].first);
  }
}

TEST_CASE("TcpIceServer: several frames in one write, zero-length frames skipped") {
  Fixture f;
  auto client = f.connect();
  std::vector<uint8_t> stream;
  const std::vector<std::vector<uint8_t>> packets = {
      pattern(100, 1), {}, pattern(2, 2), pattern(1500, 3), {}};
  for (const auto& packet : packets) {
    const auto bytes = framed(packet);
    stream.insert(stream.end(), bytes.begin(), bytes.end());
  }
  client->write(stream, f.io);
  REQUIRE(f.waitFrames(3));
  test::runFor(f.io, 10ms);
  REQUIRE(f.recorder.frames.size() == 3);
  CHECK(f.recorder.frames[0].data == packets[0]);
  CHECK(f.recorder.frames[1].data == packets[2]);
  CHECK(f.recorder.frames[2].data == packets[3]);
  CHECK(f.server->counters().emptyFrames == 2);
  CHECK(f.server->counters().framesReceived == 3);
}

TEST_CASE("TcpIceServer: a length prefix split across writes") {
  Fixture f;
  auto client = f.connect();
  const auto bytes = framed(pattern(300, 9));  // LENGTH = 0x012c
  client->write(std::span<const uint8_t>(bytes).first(1), f.io);
  test::runFor(f.io, 10ms);
  CHECK(f.recorder.frames.empty());
  client->write(std::span<const uint8_t>(bytes).subspan(1, 100), f.io);
  test::runFor(f.io, 10ms);
  CHECK(f.recorder.frames.empty());
  client->write(std::span<const uint8_t>(bytes).subspan(101), f.io);
  REQUIRE(f.waitFrames(1));
  CHECK(f.recorder.frames[0].data == pattern(300, 9));
}

TEST_CASE("TcpIceServer: a 65535-byte frame") {
  Fixture f;
  auto client = f.connect();
  std::vector<uint8_t> stream = framed(pattern(65535, 4));
  const auto tail = framed(pattern(5, 5));
  stream.insert(stream.end(), tail.begin(), tail.end());
  client->write(stream, f.io);
  REQUIRE(f.waitFrames(2));
  CHECK(f.recorder.frames[0].data == pattern(65535, 4));
  CHECK(f.recorder.frames[1].data == pattern(5, 5));
}

TEST_CASE("TcpIceServer: a LENGTH above maxFrameSize closes the connection") {
  TcpIceServer::Options options;
  options.maxFrameSize = 1500;
  Fixture f(options);
  auto client = f.connect();
  client->write(framed(pattern(1500, 1)), f.io);
  client->write(framed(pattern(1501, 2)), f.io);
  REQUIRE(test::runUntil(f.io, [&] { return f.recorder.closed.size() == 1; }));
  CHECK(f.recorder.frames.size() == 1);
  CHECK(f.server->counters().protocolErrors == 1);
  CHECK(f.server->connectionCount() == 0);
  CHECK(client->waitClosed(f.io));
}

TEST_CASE("TcpIceServer: sendFrame output read by a plain client") {
  Fixture f;
  auto client = f.connect();
  const TcpConnectionId id = f.recorder.accepted[0].first;
  CHECK(f.server->remoteAddress(id) == client->address());
  const std::vector<std::vector<uint8_t>> packets = {pattern(10, 1), {}, pattern(65535, 2), pattern(3, 3)};
  for (const auto& packet : packets)
    CHECK(f.server->sendFrame(id, packet));
  for (const auto& packet : packets) {
    const auto header = client->readExactly(2, f.io);
    REQUIRE(header.has_value());
    const size_t length = (size_t{(*header)[0]} << 8) | (*header)[1];
    REQUIRE(length == packet.size());
    if (length > 0) {
      const auto body = client->readExactly(length, f.io);
      REQUIRE(body.has_value());
      CHECK(*body == packet);
    }
  }
  const std::vector<uint8_t> tooBig(65536, 0);
  CHECK_FALSE(f.server->sendFrame(id, tooBig));
  CHECK_FALSE(f.server->sendFrame(TcpConnectionId{12345}, packets[0]));
  CHECK(f.server->counters().framesSent == 4);
  CHECK(f.server->counters().sendDropped == 2);
}

TEST_CASE("TcpIceServer: echo round trip") {
  Fixture f;
  f.recorder.echo = true;
  auto client = f.connect();
  for (uint8_t i = 0; i < 20; ++i)
    client->write(framed(pattern(i * 50u, i)), f.io);
  // Zero-length frames are skipped, so the echo starts at i = 1.
  for (uint8_t i = 1; i < 20; ++i) {
    const auto reply = client->readExactly(2 + i * 50u, f.io);
    REQUIRE(reply.has_value());
    CHECK(*reply == framed(pattern(i * 50u, i)));
  }
}

TEST_CASE("TcpIceServer: the output queue is bounded") {
  TcpIceServer::Options options;
  options.maxQueuedBytes = 100;
  Fixture f(options);
  auto client = f.connect();
  const TcpConnectionId id = f.recorder.accepted[0].first;
  // The first write is in flight until its handler runs, so it still counts against the limit.
  CHECK(f.server->sendFrame(id, pattern(60, 1)));        // 62 bytes queued
  CHECK_FALSE(f.server->sendFrame(id, pattern(60, 2)));  // 124 > 100: dropped
  CHECK(f.server->sendFrame(id, pattern(30, 3)));        // 94
  CHECK_FALSE(f.server->sendFrame(id, pattern(5, 4)));   // 101
  CHECK(f.server->counters().sendDropped == 2);
  const auto first = client->readExactly(62, f.io);
  REQUIRE(first.has_value());
  CHECK(*first == framed(pattern(60, 1)));
  const auto second = client->readExactly(32, f.io);
  REQUIRE(second.has_value());
  CHECK(*second == framed(pattern(30, 3)));
  test::runFor(f.io, 5ms);
  CHECK(f.server->sendFrame(id, pattern(90, 5)));  // drained: room again
}

TEST_CASE("TcpIceServer: idle connections are closed by tick()") {
  Fixture f;  // idleTimeout 10 s
  auto idle = f.connect();
  auto active = f.connect();
  const TcpConnectionId idleId = f.recorder.accepted[0].first;
  const TcpConnectionId activeId = f.recorder.accepted[1].first;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  f.server->tick(t0);  // starts both clocks
  f.server->tick(t0 + 5s);
  active->write(framed(pattern(20, 1)), f.io);
  REQUIRE(f.waitFrames(1));
  f.server->tick(t0 + 9s);  // restarts the active one's clock
  CHECK(f.recorder.closed.empty());
  f.server->tick(t0 + 9999ms);
  CHECK(f.recorder.closed.empty());
  f.server->tick(t0 + 10s);
  REQUIRE(f.recorder.closed.size() == 1);
  CHECK(f.recorder.closed[0] == idleId);
  CHECK_FALSE(f.server->contains(idleId));
  CHECK(idle->waitClosed(f.io));
  CHECK(f.server->counters().closedIdle == 1);
  f.server->tick(t0 + 18s);
  CHECK(f.server->contains(activeId));
  f.server->tick(t0 + 19s);
  CHECK_FALSE(f.server->contains(activeId));
  CHECK(f.recorder.closed.size() == 2);
  // Only non-empty frames count as activity.
  auto empties = f.connect();
  f.server->tick(t0 + 20s);
  empties->write(framed({}), f.io);
  test::runFor(f.io, 10ms);
  f.server->tick(t0 + 30s);
  CHECK(f.recorder.closed.size() == 3);
}

TEST_CASE("TcpIceServer: idle timeout zero disables idle closing") {
  TcpIceServer::Options options;
  options.idleTimeout = std::chrono::steady_clock::duration::zero();
  Fixture f(options);
  auto client = f.connect();
  f.server->tick(std::chrono::steady_clock::time_point{});
  f.server->tick(std::chrono::steady_clock::time_point{} + 1h);
  CHECK(f.server->connectionCount() == 1);
}

TEST_CASE("TcpIceServer: max connections enforced") {
  TcpIceServer::Options options;
  options.maxConnections = 2;
  Fixture f(options);
  auto a = f.connect();
  auto b = f.connect();
  test::PlainTcp c(f.server->localAddress());
  REQUIRE(test::runUntil(f.io, [&] { return f.server->counters().rejected == 1; }));
  CHECK(c.waitClosed(f.io));
  CHECK(f.server->connectionCount() == 2);
  CHECK(f.recorder.accepted.size() == 2);
  CHECK(f.recorder.closed.empty());  // never accepted: no event
  // Freeing a slot lets the next one in, with a fresh id.
  CHECK(f.server->close(f.recorder.accepted[0].first));
  CHECK(f.recorder.closed.empty());  // close() reports nothing
  CHECK(a->waitClosed(f.io));
  auto d = f.connect();
  CHECK(f.server->connectionCount() == 2);
  const TcpConnectionId newId = f.recorder.accepted[2].first;
  CHECK_FALSE(newId == f.recorder.accepted[0].first);
  CHECK_FALSE(newId == f.recorder.accepted[1].first);
  CHECK_FALSE(f.server->close(f.recorder.accepted[0].first));  // stale id
}

TEST_CASE("TcpIceServer: peer close is reported once") {
  Fixture f;
  auto client = f.connect();
  const TcpConnectionId id = f.recorder.accepted[0].first;
  client->write(framed(pattern(8, 1)), f.io);
  REQUIRE(f.waitFrames(1));
  client->close();
  REQUIRE(test::runUntil(f.io, [&] { return f.recorder.closed.size() == 1; }));
  CHECK(f.recorder.closed[0] == id);
  CHECK(f.server->counters().closedByPeer == 1);
  CHECK_FALSE(f.server->contains(id));
  CHECK_FALSE(f.server->sendFrame(id, pattern(3, 1)));
  test::runFor(f.io, 10ms);
  CHECK(f.recorder.closed.size() == 1);
}

TEST_CASE("TcpIceServer: a partial frame at peer close is discarded") {
  Fixture f;
  auto client = f.connect();
  const auto bytes = framed(pattern(100, 1));
  client->write(std::span<const uint8_t>(bytes).first(50), f.io);
  client->close();
  REQUIRE(test::runUntil(f.io, [&] { return f.recorder.closed.size() == 1; }));
  CHECK(f.recorder.frames.empty());
}

TEST_CASE("TcpIceServer: closing from inside onTcpFrame stops delivery") {
  Fixture f;
  f.recorder.closeOnFrame = true;
  auto client = f.connect();
  std::vector<uint8_t> stream;
  for (uint8_t i = 0; i < 5; ++i) {
    const auto bytes = framed(pattern(10, i));
    stream.insert(stream.end(), bytes.begin(), bytes.end());
  }
  client->write(stream, f.io);
  REQUIRE(f.waitFrames(1));
  CHECK(client->waitClosed(f.io));
  CHECK(f.recorder.frames.size() == 1);
  CHECK(f.recorder.closed.empty());
  CHECK(f.server->connectionCount() == 0);
}

TEST_CASE("TcpIceServer: destroying the server with connections and reads in flight") {
  Fixture f;
  auto a = f.connect();
  auto b = f.connect();
  a->write(framed(pattern(10, 1)), f.io);
  f.server.reset();
  test::runFor(f.io, 10ms);
  CHECK(a->waitClosed(f.io));
  CHECK(b->waitClosed(f.io));
  CHECK(f.recorder.closed.empty());
}

TEST_CASE("TcpIceServer: IPv6 loopback") {
  if (!test::canBindIpv6Loopback()) {
    WARN("::1 cannot be bound here: IPv6 loopback test skipped");
    return;
  }
  Fixture f(TcpIceServer::Options{}, test::loopback6());
  CHECK(f.server->localAddress().isIpv6());
  f.recorder.echo = true;
  auto client = f.connect();
  CHECK(client->address().isIpv6());
  const auto bytes = framed(pattern(1200, 7));
  for (const uint8_t byte : std::span<const uint8_t>(bytes).first(3)) {
    const uint8_t one[1] = {byte};
    client->write(one, f.io);
    test::runFor(f.io, 1ms);
  }
  client->write(std::span<const uint8_t>(bytes).subspan(3), f.io);
  REQUIRE(f.waitFrames(1));
  CHECK(f.recorder.frames[0].data == pattern(1200, 7));
  CHECK(f.recorder.frames[0].from == client->address());
  const auto reply = client->readExactly(bytes.size(), f.io);
  REQUIRE(reply.has_value());
  CHECK(*reply == bytes);
}
