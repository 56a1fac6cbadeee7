#include "media/net/UdpSocket.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "tests/media/net/NetTestUtil.h"

using switchyard::media::net::UdpSocket;
using switchyard::media::util::SocketAddress;
namespace test = switchyard::media::net::test;

namespace {

struct Received {
  std::vector<uint8_t> data;
  SocketAddress from;
};

struct Recorder : UdpSocket::Listener {
  std::vector<Received> received;
  UdpSocket* echoVia = nullptr;  // when set, every datagram is sent back through send()
  void onDatagram(std::span<uint8_t> data, const SocketAddress& from) noexcept override {
    received.push_back({std::vector<uint8_t>(data.begin(), data.end()), from});
    if (echoVia != nullptr) echoVia->send(data, from);
  }
  // After each batch: how many datagrams had arrived, and what was still queued (the batch's flush
  // already ran, so nothing).
  std::vector<size_t> batchEnds;
  size_t queuedAtBatchEnd = 0;
  void onReceiveBatchFlushed() noexcept override {
    batchEnds.push_back(received.size());
    if (echoVia != nullptr) queuedAtBatchEnd += echoVia->queuedDatagrams();
  }
  // After each flush that sent something and left nothing queued.
  size_t queueFlushes = 0;
  size_t queuedAtQueueFlush = 0;
  void onQueueFlushed() noexcept override {
    ++queueFlushes;
    if (echoVia != nullptr) queuedAtQueueFlush += echoVia->queuedDatagrams();
  }
};

// Datagram i: 4-byte index, then a pattern; sizes vary from 4 to 2048 bytes.
std::vector<uint8_t> datagram(uint32_t i) {
  const size_t size = 4 + (i * 197u) % 2045u;
  std::vector<uint8_t> d(size);
  d[0] = static_cast<uint8_t>(i >> 24);
  d[1] = static_cast<uint8_t>(i >> 16);
  d[2] = static_cast<uint8_t>(i >> 8);
  d[3] = static_cast<uint8_t>(i);
  for (size_t k = 4; k < size; ++k)
    d[k] = static_cast<uint8_t>(i + k);
  return d;
}

uint32_t indexOf(const std::vector<uint8_t>& d) {
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

// 1000 datagrams from two plain sockets; all must arrive intact with their true source.
void receiveThousand(const SocketAddress& loopback) {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, loopback, recorder);
  REQUIRE(socket.localAddress().port() != 0);
  REQUIRE(socket.localAddress().family() == loopback.family());
  CHECK(socket.receiveBufferBytes() > 0);
  CHECK(socket.sendBufferBytes() > 0);
  socket.start();
  test::PlainUdp a(loopback);
  test::PlainUdp b(loopback);
  constexpr uint32_t kCount = 1000;
  for (uint32_t i = 0; i < kCount; ++i) {
    REQUIRE((i % 2 == 0 ? a : b).sendTo(datagram(i), socket.localAddress()));
    // Stay within the receive buffer (rmem_max may cap it well below 4 MiB).
    if (i % 50 == 49) REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == i + 1; }));
  }
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == kCount; }));
  std::vector<bool> seen(kCount, false);
  for (const Received& r : recorder.received) {
    const uint32_t i = indexOf(r.data);
    REQUIRE(i < kCount);
    CHECK_FALSE(seen[i]);
    seen[i] = true;
    CHECK(r.data == datagram(i));
    CHECK(r.from == (i % 2 == 0 ? a : b).address());
  }
  CHECK(socket.counters().received == kCount);
  CHECK(socket.counters().truncated == 0);
  CHECK(socket.counters().receiveErrors == 0);
  // Batching: far fewer recvmmsg calls than datagrams.
  CHECK(socket.counters().receiveCalls < kCount);
}

}  // namespace

TEST_CASE("UdpSocket: binds an ephemeral port and reports it") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, test::loopback4(), recorder);
  CHECK(socket.localAddress().ipString() == "127.0.0.1");
  CHECK(socket.localAddress().port() != 0);
  // Binding the same address again fails with the address and errno text in the message.
  try {
    UdpSocket second(io, socket.localAddress(), recorder);
    FAIL("second bind succeeded");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find(socket.localAddress().toString()) != std::string::npos);
    CHECK(what.find("bind") != std::string::npos);
    CHECK(what.find("in use") != std::string::npos);
  }
  CHECK_THROWS_AS(UdpSocket(io, SocketAddress{}, recorder), std::runtime_error);
  // An address that is not local cannot be bound.
  CHECK_THROWS_AS(UdpSocket(io, *SocketAddress::parse("192.0.2.1", 0), recorder), std::runtime_error);
}

TEST_CASE("UdpSocket: 1000 datagrams of varied sizes over 127.0.0.1") {
  receiveThousand(test::loopback4());
}

TEST_CASE("UdpSocket: 1000 datagrams of varied sizes over ::1") {
  if (!test::canBindIpv6Loopback()) {
    WARN("::1 cannot be bound here: IPv6 loopback test skipped");
    return;
  }
  receiveThousand(test::loopback6());
}

TEST_CASE("UdpSocket: replies queued with send() reach the sender, one sendmmsg per batch") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, test::loopback4(), recorder);
  recorder.echoVia = &socket;
  socket.start();
  test::PlainUdp peer(test::loopback4());
  constexpr uint32_t kCount = 200;
  for (uint32_t i = 0; i < kCount; ++i)
    REQUIRE(peer.sendTo(datagram(i % 100), socket.localAddress()));
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == kCount; }));
  CHECK(socket.queuedDatagrams() == 0);
  CHECK(socket.counters().sent == kCount);
  // The receive loop flushes once per recvmmsg batch.
  CHECK(socket.counters().sendCalls <= socket.counters().receiveCalls);
  CHECK(socket.counters().sendCalls < kCount / 4);
  // Each batch ends with its replies handed to the kernel, then the listener hears of it.
  REQUIRE_FALSE(recorder.batchEnds.empty());
  CHECK(recorder.batchEnds.size() <= socket.counters().receiveCalls);
  CHECK(recorder.batchEnds.back() == kCount);
  CHECK(std::is_sorted(recorder.batchEnds.begin(), recorder.batchEnds.end()));
  CHECK(recorder.queuedAtBatchEnd == 0);
  CHECK(recorder.queueFlushes >= 1);
  CHECK(recorder.queueFlushes <= socket.counters().sendCalls);
  CHECK(recorder.queuedAtQueueFlush == 0);
  for (uint32_t i = 0; i < kCount; ++i) {
    SocketAddress from;
    const auto reply = peer.receive(&from);
    REQUIRE(reply.has_value());
    CHECK(*reply == datagram(i % 100));
    CHECK(from == socket.localAddress());
  }
}

TEST_CASE("UdpSocket: a full send queue drops and counts") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket::Options options;
  options.sendQueueSlots = 4;
  options.flushWhenFull = false;
  UdpSocket socket(io, test::loopback4(), recorder, options);
  test::PlainUdp peer(test::loopback4());
  for (uint32_t i = 0; i < 10; ++i)
    CHECK(socket.send(datagram(i), peer.address()) == (i < 4));
  CHECK(socket.counters().dropped == 6);
  CHECK(socket.queuedDatagrams() == 4);
  socket.flush();
  CHECK(socket.counters().sent == 4);
  CHECK(socket.counters().sendCalls == 1);
  CHECK(socket.queuedDatagrams() == 0);
  for (uint32_t i = 0; i < 4; ++i) {
    const auto d = peer.receive();
    REQUIRE(d.has_value());
    CHECK(*d == datagram(i));
  }
  CHECK_FALSE(peer.receive().has_value());
  // The queue is a ring: wrap around a few times.
  for (uint32_t round = 0; round < 5; ++round) {
    CHECK(socket.send(datagram(round), peer.address()));
    CHECK(socket.send(datagram(round + 100), peer.address()));
    CHECK(socket.send(datagram(round + 200), peer.address()));
    socket.flush();
    CHECK(*peer.receive() == datagram(round));
    CHECK(*peer.receive() == datagram(round + 100));
    CHECK(*peer.receive() == datagram(round + 200));
  }
}

TEST_CASE("UdpSocket: a full queue is flushed before dropping by default") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket::Options options;
  options.sendQueueSlots = 64;
  UdpSocket socket(io, test::loopback4(), recorder, options);
  test::PlainUdp peer(test::loopback4());
  constexpr uint32_t kCount = 200;
  for (uint32_t i = 0; i < kCount; ++i)
    REQUIRE(socket.send(datagram(i % 50), peer.address()));
  socket.flush();
  CHECK(socket.counters().dropped == 0);
  CHECK(socket.counters().sent == kCount);
  CHECK(socket.counters().sendCalls == 4);  // 3 full batches + the rest
  CHECK(recorder.queueFlushes == 4);        // the listener hears of each (measuring points)
  socket.flush();                           // nothing queued: nothing to tell
  CHECK(recorder.queueFlushes == 4);
  for (uint32_t i = 0; i < kCount; ++i) {
    const auto d = peer.receive();
    REQUIRE(d.has_value());
    CHECK(*d == datagram(i % 50));
  }
}

namespace {

// Each received datagram fans out to `copies` sends to one peer (an SFU's copies); records how many
// datagrams were already queued when each one arrived.
struct FanOut : UdpSocket::Listener {
  UdpSocket* via = nullptr;
  SocketAddress to;
  size_t copies = 0;
  size_t received = 0;
  std::vector<size_t> queuedOnArrival;
  void onDatagram(std::span<uint8_t> data, const SocketAddress&) noexcept override {
    queuedOnArrival.push_back(via->queuedDatagrams());
    for (size_t c = 0; c < copies; ++c)
      via->send(data, to);
    ++received;
  }
};

// 40 datagrams sent at once (a full batch of 32, then 8), 10 copies each; returns the most that
// was queued when a datagram arrived, after checking every copy arrived in order.
size_t fanOutBacklog(size_t flushAfterDatagrams, uint64_t& sendCalls) {
  boost::asio::io_context io;
  FanOut fanOut;
  UdpSocket::Options options;
  options.flushAfterDatagrams = flushAfterDatagrams;
  UdpSocket socket(io, test::loopback4(), fanOut, options);
  test::PlainUdp sender(test::loopback4());
  test::PlainUdp receiver(test::loopback4());
  fanOut.via = &socket;
  fanOut.to = receiver.address();
  fanOut.copies = 10;
  constexpr uint32_t kCount = 40;
  for (uint32_t i = 0; i < kCount; ++i)
    REQUIRE(sender.sendTo(datagram(i), socket.localAddress()));
  socket.start();
  REQUIRE(test::runUntil(io, [&] { return fanOut.received == kCount; }));
  CHECK(socket.queuedDatagrams() == 0);
  CHECK(socket.counters().sent == kCount * 10);
  for (uint32_t i = 0; i < kCount * 10; ++i) {
    const auto d = receiver.receive();
    REQUIRE(d.has_value());
    CHECK(*d == datagram(i / 10));
  }
  sendCalls = socket.counters().sendCalls;
  return *std::max_element(fanOut.queuedOnArrival.begin(), fanOut.queuedOnArrival.end());
}

}  // namespace

TEST_CASE("UdpSocket: copies go to the kernel once flushAfterDatagrams are queued, not at batch end") {
  uint64_t sendCalls = 0;
  // 25: after the third datagram's copies (30 queued) the queue is flushed, so a datagram never
  // arrives behind more than 20 queued copies; 40 datagrams take 14 flushes.
  CHECK(fanOutBacklog(25, sendCalls) == 20);
  CHECK(sendCalls == 14);
  // Only at the end of a batch (and when the 256 slots are full): the 25th datagram of the first
  // batch waits behind 240 copies.
  CHECK(fanOutBacklog(256, sendCalls) == 250);
  CHECK(sendCalls == 3);
}

TEST_CASE("UdpSocket: refuses oversize and wrong-family datagrams") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, test::loopback4(), recorder);
  const std::vector<uint8_t> big(UdpSocket::kDatagramBufferSize + 1, 0x80);
  const std::vector<uint8_t> max(UdpSocket::kDatagramBufferSize, 0x80);
  CHECK_FALSE(socket.send(big, socket.localAddress()));
  CHECK(socket.send(max, socket.localAddress()));
  CHECK_FALSE(socket.send(max, *SocketAddress::parse("::1", 5000)));
  CHECK(socket.counters().sendErrors == 2);
  CHECK(socket.queuedDatagrams() == 1);
  // An empty datagram is a datagram.
  CHECK(socket.send({}, socket.localAddress()));
  socket.start();
  socket.flush();
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == 2; }));
  CHECK(recorder.received[0].data == max);
  CHECK(recorder.received[1].data.empty());
  CHECK(recorder.received[1].from == socket.localAddress());
}

TEST_CASE("UdpSocket: an oversize (3000-byte) datagram is counted as truncated, not delivered") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, test::loopback4(), recorder);
  socket.start();
  test::PlainUdp peer(test::loopback4());
  const std::vector<uint8_t> oversize(3000, 0x80);
  const std::vector<uint8_t> exact(2048, 0x81);
  const std::vector<uint8_t> small = {0x00, 0x01, 0x00, 0x00};
  REQUIRE(peer.sendTo(oversize, socket.localAddress()));
  REQUIRE(peer.sendTo(exact, socket.localAddress()));
  REQUIRE(peer.sendTo(small, socket.localAddress()));
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == 2; }));
  test::runFor(io, std::chrono::milliseconds(20));
  CHECK(socket.counters().truncated == 1);
  REQUIRE(recorder.received.size() == 2);
  CHECK(recorder.received[0].data == exact);
  CHECK(recorder.received[1].data == small);
}

TEST_CASE("UdpSocket: per-wakeup budget re-arms and still drains everything") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket::Options options;
  options.receiveBatchSize = 4;
  options.maxDatagramsPerWakeup = 8;
  UdpSocket socket(io, test::loopback4(), recorder, options);
  socket.start();
  test::PlainUdp peer(test::loopback4());
  for (uint32_t i = 0; i < 100; ++i)
    REQUIRE(peer.sendTo(datagram(i % 10), socket.localAddress()));
  // Other work posted meanwhile still runs between wakeups.
  int otherWork = 0;
  boost::asio::post(io, [&] { ++otherWork; });
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == 100; }));
  CHECK(otherWork == 1);
  CHECK(socket.counters().receiveCalls >= 25);
  for (uint32_t i = 0; i < 100; ++i)
    CHECK(recorder.received[i].data == datagram(i % 10));
}

TEST_CASE("UdpSocket: stop() pauses reading, start() resumes") {
  boost::asio::io_context io;
  Recorder recorder;
  UdpSocket socket(io, test::loopback4(), recorder);
  test::PlainUdp peer(test::loopback4());
  socket.start();
  socket.stop();
  REQUIRE(peer.sendTo(datagram(1), socket.localAddress()));
  test::runFor(io, std::chrono::milliseconds(30));
  CHECK(recorder.received.empty());
  socket.start();
  REQUIRE(test::runUntil(io, [&] { return recorder.received.size() == 1; }));
}

TEST_CASE("UdpSocket: destroying the socket with a wait in flight is safe") {
  boost::asio::io_context io;
  Recorder recorder;
  auto socket = std::make_unique<UdpSocket>(io, test::loopback4(), recorder);
  socket->start();
  test::PlainUdp peer(test::loopback4());
  const SocketAddress target = socket->localAddress();
  REQUIRE(peer.sendTo(datagram(1), target));
  // Let the readiness complete into the ready queue, then destroy before it runs.
  io.poll_one();
  socket.reset();
  test::runFor(io, std::chrono::milliseconds(10));
  SUCCEED("no use after free (checked by ASan)");
}

TEST_CASE("UdpSocket: kernel receive timestamps on CLOCK_MONOTONIC, and none without the option") {
  const auto monotonicNs = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
  };
  struct Stamps : UdpSocket::Listener {
    UdpSocket* socket = nullptr;
    std::vector<uint64_t> times;
    void onDatagram(std::span<uint8_t>, const SocketAddress&) noexcept override {
      times.push_back(socket->receiveTimeNs());
    }
  };
  for (const bool enabled : {true, false}) {
    boost::asio::io_context io;
    Stamps stamps;
    UdpSocket::Options options;
    options.kernelTimestamps = enabled;
    UdpSocket socket(io, test::loopback4(), stamps, options);
    stamps.socket = &socket;
    socket.start();
    test::PlainUdp sender(test::loopback4());
    const uint64_t before = monotonicNs();
    for (uint32_t i = 0; i < 20; ++i)
      REQUIRE(sender.sendTo(datagram(i), socket.localAddress()));
    const uint64_t sent = monotonicNs();
    REQUIRE(test::runUntil(io, [&] { return stamps.times.size() == 20; }));
    for (const uint64_t t : stamps.times) {
      if (!enabled) {
        CHECK(t == 0);
        continue;
      }
      // Received by the kernel after the first send began and before the last one returned
      // (1 ms of slack for the realtime-to-monotonic conversion).
      CHECK(t + 1000000 >= before);
      CHECK(t <= sent + 1000000);
    }
  }
}

namespace {

// Datagram `seq` of a GSO test: the sequence number (as much of it as fits), then a pattern, `size`
// bytes in all.
std::vector<uint8_t> sequenced(uint32_t seq, size_t size) {
  std::vector<uint8_t> d(size);
  for (size_t k = 0; k < size; ++k)
    d[k] = static_cast<uint8_t>(seq * 31 + k);
  std::memcpy(d.data(), &seq, std::min(size, sizeof seq));
  return d;
}

// What a flush of the datagrams (receiver, size) should send as GSO messages of two or more,
// worked out per receiver from its own datagrams in order: a run takes its head's size, a shorter
// one joins and ends it, a longer one starts the next run, and a run holds at most 64 segments
// and 65,000 bytes.
struct GsoExpectation {
  uint64_t messages = 0;
  uint64_t datagrams = 0;
};
void expectGsoRuns(const std::vector<std::pair<size_t, size_t>>& flushed, GsoExpectation& expected) {
  std::map<size_t, std::vector<size_t>> perReceiver;
  for (const auto& [receiver, size] : flushed)
    perReceiver[receiver].push_back(size);
  for (const auto& [receiver, sizes] : perReceiver) {
    size_t k = 0;
    while (k < sizes.size()) {
      const size_t head = sizes[k];
      size_t run = 1;
      const size_t most = std::min<size_t>(64, 65000 / head);
      while (k + run < sizes.size() && run < most && sizes[k + run] <= head) {
        ++run;
        if (sizes[k + run - 1] < head) break;
      }
      if (run > 1) {
        ++expected.messages;
        expected.datagrams += run;
      }
      k += run;
    }
  }
}

// Sends `sizes[i]` to receiver order[i] % receivers, `flushEvery` datagrams per flush (at most the
// queue's slots); every receiver must get its datagrams intact and in order, and the GSO messages
// must be those expectGsoRuns works out.
void checkGsoDelivery(const SocketAddress& loopback, const std::vector<size_t>& order,
                      const std::vector<size_t>& sizes, size_t flushEvery, UdpSocket::Counters& counters,
                      size_t receiverCount = 3, size_t queueSlots = 64) {
  REQUIRE(flushEvery <= queueSlots);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<std::unique_ptr<UdpSocket>> receivers;
  for (size_t r = 0; r < receiverCount; ++r) {
    recorders.push_back(std::make_unique<Recorder>());
    receivers.push_back(std::make_unique<UdpSocket>(io, loopback, *recorders.back()));
    receivers.back()->start();
  }
  Recorder unused;
  UdpSocket::Options options;
  options.gso = true;
  options.sendQueueSlots = queueSlots;
  UdpSocket sender(io, loopback, unused, options);
  std::vector<std::vector<std::vector<uint8_t>>> expected(receiverCount);
  GsoExpectation runs;
  std::vector<std::pair<size_t, size_t>> flushed;
  for (size_t i = 0; i < order.size(); ++i) {
    const size_t r = order[i] % receiverCount;
    flushed.emplace_back(r, sizes[i]);
    if (i % flushEvery == flushEvery - 1 || i + 1 == order.size()) {
      expectGsoRuns(flushed, runs);
      flushed.clear();
    }
    auto d = sequenced(static_cast<uint32_t>(i), sizes[i]);
    REQUIRE(sender.send(d, receivers[r]->localAddress()));
    expected[r].push_back(std::move(d));
    if (i % flushEvery == flushEvery - 1) {
      sender.flush();
      // Stay within the receivers' buffers.
      REQUIRE(test::runUntil(io, [&] {
        size_t got = 0;
        for (const auto& rec : recorders)
          got += rec->received.size();
        return got == i + 1;
      }));
    }
  }
  sender.flush();
  REQUIRE(test::runUntil(io, [&] {
    size_t got = 0;
    for (const auto& rec : recorders)
      got += rec->received.size();
    return got == order.size();
  }));
  for (size_t r = 0; r < receiverCount; ++r) {
    REQUIRE(recorders[r]->received.size() == expected[r].size());
    for (size_t k = 0; k < expected[r].size(); ++k) {
      INFO("receiver " << r << " datagram " << k);
      CHECK(recorders[r]->received[k].data == expected[r][k]);
      CHECK(recorders[r]->received[k].from == sender.localAddress());
    }
  }
  CHECK(sender.queuedDatagrams() == 0);
  CHECK(sender.counters().sent == order.size());
  CHECK(sender.counters().sendErrors == 0);
  CHECK_FALSE(sender.counters().gsoRefused);
  CHECK(sender.counters().gsoMessages == runs.messages);
  CHECK(sender.counters().gsoDatagrams == runs.datagrams);
  counters = sender.counters();
}

}  // namespace

TEST_CASE("UdpSocket: with GSO a destination's datagrams go as segments, intact and in order") {
  // Receiver 0: 1000 1000 1000 700 | 1000 | 1200 -> a run of four closed by the shorter one, then
  // a single (the longer 1200 cannot join it) and a single. Receiver 1: 1000 500 | 1000.
  const std::vector<size_t> order{0, 1, 0, 1, 0, 0, 1, 0, 0, 2};
  const std::vector<size_t> sizes{1000, 1000, 1000, 500, 1000, 700, 1000, 1000, 1200, 300};
  UdpSocket::Counters counters;
  checkGsoDelivery(test::loopback4(), order, sizes, 64, counters);
  CHECK_FALSE(counters.gsoRefused);
  CHECK(counters.gsoMessages == 2);
  CHECK(counters.gsoDatagrams == 6);
  CHECK(counters.sendCalls == 1);
}

namespace {

// `count` datagrams to random receivers in [0, receivers), each of a size drawn from `choices`
// (repeatable: an LCG from `seed`).
void randomGsoLoad(uint32_t seed, size_t count, size_t receivers, std::span<const size_t> choices,
                   std::vector<size_t>& order, std::vector<size_t>& sizes) {
  uint32_t state = seed;
  const auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 16;
  };
  for (size_t i = 0; i < count; ++i) {
    order.push_back(next() % receivers);
    sizes.push_back(choices[next() % choices.size()]);
  }
}

}  // namespace

TEST_CASE("UdpSocket: GSO keeps every destination's order over random sizes and flushes") {
  std::vector<size_t> order;
  std::vector<size_t> sizes;
  const size_t choices[] = {1200, 1200, 1200, 1199, 900, 160, 1};
  randomGsoLoad(12345, 3000, 3, choices, order, sizes);
  for (const SocketAddress& loopback : {test::loopback4(), test::loopback6()}) {
    if (loopback.isIpv6() && !test::canBindIpv6Loopback()) continue;
    UdpSocket::Counters counters;
    checkGsoDelivery(loopback, order, sizes, 50, counters);
    CHECK_FALSE(counters.gsoRefused);
    CHECK(counters.gsoMessages > 100);
    CHECK(counters.sent == 3000);
  }
}

TEST_CASE("UdpSocket: GSO over a 256-slot queue to 40 receivers (frames of four and audio)") {
  // A worker's flush: frames of three 1100-byte packets and a shorter last one, and 120-byte audio,
  // fanned out to 40 subscribers, packet by packet, from 3 publishers in turn.
  std::vector<size_t> order;
  std::vector<size_t> sizes;
  const size_t frame[] = {1100, 1100, 1100, 700};
  for (size_t round = 0; round < 12; ++round) {
    for (size_t publisher = 0; publisher < 3; ++publisher) {
      for (size_t packet = 0; packet < 5; ++packet) {
        for (size_t r = 0; r < 40; ++r) {
          order.push_back(r);
          sizes.push_back(packet < 4 ? frame[packet] : 120);
        }
      }
    }
  }
  UdpSocket::Counters counters;
  checkGsoDelivery(test::loopback4(), order, sizes, 256, counters, 40, 256);
  CHECK(counters.sent == order.size());
  CHECK(counters.gsoDatagrams * 2 > counters.sent);  // most go in runs
  // With more destinations than a 64-slot flush holds twice, fewer runs form.
  UdpSocket::Counters small;
  checkGsoDelivery(test::loopback4(), order, sizes, 64, small, 40, 64);
  CHECK(small.gsoDatagrams < counters.gsoDatagrams);
}

TEST_CASE("UdpSocket: GSO keeps order to 200 receivers over random sizes, a flush per 256") {
  std::vector<size_t> order;
  std::vector<size_t> sizes;
  const size_t choices[] = {1200, 1200, 1200, 1199, 1201, 900, 160, 1};
  randomGsoLoad(777, 4000, 200, choices, order, sizes);
  UdpSocket::Counters counters;
  checkGsoDelivery(test::loopback4(), order, sizes, 256, counters, 200, 256);
  CHECK(counters.sent == 4000);
  CHECK(counters.gsoMessages > 0);
}

TEST_CASE("UdpSocket: without the GSO option every datagram is its own message") {
  boost::asio::io_context io;
  Recorder a;
  UdpSocket receiver(io, test::loopback4(), a);
  receiver.start();
  Recorder unused;
  UdpSocket sender(io, test::loopback4(), unused);
  for (size_t i = 0; i < 4; ++i)
    REQUIRE(sender.send(sequenced(static_cast<uint32_t>(i), 1000), receiver.localAddress()));
  sender.flush();
  REQUIRE(test::runUntil(io, [&] { return a.received.size() == 4; }));
  CHECK(sender.counters().gsoMessages == 0);
  CHECK(sender.counters().sent == 4);
}
