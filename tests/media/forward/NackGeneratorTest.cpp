#include "media/forward/NackGenerator.h"
#include "tests/support/HeapCounter.h"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

using switchyard::media::forward::NackGenerator;
using namespace std::chrono_literals;
using Clock = NackGenerator::Clock;
using Result = NackGenerator::Result;
using Seqs = std::vector<uint16_t>;

using switchyard::test::heapAllocations;

namespace {

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

Seqs collect(NackGenerator& nack, Clock::time_point now, Clock::duration rtt = 0ms, size_t room = 64) {
  std::vector<uint16_t> out(room);
  const size_t n = nack.collect(now, rtt, out);
  REQUIRE(n <= room);
  out.resize(n);
  return out;
}

void checkBalance(const NackGenerator& nack) {
  const auto& c = nack.counters();
  CHECK(c.recovered + c.givenUp + nack.missingCount() == c.packetsMissing);
}

}  // namespace

TEST_CASE("NackGenerator: packets in order are never NACKed") {
  NackGenerator nack;
  for (uint16_t seq = 100; seq < 200; ++seq) {
    CHECK(nack.onPacket(seq, kT0 + std::chrono::milliseconds(seq)) == Result::kInOrder);
  }
  CHECK(collect(nack, kT0 + 1s).empty());
  CHECK(nack.counters().packetsMissing == 0);
  CHECK(nack.counters().nacksRequested == 0);
  CHECK_FALSE(nack.keyframeNeeded());
  CHECK(nack.onPacket(150, kT0 + 1s) == Result::kDuplicate);
  CHECK(nack.onPacket(199, kT0 + 1s) == Result::kDuplicate);
}

TEST_CASE("NackGenerator: a single loss is NACKed after the reorder delay and recovered") {
  NackGenerator nack;
  CHECK(nack.onPacket(10, kT0) == Result::kInOrder);
  CHECK(nack.onPacket(12, kT0 + 1ms) == Result::kInOrder);
  CHECK(nack.isMissing(11));
  CHECK(nack.counters().packetsMissing == 1);
  CHECK(collect(nack, kT0 + 5ms).empty());  // missing for 4 ms only
  CHECK(collect(nack, kT0 + 6ms) == Seqs{11});
  CHECK(collect(nack, kT0 + 7ms).empty());  // just requested
  CHECK(nack.onPacket(11, kT0 + 30ms) == Result::kRecovered);
  CHECK_FALSE(nack.isMissing(11));
  CHECK(nack.onPacket(11, kT0 + 31ms) == Result::kDuplicate);
  CHECK(collect(nack, kT0 + 200ms).empty());
  CHECK(nack.counters().recovered == 1);
  CHECK(nack.counters().nacksRequested == 1);
  CHECK(nack.counters().givenUp == 0);
  CHECK_FALSE(nack.keyframeNeeded());
  checkBalance(nack);
}

TEST_CASE("NackGenerator: a burst is NACKed in one go, ascending") {
  NackGenerator nack;
  nack.onPacket(1000, kT0);
  CHECK(nack.onPacket(1011, kT0) == Result::kInOrder);
  CHECK(nack.missingCount() == 10);
  CHECK(collect(nack, kT0 + 10ms) == Seqs{1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010});
  CHECK(nack.onPacket(1005, kT0 + 40ms) == Result::kRecovered);
  CHECK(nack.onPacket(1001, kT0 + 40ms) == Result::kRecovered);
  CHECK(collect(nack, kT0 + 50ms) == Seqs{1002, 1003, 1004, 1006, 1007, 1008, 1009, 1010});
  CHECK(nack.counters().nacksRequested == 18);
  checkBalance(nack);
}

TEST_CASE("NackGenerator: a reorder within the delay is not NACKed") {
  NackGenerator nack;
  nack.onPacket(1, kT0);
  nack.onPacket(3, kT0 + 1ms);
  nack.onPacket(4, kT0 + 2ms);
  CHECK(collect(nack, kT0 + 3ms).empty());
  CHECK(nack.onPacket(2, kT0 + 4ms) == Result::kRecovered);
  CHECK(collect(nack, kT0 + 100ms).empty());
  CHECK(nack.counters().nacksRequested == 0);
  CHECK(nack.counters().recovered == 1);
}

TEST_CASE("NackGenerator: retries are spaced by max(1.5 rtt, 20 ms)") {
  NackGenerator nack;
  nack.onPacket(1, kT0);
  nack.onPacket(3, kT0);
  SECTION("rtt 100 ms: every 150 ms") {
    CHECK(collect(nack, kT0 + 5ms, 100ms) == Seqs{2});
    CHECK(collect(nack, kT0 + 154ms, 100ms).empty());
    CHECK(collect(nack, kT0 + 155ms, 100ms) == Seqs{2});
    CHECK(collect(nack, kT0 + 304ms, 100ms).empty());
    CHECK(collect(nack, kT0 + 305ms, 100ms) == Seqs{2});
  }
  SECTION("rtt 4 ms: the 20 ms minimum") {
    CHECK(collect(nack, kT0 + 5ms, 4ms) == Seqs{2});
    CHECK(collect(nack, kT0 + 24ms, 4ms).empty());
    CHECK(collect(nack, kT0 + 25ms, 4ms) == Seqs{2});
  }
  SECTION("a negative rtt counts as 0") {
    CHECK(collect(nack, kT0 + 5ms, -50ms) == Seqs{2});
    CHECK(collect(nack, kT0 + 25ms, -50ms) == Seqs{2});
  }
}

TEST_CASE("NackGenerator: a packet is given up after maxRetries requests") {
  NackGenerator::Options options;
  options.maxRetries = 3;
  NackGenerator nack(options);
  nack.onPacket(1, kT0);
  nack.onPacket(3, kT0);
  CHECK(collect(nack, kT0 + 10ms) == Seqs{2});
  CHECK(collect(nack, kT0 + 30ms) == Seqs{2});
  CHECK(collect(nack, kT0 + 50ms) == Seqs{2});
  CHECK_FALSE(nack.keyframeNeeded());
  CHECK(nack.isMissing(2));                  // still waiting for an answer to the third request
  CHECK(collect(nack, kT0 + 70ms).empty());  // due a fourth time: given up
  CHECK_FALSE(nack.isMissing(2));
  CHECK(nack.counters().givenUp == 1);
  CHECK(nack.counters().nacksRequested == 3);
  CHECK(nack.keyframeNeeded());
  nack.clearKeyframeNeeded();
  CHECK_FALSE(nack.keyframeNeeded());
  CHECK(nack.onPacket(2, kT0 + 80ms) == Result::kDuplicate);  // too late to matter
  checkBalance(nack);
}

TEST_CASE("NackGenerator: the default gives up after 8 requests") {
  NackGenerator nack;
  nack.onPacket(1, kT0);
  nack.onPacket(3, kT0);
  for (int i = 0; i < 8; ++i)
    CHECK(collect(nack, kT0 + 10ms + i * 20ms) == Seqs{2});
  CHECK(collect(nack, kT0 + 10ms + 8 * 20ms).empty());
  CHECK(nack.counters().givenUp == 1);
  CHECK(nack.counters().nacksRequested == 8);
}

TEST_CASE("NackGenerator: a packet missing longer than maxAge is given up") {
  NackGenerator nack;  // maxAge 1000 ms
  nack.onPacket(1, kT0);
  nack.onPacket(3, kT0);
  CHECK(collect(nack, kT0 + 10ms, 400ms) == Seqs{2});   // next due at 610 ms
  CHECK(collect(nack, kT0 + 610ms, 400ms) == Seqs{2});  // next due at 1210 ms
  CHECK(collect(nack, kT0 + 1000ms, 400ms).empty());
  CHECK(nack.isMissing(2));  // exactly maxAge: not yet
  CHECK_FALSE(nack.keyframeNeeded());
  CHECK(collect(nack, kT0 + 1001ms, 400ms).empty());
  CHECK_FALSE(nack.isMissing(2));
  CHECK(nack.counters().givenUp == 1);
  CHECK(nack.keyframeNeeded());
  checkBalance(nack);
}

TEST_CASE("NackGenerator: wrap-around 65535 -> 0") {
  NackGenerator nack;
  CHECK(nack.onPacket(65533, kT0) == Result::kInOrder);
  CHECK(nack.onPacket(2, kT0) == Result::kInOrder);  // 65534, 65535, 0, 1 missing
  CHECK(nack.missingCount() == 4);
  CHECK(collect(nack, kT0 + 5ms) == Seqs{65534, 65535, 0, 1});
  CHECK(nack.onPacket(0, kT0 + 10ms) == Result::kRecovered);
  CHECK(nack.onPacket(65535, kT0 + 10ms) == Result::kRecovered);
  CHECK(nack.onPacket(3, kT0 + 10ms) == Result::kInOrder);
  CHECK(nack.onPacket(65533, kT0 + 10ms) == Result::kDuplicate);
  CHECK(collect(nack, kT0 + 30ms) == Seqs{65534, 1});
  checkBalance(nack);
}

TEST_CASE("NackGenerator: a jump of more than maxGap resets, forward or backward") {
  NackGenerator::Options options;
  options.maxGap = 100;
  NackGenerator nack(options);
  nack.onPacket(500, kT0);
  nack.onPacket(503, kT0);                             // 501, 502 missing
  CHECK(nack.onPacket(601, kT0) == Result::kInOrder);  // 504..600 missing
  CHECK(nack.missingCount() == 99);
  CHECK_FALSE(nack.keyframeNeeded());
  // 501 is now more than 100 behind: it could only come back as a reset, so it is given up.
  CHECK(nack.onPacket(602, kT0) == Result::kInOrder);
  CHECK_FALSE(nack.isMissing(501));
  CHECK(nack.isMissing(502));
  CHECK(nack.missingCount() == 98);
  CHECK(nack.counters().givenUp == 1);
  CHECK(nack.keyframeNeeded());
  nack.clearKeyframeNeeded();

  CHECK(nack.onPacket(501, kT0 + 1ms) == Result::kReset);  // 101 behind
  CHECK(nack.missingCount() == 0);
  CHECK(nack.counters().resets == 1);
  CHECK(nack.counters().givenUp == 99);
  CHECK(nack.keyframeNeeded());
  CHECK(collect(nack, kT0 + 100ms).empty());
  nack.clearKeyframeNeeded();

  CHECK(nack.onPacket(502, kT0 + 2ms) == Result::kInOrder);
  CHECK(nack.onPacket(402, kT0 + 2ms) == Result::kDuplicate);  // exactly 100 behind
  CHECK_FALSE(nack.keyframeNeeded());
  CHECK(nack.onPacket(401, kT0 + 2ms) == Result::kReset);  // 101 behind
  CHECK(nack.onPacket(402, kT0 + 3ms) == Result::kInOrder);
  CHECK(nack.onPacket(503, kT0 + 3ms) == Result::kReset);  // 101 ahead
  CHECK(nack.onPacket(504, kT0 + 3ms) == Result::kInOrder);
  CHECK(nack.onPacket(604, kT0 + 3ms) == Result::kInOrder);  // exactly 100 ahead: 505..603 missing
  CHECK(nack.missingCount() == 99);
  CHECK(nack.counters().resets == 3);
  CHECK(nack.counters().packetsMissing == 198);
  checkBalance(nack);
}

TEST_CASE("NackGenerator: when storage is full the oldest are given up") {
  NackGenerator::Options options;
  options.maxMissing = 4;
  NackGenerator nack(options);
  nack.onPacket(0, kT0);
  nack.onPacket(4, kT0);  // 1 2 3
  CHECK(nack.missingCount() == 3);
  nack.onPacket(7, kT0);  // 5 6: 1 is pushed out
  CHECK(nack.missingCount() == 4);
  CHECK_FALSE(nack.isMissing(1));
  CHECK(nack.counters().givenUp == 1);
  CHECK(nack.keyframeNeeded());
  CHECK(collect(nack, kT0 + 5ms) == Seqs{2, 3, 5, 6});
  CHECK(nack.onPacket(1, kT0 + 6ms) == Result::kDuplicate);

  nack.onPacket(17, kT0 + 7ms);  // 8..16: 9 new holes, more than the storage
  CHECK(nack.missingCount() == 4);
  CHECK(collect(nack, kT0 + 12ms) == Seqs{13, 14, 15, 16});
  CHECK(nack.counters().packetsMissing == 14);
  CHECK(nack.counters().givenUp == 10);
  checkBalance(nack);
}

TEST_CASE("NackGenerator: a small out span gets the oldest first, the rest next time") {
  NackGenerator nack;
  nack.onPacket(100, kT0);
  nack.onPacket(110, kT0);  // 101..109
  CHECK(collect(nack, kT0 + 5ms, 0ms, 4) == Seqs{101, 102, 103, 104});
  CHECK(collect(nack, kT0 + 6ms, 0ms, 4) == Seqs{105, 106, 107, 108});
  CHECK(collect(nack, kT0 + 7ms, 0ms, 4) == Seqs{109});
  CHECK(collect(nack, kT0 + 8ms, 0ms, 0).empty());
  CHECK(nack.counters().nacksRequested == 9);
  CHECK(collect(nack, kT0 + 25ms, 0ms, 64) == Seqs{101, 102, 103, 104});
  CHECK(collect(nack, kT0 + 27ms, 0ms, 64) == Seqs{105, 106, 107, 108, 109});
}

TEST_CASE("NackGenerator: options are sanitized") {
  NackGenerator::Options options;
  options.maxMissing = 0;
  options.maxGap = 0;
  NackGenerator nack(options);
  CHECK(nack.options().maxMissing == 1);
  CHECK(nack.options().maxGap == 1);
  nack.onPacket(1, kT0);
  CHECK(nack.onPacket(3, kT0) == Result::kReset);
  options.maxGap = 65535;
  CHECK(NackGenerator(options).options().maxGap == 32767);
}

TEST_CASE("NackGenerator: no allocation after construction") {
  NackGenerator::Options options;
  options.maxMissing = 64;
  NackGenerator nack(options);
  std::array<uint16_t, 16> out{};
  const uint64_t allocationsBefore = heapAllocations();
  auto now = kT0;
  uint16_t seq = 65000;
  for (int i = 0; i < 20000; ++i) {
    now += 1ms;
    seq = static_cast<uint16_t>(seq + (i % 7 == 0 ? 40 : 1));  // holes, overflow, wrap-around
    nack.onPacket(seq, now);
    if (i % 3 == 0) nack.onPacket(static_cast<uint16_t>(seq - 5), now);
    if (i % 1000 == 0) nack.onPacket(static_cast<uint16_t>(seq + 5000), now);  // reset
    nack.collect(now, std::chrono::milliseconds(i % 50), out);
  }
  CHECK(heapAllocations() - allocationsBefore == 0);
  CHECK(nack.counters().packetsMissing > 0);
  CHECK(nack.counters().resets > 0);
  checkBalance(nack);
}
