#include "media/rtp/SeqUnwrapper.h"

#include <catch2/catch.hpp>
#include <cstdint>

using switchyard::media::rtp::SeqUnwrapper;

TEST_CASE("SeqUnwrapper: first value, forward steps and wrap at 0xFFFF -> 0") {
  SeqUnwrapper u;
  CHECK_FALSE(u.last());
  CHECK(u.unwrap(0xFFFD) == 0xFFFD);
  CHECK(u.unwrap(0xFFFE) == 0xFFFE);
  CHECK(u.unwrap(0xFFFF) == 0xFFFF);
  CHECK(u.unwrap(0) == 0x10000);
  CHECK(u.unwrap(1) == 0x10001);
  CHECK(u.last() == 0x10001);
}

TEST_CASE("SeqUnwrapper: reordering across the wrap goes back below it") {
  SeqUnwrapper u;
  CHECK(u.unwrap(0xFFFF) == 0xFFFF);
  CHECK(u.unwrap(2) == 0x10002);
  CHECK(u.unwrap(0xFFFE) == 0xFFFE);  // late packet from before the wrap
  CHECK(u.unwrap(0) == 0x10000);
  CHECK(u.unwrap(3) == 0x10003);
}

TEST_CASE("SeqUnwrapper: many wraps, large forward jumps, low bits kept") {
  SeqUnwrapper u;
  int64_t expected = 100;
  CHECK(u.unwrap(100) == expected);
  for (int i = 0; i < 1000; ++i) {
    expected += 30000;
    CHECK(u.unwrap(static_cast<uint16_t>(expected)) == expected);
  }
  CHECK(expected > 3 * 65536);
  expected -= 32767;  // a backward step just under half the space
  CHECK(u.unwrap(static_cast<uint16_t>(expected)) == expected);
}

TEST_CASE("SeqUnwrapper: values older than the first one are negative") {
  SeqUnwrapper u;
  CHECK(u.unwrap(1) == 1);
  CHECK(u.unwrap(0xFFFF) == -1);
  CHECK(static_cast<uint16_t>(-1) == 0xFFFF);
}

TEST_CASE("SeqUnwrapper: the half-way step follows seqNewer's tie-break") {
  SeqUnwrapper u;
  CHECK(u.unwrap(0) == 0);
  CHECK(u.unwrap(0x8000) == 0x8000);  // 0x8000 is newer than 0
  SeqUnwrapper v;
  CHECK(v.unwrap(0x8000) == 0x8000);
  CHECK(v.unwrap(0) == 0);  // 0 is older than 0x8000
}

TEST_CASE("SeqUnwrapper: peek does not change state, reset forgets") {
  SeqUnwrapper u;
  CHECK(u.peek(7) == 7);
  CHECK_FALSE(u.last());
  u.unwrap(0xFFFF);
  CHECK(u.peek(0) == 0x10000);
  CHECK(u.last() == 0xFFFF);
  CHECK(u.unwrap(0xFFFE) == 0xFFFE);
  u.reset();
  CHECK_FALSE(u.last());
  CHECK(u.unwrap(5) == 5);
}
