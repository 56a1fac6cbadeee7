// The server's word to a simulcast publisher on which of its layers anyone needs: when a worker
// reports a producer's needed layers (Router::Output::onLayersNeeded → RoomManager::layersNeeded on
// the signaling thread), the publisher's WebSocket gets `encodings` with each answered RID on or off
// (the lowest always on), once per change; other peers and tracks without simulcast get nothing.
// Real Server and WebSocket; the offer is a real Chromium offer with three RIDs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>

#include "tests/server/ServerHarness.h"

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SWITCHYARD_FIXTURES_DIR) + "/sdp/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::pair<server::RoomKey, uint32_t> producerOf(RunningServer& running, const std::string& room,
                                                const std::string& trackId) {
  std::promise<std::optional<std::pair<server::RoomKey, uint32_t>>> found;
  running.server.postToSignaling([&] { found.set_value(running.server.rooms().producerOf(room, trackId)); });
  const auto result = found.get_future().get();
  REQUIRE(result);
  return *result;
}

// What a worker does when its Router reports the layers (posts to the signaling thread).
void reportLayers(RunningServer& running, server::RoomKey room, uint32_t producer, uint8_t layers) {
  running.server.postToSignaling(
      [&running, room, producer, layers] { running.server.rooms().layersNeeded(room, producer, layers); });
}

// The next `encodings` message on `client` (other events are skipped), or null after 5 s. Messages
// come in the order the reports were posted, so "no message for report A" is checked by the next
// message being report B's.
json nextEncodings(Client& client) {
  for (int i = 0; i < 10; ++i) {
    json message = client.receive(5s);
    if (message.is_null() || message["type"] == "encodings") return message;
  }
  return nullptr;
}

// The `encodings` messages `client` got before the reply to a ping (sent after every report so far
// was posted, so handled after them on the signaling thread).
size_t encodingsBeforePing(Client& client) {
  client.events.clear();
  REQUIRE(client.request({{"type", "ping"}})["type"] == "pong");
  return static_cast<size_t>(std::count_if(client.events.begin(), client.events.end(),
                                           [](const json& e) { return e["type"] == "encodings"; }));
}

}  // namespace

TEST_CASE("the publisher of a simulcast track is told which RIDs anyone needs", "[signaling][simulcast]") {
  config::Config config = testConfig();
  config.signaling.maxMessageBytes = 65536;
  config.rtc.iceTcp = false;
  RunningServer running(config);
  Client alice(running.port);
  Client bob(running.port);
  REQUIRE(alice.request({{"type", "join"}, {"room", "layers"}, {"name", "Alice"}})["type"] == "joined");
  REQUIRE(bob.request({{"type", "join"}, {"room", "layers"}, {"name", "Bob"}})["type"] == "joined");

  const json answer =
      alice.request({{"type", "offer"}, {"sdp", fixture("chromium-audio-video-simulcast.sdp")}});
  REQUIRE(answer["type"] == "answer");
  REQUIRE(answer["sdp"].get<std::string>().find("a=simulcast:recv q;h;f") != std::string::npos);
  std::string video;
  std::string audio;
  for (const json& t : answer["published"]) {
    (t["kind"] == "video" ? video : audio) = t["trackId"].get<std::string>();
  }
  REQUIRE_FALSE(video.empty());
  REQUIRE_FALSE(audio.empty());
  const auto [room, producer] = producerOf(running, "layers", video);

  // Only the low layer: h and f off.
  reportLayers(running, room, producer, 0b001);
  json message = nextEncodings(alice);
  REQUIRE_FALSE(message.is_null());
  CHECK(message == json{{"type", "encodings"},
                        {"trackId", video},
                        {"active", {{"q", true}, {"h", false}, {"f", false}}}});

  // The same set again: no message. The lowest layer is never switched off, even if asked. Then the
  // top layer back (without the middle one): that is the next message.
  reportLayers(running, room, producer, 0b001);
  reportLayers(running, room, producer, 0b000);
  reportLayers(running, room, producer, 0b100);
  message = nextEncodings(alice);
  REQUIRE_FALSE(message.is_null());
  CHECK(message["active"] == json{{"q", true}, {"h", false}, {"f", true}});

  // Everything.
  reportLayers(running, room, producer, 0b111);
  message = nextEncodings(alice);
  REQUIRE_FALSE(message.is_null());
  CHECK(message["active"] == json{{"q", true}, {"h", true}, {"f", true}});

  // The audio track has no simulcast, an unknown producer or room is ignored, and Bob (not the
  // publisher) never hears of any of it.
  const auto [audioRoom, audioProducer] = producerOf(running, "layers", audio);
  reportLayers(running, audioRoom, audioProducer, 0b001);
  reportLayers(running, room, producer + 1000, 0b001);
  reportLayers(running, room + 1000, producer, 0b001);
  CHECK(encodingsBeforePing(alice) == 0);
  CHECK(encodingsBeforePing(bob) == 0);
}
