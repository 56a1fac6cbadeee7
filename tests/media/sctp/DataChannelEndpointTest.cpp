// Two DataChannelEndpoints in one process (DTLS client: even streams; DTLS server: odd), linked by
// handing each one's SCTP packets to the other, with usrsctp's virtual timers advanced in steps.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/sctp/DataChannelEndpoint.h"
#include "media/sctp/DcepOpen.h"

using namespace switchyard::media::sctp;

namespace {

struct Received {
  uint16_t stream = 0;
  DataKind kind = DataKind::kString;
  std::string text;
};

struct Side : DataChannelEndpoint::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  bool connected = false;
  std::vector<std::pair<uint16_t, DataChannelInfo>> opened;
  std::vector<Received> messages;
  std::vector<uint16_t> closedStreams;
  std::optional<DataChannelEndpoint::CloseReason> closed;
  std::unique_ptr<DataChannelEndpoint> endpoint;

  void onDataSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onDataConnected() override { connected = true; }
  void onChannelOpened(uint16_t stream, const DataChannelInfo& info) override {
    opened.emplace_back(stream, info);
  }
  void onChannelMessage(uint16_t stream, DataKind kind, std::span<const uint8_t> message) override {
    messages.push_back({stream, kind, std::string(message.begin(), message.end())});
  }
  void onChannelClosed(uint16_t stream) override { closedStreams.push_back(stream); }
  void onDataClosed(DataChannelEndpoint::CloseReason reason) override { closed = reason; }
};

struct Pair {
  SctpLibrary library;
  Side client;  // DTLS client
  Side server;  // DTLS server

  explicit Pair(DataChannelEndpoint::Config config = {}) {
    client.endpoint = std::make_unique<DataChannelEndpoint>(library, client, true, config);
    server.endpoint = std::make_unique<DataChannelEndpoint>(library, server, false, config);
  }
  void pump() {
    for (int round = 0; round < 100000 && (!client.outgoing.empty() || !server.outgoing.empty()); ++round) {
      if (!client.outgoing.empty()) {
        auto packet = std::move(client.outgoing.front());
        client.outgoing.pop_front();
        server.endpoint->receive(packet);
      }
      if (!server.outgoing.empty()) {
        auto packet = std::move(server.outgoing.front());
        server.outgoing.pop_front();
        client.endpoint->receive(packet);
      }
    }
  }
  bool runUntil(const std::function<bool()>& done, int maxSteps = 2000) {
    for (int step = 0; step < maxSteps; ++step) {
      pump();
      if (done()) return true;
      SctpAssociation::handleTimers(10);
      client.endpoint->poll();
      server.endpoint->poll();
    }
    pump();
    return done();
  }
  void connect() {
    REQUIRE(client.endpoint->start());
    REQUIRE(server.endpoint->start());
    REQUIRE(runUntil([&] { return client.connected && server.connected; }));
  }
};

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

TEST_CASE("DataChannelEndpoint: DCEP open both ways, even and odd streams, ack, messages", "[media/sctp]") {
  Pair pair;
  pair.connect();
  DataChannelInfo chat;
  chat.label = "chat";
  chat.protocol = "json";
  const auto clientStream = pair.client.endpoint->open(chat);
  REQUIRE(clientStream);
  CHECK(*clientStream % 2 == 0);
  DataChannelInfo lossy;
  lossy.label = "state";
  lossy.reliability = DcepReliability::kMaxRetransmits;
  lossy.reliabilityParameter = 0;
  lossy.ordered = false;
  const auto serverStream = pair.server.endpoint->open(lossy);
  REQUIRE(serverStream);
  CHECK(*serverStream % 2 == 1);
  // Messages may follow the OPEN at once.
  const std::string hello = "hello";
  REQUIRE(pair.client.endpoint->send(*clientStream, DataKind::kString, bytes(hello)) ==
          DataChannelEndpoint::SendResult::kOk);
  REQUIRE(pair.runUntil([&] {
    return !pair.server.opened.empty() && !pair.client.opened.empty() && !pair.server.messages.empty();
  }));
  CHECK(pair.server.opened[0].first == *clientStream);
  CHECK(pair.server.opened[0].second == chat);
  CHECK(pair.client.opened[0].first == *serverStream);
  CHECK(pair.client.opened[0].second == lossy);
  CHECK(pair.server.messages[0].text == hello);
  CHECK(pair.server.messages[0].kind == DataKind::kString);
  // Binary and empty messages both ways.
  const std::string binary("\x00\x01\x02", 3);
  REQUIRE(pair.server.endpoint->send(*clientStream, DataKind::kBinary, bytes(binary)) ==
          DataChannelEndpoint::SendResult::kOk);
  REQUIRE(pair.server.endpoint->send(*clientStream, DataKind::kString, {}) ==
          DataChannelEndpoint::SendResult::kOk);
  REQUIRE(pair.server.endpoint->send(*serverStream, DataKind::kBinary, {}) ==
          DataChannelEndpoint::SendResult::kOk);
  REQUIRE(pair.runUntil([&] { return pair.client.messages.size() == 3; }));
  CHECK(pair.client.messages[0].text == binary);
  CHECK(pair.client.messages[0].kind == DataKind::kBinary);
  CHECK(pair.client.messages[1].text.empty());
  CHECK(pair.client.messages[1].kind == DataKind::kString);
  CHECK(pair.client.messages[2].stream == *serverStream);
  CHECK(pair.client.messages[2].kind == DataKind::kBinary);
  CHECK(pair.client.messages[2].text.empty());
  CHECK(pair.client.endpoint->channelCount() == 2);
  CHECK(pair.server.endpoint->channelCount() == 2);
}

TEST_CASE("DataChannelEndpoint: close resets the stream on both sides and frees it", "[media/sctp]") {
  Pair pair;
  pair.connect();
  DataChannelInfo info;
  info.label = "a";
  std::vector<uint16_t> streams;
  for (int i = 0; i < 5; ++i) {
    const auto stream = pair.client.endpoint->open(info);
    REQUIRE(stream);
    streams.push_back(*stream);
  }
  REQUIRE(pair.runUntil([&] { return pair.server.opened.size() == 5; }));
  // Five closes at once: usrsctp allows one outstanding reset, the rest wait and are retried.
  for (const uint16_t stream : streams) {
    pair.client.endpoint->close(stream);
  }
  CHECK(pair.client.endpoint->send(streams[0], DataKind::kString, bytes("x")) ==
        DataChannelEndpoint::SendResult::kClosed);
  REQUIRE(pair.runUntil(
      [&] { return pair.client.closedStreams.size() == 5 && pair.server.closedStreams.size() == 5; }));
  CHECK(pair.client.endpoint->channelCount() == 0);
  CHECK(pair.server.endpoint->channelCount() == 0);
  // The server side closing works the same way.
  const auto again = pair.client.endpoint->open(info);
  REQUIRE(again);
  REQUIRE(pair.runUntil([&] { return pair.server.opened.size() == 6; }));
  pair.server.endpoint->close(*again);
  REQUIRE(pair.runUntil(
      [&] { return pair.client.closedStreams.size() == 6 && pair.server.closedStreams.size() == 6; }));
  CHECK(pair.client.closedStreams.back() == *again);
}

namespace {

// A bare SctpAssociation on the client side, to send what a well-behaved endpoint never would.
struct RawClient : SctpAssociation::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  std::vector<uint16_t> resets;
  std::vector<std::pair<uint16_t, std::vector<uint8_t>>> dcep;
  bool connected = false;
  void onSctpSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onSctpConnected() override { connected = true; }
  void onSctpMessage(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) override {
    if (ppid == toWire(Ppid::kDcep))
      dcep.emplace_back(stream, std::vector<uint8_t>(data.begin(), data.end()));
  }
  void onSctpStreamReset(uint16_t stream) override { resets.push_back(stream); }
  void onSctpClosed(SctpAssociation::CloseReason) override {}
};

}  // namespace

TEST_CASE("DataChannelEndpoint: hostile DCEP, data on unknown streams and too many channels",
          "[media/sctp]") {
  SctpLibrary library;
  RawClient raw;
  Side server;
  SctpAssociation client(library, raw);
  DataChannelEndpoint::Config config;
  config.maxChannels = 2;
  server.endpoint = std::make_unique<DataChannelEndpoint>(library, server, false, config);
  auto run = [&](const std::function<bool()>& done) {
    for (int step = 0; step < 2000; ++step) {
      for (int round = 0; round < 10000 && (!raw.outgoing.empty() || !server.outgoing.empty()); ++round) {
        if (!raw.outgoing.empty()) {
          auto packet = std::move(raw.outgoing.front());
          raw.outgoing.pop_front();
          server.endpoint->receive(packet);
        }
        if (!server.outgoing.empty()) {
          auto packet = std::move(server.outgoing.front());
          server.outgoing.pop_front();
          client.receive(packet);
        }
      }
      if (done()) return true;
      SctpAssociation::handleTimers(10);
    }
    return done();
  };
  REQUIRE(client.connect());
  REQUIRE(server.endpoint->start());
  REQUIRE(run([&] { return raw.connected && server.connected; }));
  const uint32_t dcepPpid = toWire(Ppid::kDcep);
  const std::vector<uint8_t> truncatedOpen = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05};
  const std::vector<uint8_t> unknownType = {0x07, 1, 2, 3};
  const std::vector<uint8_t> data = {'h', 'i'};
  REQUIRE(client.send(0, dcepPpid, truncatedOpen) == SctpAssociation::SendResult::kOk);
  REQUIRE(client.send(0, dcepPpid, unknownType) == SctpAssociation::SendResult::kOk);
  REQUIRE(client.send(2, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);  // no channel
  REQUIRE(client.send(2, 12345, data) == SctpAssociation::SendResult::kOk);                  // unknown PPID
  REQUIRE(run([&] {
    return server.endpoint->counters().messagesWithoutChannel == 1 &&
           server.endpoint->counters().malformedDcep == 3;
  }));
  CHECK(server.opened.empty());
  // Valid opens on streams 0 and 2 are acknowledged; a second OPEN on stream 0 and a third channel
  // are refused; the third stream is reset.
  std::vector<uint8_t> open(64);
  DcepOpenParams params;
  params.label = "ok";
  open.resize(*writeDcepOpen(open, params));
  REQUIRE(client.send(0, dcepPpid, open) == SctpAssociation::SendResult::kOk);
  REQUIRE(client.send(2, dcepPpid, open) == SctpAssociation::SendResult::kOk);
  REQUIRE(client.send(0, dcepPpid, open) == SctpAssociation::SendResult::kOk);
  REQUIRE(client.send(4, dcepPpid, open) == SctpAssociation::SendResult::kOk);
  REQUIRE(run([&] { return raw.dcep.size() == 2 && !raw.resets.empty(); }));
  CHECK(raw.dcep[0].second == std::vector<uint8_t>{0x02});
  CHECK(server.opened.size() == 2);
  CHECK(server.endpoint->counters().channelsRefused == 2);
  CHECK(raw.resets == std::vector<uint16_t>{4});
  REQUIRE(client.send(2, toWire(Ppid::kString), data) == SctpAssociation::SendResult::kOk);
  REQUIRE(run([&] { return server.messages.size() == 1; }));
  CHECK(server.messages[0].stream == 2);
  CHECK(server.messages[0].text == "hi");
}
