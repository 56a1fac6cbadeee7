#include "bench/LoadScenario.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

namespace switchyard::bench {

namespace {

struct Setting {
  const char* name;
  const char* help;
  std::function<bool(LoadScenario&, const std::string&, std::string&)> set;
  std::function<nlohmann::json(const LoadScenario&)> get;
};

bool parseUint(const std::string& text, uint32_t min, uint32_t max, uint32_t& out, std::string& error) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-' || v < min || v > max) {
    error = "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got '" +
            text + "'";
    return false;
  }
  out = static_cast<uint32_t>(v);
  return true;
}

bool parseDouble(const std::string& text, double min, double max, double& out, std::string& error) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < min || v > max) {
    error =
        "expected a number in [" + std::to_string(min) + ", " + std::to_string(max) + "], got '" + text + "'";
    return false;
  }
  out = v;
  return true;
}

bool parseBool(const std::string& text, bool& out, std::string& error) {
  if (text == "true" || text == "1" || text == "yes") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no") {
    out = false;
  } else {
    error = "expected true or false, got '" + text + "'";
    return false;
  }
  return true;
}

#define U32(NAME, FIELD, MIN, MAX, HELP)                              \
  Setting {                                                           \
    NAME, HELP,                                                       \
        [](LoadScenario& s, const std::string& v, std::string& e) {   \
          return parseUint(v, MIN, MAX, s.FIELD, e);                  \
        },                                                            \
        [](const LoadScenario& s) { return nlohmann::json(s.FIELD); } \
  }
#define DBL(NAME, FIELD, MIN, MAX, HELP)                              \
  Setting {                                                           \
    NAME, HELP,                                                       \
        [](LoadScenario& s, const std::string& v, std::string& e) {   \
          return parseDouble(v, MIN, MAX, s.FIELD, e);                \
        },                                                            \
        [](const LoadScenario& s) { return nlohmann::json(s.FIELD); } \
  }
#define BOOL(NAME, FIELD, HELP)                                                                         \
  Setting {                                                                                             \
    NAME, HELP,                                                                                         \
        [](LoadScenario& s, const std::string& v, std::string& e) { return parseBool(v, s.FIELD, e); }, \
        [](const LoadScenario& s) { return nlohmann::json(s.FIELD); }                                   \
  }

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      U32("rooms", rooms, 1, 1000, "rooms"),
      U32("publishers", publishers, 0, 100, "publishers per room"),
      U32("subscribers", subscribers, 0, 5000, "subscribers per room (each receives every publisher)"),
      U32("idle-peers", idlePeers, 0, 10000, "idle peers per room: joined and connected, no media"),
      BOOL("audio", audio, "publishers send audio (50 packets/s)"),
      BOOL("video", video, "publishers send VP8-shaped video"),
      U32("video-kbps", videoKbps, 10, 50000, "video bitrate (of the top layer with simulcast)"),
      U32("fps", fps, 1, 120, "video frames per second"),
      U32("keyframe-interval-ms", keyframeIntervalMs, 0, 600000,
          "a key frame every so often (0: only on PLI/FIR)"),
      U32("packet-bytes", packetBytes, 100, 1200, "video payload bytes per packet at most"),
      U32("audio-bytes", audioBytes, 30, 1000, "audio payload bytes per packet"),
      BOOL("simulcast", simulcast, "three layers q/h/f at video-kbps/8, /3 and 1"),
      Setting{"layer", "what subscribers ask for: low, medium or high",
              [](LoadScenario& s, const std::string& v, std::string& e) {
                if (v != "low" && v != "medium" && v != "high") {
                  e = "expected low, medium or high, got '" + v + "'";
                  return false;
                }
                s.layer = v;
                return true;
              },
              [](const LoadScenario& s) { return nlohmann::json(s.layer); }},
      BOOL("data-channels", dataChannels,
           "data channels too: publishers send stamped messages (switchyard only)"),
      U32("data-messages-per-second", dataMessagesPerSecond, 1, 10000,
          "data messages per publisher and second"),
      U32("data-message-bytes", dataMessageBytes, 21, 65536, "bytes per data message"),
      DBL("warmup-seconds", warmupSeconds, 0, 600, "seconds of media before measuring"),
      DBL("seconds", seconds, 1, 86400, "measured seconds"),
      U32("client-threads", clientThreads, 1, 64, "bench client threads (for the subscribers)"),
      BOOL("publisher-thread", publisherThread,
           "publishers on a client thread of their own: the subscribers' receive work does not delay "
           "their pacing"),
      U32("join-concurrency", joinConcurrency, 1, 1000, "peers negotiating at once"),
      BOOL("ramp", ramp,
           "add subscribers (or rooms: ramp-unit) step by step until loss or p99 crosses its limit"),
      Setting{"ramp-unit",
              "what a ramp step adds: subscribers (spread over the rooms, which grow) or rooms (more "
              "rooms of the same shape; switchyard and reflector only)",
              [](LoadScenario& s, const std::string& v, std::string& e) {
                if (v != "subscribers" && v != "rooms") {
                  e = "expected subscribers or rooms, got '" + v + "'";
                  return false;
                }
                s.rampUnit = v;
                return true;
              },
              [](const LoadScenario& s) { return nlohmann::json(s.rampUnit); }},
      U32("ramp-step", rampStep, 1, 1000, "subscribers (all rooms) or rooms added per ramp step"),
      DBL("ramp-step-seconds", rampStepSeconds, 1, 600, "measured seconds per ramp step"),
      U32("ramp-max-subscribers", rampMaxSubscribers, 1, 20000, "stop the ramp there"),
      DBL("ramp-max-loss-percent", rampMaxLossPercent, 0, 100, "ramp limit: loss in a step"),
      DBL("ramp-max-p99-ms", rampMaxP99Ms, 0.01, 10000, "ramp limit: p99 latency in a step"),
  };
  return table;
}

std::string canonical(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

}  // namespace

std::vector<uint32_t> LoadScenario::layerKbps() const {
  if (!simulcast) return {videoKbps};
  return {std::max<uint32_t>(videoKbps / 8, 10), std::max<uint32_t>(videoKbps / 3, 10), videoKbps};
}

double LoadScenario::sentPacketsPerSecondPerPublisher() const {
  double packets = audio ? 50.0 : 0.0;
  if (video) {
    for (const uint32_t kbps : layerKbps()) {
      const double frameBytes = std::max(kbps * 1000.0 / 8.0 / fps, 64.0);
      packets += std::ceil(frameBytes / packetBytes) * fps;
    }
  }
  return packets;
}

nlohmann::json LoadScenario::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const Setting& s : settings())
    j[s.name] = s.get(*this);
  return j;
}

bool LoadScenario::set(const std::string& name, const std::string& value, std::string& error) {
  const std::string key = canonical(name);
  for (const Setting& s : settings()) {
    if (key == s.name) {
      std::string why;
      if (s.set(*this, value, why)) return true;
      error = key + ": " + why;
      return false;
    }
  }
  error = "unknown scenario setting '" + name + "'";
  return false;
}

bool LoadScenario::applyJson(const nlohmann::json& j, std::string& error) {
  if (!j.is_object()) {
    error = "the scenario file must hold one JSON object";
    return false;
  }
  for (const auto& [name, value] : j.items()) {
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_boolean() || value.is_number()) {
      text = value.dump();
    } else {
      error = name + ": expected a number, boolean or string";
      return false;
    }
    if (!set(name, text, error)) return false;
  }
  return true;
}

bool LoadScenario::validate(std::string& error) const {
  if (!audio && !video && publishers > 0) {
    error = "publishers send nothing: set audio or video";
    return false;
  }
  if (simulcast && !video) {
    error = "simulcast needs video";
    return false;
  }
  const uint64_t peers = static_cast<uint64_t>(rooms) * (publishers + subscribers + idlePeers);
  if (peers == 0 && !ramp) {
    error = "no peers: rooms x (publishers + subscribers + idle-peers) is 0";
    return false;
  }
  if (peers > kMaxPeersPerRun) {
    error = "at most " + std::to_string(kMaxPeersPerRun) + " peers per run";
    return false;
  }
  if (ramp && rampUnit == "rooms" && subscribers == 0) {
    error = "ramp-unit rooms adds rooms of the scenario's shape: it needs subscribers per room";
    return false;
  }
  return true;
}

std::string LoadScenario::help() {
  std::string out;
  const LoadScenario defaults;
  for (const Setting& s : settings()) {
    std::string line = "  --" + std::string(s.name);
    line.resize(std::max<size_t>(line.size() + 1, 28), ' ');
    out += line + s.help + " (default " + s.get(defaults).dump() + ")\n";
  }
  return out;
}

}  // namespace switchyard::bench
