#include "media/forward/RenumberWindow.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>

using switchyard::media::forward::RenumberWindow;

TEST_CASE("RenumberWindow: dropped items leave no hole; late items keep the numbers their places kept") {
  RenumberWindow w;
  w.reset(0xffff, 100, 500);
  CHECK(w.outputFor(100) == uint16_t{500});
  CHECK(w.advance(101, false) == uint16_t{501});
  CHECK(w.advance(102, true) == std::nullopt);
  CHECK(w.advance(103, false) == uint16_t{502});
  // 104 and 105 are missing; 106 is dropped; 107 goes out after the places of 104 and 105.
  CHECK(w.advance(106, true) == std::nullopt);
  CHECK(w.advance(107, false) == uint16_t{505});
  CHECK(w.outputFor(104) == uint16_t{503});
  CHECK(w.outputFor(105) == uint16_t{504});
  CHECK(w.outputFor(102) == std::nullopt);  // dropped
  CHECK(w.outputFor(106) == std::nullopt);
  CHECK(w.outputFor(99) == std::nullopt);  // before the first item
  // The inverse, for NACKs.
  CHECK(w.inputFor(500) == uint16_t{100});
  CHECK(w.inputFor(502) == uint16_t{103});
  CHECK(w.inputFor(503) == uint16_t{104});
  CHECK(w.inputFor(505) == uint16_t{107});
  CHECK(w.inputFor(506) == std::nullopt);  // not sent yet
  CHECK(w.inputFor(499) == std::nullopt);  // before the first
  // 104 comes late and is dropped: its number stays unused.
  w.skip(104);
  CHECK(w.outputFor(104) == std::nullopt);
  CHECK(w.inputFor(503) == std::nullopt);
  CHECK(w.outputFor(105) == uint16_t{504});
}

TEST_CASE("RenumberWindow: sequence number wrap, and items older than the window") {
  RenumberWindow w;
  w.reset(0xffff, 65530, 10);
  uint16_t in = 65530;
  uint16_t expected = 10;
  for (int i = 0; i < 20; ++i) {
    in = static_cast<uint16_t>(in + 1);
    const bool drop = i % 3 == 0;
    const auto out = w.advance(in, drop);
    if (drop) {
      CHECK_FALSE(out);
    } else {
      ++expected;
      CHECK(out == expected);
      CHECK(w.inputFor(expected) == in);
    }
  }
  // No drop has left the window yet: an old item still has its first offset.
  for (int i = 0; i < 2000; ++i)
    w.advance(static_cast<uint16_t>(in + 1 + i), false);
  CHECK(w.outputFor(65530) == std::nullopt);  // the drops after it have left the window
  RenumberWindow clean;
  clean.reset(0xffff, 1000, 1000);
  for (uint16_t i = 1001; i < 4000; ++i)
    clean.advance(i, false);
  CHECK(clean.outputFor(1000) == uint16_t{1000});
  CHECK(clean.inputFor(1001) == uint16_t{1001});
}

TEST_CASE("RenumberWindow: 7-bit picture ids wrap at 128") {
  RenumberWindow w;
  w.reset(0x7f, 126, 120);
  CHECK(w.advance(127, true) == std::nullopt);
  CHECK(w.advance(0, false) == uint16_t{121});
  CHECK(w.advance(1, true) == std::nullopt);
  CHECK(w.advance(2, false) == uint16_t{122});
  CHECK(w.isNewer(3));
  CHECK_FALSE(w.isNewer(2 + 64));  // half the space ahead is not newer
  CHECK(w.outputFor(126) == uint16_t{120});
  CHECK(w.inputFor(122) == uint16_t{2});
  for (uint16_t i = 3; i < 8; ++i)
    CHECK(w.advance(i, false) == static_cast<uint16_t>(120 + i));
  CHECK(w.advance(8, false) == uint16_t{0});  // the output wraps too
  CHECK(w.advance(9, false) == uint16_t{1});
}
