// Scenario settings from flags and JSON: names with '-' or '_', ranges, cross-field checks.
#include <catch2/catch.hpp>

#include "bench/LoadRun.h"
#include "bench/LoadScenario.h"

using namespace switchyard::bench;

TEST_CASE("Scenario settings parse by either spelling and refuse bad values with the reason") {
  LoadScenario s;
  std::string error;
  CHECK(s.set("video-kbps", "2500", error));
  CHECK(s.set("video_kbps", "2400", error));
  CHECK(s.videoKbps == 2400);
  CHECK(s.set("simulcast", "true", error));
  CHECK(s.layerKbps() == std::vector<uint32_t>{300, 800, 2400});
  CHECK_FALSE(s.set("fps", "0", error));
  CHECK(error.find("fps") != std::string::npos);
  CHECK_FALSE(s.set("fps", "30x", error));
  CHECK_FALSE(s.set("subscribers", "-1", error));
  CHECK_FALSE(s.set("layer", "ultra", error));
  CHECK_FALSE(s.set("nonsense", "1", error));
  CHECK(error.find("unknown") != std::string::npos);
  CHECK_FALSE(s.set("seconds", "nan", error));
}

TEST_CASE("A JSON scenario applies every key or names the bad one") {
  LoadScenario s;
  std::string error;
  CHECK(s.applyJson(nlohmann::json{{"rooms", 3}, {"subscribers", 10}, {"audio", false}, {"layer", "low"}},
                    error));
  CHECK(s.rooms == 3);
  CHECK(s.subscribers == 10);
  CHECK_FALSE(s.audio);
  CHECK(s.layer == "low");
  CHECK_FALSE(s.applyJson(nlohmann::json::array(), error));
  CHECK_FALSE(s.applyJson(nlohmann::json{{"rooms", nlohmann::json::array()}}, error));
  CHECK(error.find("rooms") != std::string::npos);
  // toJson round trip.
  LoadScenario again;
  CHECK(again.applyJson(s.toJson(), error));
  CHECK(again.toJson() == s.toJson());
}

TEST_CASE("Scenario cross-checks and packet rates") {
  LoadScenario s;
  std::string error;
  CHECK(s.validate(error));
  s.audio = false;
  s.video = false;
  CHECK_FALSE(s.validate(error));
  s.video = true;
  s.videoKbps = 960;
  s.fps = 30;
  s.packetBytes = 1000;  // 4000 bytes per frame: 4 packets, 120/s
  CHECK(s.sentPacketsPerSecondPerPublisher() == Approx(120));
  s.audio = true;
  CHECK(s.sentPacketsPerSecondPerPublisher() == Approx(170));
  s.publishers = 0;
  s.subscribers = 0;
  CHECK_FALSE(s.validate(error));
}

TEST_CASE("Targets parse with worker counts") {
  std::vector<TargetSpec> targets;
  std::string error;
  REQUIRE(parseTargets("switchyard:1,switchyard:2,reflector,janus", targets, error));
  REQUIRE(targets.size() == 4);
  CHECK(targets[1].workers == 2);
  CHECK(targets[1].label() == "switchyard-2w");
  CHECK(targets[3].label() == "janus");
  CHECK_FALSE(parseTargets("mediasoup", targets, error));
  CHECK_FALSE(parseTargets("switchyard:0", targets, error));
  CHECK_FALSE(parseTargets("switchyard:x", targets, error));
  // The server's latency histogram off, to measure its cost in the same run.
  REQUIRE(parseTargets("switchyard:1,switchyard:1:nolatency", targets, error));
  CHECK(targets[0].latencyHistogram);
  CHECK_FALSE(targets[1].latencyHistogram);
  CHECK(targets[1].workers == 1);
  CHECK(targets[1].label() == "switchyard-1w-nolatency");
  CHECK_FALSE(parseTargets("switchyard:1:other", targets, error));
  CHECK_FALSE(parseTargets("reflector:1:nolatency", targets, error));
  CHECK_FALSE(parseTargets("switchyard:1:nolatency:x", targets, error));
}

TEST_CASE("A ramp adds subscribers or whole rooms and a rooms ramp needs subscribers per room") {
  LoadScenario s;
  std::string error;
  CHECK(s.rampUnit == "subscribers");
  CHECK(s.set("ramp-unit", "rooms", error));
  CHECK(s.rampUnit == "rooms");
  CHECK_FALSE(s.set("ramp_unit", "publishers", error));
  CHECK(error.find("subscribers or rooms") != std::string::npos);
  CHECK(s.rampUnit == "rooms");
  s.ramp = true;
  CHECK(s.validate(error));
  s.subscribers = 0;
  CHECK_FALSE(s.validate(error));
  CHECK(error.find("ramp-unit rooms") != std::string::npos);
  s.rampUnit = "subscribers";
  CHECK(s.validate(error));
  s.rooms = 2001;  // x (1 publisher + 0 subscribers + 9 idle peers) = 20010 peers
  s.idlePeers = 9;
  CHECK_FALSE(s.validate(error));
  CHECK(error == "at most 20000 peers per run");
  s.rooms = 1;
  LoadScenario again;
  s.rampUnit = "rooms";
  CHECK(again.applyJson(s.toJson(), error));
  CHECK(again.rampUnit == "rooms");
}
