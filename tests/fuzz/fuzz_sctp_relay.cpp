// Fuzzes DataChannelRelay (and DataChannelEndpoint's DCEP handling) with what peers may do: the input
// is a program of small operations run by three client peers, each a real DataChannelEndpoint (or,
// for peer 2, a bare SctpAssociation that can send any DCEP bytes on any stream) connected in memory
// to one relay. Operations: open a channel (label, protocol incl. to=/from= forms, reliability),
// send string/binary/empty messages, close channels, pause/resume reading, send raw DCEP/data
// frames, remove and re-add peers, advance timers. Invariants (trap on violation): held bytes stay
// within one message per sender; relayed messages never exceed the configured maximum; every
// relayed channel a client sees carries a from= protocol.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "media/sctp/DataChannelRelay.h"
#include "media/sctp/Ppid.h"

namespace {

using namespace switchyard::media::sctp;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

constexpr size_t kMaxMessage = 16 * 1024;

// Not "p" + std::to_string(n): GCC 12 warns (-Wrestrict, a known false positive) on that form.
std::string prefixed(const char* prefix, uint32_t n) {
  std::string out = prefix;
  out += std::to_string(n);
  return out;
}

struct Input {
  std::span<const uint8_t> data;
  size_t pos = 0;
  [[nodiscard]] bool done() const { return pos >= data.size(); }
  uint8_t byte() { return done() ? 0 : data[pos++]; }
  std::string text(size_t max) {
    const size_t n = std::min<size_t>(byte() % (max + 1), data.size() - std::min(pos, data.size()));
    std::string out(reinterpret_cast<const char*>(data.data() + pos), n);
    pos += n;
    return out;
  }
};

struct Client final : DataChannelEndpoint::Listener, SctpAssociation::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  std::vector<uint16_t> channels;  // streams it can send on
  std::unique_ptr<DataChannelEndpoint> endpoint;
  std::unique_ptr<SctpAssociation> raw;  // instead of endpoint, for the hostile peer

  void onDataSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onSctpSend(std::span<const uint8_t> packet) override {
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onSctpConnected() override {}
  void onSctpMessage(uint16_t, uint32_t, std::span<const uint8_t> data) override {
    FUZZ_REQUIRE(data.size() <= kMaxMessage);
  }
  void onSctpStreamReset(uint16_t stream) override {
    if (raw) raw->resetStream(stream);
  }
  void onSctpClosed(SctpAssociation::CloseReason) override {}
  void onChannelOpened(uint16_t stream, const DataChannelInfo& info) override {
    FUZZ_REQUIRE(info.protocol.rfind("from=", 0) == 0);
    channels.push_back(stream);
  }
  void onChannelMessage(uint16_t, DataKind, std::span<const uint8_t> message) override {
    FUZZ_REQUIRE(message.size() <= kMaxMessage);
  }
  void onChannelClosed(uint16_t stream) override { std::erase(channels, stream); }
  void onDataClosed(DataChannelEndpoint::CloseReason) override {}
};

SctpLibrary& sharedLibrary() {
  static auto* library = new SctpLibrary();  // never destroyed: usrsctp stays up until exit
  return *library;
}

struct Room : DataChannelRelay::Output {
  // One usrsctp for the whole run (created on first use, never from a static initialiser): shutting
  // it down after every input costs up to 1000 s of virtual timers when an endpoint lingers.
  SctpLibrary& library = sharedLibrary();
  std::map<uint32_t, std::deque<std::vector<uint8_t>>> toClient;
  std::map<uint32_t, std::unique_ptr<Client>> clients;
  std::unique_ptr<DataChannelRelay> relay;

  Room() {
    DataChannelEndpointConfig config;
    config.sctp.maxReceiveMessageSize = kMaxMessage;
    config.sctp.maxSendMessageSize = kMaxMessage;
    config.sctp.sendBufferSize = 64 * 1024;
    config.sctp.receiveBufferSize = 64 * 1024;
    config.maxChannels = 16;
    relay = std::make_unique<DataChannelRelay>(library, *this, config);
  }
  ~Room() {
    relay.reset();
    clients.clear();
  }
  void onRelaySend(uint32_t peer, std::span<const uint8_t> packet) noexcept override {
    toClient[peer].emplace_back(packet.begin(), packet.end());
  }
  void add(uint32_t key) {
    relay->removePeer(key);
    clients.erase(key);
    toClient.erase(key);
    auto client = std::make_unique<Client>();
    DataChannelEndpointConfig config;
    config.sctp.maxSendMessageSize = kMaxMessage;
    config.sctp.maxReceiveMessageSize = kMaxMessage;
    config.sctp.sendBufferSize = 64 * 1024;
    config.sctp.receiveBufferSize = 64 * 1024;
    if (key == 2) {
      client->raw = std::make_unique<SctpAssociation>(library, *client, config.sctp);
      client->raw->connect();
    } else {
      client->endpoint = std::make_unique<DataChannelEndpoint>(library, *client, true, config);
      client->endpoint->start();
    }
    relay->addPeer(key, {prefixed("p", key), false, 5000, kMaxMessage});
    relay->start(key);
    clients[key] = std::move(client);
  }
  void pump() {
    for (int round = 0; round < 2000; ++round) {
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
          if (client->raw) client->raw->receive(packet);
          if (client->endpoint) client->endpoint->receive(packet);
          any = true;
        }
      }
      if (!any) return;
    }
  }
  void step(uint32_t ms) {
    pump();
    SctpAssociation::handleTimers(ms);
    relay->tick();
    for (auto& [key, client] : clients) {
      if (client->endpoint) client->endpoint->poll();
      if (client->raw) client->raw->poll();
    }
    pump();
    FUZZ_REQUIRE(relay->heldBytes() <= 3 * kMaxMessage);
  }
};

}  // namespace

namespace {

void run(const uint8_t* data, size_t size) {
  Room room;
  for (uint32_t key = 1; key <= 3; ++key)
    room.add(key);
  for (int i = 0; i < 20; ++i)
    room.step(10);
  Input in{std::span<const uint8_t>(data, size)};
  for (int ops = 0; ops < 200 && !in.done(); ++ops) {
    const uint8_t op = in.byte();
    const uint32_t key = 1U + (op >> 5) % 3U;
    Client& client = *room.clients.at(key);
    switch (op & 0x0f) {
      case 0: {  // open a channel
        if (!client.endpoint) break;
        DataChannelInfo info;
        info.label = in.text(8);
        const uint8_t kind = in.byte();
        info.protocol = (kind & 3) == 0 ? prefixed("to=p", 1U + kind % 3U) : in.text(12);
        info.ordered = (kind & 4) == 0;
        info.reliability = static_cast<DcepReliability>((kind >> 3) % 3);
        info.reliabilityParameter = in.byte();
        if (const auto stream = client.endpoint->open(info)) client.channels.push_back(*stream);
        break;
      }
      case 1:
      case 2: {  // send on a channel
        if (!client.endpoint || client.channels.empty()) break;
        const uint16_t stream = client.channels[in.byte() % client.channels.size()];
        const size_t length = (size_t{in.byte()} << 6) % (kMaxMessage + 2048);
        const std::vector<uint8_t> message(length, static_cast<uint8_t>(op));
        client.endpoint->send(stream, (op & 1) ? DataKind::kBinary : DataKind::kString, message);
        break;
      }
      case 3:  // close a channel
        if (client.endpoint && !client.channels.empty()) {
          client.endpoint->close(client.channels[in.byte() % client.channels.size()]);
        }
        break;
      case 4:
        if (client.endpoint) client.endpoint->setReadPaused(!client.endpoint->readPaused());
        break;
      case 5: {  // raw frames from the hostile peer
        Client& hostile = *room.clients.at(2);
        if (!hostile.raw) break;
        const uint16_t stream = in.byte() % 8;
        const uint8_t ppids[] = {50, 51, 53, 56, 57, 52, 99};
        const uint32_t ppid = ppids[in.byte() % sizeof(ppids)];
        const std::string payload = in.text(40);
        hostile.raw->send(
            stream, ppid,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()));
        break;
      }
      case 6:
        room.relay->removePeer(key);
        break;
      case 7:
        room.add(key);
        break;
      default:
        room.step(1U + (op & 0x30U));
        break;
    }
    room.pump();
  }
  for (int i = 0; i < 10; ++i)
    room.step(50);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run(data, size);
  return 0;
}
