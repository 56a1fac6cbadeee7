#include "media/ice/Crc32.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string_view>
#include <thread>
#include <vector>

#include "media/ice/HmacSha1.h"
#include "media/util/AsBytes.h"
#include "tests/media/ice/StunTestUtil.h"

using switchyard::media::ice::Crc32;
using switchyard::media::ice::HmacSha1;
using switchyard::media::util::asBytes;
using switchyard::test::hex;

TEST_CASE("Crc32 matches the CRC-32/ISO-HDLC check value and known inputs", "[ice][crc32]") {
  CHECK(Crc32::compute(asBytes("123456789")) == 0xCBF43926u);
  CHECK(Crc32::compute({}) == 0u);
  CHECK(Crc32::compute(asBytes("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
  // Incremental updates equal the one-shot value.
  Crc32 crc;
  crc.update(asBytes("1234"));
  crc.update(asBytes("56789"));
  CHECK(crc.value() == 0xCBF43926u);
}

TEST_CASE("HmacSha1 matches RFC 2202 test cases", "[ice][hmac]") {
  // RFC 2202 §3, test_case 1: key = 0x0b repeated 20 times, data = "Hi There".
  const std::vector<uint8_t> key1(20, 0x0b);
  std::array<uint8_t, HmacSha1::kSize> mac{};
  REQUIRE(HmacSha1::compute(key1, asBytes("Hi "), asBytes("There"), mac));
  const auto expected1 = hex("b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected1);

  // RFC 2202 §3, test_case 2: key = "Jefe", data = "what do ya want for nothing?".
  REQUIRE(HmacSha1::compute(asBytes("Jefe"), asBytes("what do ya want for nothing?"), {}, mac));
  const auto expected2 = hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected2);

  // RFC 2202 §3, test_case 6: an 80-byte key (longer than the SHA-1 block) is hashed first.
  const std::vector<uint8_t> key6(80, 0xaa);
  REQUIRE(
      HmacSha1::compute(key6, {}, asBytes("Test Using Larger Than Block-Size Key - Hash Key First"), mac));
  const auto expected6 = hex("aa4ae5e15272d00e95705637ce8a3b55ed402112");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected6);

  std::array<uint8_t, HmacSha1::kSize> other = mac;
  CHECK(HmacSha1::equal(mac, other));
  other[19] ^= 1;
  CHECK_FALSE(HmacSha1::equal(mac, other));
}

TEST_CASE("HmacSha1 reuses its per-thread context without leaking keys between calls", "[ice][hmac]") {
  // HMAC-SHA1 with an empty key over empty data (a well-known value, e.g. Python's
  // hmac.new(b"", b"", "sha1")). Computed right after a call with another key: the reused context
  // must not keep the previous key (EVP_MAC_init with a null key would).
  const auto emptyEmpty = hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
  // RFC 2202 §3, test_case 2 again.
  const auto jefe = hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  std::array<uint8_t, HmacSha1::kSize> mac{};
  for (int round = 0; round < 3; ++round) {
    REQUIRE(HmacSha1::compute(asBytes("Jefe"), asBytes("what do ya want for nothing?"), {}, mac));
    CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == jefe);
    REQUIRE(HmacSha1::compute({}, {}, {}, mac));
    CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == emptyEmpty);
  }
  // Another thread gets its own context and the same answers.
  std::array<uint8_t, HmacSha1::kSize> other{};
  bool ok = false;
  std::thread worker([&] {
    ok = HmacSha1::compute(asBytes("Jefe"), asBytes("what do ya want "), asBytes("for nothing?"), other);
  });
  worker.join();
  CHECK(ok);
  CHECK(std::vector<uint8_t>(other.begin(), other.end()) == jefe);
}
