// OpenSslMemory: OpenSSL's large buffers in page-aligned slots whose idle pages are not resident, and
// a DTLS transport's handshake buffer given back after the handshake. The allocator is installed by
// a static initializer of this file, before anything in this test binary calls OpenSSL, so every
// DTLS test in the binary (handshakes, retransmissions after the handshake, application data) runs
// with it.
#include <openssl/crypto.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include "DtlsTestPair.h"
#include "media/dtls/OpenSslMemory.h"

using namespace switchyard::media::dtls;
using switchyard::media::dtls::test::DtlsPair;

namespace {

const bool kInstalled = OpenSslMemory::install();

constexpr size_t kPage = 4096;

bool allBytesAre(const void* p, size_t bytes, uint8_t value) {
  const auto* byte = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < bytes; ++i)
    if (byte[i] != value) return false;
  return true;
}

}  // namespace

TEST_CASE("OpenSslMemory: installed before OpenSSL's first allocation, and only once") {
  REQUIRE(kInstalled);
  REQUIRE(OpenSslMemory::installed());
  REQUIRE(OpenSslMemory::install());  // idempotent
}

TEST_CASE("OpenSslMemory: slot-sized allocations take fresh pages, resident only where touched") {
  REQUIRE(OpenSslMemory::installed());
  const size_t before = OpenSslMemory::stats().slotsInUse;
  void* p = OPENSSL_malloc(16724);  // OpenSSL 3.0's DTLS record read buffer
  REQUIRE(p != nullptr);
  CHECK(OpenSslMemory::isSlot(p));
  CHECK(reinterpret_cast<uintptr_t>(p) % kPage == 0);
  CHECK(OpenSslMemory::stats().slotsInUse == before + 1);
  CHECK(OpenSslMemory::residentBytes(p, OpenSslMemory::kSlotBytes) == 0);
  std::memset(p, 0x5A, 1500);  // one datagram
  CHECK(OpenSslMemory::residentBytes(p, OpenSslMemory::kSlotBytes) == kPage);
  OPENSSL_free(p);
  CHECK(OpenSslMemory::stats().slotsInUse == before);

  // A freed slot is given back: the next allocation (the same slot, from the free list) is not
  // resident and holds none of the old bytes.
  void* q = OPENSSL_malloc(OpenSslMemory::kMinBytes);
  REQUIRE(q != nullptr);
  CHECK(q == p);
  CHECK(OpenSslMemory::residentBytes(q, OpenSslMemory::kSlotBytes) == 0);
  CHECK(allBytesAre(q, 1500, 0));
  OPENSSL_free(q);

  // Other sizes go to the C heap.
  void* small = OPENSSL_malloc(OpenSslMemory::kMinBytes - 1);
  void* large = OPENSSL_malloc(OpenSslMemory::kSlotBytes + 1);
  CHECK_FALSE(OpenSslMemory::isSlot(small));
  CHECK_FALSE(OpenSslMemory::isSlot(large));
  OPENSSL_free(small);
  OPENSSL_free(large);
  CHECK(OPENSSL_malloc(0) == nullptr);
}

TEST_CASE("OpenSslMemory: realloc keeps a buffer in its slot while it fits, and its bytes when it moves") {
  REQUIRE(OpenSslMemory::installed());
  auto* p = static_cast<uint8_t*>(OPENSSL_realloc(nullptr, 18000));
  REQUIRE(p != nullptr);
  REQUIRE(OpenSslMemory::isSlot(p));
  for (size_t i = 0; i < 18000; ++i)
    p[i] = static_cast<uint8_t>(i * 7);
  auto* same = static_cast<uint8_t*>(OPENSSL_realloc(p, OpenSslMemory::kSlotBytes));
  CHECK(same == p);
  auto* shrunk = static_cast<uint8_t*>(OPENSSL_realloc(same, 100));
  CHECK(shrunk == p);
  const size_t inUse = OpenSslMemory::stats().slotsInUse;
  auto* moved = static_cast<uint8_t*>(OPENSSL_realloc(shrunk, 40000));
  REQUIRE(moved != nullptr);
  CHECK_FALSE(OpenSslMemory::isSlot(moved));
  CHECK(OpenSslMemory::stats().slotsInUse == inUse - 1);
  bool kept = true;
  for (size_t i = 0; i < 100; ++i)
    kept = kept && moved[i] == static_cast<uint8_t>(i * 7);
  CHECK(kept);
  CHECK(OPENSSL_realloc(moved, 0) == nullptr);  // frees, as CRYPTO_realloc

  // A heap buffer grown into the slot range stays on the heap.
  void* heap = OPENSSL_malloc(1000);
  void* grown = OPENSSL_realloc(heap, 20000);
  REQUIRE(grown != nullptr);
  CHECK_FALSE(OpenSslMemory::isSlot(grown));
  OPENSSL_free(grown);
}

TEST_CASE(
    "OpenSslMemory: an owner records the buffers grown from nothing in its scope and discards their pages") {
  REQUIRE(OpenSslMemory::installed());
  OpenSslMemory::Owner owner;
  void* grown = nullptr;
  void* allocated = nullptr;
  {
    OpenSslMemory::Owner::Scope scope(owner);
    grown = OPENSSL_realloc(nullptr, 21848);  // BUF_MEM_grow(init_buf, 16384)
    allocated = OPENSSL_malloc(20000);        // a read buffer: not the owner's to discard
  }
  void* outside = OPENSSL_realloc(nullptr, 21848);  // no scope: no owner
  REQUIRE(grown != nullptr);
  REQUIRE(allocated != nullptr);
  REQUIRE(outside != nullptr);
  CHECK(owner.bufferCount() == 1);
  std::memset(grown, 0xAB, 16384);
  std::memset(allocated, 0xCD, 16384);
  CHECK(OpenSslMemory::residentBytes(grown, OpenSslMemory::kSlotBytes) == 16384);

  const uint64_t discardedBefore = OpenSslMemory::stats().discardedSlots;
  CHECK(owner.discardHandshakeBuffers() == 1);
  CHECK(OpenSslMemory::stats().discardedSlots == discardedBefore + 1);
  CHECK(OpenSslMemory::residentBytes(grown, OpenSslMemory::kSlotBytes) == 0);
  CHECK(allBytesAre(grown, 16384, 0));  // still allocated, contents gone
  CHECK(allBytesAre(allocated, 16384, 0xCD));
  std::memset(grown, 0x11, 100);  // and usable
  CHECK(allBytesAre(grown, 100, 0x11));

  OPENSSL_free(grown);
  CHECK(owner.bufferCount() == 0);
  CHECK(owner.discardHandshakeBuffers() == 0);
  OPENSSL_free(allocated);
  OPENSSL_free(outside);
}

TEST_CASE("OpenSslMemory: an owner destroyed before its buffers are freed leaves no dangling record") {
  REQUIRE(OpenSslMemory::installed());
  // The owner lives in the test's own storage, so that a write through a dangling record stays
  // visible (and is no use after free) once the owner is gone.
  alignas(OpenSslMemory::Owner) std::array<std::byte, sizeof(OpenSslMemory::Owner)> storage{};
  std::array<std::byte, sizeof(OpenSslMemory::Owner)> lastImage{};
  void* grown = nullptr;
  auto* owner = new (storage.data()) OpenSslMemory::Owner;
  {
    OpenSslMemory::Owner::Scope scope(*owner);
    grown = OPENSSL_realloc(nullptr, 20000);
  }
  REQUIRE(grown != nullptr);
  REQUIRE(owner->bufferCount() == 1);
  std::memcpy(lastImage.data(), storage.data(), storage.size());
  owner->~Owner();
  // The storage holds the owner's last state again, as reused memory might: freeing the buffer must
  // not write to it (a record still pointing here would take the buffer off this count).
  std::memcpy(storage.data(), lastImage.data(), storage.size());
  OPENSSL_free(grown);
  CHECK(std::memcmp(storage.data(), lastImage.data(), storage.size()) == 0);
}

TEST_CASE("OpenSslMemory: after a DTLS handshake both transports keep under two resident pages per buffer") {
  REQUIRE(OpenSslMemory::installed());
  const OpenSslMemory::Stats before = OpenSslMemory::stats();
  DtlsPair pair;
  pair.start();
  pair.pump();
  REQUIRE(pair.connected());
  const OpenSslMemory::Stats after = OpenSslMemory::stats();
  // Each side: its record read buffer and its handshake buffer (the latter discarded).
  CHECK(after.slotsInUse >= before.slotsInUse + 4);
  CHECK(after.discardedSlots == before.discardedSlots + 2);
  const size_t buffers = after.slotsInUse - before.slotsInUse;
  CHECK(OpenSslMemory::residentSlotBytes() <=
        buffers * kPage + before.slotsInUse * OpenSslMemory::kSlotBytes);

  // Application data still flows both ways, in records as large as the MTU allows.
  std::vector<uint8_t> message(pair.client->maxApplicationDataSize(), 0x42);
  REQUIRE(pair.client->sendApplicationData(message));
  REQUIRE(pair.server->sendApplicationData(message));
  pair.pump();
  REQUIRE(pair.serverRecorder.received.size() == 1);
  REQUIRE(pair.clientRecorder.received.size() == 1);
  CHECK(pair.serverRecorder.received[0] == message);
  CHECK(pair.clientRecorder.received[0] == message);
  pair.client.reset();
  pair.server.reset();
  CHECK(OpenSslMemory::stats().slotsInUse == before.slotsInUse);
}
