// The data-plane methods of both agents (handleStun, tick, networkChanged) must not allocate.
// Counts calls to the global operator new while two agents run through connection, consent
// checks, a network change, rejected checks and expiry, with listeners that do not allocate either.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IceLiteAgent.h"
#include "tests/media/ice/IceTestUtil.h"

namespace {
std::atomic<bool> gCounting{false};
std::atomic<size_t> gAllocations{0};
}  // namespace

// Every non-aligned form is replaced (sanitizers check that new/delete forms pair up; all of these
// map to malloc/free). The aligned forms stay the library's and pair among themselves.
namespace {
void* countedAlloc(std::size_t size) noexcept {
  if (gCounting.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* countedAllocOrThrow(std::size_t size) {
  if (void* p = countedAlloc(size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) {
  return countedAllocOrThrow(size);
}
void* operator new[](std::size_t size) {
  return countedAllocOrThrow(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

using namespace switchyard::media::ice;
using namespace switchyard::media::ice::test;

namespace {

// Keeps the latest packet in a fixed buffer.
struct Mailbox {
  std::array<uint8_t, 1024> bytes{};
  size_t size = 0;
  SocketAddress to;
  bool full = false;
  void put(std::span<const uint8_t> b, const SocketAddress& dest) {
    size = std::min(b.size(), bytes.size());
    std::copy_n(b.begin(), size, bytes.begin());
    to = dest;
    full = true;
  }
  std::span<const uint8_t> take() {
    full = false;
    return std::span<const uint8_t>(bytes).first(size);
  }
};

struct QuietLite : IceLiteAgent::Listener {
  Mailbox box;
  int selected = 0;
  int expired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override { box.put(stun, to); }
  void onIceSelected(const SocketAddress&) override { ++selected; }
  void onIceConsentExpired() override { ++expired; }
};

struct QuietClient : IceClientAgent::Listener {
  Mailbox box;
  int connected = 0;
  int failed = 0;
  int expired = 0;
  void onIceSend(std::span<const uint8_t> stun, const SocketAddress& to) override { box.put(stun, to); }
  void onIceConnected(const SocketAddress&) override { ++connected; }
  void onIceFailed(std::string_view) override { ++failed; }
  void onIceConsentExpired() override { ++expired; }
};

}  // namespace

TEST_CASE("Agents do not allocate in handleStun, tick or networkChanged", "[ice][agents][alloc]") {
  FakeClock clock;
  QuietLite liteEvents;
  QuietClient clientEvents;
  IceLiteAgent lite(kLiteCredentials, std::string("Cl1e"), {}, liteEvents);
  IceClientAgent client(kClientCredentials, kLiteCredentials, 7, {}, clientEvents);
  REQUIRE(client.addRemoteCandidate(kLiteAddress));
  const std::vector<uint8_t> forged = [] {
    CheckSpec s;
    s.password = "wrong+password/0123456789";
    return buildCheck(s);
  }();
  const std::vector<uint8_t> controlled = [] {
    CheckSpec s;
    s.controlled = 1;
    return buildCheck(s);
  }();
  SocketAddress clientAddress = kClientAddress;
  // Warm up the per-thread HMAC context (allocated once per thread by OpenSSL).
  {
    const auto m = StunMessage::parse(forged);
    REQUIRE(m);
    (void)m->verifyMessageIntegrity(std::string_view("x"));
  }

  const auto pump = [&] {
    for (int i = 0; i < 4; ++i) {
      if (clientEvents.box.full) {
        const auto m = StunMessage::parse(clientEvents.box.take());
        if (m) lite.handleStun(*m, clientAddress, clock.now);
      }
      if (liteEvents.box.full && liteEvents.box.to == clientAddress) {
        const auto m = StunMessage::parse(liteEvents.box.take());
        if (m) client.handleStun(*m, kLiteAddress, clock.now);
      }
    }
  };

  // The counter sees allocations at all.
  gAllocations = 0;
  gCounting = true;
  auto probe = std::make_unique<std::array<uint8_t, 64>>();
  gCounting = false;
  REQUIRE(gAllocations == 1);
  probe.reset();

  gAllocations = 0;
  gCounting = true;
  client.start(clock.now);
  pump();
  for (int step = 0; step < 2000; ++step) {
    clock.advance(10ms);
    client.tick(clock.now);
    lite.tick(clock.now);
    pump();
    if (step == 700) {
      clientAddress = kClientAddress2;
      client.networkChanged(clock.now);
      pump();
    }
    if (step % 100 == 0) {
      for (const auto* bytes : {&forged, &controlled}) {
        const auto m = StunMessage::parse(*bytes);
        if (m) lite.handleStun(*m, kClientAddressV6, clock.now);
      }
    }
  }
  client.close();
  for (int step = 0; step < 3200; ++step) {
    clock.advance(10ms);
    lite.tick(clock.now);
  }
  gCounting = false;

  CHECK(gAllocations == 0);
  CHECK(clientEvents.connected == 1);
  CHECK(liteEvents.selected == 2);
  CHECK(liteEvents.expired == 1);
  CHECK(clientEvents.failed == 0);
}
