#pragma once
// Helpers shared by the STUN tests: hex decoding and the shared RFC 5769 vectors.
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/TestHex.h"

namespace switchyard::media::ice::test {

// Hex text -> bytes (strict: throws on a stray character or an odd digit count).
using switchyard::test::hex;

inline const nlohmann::json& rfc5769() {
  static const nlohmann::json vectors = [] {
    std::ifstream in(SWITCHYARD_VECTORS_DIR "/stun-rfc5769.json");
    if (!in) throw std::runtime_error("cannot open " SWITCHYARD_VECTORS_DIR "/stun-rfc5769.json");
    return nlohmann::json::parse(in);
  }();
  return vectors;
}

inline std::vector<uint8_t> vectorBytes(const char* name) {
  return hex(rfc5769().at(name).at("hex").get<std::string>());
}

inline std::string vectorPassword() {
  return rfc5769().at("password").get<std::string>();
}

// RFC 5769 §2.3 "Sample IPv6 Response" (not in the shared json). The RFC lists its parameters as:
//   Password: "VOkJxbRl1RmTxUk/WvJxBt" (without quotes)
//   Software name: "test vector" (without quotes)
//   Mapped address: 2001:db8:1234:5678:11:2233:4455:6677 port 32853
// and the bytes as: Response type and message length / Magic cookie / Transaction ID / SOFTWARE
// attribute header / UTF-8 server name / XOR-MAPPED-ADDRESS attribute header / Address family
// (IPv6) and xor'd mapped port number / Xor'd mapped IPv6 address / MESSAGE-INTEGRITY attribute
// header / HMAC-SHA1 fingerprint / FINGERPRINT attribute header / CRC32 fingerprint:
inline constexpr std::string_view kRfc5769Ipv6ResponseHex =
    "01010048 2112a442 b7e7a701 bc34d686 fa87dfae"
    "8022000b 74657374 20766563 746f7220"
    "00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"
    "00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41"
    "80280004 c8fb0b4c";

}  // namespace switchyard::media::ice::test
