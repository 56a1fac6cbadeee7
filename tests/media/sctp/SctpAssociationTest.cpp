// Two SctpAssociations in one process, linked by handing each one's outgoing packets to the other's
// receive() (as DTLS would), both connecting (WebRTC's simultaneous open, RFC 8831 section 6.2).
// usrsctp runs without threads, so its timers are virtual: they advance only through
// SctpAssociation::handleTimers(), which these tests call in small steps; nothing sleeps.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/sctp/Ppid.h"
#include "media/sctp/SctpAssociation.h"
#include "media/sctp/SctpLibrary.h"

using switchyard::media::sctp::Ppid;
using switchyard::media::sctp::SctpAssociation;
using switchyard::media::sctp::SctpLibrary;
using switchyard::media::sctp::toWire;

namespace {

struct Message {
  uint16_t stream = 0;
  uint32_t ppid = 0;
  std::vector<uint8_t> data;
};

struct Peer : SctpAssociation::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  bool connected = false;
  std::vector<Message> messages;
  std::vector<uint16_t> resets;
  std::optional<SctpAssociation::CloseReason> closed;
  std::unique_ptr<SctpAssociation> association;

  void onSctpSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onSctpConnected() override { connected = true; }
  void onSctpMessage(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) override {
    messages.push_back(Message{stream, ppid, std::vector<uint8_t>(data.begin(), data.end())});
  }
  void onSctpStreamReset(uint16_t stream) override { resets.push_back(stream); }
  void onSctpClosed(SctpAssociation::CloseReason reason) override { closed = reason; }
};

struct Link {
  SctpLibrary library;
  Peer a;
  Peer b;
  // Drop every n-th packet from a to b (0: none).
  unsigned dropEveryAToB = 0;
  uint64_t aToBPackets = 0;
  uint64_t dropped = 0;

  explicit Link(SctpAssociation::Config configA = {}, SctpAssociation::Config configB = {}) {
    a.association = std::make_unique<SctpAssociation>(library, a, configA);
    b.association = std::make_unique<SctpAssociation>(library, b, configB);
  }

  // Delivers queued packets both ways until none is left (bounded).
  void pump() {
    for (int round = 0; round < 100000 && (!a.outgoing.empty() || !b.outgoing.empty()); ++round) {
      if (!a.outgoing.empty()) {
        std::vector<uint8_t> packet = std::move(a.outgoing.front());
        a.outgoing.pop_front();
        ++aToBPackets;
        if (dropEveryAToB != 0 && aToBPackets % dropEveryAToB == 0) {
          ++dropped;
        } else {
          b.association->receive(packet);
        }
      }
      if (!b.outgoing.empty()) {
        std::vector<uint8_t> packet = std::move(b.outgoing.front());
        b.outgoing.pop_front();
        a.association->receive(packet);
      }
    }
  }

  // Pumps packets and advances usrsctp's timers by stepMs until done() (at most maxSteps steps).
  bool runUntil(const std::function<bool()>& done, int maxSteps = 2000, uint32_t stepMs = 10) {
    for (int step = 0; step < maxSteps; ++step) {
      pump();
      if (done()) {
        return true;
      }
      SctpAssociation::handleTimers(stepMs);
    }
    pump();
    return done();
  }

  void connect() {
    REQUIRE(a.association->connect(5000, 5000));
    REQUIRE(b.association->connect(5000, 5000));
    REQUIRE(runUntil([&] { return a.connected && b.connected; }));
    CHECK(a.association->connected());
    CHECK(b.association->connected());
  }
};

std::vector<uint8_t> bytes(const std::string& text) {
  return {text.begin(), text.end()};
}

}  // namespace

TEST_CASE("SctpAssociation: simultaneous open and a reliable ordered message each way", "[media/sctp]") {
  Link link;
  link.connect();
  const auto hello = bytes("hello from a");
  const auto reply = bytes("hello from b");
  REQUIRE(link.a.association->send(1, toWire(Ppid::kString), hello) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.b.association->send(1, toWire(Ppid::kBinary), reply) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return link.a.messages.size() == 1 && link.b.messages.size() == 1; }));
  CHECK(link.b.messages[0].stream == 1);
  CHECK(link.b.messages[0].ppid == toWire(Ppid::kString));
  CHECK(link.b.messages[0].data == hello);
  CHECK(link.a.messages[0].ppid == toWire(Ppid::kBinary));
  CHECK(link.a.messages[0].data == reply);
  // Once everything is acknowledged nothing stays buffered.
  REQUIRE(link.runUntil([&] { return link.a.association->drained(); }));
  CHECK(link.a.association->counters().messagesReceived == 1);
}

TEST_CASE("SctpAssociation: send before connecting is refused", "[media/sctp]") {
  Link link;
  const auto data = bytes("x");
  CHECK(link.a.association->send(0, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kClosed);
  CHECK_FALSE(link.a.association->resetStream(0));
  // Garbage before and after connecting is harmless.
  const std::vector<uint8_t> junk = {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3};
  link.a.association->receive(junk);
  link.a.association->receive({});
  link.connect();
  link.a.association->receive(junk);
  link.pump();
  CHECK(link.a.association->connected());
  // Too short to hold a chunk: dropped before usrsctp, both times.
  CHECK(link.a.association->counters().malformedPacketsDropped == 2);
}

TEST_CASE("SctpAssociation: structurally malformed packets never reach usrsctp", "[media/sctp]") {
  Link link;
  link.connect();
  const uint64_t before = link.a.association->counters().malformedPacketsDropped;
  // usrsctp 0.9.5 loops forever on this INIT (its last parameter has length 0; RFC 4960 section
  // 3.2.1 requires at least 4): found by fuzz_sctp_association.
  const std::vector<uint8_t> initParamLength0 = {0x13, 0x88, 0x13, 0x88, 0,    0,    0,    0,    0,
                                                 0,    0,    0,    0x01, 0x00, 0x00, 0x18, 0x12, 0x34,
                                                 0x56, 0x78, 0x00, 0x02, 0x00, 0x00, 0x04, 0x00, 0x04,
                                                 0x00, 0x00, 0x00, 0x00, 0x64, 0xc0, 0x00, 0x00, 0x00};
  link.a.association->receive(initParamLength0);
  // Chunk length 0, chunk length past the end, only a common header.
  const std::vector<uint8_t> chunkLength0 = {0x13, 0x88, 0x13, 0x88, 0,    0,    0,    1,
                                             0,    0,    0,    0,    0x00, 0x03, 0x00, 0x00};
  const std::vector<uint8_t> chunkTooLong = {0x13, 0x88, 0x13, 0x88, 0,    0,    0,    1,
                                             0,    0,    0,    0,    0x04, 0x00, 0x00, 0x40};
  const std::vector<uint8_t> headerOnly = {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0};
  link.a.association->receive(chunkLength0);
  link.a.association->receive(chunkTooLong);
  link.a.association->receive(headerOnly);
  CHECK(link.a.association->counters().malformedPacketsDropped == before + 4);
  // Every truncation of the INIT is rejected or harmless.
  for (size_t length = 1; length < initParamLength0.size(); ++length) {
    link.a.association->receive(std::span<const uint8_t>(initParamLength0).first(length));
  }
  link.pump();
  CHECK(link.a.association->connected());
  const auto data = bytes("still fine");
  REQUIRE(link.a.association->send(1, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return !link.b.messages.empty(); }));
}

TEST_CASE("SctpAssociation: 1000 messages arrive in order", "[media/sctp]") {
  Link link;
  link.connect();
  for (uint32_t i = 0; i < 1000; ++i) {
    const auto data = bytes("message " + std::to_string(i));
    REQUIRE(link.a.association->send(2, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  }
  CHECK_FALSE(link.a.association->drained());
  REQUIRE(link.runUntil([&] { return link.b.messages.size() == 1000; }));
  for (uint32_t i = 0; i < 1000; ++i) {
    REQUIRE(link.b.messages[i].data == bytes("message " + std::to_string(i)));
  }
  REQUIRE(link.runUntil([&] { return link.a.association->drained(); }));
}

TEST_CASE("SctpAssociation: a 200 KiB message is reassembled from partial deliveries", "[media/sctp]") {
  Link link;
  link.connect();
  std::vector<uint8_t> big(200 * 1024);
  for (size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<uint8_t>((i * 31U + 7U) & 0xffU);
  }
  REQUIRE(link.a.association->send(4, toWire(Ppid::kBinary), big) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return !link.b.messages.empty(); }));
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data == big);
  CHECK(link.b.association->counters().partialDeliveries > 0);
  // Above maxSendMessageSize is refused locally.
  std::vector<uint8_t> tooBig(256 * 1024 + 1);
  CHECK(link.a.association->send(4, toWire(Ppid::kBinary), tooBig) == SctpAssociation::SendResult::kTooLarge);
}

TEST_CASE("SctpAssociation: a message above the receive limit is dropped and counted", "[media/sctp]") {
  SctpAssociation::Config small;
  small.maxReceiveMessageSize = 100 * 1024;
  Link link({}, small);
  link.connect();
  const std::vector<uint8_t> big(150 * 1024, 0x5a);
  const auto after = bytes("still alive");
  REQUIRE(link.a.association->send(1, toWire(Ppid::kBinary), big) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.a.association->send(1, toWire(Ppid::kString), after) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return !link.b.messages.empty(); }));
  CHECK(link.b.association->counters().oversizedMessagesDropped == 1);
  REQUIRE(link.b.messages.size() == 1);
  CHECK(link.b.messages[0].data == after);
}

TEST_CASE("SctpAssociation: an empty string message (PPID 56, RFC 8831 section 6.6)", "[media/sctp]") {
  Link link;
  link.connect();
  REQUIRE(link.a.association->send(3, toWire(Ppid::kStringEmpty), {}) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return !link.b.messages.empty(); }));
  CHECK(link.b.messages[0].stream == 3);
  CHECK(link.b.messages[0].ppid == toWire(Ppid::kStringEmpty));
  CHECK(link.b.messages[0].data.empty());
}

TEST_CASE("SctpAssociation: unordered, maxRetransmits 0 and lifetime sends", "[media/sctp]") {
  Link link;
  link.connect();
  const SctpAssociation::Reliability rtx0{SctpAssociation::Reliability::Kind::kMaxRetransmits, 0};
  const SctpAssociation::Reliability ttl{SctpAssociation::Reliability::Kind::kMaxLifetimeMs, 500};
  const auto one = bytes("unreliable");
  const auto two = bytes("timed");
  REQUIRE(link.a.association->send(5, toWire(Ppid::kString), one, false, rtx0) ==
          SctpAssociation::SendResult::kOk);
  REQUIRE(link.a.association->send(6, toWire(Ppid::kString), two, false, ttl) ==
          SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return link.b.messages.size() == 2; }));
  CHECK(link.b.messages[0].data == one);
  CHECK(link.b.messages[0].stream == 5);
  CHECK(link.b.messages[1].data == two);
}

TEST_CASE("SctpAssociation: a stream reset reaches the other side", "[media/sctp]") {
  Link link;
  link.connect();
  const auto data = bytes("on stream 7");
  REQUIRE(link.a.association->send(7, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return !link.b.messages.empty(); }));
  REQUIRE(link.a.association->resetStream(7));
  REQUIRE(link.runUntil([&] { return !link.b.resets.empty(); }));
  CHECK(link.b.resets == std::vector<uint16_t>{7});
  CHECK(link.a.resets.empty());  // the initiator's own outgoing reset is not reported
  // B completes the close by resetting its outgoing side too (RFC 8831 section 6.7).
  REQUIRE(link.b.association->resetStream(7));
  REQUIRE(link.runUntil([&] { return !link.a.resets.empty(); }));
  CHECK(link.a.resets == std::vector<uint16_t>{7});
  // The stream can be used again afterwards.
  REQUIRE(link.a.association->send(7, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  REQUIRE(link.runUntil([&] { return link.b.messages.size() == 2; }));
}

TEST_CASE("SctpAssociation: graceful close reaches both sides", "[media/sctp]") {
  Link link;
  link.connect();
  link.a.association->close();
  REQUIRE(link.runUntil([&] { return link.a.closed.has_value() && link.b.closed.has_value(); }));
  CHECK(*link.a.closed == SctpAssociation::CloseReason::kLocalClose);
  CHECK(*link.b.closed == SctpAssociation::CloseReason::kRemoteShutdown);
  const auto data = bytes("late");
  CHECK(link.a.association->send(1, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kClosed);
  CHECK(link.b.association->send(1, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kClosed);
}

TEST_CASE("SctpAssociation: abort reaches the other side", "[media/sctp]") {
  Link link;
  link.connect();
  link.a.association->abort();
  REQUIRE(link.a.closed.has_value());
  CHECK(*link.a.closed == SctpAssociation::CloseReason::kLocalClose);
  REQUIRE(link.runUntil([&] { return link.b.closed.has_value(); }));
  CHECK(*link.b.closed == SctpAssociation::CloseReason::kCommLost);
  const auto data = bytes("late");
  CHECK(link.a.association->send(1, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kClosed);
  link.a.association->receive(data);  // harmless after abort
  link.a.association->close();
}

TEST_CASE("SctpAssociation: destroying an association mid-transfer is safe", "[media/sctp]") {
  Link link;
  link.connect();
  const std::vector<uint8_t> big(100 * 1024, 0x42);
  REQUIRE(link.a.association->send(1, toWire(Ppid::kBinary), big) == SctpAssociation::SendResult::kOk);
  link.pump();
  // Destroyed with packets in flight: what usrsctp emits for it later finds no one and is dropped.
  link.a.association.reset();
  link.a.outgoing.clear();
  for (int step = 0; step < 20; ++step) {
    link.b.outgoing.clear();
    SctpAssociation::handleTimers(100);
  }
  CHECK_FALSE(link.b.closed.has_value());
}

TEST_CASE("SctpAssociation: reliable delivery survives every 10th packet lost", "[media/sctp]") {
  Link link;
  link.dropEveryAToB = 10;
  link.connect();
  for (uint32_t i = 0; i < 300; ++i) {
    const auto data = bytes("lossy " + std::to_string(i) + std::string(400, 'x'));
    REQUIRE(link.a.association->send(1, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  }
  REQUIRE(link.runUntil([&] { return link.b.messages.size() == 300; }, 20000, 50));
  CHECK(link.dropped > 0);
  for (uint32_t i = 0; i < 300; ++i) {
    REQUIRE(link.b.messages[i].data == bytes("lossy " + std::to_string(i) + std::string(400, 'x')));
  }
}

TEST_CASE("SctpAssociation: a paused reader closes the window, the sender blocks, resuming delivers all",
          "[media/sctp]") {
  SctpAssociation::Config config;
  config.sendBufferSize = 256 * 1024;
  config.receiveBufferSize = 256 * 1024;
  Link link(config, config);
  link.connect();
  link.b.association->setReadPaused(true);
  const std::vector<uint8_t> chunk(16 * 1024, 0x77);
  size_t accepted = 0;
  bool blocked = false;
  // Bounded: the receive window (256 KiB) plus the send buffer (256 KiB) hold at most ~32 chunks.
  for (int attempt = 0; attempt < 400 && !blocked; ++attempt) {
    const auto result = link.a.association->send(1, toWire(Ppid::kBinary), chunk);
    if (result == SctpAssociation::SendResult::kOk) {
      ++accepted;
    } else {
      REQUIRE(result == SctpAssociation::SendResult::kWouldBlock);
      blocked = true;
    }
    link.runUntil([] { return false; }, 3);
  }
  REQUIRE(blocked);
  CHECK(link.b.messages.empty());
  CHECK(accepted * chunk.size() <= 2 * 256 * 1024 + chunk.size());
  link.b.association->setReadPaused(false);
  REQUIRE(link.runUntil([&] {
    link.b.association->poll();
    return link.b.messages.size() == accepted;
  }));
  // The window reopened: the sender can send again.
  REQUIRE(link.runUntil([&] { return link.a.association->drained(); }));
  CHECK(link.a.association->send(1, toWire(Ppid::kBinary), chunk) == SctpAssociation::SendResult::kOk);
}
