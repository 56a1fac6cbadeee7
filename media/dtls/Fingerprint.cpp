#include "media/dtls/Fingerprint.h"

#include <openssl/crypto.h>

namespace switchyard::media::dtls {

namespace {

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string Fingerprint::toText() const {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

std::optional<Fingerprint> Fingerprint::fromText(std::string_view algorithm, std::string_view text) {
  if (!equalsIgnoreCase(algorithm, "sha-256")) return std::nullopt;
  // 32 pairs and 31 colons.
  if (text.size() != kSize * 3 - 1) return std::nullopt;
  Fingerprint out;
  for (size_t i = 0; i < kSize; ++i) {
    const size_t at = i * 3;
    if (i != 0 && text[at - 1] != ':') return std::nullopt;
    const int high = hexValue(text[at]);
    const int low = hexValue(text[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.bytes[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return out;
}

bool Fingerprint::matches(const Fingerprint& other) const noexcept {
  const bool sameDigest = CRYPTO_memcmp(bytes.data(), other.bytes.data(), kSize) == 0;
  return sameDigest && equalsIgnoreCase(algorithm, other.algorithm);
}

}  // namespace switchyard::media::dtls
