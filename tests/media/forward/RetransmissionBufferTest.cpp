#include "media/forward/RetransmissionBuffer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <vector>

#include "tests/support/HeapCounter.h"

namespace {

using switchyard::media::forward::RetransmissionBuffer;
using Clock = RetransmissionBuffer::Clock;
using Bytes = std::vector<uint8_t>;
using std::chrono::milliseconds;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

// A recognisable packet for a sequence number.
Bytes packetFor(uint16_t seq, size_t size = 100) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<uint8_t>(seq + i * 7);
  return out;
}

Bytes toBytes(std::span<const uint8_t> bytes) {
  return Bytes(bytes.begin(), bytes.end());
}

uint64_t heapMark() {
  return switchyard::test::heapAllocations();
}

}  // namespace

TEST_CASE("RetransmissionBuffer: store and find", "[retransmission]") {
  RetransmissionBuffer buffer(100);
  CHECK(buffer.capacity() == 128);
  CHECK(buffer.maxPacketSize() == 1500);
  CHECK(buffer.maxAge() == milliseconds(1000));
  for (uint16_t seq = 1000; seq < 1050; ++seq)
    buffer.store(seq, packetFor(seq), kT0);
  CHECK(buffer.counters().stored == 50);

  const auto found = buffer.find(1010, kT0 + milliseconds(5));
  REQUIRE(found);
  CHECK(toBytes(*found) == packetFor(1010));
  CHECK_FALSE(buffer.find(999, kT0));   // never stored
  CHECK_FALSE(buffer.find(1050, kT0));  // not yet
  CHECK(buffer.counters().hits == 1);
  CHECK(buffer.counters().misses == 2);

  SECTION("packets of different sizes, empty included") {
    buffer.store(2000, packetFor(2000, 1500), kT0);
    buffer.store(2001, {}, kT0);
    const auto full = buffer.find(2000, kT0);
    REQUIRE(full);
    CHECK(toBytes(*full) == packetFor(2000, 1500));
    const auto empty = buffer.find(2001, kT0);
    REQUIRE(empty);
    CHECK(empty->empty());
  }
  SECTION("storing the same sequence number again replaces it") {
    buffer.store(1010, packetFor(7, 20), kT0 + milliseconds(1));
    const auto again = buffer.find(1010, kT0 + milliseconds(2));
    REQUIRE(again);
    CHECK(toBytes(*again) == packetFor(7, 20));
  }
  SECTION("clear forgets everything, keeps the counters") {
    buffer.clear();
    CHECK_FALSE(buffer.find(1010, kT0));
    CHECK(buffer.counters().stored == 50);
  }
}

TEST_CASE("RetransmissionBuffer: capacity rounds up to a power of two", "[retransmission]") {
  CHECK(RetransmissionBuffer(1).capacity() == 1);
  CHECK(RetransmissionBuffer(2).capacity() == 2);
  CHECK(RetransmissionBuffer(3).capacity() == 4);
  CHECK(RetransmissionBuffer(512).capacity() == 512);
  CHECK(RetransmissionBuffer(513, 10).capacity() == 1024);
  CHECK(RetransmissionBuffer(100000, 1).capacity() == 65536);
}

TEST_CASE("RetransmissionBuffer: a newer packet overwrites after capacity", "[retransmission]") {
  RetransmissionBuffer buffer(8);
  for (uint16_t seq = 0; seq < 8; ++seq)
    buffer.store(seq, packetFor(seq), kT0);
  buffer.store(8, packetFor(8), kT0);  // slot 0
  CHECK_FALSE(buffer.find(0, kT0));    // overwritten
  const auto eight = buffer.find(8, kT0);
  REQUIRE(eight);
  CHECK(toBytes(*eight) == packetFor(8));
  for (uint16_t seq = 1; seq < 8; ++seq)
    CHECK(buffer.find(seq, kT0));
  CHECK(buffer.counters().misses == 1);

  SECTION("a late older packet does not evict a newer unexpired one") {
    buffer.store(0, packetFor(0), kT0);  // slot 0 holds 8
    CHECK(buffer.counters().stale == 1);
    CHECK_FALSE(buffer.find(0, kT0));
    CHECK(buffer.find(8, kT0));
  }
  SECTION("but it does once the newer one has expired") {
    buffer.store(0, packetFor(0), kT0 + milliseconds(1001));
    CHECK(buffer.counters().stale == 0);
    CHECK(buffer.find(0, kT0 + milliseconds(1001)));
  }
}

TEST_CASE("RetransmissionBuffer: expiry by age", "[retransmission]") {
  RetransmissionBuffer buffer(16, 1500, milliseconds(300));
  buffer.store(5, packetFor(5), kT0);
  buffer.store(6, packetFor(6), kT0 + milliseconds(200));
  CHECK(buffer.find(5, kT0 + milliseconds(300)));  // exactly max age: still kept
  CHECK_FALSE(buffer.find(5, kT0 + milliseconds(301)));
  CHECK(buffer.find(6, kT0 + milliseconds(301)));
  CHECK(buffer.find(6, kT0 + milliseconds(500)));
  CHECK_FALSE(buffer.find(6, kT0 + milliseconds(501)));
  CHECK(buffer.counters().hits == 3);
  CHECK(buffer.counters().misses == 2);

  SECTION("the default max age is one second") {
    RetransmissionBuffer defaults(4);
    defaults.store(1, packetFor(1), kT0);
    CHECK(defaults.find(1, kT0 + milliseconds(1000)));
    CHECK_FALSE(defaults.find(1, kT0 + milliseconds(1001)));
  }
}

TEST_CASE("RetransmissionBuffer: sequence numbers wrap around", "[retransmission]") {
  const auto fill = [](RetransmissionBuffer& buffer) {
    uint16_t seq = 65500;  // 65500..65535, then 0..63
    for (int i = 0; i < 100; ++i, ++seq)
      buffer.store(seq, packetFor(seq), kT0 + milliseconds(i));
  };
  const Clock::time_point now = kT0 + milliseconds(100);

  SECTION("all kept across the wrap when they fit") {
    RetransmissionBuffer buffer(128);
    fill(buffer);
    for (uint16_t s = 65500; s != 64; ++s) {
      const auto found = buffer.find(s, now);
      REQUIRE(found);
      CHECK(toBytes(*found) == packetFor(s));
    }
    CHECK(buffer.counters().hits == 100);
  }
  SECTION("0..63 overwrite 65500..65535 in a 64-slot ring") {
    RetransmissionBuffer buffer(64);
    fill(buffer);
    for (uint16_t s = 65500; s != 0; ++s)
      CHECK_FALSE(buffer.find(s, now));
    for (uint16_t s = 0; s < 64; ++s)
      CHECK(buffer.find(s, now));
    CHECK(buffer.counters().stale == 0);
    // 63 is newer than 65471 across the wrap: a late 65471 (the slot of 63) is stale.
    buffer.store(65471, packetFor(65471), now);
    CHECK(buffer.counters().stale == 1);
    CHECK(buffer.find(63, now));
  }
}

TEST_CASE("RetransmissionBuffer: capacity 0 keeps nothing", "[retransmission]") {
  RetransmissionBuffer buffer(0);
  CHECK(buffer.capacity() == 0);
  CHECK(buffer.memoryBytes() == 0);
  buffer.store(1, packetFor(1), kT0);
  CHECK_FALSE(buffer.find(1, kT0));
  CHECK(buffer.counters().stored == 0);
  CHECK(buffer.counters().misses == 1);
  buffer.clear();
}

TEST_CASE("RetransmissionBuffer: packets over max size are not stored", "[retransmission]") {
  RetransmissionBuffer buffer(4, 200);
  buffer.store(1, packetFor(1, 200), kT0);
  buffer.store(2, packetFor(2, 201), kT0);
  CHECK(buffer.counters().stored == 1);
  CHECK(buffer.counters().tooLarge == 1);
  CHECK(buffer.find(1, kT0));
  CHECK_FALSE(buffer.find(2, kT0));
  // An oversize packet leaves the slot's previous packet in place.
  buffer.store(5, packetFor(5, 1000), kT0);
  const auto one = buffer.find(1, kT0);
  REQUIRE(one);
  CHECK(toBytes(*one) == packetFor(1, 200));
}

TEST_CASE("RetransmissionBuffer: memoryBytes is what it allocated", "[retransmission]") {
  const RetransmissionBuffer buffer(1000, 1500);
  CHECK(buffer.memoryBytes() >= 1024 * 1500);
  CHECK(buffer.memoryBytes() <= 1024 * 1500 + 1024 * 32);
  CHECK_THROWS_AS(RetransmissionBuffer(65536, SIZE_MAX / 1024), std::length_error);
}

TEST_CASE("RetransmissionBuffer: store and find allocate nothing after construction",
          "[retransmission][allocation]") {
  RetransmissionBuffer buffer(256, 1200);
  const Bytes packet = packetFor(1, 1200);
  const Bytes oversize = packetFor(1, 1201);
  uint64_t found = 0;
  const uint64_t before = heapMark();
  for (int i = 0; i < 5000; ++i) {
    const auto seq = static_cast<uint16_t>(60000 + i);
    const Clock::time_point now = kT0 + milliseconds(i);
    buffer.store(seq, packet, now);
    buffer.store(seq, oversize, now);
    if (buffer.find(static_cast<uint16_t>(seq - 100), now)) ++found;
    if (buffer.find(static_cast<uint16_t>(seq - 300), now)) ++found;
  }
  buffer.clear();
  const uint64_t after = heapMark();
  CHECK(after == before);
  CHECK(found == 4900);
}

TEST_CASE("RetransmissionBuffer: the allocation counter sees allocations", "[retransmission][allocation]") {
  const uint64_t before = heapMark();
  auto* block = new std::vector<char>(100);
  delete block;
  CHECK(heapMark() - before >= 1);  // the compiler may fold the two allocations
}
