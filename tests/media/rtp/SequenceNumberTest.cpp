#include "media/rtp/SequenceNumber.h"

#include <catch2/catch.hpp>
#include <cstdint>

using switchyard::media::rtp::seqDelta;
using switchyard::media::rtp::seqNewer;
using switchyard::media::rtp::seqNewerOrEqual;
using switchyard::media::rtp::serialNewer;
using switchyard::media::rtp::timestampNewer;

// RFC 1982 §3.2: i1 > i2 if (i1 < i2 and i2 - i1 > 2^(SERIAL_BITS-1)) or
// (i1 > i2 and i1 - i2 < 2^(SERIAL_BITS-1)).
TEST_CASE("seqNewer: plain order and wrap around 0xFFFF/0") {
  CHECK(seqNewer(1, 0));
  CHECK_FALSE(seqNewer(0, 1));
  CHECK_FALSE(seqNewer(5, 5));
  CHECK(seqNewer(0, 0xFFFF));
  CHECK_FALSE(seqNewer(0xFFFF, 0));
  CHECK(seqNewer(10, 0xFFF0));
  CHECK_FALSE(seqNewer(0xFFF0, 10));
  CHECK(seqNewer(0x7FFF, 0));
  CHECK_FALSE(seqNewer(0, 0x7FFF));
  CHECK(seqNewer(0, 0x8001));
  CHECK_FALSE(seqNewer(0x8001, 0));
  CHECK(seqNewerOrEqual(5, 5));
  CHECK(seqNewerOrEqual(0, 0xFFFF));
  CHECK_FALSE(seqNewerOrEqual(0xFFFF, 0));
}

TEST_CASE("seqNewer: exactly half-way is broken by value, antisymmetric everywhere") {
  CHECK(seqNewer(0x8000, 0));
  CHECK_FALSE(seqNewer(0, 0x8000));
  CHECK(seqNewer(0xFFFF, 0x7FFF));
  CHECK_FALSE(seqNewer(0x7FFF, 0xFFFF));
  for (uint32_t b : {0u, 1u, 0x7FFFu, 0x8000u, 0xFFFEu, 0xFFFFu}) {
    for (uint32_t a = 0; a < 0x10000; a += 97) {
      const auto x = static_cast<uint16_t>(a);
      const auto y = static_cast<uint16_t>(b);
      if (x == y) continue;
      CHECK(seqNewer(x, y) != seqNewer(y, x));
    }
  }
}

TEST_CASE("seqDelta: signed distance consistent with seqNewer") {
  CHECK(seqDelta(0, 0) == 0);
  CHECK(seqDelta(1, 0) == 1);
  CHECK(seqDelta(0, 1) == -1);
  CHECK(seqDelta(0, 0xFFFF) == 1);
  CHECK(seqDelta(0xFFFF, 0) == -1);
  CHECK(seqDelta(5, 0xFFFB) == 10);
  CHECK(seqDelta(0x7FFF, 0) == 0x7FFF);
  CHECK(seqDelta(0x8000, 0) == 0x8000);
  CHECK(seqDelta(0, 0x8000) == -0x8000);
  CHECK(seqDelta(0x8001, 0) == -0x7FFF);
  for (uint32_t a = 0; a < 0x10000; a += 251) {
    for (uint32_t b = 0; b < 0x10000; b += 257) {
      const auto x = static_cast<uint16_t>(a);
      const auto y = static_cast<uint16_t>(b);
      const int32_t d = seqDelta(x, y);
      CHECK((d > 0) == seqNewer(x, y));
      CHECK(static_cast<uint16_t>(y + d) == x);
    }
  }
}

TEST_CASE("timestampNewer and serialNewer<uint8_t>") {
  CHECK(timestampNewer(0, 0xFFFFFFFF));
  CHECK_FALSE(timestampNewer(0xFFFFFFFF, 0));
  CHECK(timestampNewer(90000, 0));
  CHECK(timestampNewer(0x80000000, 0));
  CHECK_FALSE(timestampNewer(0x80000001, 0));
  // RFC 1982 §3.2 example with SERIAL_BITS = 8: 255 < 0, 100 < 200, 200 < 44.
  CHECK(serialNewer<uint8_t>(0, 255));
  CHECK(serialNewer<uint8_t>(200, 100));
  CHECK(serialNewer<uint8_t>(44, 200));
  CHECK_FALSE(serialNewer<uint8_t>(200, 44));
}
