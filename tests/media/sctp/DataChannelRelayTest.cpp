// A DataChannelRelay with real client endpoints (DTLS-client side DataChannelEndpoints) linked to it
// in memory: relay routing, late joiners, directed channels, closing, and back-pressure.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/sctp/DataChannelRelay.h"

using namespace switchyard::media::sctp;

namespace {

struct Client : DataChannelEndpoint::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  bool connected = false;
  std::map<uint16_t, DataChannelInfo> opened;
  std::vector<std::pair<uint16_t, std::string>> messages;
  std::vector<uint16_t> closedStreams;
  std::unique_ptr<DataChannelEndpoint> endpoint;

  void onDataSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onDataConnected() override { connected = true; }
  void onChannelOpened(uint16_t stream, const DataChannelInfo& info) override { opened[stream] = info; }
  void onChannelMessage(uint16_t stream, DataKind, std::span<const uint8_t> message) override {
    messages.emplace_back(stream, std::string(message.begin(), message.end()));
  }
  void onChannelClosed(uint16_t stream) override { closedStreams.push_back(stream); }
  void onDataClosed(DataChannelEndpoint::CloseReason) override {}

  [[nodiscard]] std::optional<uint16_t> streamLabelled(const std::string& label) const {
    for (const auto& [stream, info] : opened)
      if (info.label == label) return stream;
    return std::nullopt;
  }
  [[nodiscard]] size_t countOn(uint16_t stream) const {
    size_t n = 0;
    for (const auto& m : messages)
      n += m.first == stream ? 1 : 0;
    return n;
  }
};

struct Room : DataChannelRelay::Output {
  SctpLibrary library;
  std::map<uint32_t, std::deque<std::vector<uint8_t>>> toClient;
  std::map<uint32_t, std::unique_ptr<Client>> clients;
  std::unique_ptr<DataChannelRelay> relay;

  explicit Room(uint32_t perPeerLimit = 1024 * 1024) {
    DataChannelEndpointConfig config;
    config.sctp.sendBufferSize = perPeerLimit;
    config.sctp.receiveBufferSize = perPeerLimit;
    relay = std::make_unique<DataChannelRelay>(library, *this, config);
  }
  ~Room() {
    relay.reset();
    clients.clear();
  }
  void onRelaySend(uint32_t peer, std::span<const uint8_t> packet) noexcept override {
    toClient[peer].emplace_back(packet.begin(), packet.end());
  }
  Client& join(uint32_t key, const std::string& peerId, DataChannelEndpointConfig clientConfig = {}) {
    auto client = std::make_unique<Client>();
    client->endpoint = std::make_unique<DataChannelEndpoint>(library, *client, true, clientConfig);
    relay->addPeer(key, {peerId, false, 5000, 262144});
    relay->start(key);
    REQUIRE(client->endpoint->start());
    Client& ref = *client;
    clients[key] = std::move(client);
    REQUIRE(runUntil([&] { return ref.connected; }));
    return ref;
  }
  void pump() {
    for (int round = 0; round < 100000; ++round) {
      bool any = false;
      for (auto& [key, client] : clients) {
        if (!client->outgoing.empty()) {
          auto packet = std::move(client->outgoing.front());
          client->outgoing.pop_front();
          relay->receive(key, packet);
          any = true;
        }
        auto& queue = toClient[key];
        if (!queue.empty()) {
          auto packet = std::move(queue.front());
          queue.pop_front();
          client->endpoint->receive(packet);
          any = true;
        }
      }
      if (!any) return;
    }
  }
  bool runUntil(const std::function<bool()>& done, int maxSteps = 3000) {
    for (int step = 0; step < maxSteps; ++step) {
      pump();
      if (done()) return true;
      SctpAssociation::handleTimers(10);
      relay->tick();
      for (auto& [key, client] : clients)
        client->endpoint->poll();
    }
    pump();
    return done();
  }
};

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Not "m" + std::to_string(i): GCC 12 warns (-Wrestrict, a known false positive) on that form.
std::string numbered(int i) {
  std::string text = "m";
  text += std::to_string(i);
  return text;
}

DataChannelInfo channel(const std::string& label, const std::string& protocol = "") {
  DataChannelInfo info;
  info.label = label;
  info.protocol = protocol;
  return info;
}

}  // namespace

TEST_CASE(
    "DataChannelRelay: a sender's channel is opened at every other peer and its messages follow in order",
    "[media/sctp]") {
  Room room;
  Client& a = room.join(1, "alice");
  Client& b = room.join(2, "bob");
  Client& c = room.join(3, "carol");
  const auto chat = a.endpoint->open(channel("chat", "json"));
  REQUIRE(chat);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(a.endpoint->send(*chat, DataKind::kString, bytes(numbered(i))) ==
            DataChannelEndpoint::SendResult::kOk);
  }
  REQUIRE(room.runUntil([&] { return b.messages.size() == 200 && c.messages.size() == 200; }));
  for (Client* receiver : {&b, &c}) {
    REQUIRE(receiver->opened.size() == 1);
    const auto& [stream, info] = *receiver->opened.begin();
    CHECK(stream % 2 == 1);  // opened by the server (DTLS server: odd streams)
    CHECK(info.label == "chat");
    CHECK(info.protocol == "from=alice;json");
    for (int i = 0; i < 200; ++i)
      REQUIRE(receiver->messages[static_cast<size_t>(i)].second == numbered(i));
  }
  CHECK(a.messages.empty());
  CHECK(room.relay->counters(1)->messagesIn == 200);
  CHECK(room.relay->counters(2)->messagesOut == 200);
  // Relayed channels are receive-only.
  const uint16_t atBob = b.opened.begin()->first;
  REQUIRE(b.endpoint->send(atBob, DataKind::kString, bytes("reply")) == DataChannelEndpoint::SendResult::kOk);
  REQUIRE(room.runUntil([&] { return room.relay->counters(2)->droppedReceiveOnly == 1; }));
  CHECK(a.messages.empty());
  CHECK(c.messages.size() == 200);
}

TEST_CASE("DataChannelRelay: directed channels, late joiners, closing and leaving", "[media/sctp]") {
  Room room;
  Client& a = room.join(1, "alice");
  Client& b = room.join(2, "bob");
  const auto chat = a.endpoint->open(channel("chat"));
  const auto dm = a.endpoint->open(channel("dm", "to=carol;v1"));
  REQUIRE(chat);
  REQUIRE(dm);
  REQUIRE(room.runUntil([&] { return b.opened.size() == 1; }));
  // Carol joins later: she gets both (the dm is for her), Bob never gets the dm.
  Client& c = room.join(3, "carol");
  REQUIRE(room.runUntil([&] { return c.opened.size() == 2; }));
  const auto dmAtCarol = c.streamLabelled("dm");
  REQUIRE(dmAtCarol);
  CHECK(c.opened[*dmAtCarol].protocol == "from=alice;v1");
  CHECK(c.opened[*c.streamLabelled("chat")].protocol == "from=alice");
  REQUIRE(a.endpoint->send(*dm, DataKind::kBinary, bytes("secret")) == DataChannelEndpoint::SendResult::kOk);
  REQUIRE(a.endpoint->send(*chat, DataKind::kString, bytes("all")) == DataChannelEndpoint::SendResult::kOk);
  REQUIRE(room.runUntil([&] { return c.messages.size() == 2 && b.messages.size() == 1; }));
  CHECK(c.countOn(*dmAtCarol) == 1);
  CHECK_FALSE(b.streamLabelled("dm"));
  // Bob opens his own channel: Alice and Carol get a from=bob channel.
  const auto bobs = b.endpoint->open(channel("chat"));
  REQUIRE(bobs);
  REQUIRE(room.runUntil([&] { return a.opened.size() == 1 && c.opened.size() == 3; }));
  CHECK(a.opened.begin()->second.protocol == "from=bob");
  // Alice closes her chat: Bob's and Carol's relayed chat channels close.
  const uint16_t chatAtBob = *b.streamLabelled("chat");
  a.endpoint->close(*chat);
  REQUIRE(room.runUntil([&] { return !b.closedStreams.empty() && c.closedStreams.size() == 1; }));
  CHECK(b.closedStreams == std::vector<uint16_t>{chatAtBob});
  // Alice leaves: her dm at Carol closes; Bob's channel at Alice is gone from the relay.
  room.relay->removePeer(1);
  REQUIRE(room.runUntil([&] { return c.closedStreams.size() == 2; }));
  CHECK(c.closedStreams.back() == *dmAtCarol);
  REQUIRE(b.endpoint->send(*bobs, DataKind::kString, bytes("still here")) ==
          DataChannelEndpoint::SendResult::kOk);
  REQUIRE(room.runUntil([&] { return c.messages.size() == 3; }));
  CHECK(c.messages.back().second == "still here");
}

TEST_CASE("DataChannelRelay: a paused receiver stops a reliable sender; unreliable messages are dropped",
          "[media/sctp]") {
  const uint32_t limit = 128 * 1024;
  Room room(limit);
  DataChannelEndpointConfig small;
  small.sctp.receiveBufferSize = 128 * 1024;
  small.sctp.sendBufferSize = 256 * 1024;
  Client& a = room.join(1, "alice", small);
  Client& b = room.join(2, "bob", small);
  const auto reliable = a.endpoint->open(channel("file"));
  DataChannelInfo lossyInfo = channel("state");
  lossyInfo.ordered = false;
  lossyInfo.reliability = DcepReliability::kMaxRetransmits;
  REQUIRE(reliable);
  REQUIRE(room.runUntil([&] { return b.opened.size() == 1; }));
  b.endpoint->setReadPaused(true);  // Bob stops reading: his window closes, the relay's buffer to him fills
  const std::string chunk(16 * 1024, 'x');
  size_t sent = 0;
  bool senderBlocked = false;
  for (int i = 0; i < 400 && !senderBlocked; ++i) {
    const auto result = a.endpoint->send(*reliable, DataKind::kBinary, bytes(chunk));
    if (result == DataChannelEndpoint::SendResult::kOk) {
      ++sent;
    } else {
      senderBlocked = true;
    }
    room.runUntil([] { return false; }, 2);
  }
  // Alice's own buffer filled because the relay stopped reading her: nothing grew without bound.
  REQUIRE(senderBlocked);
  CHECK(room.relay->counters(1)->readPauses >= 1);
  CHECK(room.relay->heldBytes() <= chunk.size());
  // Bounded by the buffers on the way: Alice's send buffer, the relay's receive buffer for her and
  // send buffer toward Bob (both `limit`), Bob's receive buffer, the held message.
  CHECK(sent * chunk.size() <= 256 * 1024 + limit + limit + 128 * 1024 + 2 * chunk.size());
  // Bob resumes: every message arrives, in order, and Alice can send again.
  b.endpoint->setReadPaused(false);
  REQUIRE(room.runUntil([&] { return b.messages.size() == sent; }, 6000));
  CHECK(room.relay->heldBytes() == 0);
  CHECK(room.relay->counters(2)->droppedUnreliable == 0);

  // Unreliable: with Bob paused again, the relay drops instead of pausing Alice.
  const auto lossy = a.endpoint->open(lossyInfo);
  REQUIRE(lossy);
  REQUIRE(room.runUntil([&] { return b.opened.size() == 2; }));
  b.endpoint->setReadPaused(true);
  const uint64_t pausesBefore = room.relay->counters(1)->readPauses;
  for (int i = 0; i < 100; ++i) {
    a.endpoint->send(*lossy, DataKind::kBinary, bytes(chunk));
    room.runUntil([] { return false; }, 2);
  }
  CHECK(room.relay->counters(2)->droppedUnreliable > 0);
  CHECK(room.relay->counters(1)->readPauses == pausesBefore);
}
