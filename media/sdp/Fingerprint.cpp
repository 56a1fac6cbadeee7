#include "media/sdp/Fingerprint.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

namespace {

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

size_t Fingerprint::digestSize(std::string_view hashFunction) noexcept {
  using detail::equalsIgnoreCase;
  if (equalsIgnoreCase(hashFunction, "sha-1")) return 20;
  if (equalsIgnoreCase(hashFunction, "sha-224")) return 28;
  if (equalsIgnoreCase(hashFunction, "sha-256")) return 32;
  if (equalsIgnoreCase(hashFunction, "sha-384")) return 48;
  if (equalsIgnoreCase(hashFunction, "sha-512")) return 64;
  if (equalsIgnoreCase(hashFunction, "md5") || equalsIgnoreCase(hashFunction, "md2")) return 16;
  return 0;
}

std::optional<Fingerprint> Fingerprint::parse(std::string_view value, std::string& error) {
  const auto t = detail::tokens(value);
  if (t.size() != 2 || !detail::isToken(t[0])) {
    error = "a=fingerprint must be <hash-func> <hex bytes separated by ':'>";
    return std::nullopt;
  }
  const std::string_view hex = t[1];
  // "AB:CD:...": 2 hex digits per byte, ':' between bytes.
  if ((hex.size() + 1) % 3 != 0) {
    error = "a=fingerprint: value is not hex byte pairs separated by ':'";
    return std::nullopt;
  }
  const size_t count = (hex.size() + 1) / 3;
  if (count > kMaxBytes) {
    error = "a=fingerprint: more than 64 bytes";
    return std::nullopt;
  }
  Fingerprint f;
  f.hashFunction = std::string(t[0]);
  f.bytes.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t at = i * 3;
    const int hi = hexValue(hex[at]);
    const int lo = hexValue(hex[at + 1]);
    if (hi < 0 || lo < 0 || (i + 1 < count && hex[at + 2] != ':')) {
      error = "a=fingerprint: bad hex at byte " + std::to_string(i + 1);
      return std::nullopt;
    }
    f.bytes.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  const size_t expected = digestSize(f.hashFunction);
  if (expected != 0 && expected != count) {
    error = "a=fingerprint: " + f.hashFunction + " needs " + std::to_string(expected) + " bytes, got " +
            std::to_string(count);
    return std::nullopt;
  }
  return f;
}

std::string Fingerprint::toString() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = hashFunction;
  out += ' ';
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace switchyard::media::sdp
