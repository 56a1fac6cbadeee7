// The lanes between workers of spread rooms: one source hands packets to two destination threads
// through rings of shared pooled packets, and wakes them by eventfd only when they sleep; no packet
// is lost or reordered, no wake-up is lost (a lost one would leave a destination asleep with
// packets waiting until its poll times out), and every pooled packet comes back. This runner's
// global operator new counts calls (tests/support/HeapCounter.cpp), so the
// steady-state send/drain path is checked to allocate nothing.
#include <catch2/catch.hpp>

#include <poll.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "server/WorkerHandoff.h"
#include "tests/support/HeapCounter.h"

using switchyard::server::WorkerHandoff;
using namespace std::chrono_literals;

TEST_CASE("WorkerHandoff: send, drain and the wake-up allocate nothing after the lanes exist",
          "[handoff][allocation]") {
  WorkerHandoff handoff(3, 64);
  handoff.ensureLane(0, 1);
  handoff.ensureLane(0, 2);
  const std::array<uint16_t, 2> both{1, 2};
  std::array<uint8_t, 1200> bytes{};
  uint64_t received = 0;
  const auto count = [&received](const WorkerHandoff::Packet& p) { received += p.size; };
  const uint64_t before = switchyard::test::heapAllocations();
  for (uint32_t i = 0; i < 10000; ++i) {
    bytes[0] = static_cast<uint8_t>(i);
    REQUIRE(handoff.send(0, both, 1, i, WorkerHandoff::Packet::Type::kRtp, 0, bytes));
    if (i % 16 == 15) {
      handoff.drain(1, count);
      handoff.drain(2, count);
      handoff.sleepIfIdle(1);  // the next send writes its eventfd
    }
  }
  handoff.drain(1, count);
  handoff.drain(2, count);
  CHECK(switchyard::test::heapAllocations() - before == 0);
  CHECK(received == 2 * 10000 * bytes.size());
  CHECK(handoff.counters(0).wakeups.load() >= 600);
}

TEST_CASE("WorkerHandoff: lanes exist once made, a packet goes to each destination", "[handoff]") {
  WorkerHandoff handoff(3, 100);
  CHECK(handoff.ringPackets() == 128);
  const std::array<uint8_t, 3> bytes{1, 2, 3};
  const std::array<uint16_t, 2> both{1, 2};
  // No lane yet: nobody gets it.
  CHECK_FALSE(handoff.send(0, both, 7, 9, WorkerHandoff::Packet::Type::kRtp, 0, bytes));
  handoff.ensureLane(0, 1);
  handoff.ensureLane(0, 0);  // to itself: ignored
  CHECK(handoff.send(0, both, 7, 9, WorkerHandoff::Packet::Type::kRtp, 1, bytes));
  size_t got = 0;
  CHECK(handoff.drain(1, [&](const WorkerHandoff::Packet& p) {
    ++got;
    CHECK(p.room == 7);
    CHECK(p.producer == 9);
    CHECK(p.layer == 1);
    CHECK(p.size == 3);
    CHECK(p.data[2] == 3);
  }) == 1);
  CHECK(got == 1);
  CHECK(handoff.drain(2, [&](const WorkerHandoff::Packet&) { ++got; }) == 0);
  CHECK(handoff.counters(0).sent.load() == 1);
  CHECK(handoff.counters(1).received.load() == 1);
  // A full ring drops and counts.
  for (int i = 0; i < 200; ++i)
    handoff.send(0, both, 7, 9, WorkerHandoff::Packet::Type::kRtp, 0, bytes);
  CHECK(handoff.counters(0).ringFull.load() == 200 - 128);
  CHECK(handoff.drain(1, [](const WorkerHandoff::Packet&) {}) == 128);
  // Asleep and idle: may wait. A packet then wakes it (the eventfd is readable).
  CHECK(handoff.sleepIfIdle(1));
  pollfd before{handoff.wakeFd(1), POLLIN, 0};
  CHECK(::poll(&before, 1, 0) == 0);
  CHECK(handoff.send(0, both, 7, 9, WorkerHandoff::Packet::Type::kRtp, 0, bytes));
  pollfd after{handoff.wakeFd(1), POLLIN, 0};
  CHECK(::poll(&after, 1, 0) == 1);
  CHECK_FALSE(handoff.sleepIfIdle(1));  // a packet waits: do not sleep
}

TEST_CASE("WorkerHandoff: one source, two destination threads, shared packets", "[handoff]") {
  constexpr uint32_t kPackets = 100000;
  WorkerHandoff handoff(3, 64);
  handoff.ensureLane(0, 1);
  handoff.ensureLane(0, 2);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::atomic<bool> done{false};
  struct Result {
    uint32_t received = 0;
    uint32_t outOfOrder = 0;   // not after the one before: reordered or duplicated
    uint32_t lostWakeups = 0;  // asleep past the poll timeout with packets waiting
    uint32_t sleeps = 0;
    int64_t last = -1;
  };
  std::array<Result, 3> results{};
  auto destination = [&](size_t worker) {
    Result& r = results[worker];
    auto handle = [&](const WorkerHandoff::Packet& p) {
      if (static_cast<int64_t>(p.producer) <= r.last || p.data[0] != static_cast<uint8_t>(p.producer))
        ++r.outOfOrder;
      r.last = p.producer;
      ++r.received;
    };
    while (std::chrono::steady_clock::now() < deadline) {
      const bool finished = done.load();
      const size_t got = handoff.drain(worker, handle);
      if (finished && got == 0) break;
      ++r.sleeps;  // attempts: a source may wake it between its flag and its check of the rings
      if (!handoff.sleepIfIdle(worker)) continue;
      pollfd wake{handoff.wakeFd(worker), POLLIN, 0};
      if (::poll(&wake, 1, 2000) == 0) {
        if (handoff.drain(worker, handle) > 0) ++r.lostWakeups;
        continue;
      }
      uint64_t value = 0;
      [[maybe_unused]] const ssize_t n = ::read(handoff.wakeFd(worker), &value, sizeof value);
    }
  };
  std::thread one(destination, 1);
  std::thread two(destination, 2);
  const std::array<uint16_t, 2> both{1, 2};
  std::array<uint8_t, 100> bytes{};
  uint32_t sent = 0;
  uint32_t retries = 0;
  uint64_t dropped = 0;
  while (sent < kPackets && std::chrono::steady_clock::now() < deadline) {
    bytes[0] = static_cast<uint8_t>(sent);
    // False: no ring took it (pool or both rings full), so it may be sent again.
    const uint64_t fullBefore = handoff.counters(0).ringFull.load();
    if (handoff.send(0, both, 1, sent, WorkerHandoff::Packet::Type::kRtp, 0, bytes)) {
      dropped += handoff.counters(0).ringFull.load() - fullBefore;  // copies one destination missed
      ++sent;
    } else {
      ++retries;
      std::this_thread::yield();
    }
  }
  done.store(true);
  const uint64_t one64 = 1;
  for (size_t w : {size_t{1}, size_t{2}})  // the last wake-up: the source is done
    [[maybe_unused]] const ssize_t n = ::write(handoff.wakeFd(w), &one64, sizeof one64);
  one.join();
  two.join();
  INFO("retries " << retries << ", dropped " << dropped << ", sleeps " << results[1].sleeps << "/"
                  << results[2].sleeps << ", wakeups " << handoff.counters(0).wakeups.load());
  CHECK(sent == kPackets);
  CHECK(results[1].received + results[2].received + dropped == 2 * uint64_t{kPackets});
  CHECK(results[1].received > 0);  // how many a slow destination missed depends on the scheduler
  CHECK(results[2].received > 0);
  for (size_t w : {size_t{1}, size_t{2}}) {
    CHECK(results[w].outOfOrder == 0);
    CHECK(results[w].lostWakeups == 0);
  }
  // At most one eventfd write per attempt to sleep (not one per packet).
  CHECK(handoff.counters(0).wakeups.load() <= results[1].sleeps + results[2].sleeps);
  CHECK(handoff.counters(1).received.load() == results[1].received);
}
