#include "media/forward/ActiveSpeakerDetector.h"
#include "tests/support/HeapCounter.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

using switchyard::media::forward::ActiveSpeakerDetector;
using namespace std::chrono_literals;
using Clock = ActiveSpeakerDetector::Clock;

using switchyard::test::heapAllocations;

namespace {

constexpr uint32_t kA = 7;
constexpr uint32_t kB = 3;  // lower id than kA: ties would favour B
constexpr uint32_t kC = 11;

// Not aligned on the detector's 100 ms bins.
const Clock::time_point kT0 = Clock::time_point(std::chrono::duration_cast<Clock::duration>(1000037ms));

struct Level {
  uint8_t level = 127;
  bool vad = false;
};
// What one stream sends at an offset from kT0: a level, or nothing (no packet).
using Script = std::function<std::optional<Level>(Clock::duration)>;

Script talk(uint8_t level, Clock::duration from, Clock::duration to, bool vad = false) {
  return [=](Clock::duration t) -> std::optional<Level> {
    if (t >= from && t < to) return Level{level, vad};
    return Level{127, false};
  };
}

struct Change {
  Clock::duration at;
  uint32_t id;
};

// Drives a detector: every stream sends one level per 20 ms (50 packets/s), evaluate is called
// every `evaluateEvery` (or at the offsets `evaluateAt` returns).
struct Simulation {
  explicit Simulation(ActiveSpeakerDetector::Options options = {}) : detector(options) {}

  void add(uint32_t id, Script script) {
    detector.addStream(id);
    streams.push_back({id, std::move(script)});
  }

  void run(Clock::duration until, Clock::duration evaluateEvery = 100ms) {
    while (elapsed < until) {
      elapsed += 20ms;
      for (auto& stream : streams) {
        if (!stream.script) continue;
        if (auto level = stream.script(elapsed))
          detector.onLevel(stream.id, level->level, level->vad, kT0 + elapsed);
      }
      if (elapsed >= nextEvaluate) {
        if (auto id = detector.evaluate(kT0 + elapsed)) changes.push_back({elapsed, *id});
        nextEvaluate = elapsed + evaluateEvery;
      }
    }
  }

  struct Stream {
    uint32_t id;
    Script script;
  };
  ActiveSpeakerDetector detector;
  std::vector<Stream> streams;
  std::vector<Change> changes;
  Clock::duration elapsed{};
  Clock::duration nextEvaluate{};
};

}  // namespace

TEST_CASE("ActiveSpeakerDetector: one speaker becomes active after 300 ms of speech") {
  Simulation sim;
  sim.add(kA, talk(30, 1s, 4s));
  sim.add(kB, talk(127, 0s, 0s));
  sim.run(6s);
  REQUIRE(sim.changes.size() == 1);
  CHECK(sim.changes[0].id == kA);
  CHECK(sim.changes[0].at >= 1300ms);
  CHECK(sim.changes[0].at <= 1500ms);
  CHECK(sim.detector.current() == kA);
  CHECK(sim.detector.counters().speakerChanges == 1);
}

TEST_CASE("ActiveSpeakerDetector: of two simultaneous speakers the louder wins") {
  for (bool aLouder : {true, false}) {
    Simulation sim;
    sim.add(kA, talk(aLouder ? 20 : 45, 1s, 5s));
    sim.add(kB, talk(aLouder ? 45 : 20, 1s, 5s));
    sim.run(5s);
    const uint32_t louder = aLouder ? kA : kB;
    REQUIRE(sim.changes.size() == 1);
    CHECK(sim.changes[0].id == louder);
    CHECK(sim.detector.current() == louder);
  }
}

TEST_CASE("ActiveSpeakerDetector: a much louder late joiner takes over after the hysteresis") {
  Simulation sim;
  sim.add(kA, talk(50, 0s, 8s));
  sim.add(kB, talk(10, 3s, 8s));
  sim.run(8s);
  REQUIRE(sim.changes.size() == 2);
  CHECK(sim.changes[0].id == kA);
  CHECK(sim.changes[1].id == kB);
  CHECK(sim.changes[1].at >= 3s + 700ms);
  CHECK(sim.changes[1].at <= 3s + 1500ms);
}

TEST_CASE("ActiveSpeakerDetector: similar voices talking over each other do not flap") {
  Simulation sim;
  sim.add(kA, talk(30, 0s, 10s));
  sim.add(kB, talk(33, 2s, 10s));  // 3 dB quieter: less than the switch margin
  sim.run(10s);
  REQUIRE(sim.changes.size() == 1);
  CHECK(sim.changes[0].id == kA);
}

TEST_CASE("ActiveSpeakerDetector: turn taking switches once, after the hysteresis delay") {
  Simulation sim;
  sim.add(kA, talk(30, 0s, 3s));
  sim.add(kB, talk(30, 3s, 7s));
  sim.run(8s);
  REQUIRE(sim.changes.size() == 2);
  CHECK(sim.changes[0].id == kA);
  CHECK(sim.changes[1].id == kB);
  CHECK(sim.changes[1].at >= 3s + 700ms);  // minSwitchInterval
  CHECK(sim.changes[1].at <= 3s + 1200ms);
  CHECK(sim.detector.current() == kB);
}

TEST_CASE("ActiveSpeakerDetector: turn taking with speech pauses between words") {
  // 400 ms words with 150 ms pauses.
  auto words = [](uint8_t level, Clock::duration from, Clock::duration to) -> Script {
    return [=](Clock::duration t) -> std::optional<Level> {
      if (t < from || t >= to) return Level{127, false};
      return Level{(t - from) % 550ms < 400ms ? level : uint8_t{127}, false};
    };
  };
  Simulation sim;
  sim.add(kA, words(35, 0s, 5s));
  sim.add(kB, words(35, 5s, 10s));
  sim.run(10s);
  REQUIRE(sim.changes.size() == 2);
  CHECK(sim.changes[0].id == kA);
  CHECK(sim.changes[1].id == kB);
  CHECK(sim.changes[1].at >= 5s + 700ms);
  CHECK(sim.changes[1].at <= 5s + 1200ms);
}

TEST_CASE("ActiveSpeakerDetector: a short interjection while the speaker pauses does not switch") {
  Simulation sim;
  sim.add(kA, [](Clock::duration t) -> std::optional<Level> {
    const bool pause = t >= 3s && t < 4s;
    return Level{pause ? uint8_t{127} : uint8_t{35}, false};
  });
  sim.add(kB, talk(35, 3200ms, 3600ms));  // "yeah", 400 ms
  sim.run(8s);
  REQUIRE(sim.changes.size() == 1);
  CHECK(sim.changes[0].id == kA);
}

TEST_CASE("ActiveSpeakerDetector: 150 ms coughs never cause a switch") {
  // Loud blips from B at every phase relative to the 100 ms bins.
  auto coughs = [](Clock::duration from) -> Script {
    return [=](Clock::duration t) -> std::optional<Level> {
      if (t < from) return Level{127, false};
      const auto phase = (t - from) % 1130ms;
      return Level{phase < 150ms ? uint8_t{0} : uint8_t{127}, false};
    };
  };
  SECTION("while A talks") {
    Simulation sim;
    sim.add(kA, talk(40, 0s, 20s));
    sim.add(kB, coughs(2s));
    sim.run(20s);
    REQUIRE(sim.changes.size() == 1);
    CHECK(sim.changes[0].id == kA);
  }
  SECTION("while A is silent") {
    Simulation sim;
    sim.add(kA, talk(40, 0s, 2s));
    sim.add(kB, coughs(3s));
    sim.run(20s);
    REQUIRE(sim.changes.size() == 1);
    CHECK(sim.changes[0].id == kA);
  }
  SECTION("with no speaker yet") {
    Simulation sim;
    sim.add(kA, talk(127, 0s, 0s));
    sim.add(kB, coughs(0s));
    sim.run(20s);
    CHECK(sim.changes.empty());
    CHECK_FALSE(sim.detector.current());
  }
}

TEST_CASE("ActiveSpeakerDetector: silence keeps the last speaker") {
  SECTION("silent levels") {
    Simulation sim;
    sim.add(kA, talk(30, 0s, 2s));
    sim.add(kB, talk(127, 0s, 0s));
    sim.run(15s);
    REQUIRE(sim.changes.size() == 1);
    CHECK(sim.detector.current() == kA);
  }
  SECTION("no packets at all (DTX, muted)") {
    Simulation sim;
    sim.add(kA, [](Clock::duration t) -> std::optional<Level> {
      if (t < 2s) return Level{30, false};
      return std::nullopt;
    });
    sim.add(kB, [](Clock::duration) -> std::optional<Level> { return std::nullopt; });
    sim.run(15s);
    REQUIRE(sim.changes.size() == 1);
    CHECK(sim.detector.current() == kA);
  }
}

TEST_CASE("ActiveSpeakerDetector: a stream that stops sending counts as silent") {
  // A's last packets are loud, then nothing: B, much quieter, takes over.
  Simulation sim;
  sim.add(kA, [](Clock::duration t) -> std::optional<Level> {
    if (t < 3s) return Level{10, false};
    return std::nullopt;
  });
  sim.add(kB, talk(65, 3s, 8s));
  sim.run(8s);
  REQUIRE(sim.changes.size() == 2);
  CHECK(sim.changes[1].id == kB);
  CHECK(sim.changes[1].at <= 3s + 1200ms);
}

TEST_CASE("ActiveSpeakerDetector: removing the speaker hands over at the next evaluate") {
  Simulation sim;
  sim.add(kA, talk(30, 0s, 20s));
  sim.add(kB, talk(33, 0s, 4s));
  sim.add(kC, talk(127, 0s, 0s));
  sim.run(3s);
  REQUIRE(sim.changes.size() == 1);
  const uint32_t first = sim.changes[0].id;
  CHECK(first == kA);

  sim.detector.removeStream(kA);
  sim.streams[0].script = nullptr;
  CHECK_FALSE(sim.detector.current());
  CHECK(sim.detector.streamCount() == 2);
  sim.run(3s + 100ms);  // one more evaluate
  REQUIRE(sim.changes.size() == 2);
  CHECK(sim.changes[1].id == kB);
  CHECK(sim.detector.current() == kB);

  // B stops at 4 s; removing it while nobody speaks leaves no speaker.
  sim.run(6s);
  sim.detector.removeStream(kB);
  CHECK_FALSE(sim.detector.current());
  sim.streams[1].script = nullptr;
  sim.run(8s);
  CHECK(sim.changes.size() == 2);
  CHECK_FALSE(sim.detector.current());

  // Removing unknown or already removed ids, adding twice: no-ops.
  sim.detector.removeStream(kB);
  sim.detector.removeStream(12345);
  sim.detector.addStream(kC);
  CHECK(sim.detector.streamCount() == 1);
}

TEST_CASE("ActiveSpeakerDetector: silence everywhere means no speaker") {
  Simulation sim;
  sim.add(kA, talk(127, 0s, 0s));
  sim.add(kB, talk(200, 0s, 10s));  // out of range: counts as 127
  sim.add(kC, talk(71, 0s, 10s));   // just below the default silence level (70)
  sim.run(10s);
  CHECK(sim.changes.empty());
  CHECK_FALSE(sim.detector.current());
}

TEST_CASE("ActiveSpeakerDetector: the silence level is an option") {
  ActiveSpeakerDetector::Options options;
  options.silenceLevel = 80;
  Simulation sim(options);
  sim.add(kC, talk(75, 0s, 3s));
  sim.run(3s);
  REQUIRE(sim.changes.size() == 1);
  CHECK(sim.changes[0].id == kC);
}

TEST_CASE("ActiveSpeakerDetector: a stream that sets the V flag is silent when it clears it") {
  Simulation sim;
  // A runs VAD: one voiced packet, then loud levels all flagged as no voice (music, noise).
  sim.add(kA, [](Clock::duration t) -> std::optional<Level> { return Level{10, t == 20ms}; });
  sim.add(kB, talk(50, 2s, 6s));  // never sets V: judged on the level alone
  sim.run(6s);
  REQUIRE(sim.changes.size() == 1);
  CHECK(sim.changes[0].id == kB);
}

TEST_CASE("ActiveSpeakerDetector: unknown ids are ignored") {
  ActiveSpeakerDetector detector;
  for (int i = 0; i < 100; ++i)
    detector.onLevel(99, 0, true, kT0 + i * 20ms);
  CHECK_FALSE(detector.evaluate(kT0 + 2s));
  CHECK_FALSE(detector.current());
  CHECK(detector.counters().unknownStreams == 100);
  CHECK(detector.counters().levels == 0);
}

TEST_CASE("ActiveSpeakerDetector: irregular evaluate calls give the same decisions") {
  for (auto every : {30ms, 250ms, 450ms, 1000ms}) {
    Simulation sim;
    sim.add(kA, talk(30, 0s, 4s));
    sim.add(kB, talk(30, 4s, 9s));
    sim.run(9s, every);
    INFO("evaluate every " << every.count() << " ms");
    REQUIRE(sim.changes.size() == 2);
    CHECK(sim.changes[0].id == kA);
    CHECK(sim.changes[1].id == kB);
    CHECK(sim.changes[1].at >= 4s + 700ms);
    CHECK(sim.changes[1].at <= 4s + 700ms + 2 * every + 500ms);
  }
}

TEST_CASE("ActiveSpeakerDetector: long gaps and a clock that stands still or jumps back") {
  Simulation sim;
  sim.add(kA, talk(30, 0s, 2s));
  sim.run(2s);
  REQUIRE(sim.detector.current() == kA);
  // Hours without any call, then a backwards timestamp: no crash, the speaker stays.
  CHECK_FALSE(sim.detector.evaluate(kT0 + 5h));
  sim.detector.onLevel(kA, 30, false, kT0 + 1h);
  CHECK_FALSE(sim.detector.evaluate(kT0 + 1h));
  CHECK_FALSE(sim.detector.evaluate(kT0 + 5h));
  CHECK(sim.detector.current() == kA);
}

TEST_CASE("ActiveSpeakerDetector: no allocation in onLevel, evaluate or removeStream after addStream") {
  ActiveSpeakerDetector detector;
  constexpr uint32_t kStreams = 300;
  for (uint32_t id = 0; id < kStreams; ++id)
    detector.addStream(id * 3 + 1);
  const uint64_t allocationsBefore = heapAllocations();
  uint64_t changes = 0;
  auto now = kT0;
  for (int step = 0; step < 2000; ++step) {  // 40 s
    now += 20ms;
    const uint32_t talker = static_cast<uint32_t>(step / 150) % kStreams;
    for (uint32_t id = 0; id < kStreams; ++id) {
      const uint8_t level = id == talker ? uint8_t{20} : static_cast<uint8_t>(90 + id % 40);
      detector.onLevel(id * 3 + 1, level, id == talker, now);
    }
    detector.onLevel(2, 0, true, now);  // unknown
    if (step % 5 == 0 && detector.evaluate(now)) ++changes;
  }
  detector.removeStream(1);
  detector.removeStream(4);
  detector.evaluate(now + 100ms);
  CHECK(heapAllocations() - allocationsBefore == 0);
  CHECK(changes >= 10);
}

TEST_CASE("ActiveSpeakerDetector: the allocation counter sees allocations") {
  const uint64_t allocationsBefore = heapAllocations();
  ActiveSpeakerDetector detector;
  detector.addStream(1);
  CHECK(heapAllocations() - allocationsBefore > 0);
}
