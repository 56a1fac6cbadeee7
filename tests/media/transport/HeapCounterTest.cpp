// Replaces the global allocation functions of this test runner so tests can see the live heap
// (tests/media/transport/HeapCounter.h). Also checks that the counter sees what it should.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "tests/media/transport/HeapCounter.h"

namespace {
std::atomic<int64_t> live{0};

void* allocate(size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  live.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void release(void* p) noexcept {
  if (p == nullptr) return;
  live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
}  // namespace

int64_t switchyard::test::liveHeapBytes() noexcept {
  return live.load(std::memory_order_relaxed);
}

void* operator new(size_t size) {
  return allocate(size);
}
void* operator new[](size_t size) {
  return allocate(size);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, size_t) noexcept {
  release(p);
}
void operator delete[](void* p, size_t) noexcept {
  release(p);
}
// The nothrow forms pair with the plain deletes above (the over-aligned forms stay the runtime's).
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}

TEST_CASE("the heap counter sees allocations and frees", "[heap]") {
  const int64_t before = switchyard::test::liveHeapBytes();
  auto* block = new std::vector<char>(100000);
  CHECK(switchyard::test::liveHeapBytes() - before >= 100000);
  delete block;
  CHECK(switchyard::test::liveHeapBytes() - before < 1000);
}
