// The heap counter of this runner (tests/support/HeapCounter.cpp) sees what it should.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/support/HeapCounter.h"

TEST_CASE("the heap counter sees allocations and frees", "[heap]") {
  const int64_t before = switchyard::test::liveHeapBytes();
  static std::vector<char>* volatile block = nullptr;  // volatile: the new/delete pair cannot be elided
  block = new std::vector<char>(100000);
  CHECK(switchyard::test::liveHeapBytes() - before >= 100000);
  delete block;
  CHECK(switchyard::test::liveHeapBytes() - before < 1000);
}
