#pragma once
// A load scenario for `switchyard-bench load`: rooms of publishers and subscribers, the synthetic
// media each publisher sends, how long to measure, and the ramp. From command-line flags and/or a
// JSON file (the same names, with '-' or '_'); every value is range-checked with a clear message.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchyard::bench {

// Peers one run may start, the ramp's included.
inline constexpr uint64_t kMaxPeersPerRun = 20000;

struct LoadScenario {
  // Rooms and peers.
  uint32_t rooms = 1;
  uint32_t publishers = 1;   // per room
  uint32_t subscribers = 4;  // per room
  uint32_t idlePeers = 0;    // per room: joined and connected, sending and receiving nothing
  // Media of each publisher.
  bool audio = true;
  bool video = true;
  uint32_t videoKbps = 1000;  // the (top layer's) bitrate
  uint32_t fps = 30;
  uint32_t keyframeIntervalMs = 3000;  // 0: only when asked (PLI/FIR)
  uint32_t packetBytes = 1100;         // video payload bytes per packet at most
  uint32_t audioBytes = 100;           // payload bytes per 20 ms audio packet
  bool simulcast = false;              // three layers q, h, f at kbps/8, kbps/3, kbps
  std::string layer = "high";          // what subscribers ask for (setLayer): low, medium, high
  // Data channels (Switchyard only): every peer negotiates SCTP; each publisher opens a channel
  // and sends stamped messages, which the server relays to every subscriber.
  bool dataChannels = false;
  uint32_t dataMessagesPerSecond = 10;  // per publisher
  uint32_t dataMessageBytes = 200;
  // Timing.
  double warmupSeconds = 2;
  double seconds = 20;  // the measured window (per ramp step: stepSeconds)
  // The bench process.
  uint32_t clientThreads = 1;
  // Publishers on a client thread of their own. On threads shared with subscribers, a pacer tick
  // waits for the receive work before it (milliseconds at a time under load), and then every
  // publisher due meanwhile sends at once: bursts that independent publishers do not make.
  bool publisherThread = true;
  uint32_t joinConcurrency = 32;  // peers negotiating at once
  // Ramp: add subscribers (or whole rooms) until loss or p99 latency crosses its threshold.
  bool ramp = false;
  // What a step adds: "subscribers" (rampStep of them, over the rooms, which grow) or "rooms"
  // (rampStep more rooms of the same shape: publishers, subscribers and idle peers per room).
  std::string rampUnit = "subscribers";
  uint32_t rampStep = 10;              // subscribers, or rooms, added per step
  double rampStepSeconds = 5;          // measured per step (after 1 s to settle)
  uint32_t rampMaxSubscribers = 1000;  // all rooms' subscribers; the ramp stops before it would pass it
  double rampMaxLossPercent = 1.0;
  double rampMaxP99Ms = 50;

  [[nodiscard]] std::vector<uint32_t> layerKbps() const;  // one entry, or three with simulcast
  [[nodiscard]] double sentPacketsPerSecondPerPublisher() const;
  [[nodiscard]] nlohmann::json toJson() const;
  // Applies one setting by name ("video-kbps" or "video_kbps"); false with `error` on a bad name/value.
  bool set(const std::string& name, const std::string& value, std::string& error);
  bool applyJson(const nlohmann::json& j, std::string& error);
  // Cross-field checks; false with `error`.
  bool validate(std::string& error) const;
  // "name  default  meaning" lines for --help.
  [[nodiscard]] static std::string help();
};

}  // namespace switchyard::bench
