#include "media/forward/KeyframeRequester.h"

#include <catch2/catch.hpp>

#include "tests/media/forward/RouterTestKit.h"

using switchyard::media::forward::KeyframeRequester;
using namespace switchyard::media::forward::test;

TEST_CASE("KeyframeRequester: first request at once, then one per interval, merged in between") {
  KeyframeRequester requester(500ms);
  const auto t0 = at(1000000us);
  CHECK_FALSE(requester.pending());
  CHECK_FALSE(requester.due(t0));
  CHECK(requester.request(t0));
  CHECK(requester.pending());
  requester.attempted(t0, true);
  CHECK_FALSE(requester.pending());

  CHECK_FALSE(requester.request(t0 + 100ms));
  CHECK_FALSE(requester.request(t0 + 200ms));
  CHECK(requester.pending());
  CHECK_FALSE(requester.due(t0 + 499ms));
  CHECK(requester.due(t0 + 500ms));
  requester.attempted(t0 + 500ms, true);
  CHECK_FALSE(requester.due(t0 + 2s));
  CHECK(requester.request(t0 + 1000ms));
}

TEST_CASE("KeyframeRequester: a refused attempt stays pending for the next interval") {
  KeyframeRequester requester(100ms);
  const auto t0 = at(0us);
  CHECK(requester.request(t0));
  requester.attempted(t0, false);
  CHECK(requester.pending());
  CHECK_FALSE(requester.due(t0 + 99ms));
  CHECK(requester.due(t0 + 100ms));
}

TEST_CASE("KeyframeRequester: a request never attempted (no SSRC yet) stays due") {
  KeyframeRequester requester(100ms);
  CHECK(requester.request(at(0us)));
  CHECK(requester.due(at(0us)));
  CHECK(requester.request(at(5us)));
  CHECK(requester.due(at(10us)));
}
