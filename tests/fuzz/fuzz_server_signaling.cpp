// Hostile signaling through the rooms, end to end on the control plane: three clients send joins,
// leaves, raw JSON requests and SDP offers (any bytes) to a RoomManager whose media worker is real
// (a WorkerMedia with its UDP socket, run inline), so offers reach the negotiation, transport
// creation and the Router updates. Every request must get exactly one reply or a typed refusal,
// and when every client has gone, no room, router or transport may be left.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/Config.h"
#include "config/Log.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/srtp/SrtpLibrary.h"
#include "server/MediaWorkers.h"
#include "server/RoomManager.h"
#include "server/WorkerMedia.h"

using namespace switchyard;
using nlohmann::json;

namespace {

class FakeClient final : public signaling::SignalingClient {
 public:
  explicit FakeClient(uint64_t id) : id_(id) {}
  void send(json message) override {
    if (!message.is_object() || !message.contains("type")) __builtin_trap();
  }
  void close(std::string_view) override { closed = true; }
  [[nodiscard]] uint64_t clientId() const noexcept override { return id_; }
  bool closed = false;

 private:
  uint64_t id_;
};

// One worker, run inline; signaling tasks queued and drained like an event loop.
class InlineWorkers final : public server::MediaWorkers {
 public:
  InlineWorkers() {
    config.rtc.udpPort = 0;
    config.rtc.iceTcp = false;
    media = std::make_unique<server::WorkerMedia>(io, 0, config, certificate);
  }
  [[nodiscard]] size_t mediaWorkerCount() const noexcept override { return 1; }
  void runOnWorker(size_t, std::function<void(server::WorkerMedia&)> task) override { task(*media); }
  void runOnSignaling(std::function<void()> task) override { queue.push_back(std::move(task)); }
  void drain() {
    while (!queue.empty()) {
      auto task = std::move(queue.front());
      queue.pop_front();
      task();
    }
    io.poll();
    io.restart();
  }

  boost::asio::io_context io;
  config::Config config;
  media::srtp::SrtpLibrary srtp;
  media::dtls::DtlsCertificate certificate = media::dtls::DtlsCertificate::generate("fuzz");
  std::unique_ptr<server::WorkerMedia> media;
  std::deque<std::function<void()>> queue;
};

InlineWorkers& workers() {
  static InlineWorkers* instance = [] {
    config::setupLogging(config::LogFormat::Text, "off");
    return new InlineWorkers();
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  InlineWorkers& media = workers();
  std::vector<std::string> trackIds;
  {
    server::RoomManager rooms(server::RoomManager::Options{4, {}, {}}, &media);
    std::vector<std::shared_ptr<FakeClient>> clients;
    for (uint64_t i = 1; i <= 3; ++i)
      clients.push_back(std::make_shared<FakeClient>(i));

    // Chunks separated by 0xFF: [op][client][rest].
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
      const size_t end = input.find('\xFF');
      const std::string_view chunk = input.substr(0, end);
      input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
      if (chunk.size() < 2) continue;
      const auto op = static_cast<uint8_t>(chunk[0]) % 5;
      auto& client = clients[static_cast<uint8_t>(chunk[1]) % clients.size()];
      const std::string rest(chunk.substr(2));
      json request;
      std::string type;
      switch (op) {
        case 0:
          type = "join";
          request = {{"type", type}, {"room", rest.empty() ? "r" : rest.substr(0, 3)}, {"name", rest}};
          break;
        case 1:
          type = "leave";
          request = {{"type", type}};
          break;
        case 2: {
          type = "offer";
          json subscriptions = json::object();
          for (size_t i = 0; i < trackIds.size() && i < 8; ++i)
            subscriptions[std::to_string(i)] = trackIds[i];
          request = {{"type", type}, {"sdp", rest}, {"subscriptions", subscriptions}};
          break;
        }
        case 3:
          request = json::parse(rest, nullptr, false);
          if (!request.is_object() || !request.contains("type") || !request["type"].is_string()) continue;
          type = request["type"].get<std::string>();
          break;
        default:
          rooms.disconnected(client);
          media.drain();
          continue;
      }
      int replies = 0;
      try {
        rooms.handle(client, type, request, [&](json reply) {
          ++replies;
          if (!reply.is_object() || !reply.contains("type")) __builtin_trap();
          if (std::getenv("SWITCHYARD_FUZZ_DEBUG") != nullptr)
            std::fprintf(stderr, "%s\n", reply.dump().substr(0, 160).c_str());
          if (reply["type"] == "answer") {
            for (const json& t : reply["published"])
              trackIds.push_back(t["trackId"].get<std::string>());
          }
        });
      } catch (const signaling::SignalingError&) {
        ++replies;
      }
      media.drain();
      if (replies != 1) __builtin_trap();
    }
    for (auto& client : clients)
      rooms.disconnected(client);
    media.drain();
    if (rooms.roomCount() != 0) __builtin_trap();
  }
  if (media.media->roomCount() != 0) __builtin_trap();
  return 0;
}
