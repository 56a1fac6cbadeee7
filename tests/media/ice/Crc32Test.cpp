#include "media/ice/Crc32.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string_view>

#include "media/ice/HmacSha1.h"
#include "tests/media/ice/StunTestUtil.h"

using switchyard::media::ice::Crc32;
using switchyard::media::ice::HmacSha1;
using switchyard::media::ice::test::fromHex;

namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr std::array<uint8_t, 9> kCheckInput = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
static_assert(Crc32::compute(kCheckInput) == 0xCBF43926u, "CRC-32/ISO-HDLC check value");

}  // namespace

TEST_CASE("Crc32 matches the CRC-32/ISO-HDLC check value and known inputs", "[ice][crc32]") {
  CHECK(Crc32::compute(bytes("123456789")) == 0xCBF43926u);
  CHECK(Crc32::compute({}) == 0u);
  CHECK(Crc32::compute(bytes("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
  // Incremental updates equal the one-shot value.
  Crc32 crc;
  crc.update(bytes("1234"));
  crc.update(bytes("56789"));
  CHECK(crc.value() == 0xCBF43926u);
}

TEST_CASE("HmacSha1 matches RFC 2202 test cases", "[ice][hmac]") {
  // RFC 2202 §3, test_case 1: key = 0x0b repeated 20 times, data = "Hi There".
  const std::vector<uint8_t> key1(20, 0x0b);
  std::array<uint8_t, HmacSha1::kSize> mac{};
  REQUIRE(HmacSha1::compute(key1, bytes("Hi "), bytes("There"), mac));
  const auto expected1 = fromHex("b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected1);

  // RFC 2202 §3, test_case 2: key = "Jefe", data = "what do ya want for nothing?".
  REQUIRE(HmacSha1::compute(bytes("Jefe"), bytes("what do ya want for nothing?"), {}, mac));
  const auto expected2 = fromHex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected2);

  // RFC 2202 §3, test_case 6: an 80-byte key (longer than the SHA-1 block) is hashed first.
  const std::vector<uint8_t> key6(80, 0xaa);
  REQUIRE(HmacSha1::compute(key6, {}, bytes("Test Using Larger Than Block-Size Key - Hash Key First"), mac));
  const auto expected6 = fromHex("aa4ae5e15272d00e95705637ce8a3b55ed402112");
  CHECK(std::vector<uint8_t>(mac.begin(), mac.end()) == expected6);

  std::array<uint8_t, HmacSha1::kSize> other = mac;
  CHECK(HmacSha1::equal(mac, other));
  other[19] ^= 1;
  CHECK_FALSE(HmacSha1::equal(mac, other));
}
