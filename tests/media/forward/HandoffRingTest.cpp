// The pieces between workers of a spread room: the SPSC ring of pointers and the pool of
// reference-counted packets, alone and with two threads hammering them.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "media/forward/HandoffPacketPool.h"
#include "media/forward/SpscRing.h"

using namespace switchyard::media::forward;
using namespace std::chrono_literals;

TEST_CASE("SpscRing: FIFO, bounded, wraps around", "[handoff]") {
  SpscRing<int> ring(5);
  CHECK(ring.capacity() == 8);  // rounded up to a power of two
  int out = 0;
  CHECK_FALSE(ring.pop(out));
  for (int round = 0; round < 3; ++round) {  // across the wrap of the indices
    for (int i = 0; i < 8; ++i)
      REQUIRE(ring.push(round * 100 + i));
    CHECK_FALSE(ring.push(999));  // full: refused, nothing overwritten
    CHECK(ring.size() == 8);
    for (int i = 0; i < 8; ++i) {
      REQUIRE(ring.pop(out));
      CHECK(out == round * 100 + i);
    }
    CHECK_FALSE(ring.pop(out));
    CHECK(ring.empty());
  }
  // Interleaved: two in, two out, 20 times around the 8 slots, keeps the order.
  for (int i = 0; i < 80; ++i) {
    REQUIRE(ring.push(i));
    REQUIRE(ring.push(i + 1000));
    REQUIRE(ring.pop(out));
    CHECK(out == i);
    REQUIRE(ring.pop(out));
    CHECK(out == i + 1000);
  }
}

TEST_CASE("HandoffPacketPool: acquire until empty, the last release frees", "[handoff]") {
  HandoffPacketPool pool(4);
  std::vector<HandoffPacket*> taken;
  for (int i = 0; i < 4; ++i) {
    HandoffPacket* p = pool.acquire();
    REQUIRE(p != nullptr);
    p->references.store(2);  // two receivers
    taken.push_back(p);
  }
  CHECK(pool.inUse() == 4);
  CHECK(pool.acquire() == nullptr);                    // exhausted: the caller drops
  CHECK_FALSE(HandoffPacketPool::release(*taken[1]));  // one receiver still holds it
  CHECK(pool.acquire() == nullptr);
  CHECK(HandoffPacketPool::release(*taken[1]));  // the last one
  HandoffPacket* again = pool.acquire();
  CHECK(again == taken[1]);
  for (HandoffPacket* p : taken) {
    if (p == taken[1]) continue;
    HandoffPacketPool::release(*p);
    HandoffPacketPool::release(*p);
  }
  CHECK(pool.inUse() == 0);
}

TEST_CASE("ring and pool between two threads: every packet arrives once, in order, intact", "[handoff]") {
  constexpr uint32_t kPackets = 200000;
  HandoffPacketPool pool(64);
  SpscRing<HandoffPacket*> ring(32);
  std::atomic<bool> done{false};
  std::atomic<uint32_t> received{0};
  std::atomic<uint32_t> errors{0};
  const auto deadline = std::chrono::steady_clock::now() + 20s;

  std::thread consumer([&] {
    uint32_t expected = 0;
    HandoffPacket* packet = nullptr;
    while (expected < kPackets && std::chrono::steady_clock::now() < deadline) {
      if (!ring.pop(packet)) {
        std::this_thread::yield();
        continue;
      }
      uint32_t value = 0;
      std::memcpy(&value, packet->data.data(), sizeof value);
      const bool ok = packet->producer == expected && value == expected * 7 && packet->size == 100 &&
                      packet->data[99] == static_cast<uint8_t>(expected);
      if (!ok) errors.fetch_add(1);
      HandoffPacketPool::release(*packet);
      ++expected;
      received.store(expected, std::memory_order_relaxed);
    }
    done.store(true);
  });

  uint32_t sent = 0;
  uint32_t poolEmpty = 0;
  uint32_t ringFull = 0;
  while (sent < kPackets && std::chrono::steady_clock::now() < deadline) {
    HandoffPacket* packet = pool.acquire();
    if (packet == nullptr) {
      ++poolEmpty;
      std::this_thread::yield();
      continue;
    }
    packet->producer = sent;
    const uint32_t value = sent * 7;
    std::memcpy(packet->data.data(), &value, sizeof value);
    packet->data[99] = static_cast<uint8_t>(sent);
    packet->size = 100;
    packet->references.store(1, std::memory_order_relaxed);
    while (!ring.push(packet)) {
      ++ringFull;
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::yield();
    }
    ++sent;
  }
  consumer.join();
  INFO("pool empty " << poolEmpty << ", ring full " << ringFull);
  CHECK(sent == kPackets);
  CHECK(received.load() == kPackets);
  CHECK(errors.load() == 0);
  CHECK(pool.inUse() == 0);
  CHECK(ring.empty());
}
