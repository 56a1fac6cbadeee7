#include "media/ice/IceCredentials.h"

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "media/ice/IceAddress.h"

using namespace switchyard::media::ice;
using switchyard::media::util::SocketAddress;

TEST_CASE("Generated ICE credentials are ice-chars of the right length", "[ice][credentials]") {
  // RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4-256, password 22-256 characters.
  std::set<std::string> ufrags;
  std::set<char> seen;
  for (int i = 0; i < 500; ++i) {
    const IceCredentials c = IceCredentials::generate();
    CHECK(c.ufrag.size() == 8);
    CHECK(c.password.size() == 24);
    CHECK(c.valid());
    CHECK(IceCredentials::isIceCharString(c.ufrag));
    CHECK(IceCredentials::isIceCharString(c.password));
    ufrags.insert(c.ufrag);
    seen.insert(c.password.begin(), c.password.end());
  }
  CHECK(ufrags.size() == 500);  // 48 random bits each: collisions would mean a broken generator
  CHECK(seen.size() == 64);     // 12000 draws cover the whole 64-character alphabet
  CHECK(seen.count('+') == 1);
  CHECK(seen.count('/') == 1);
}

TEST_CASE("ICE credential validation", "[ice][credentials]") {
  CHECK(IceCredentials{"abcd", "abcdefghijklmnopqrstuv"}.valid());
  CHECK_FALSE(IceCredentials{"abc", "abcdefghijklmnopqrstuv"}.valid());   // ufrag < 4
  CHECK_FALSE(IceCredentials{"abcd", "abcdefghijklmnopqrstu"}.valid());   // password < 22
  CHECK_FALSE(IceCredentials{"ab:d", "abcdefghijklmnopqrstuv"}.valid());  // ':' is not an ice-char
  CHECK_FALSE(IceCredentials{"abcd", "abcdefghijklmnopqrst v"}.valid());
  CHECK_FALSE(IceCredentials{"abcd", "abcdefghijklmnopqrst=v"}.valid());
  CHECK(IceCredentials::isIceCharString("+/09AZaz"));
  CHECK_FALSE(IceCredentials::isIceCharString(""));
  CHECK(IceCredentials::isIceCharString(std::string(256, 'a')));
  CHECK_FALSE(IceCredentials::isIceCharString(std::string(257, 'a')));
  CHECK_FALSE(IceCredentials::isIceCharString("abc\xc3\xa9"));
}

TEST_CASE("SocketAddress <-> StunAddress conversion round-trips", "[ice][address]") {
  const SocketAddress v4 = SocketAddress::ipv4({203, 0, 113, 5}, 3478);
  const auto s4 = toStunAddress(v4);
  REQUIRE(s4);
  CHECK(s4->family == StunAddress::Family::kIpv4);
  CHECK(*s4 == StunAddress::ipv4({203, 0, 113, 5}, 3478));
  CHECK(toSocketAddress(*s4) == v4);

  const SocketAddress v6 = *SocketAddress::parse("2001:db8::1", 65535);
  const auto s6 = toStunAddress(v6);
  REQUIRE(s6);
  CHECK(s6->family == StunAddress::Family::kIpv6);
  CHECK(s6->port == 65535);
  CHECK(toSocketAddress(*s6) == v6);

  CHECK_FALSE(toStunAddress(SocketAddress{}));
}
