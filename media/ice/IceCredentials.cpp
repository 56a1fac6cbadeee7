#include "media/ice/IceCredentials.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace switchyard::media::ice {

namespace {

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/" — exactly 64 characters, so one random byte
// masked to 6 bits picks one uniformly.
constexpr std::string_view kIceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static_assert(kIceChars.size() == 64);

std::string randomIceString(size_t length) {
  std::array<uint8_t, 256> bytes{};
  if (length > bytes.size() || RAND_bytes(bytes.data(), static_cast<int>(length)) != 1)
    throw std::runtime_error("IceCredentials: RAND_bytes failed");
  std::string s(length, '\0');
  for (size_t i = 0; i < length; ++i)
    s[i] = kIceChars[bytes[i] & 0x3Fu];
  return s;
}

bool isIceChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

IceCredentials IceCredentials::generate() {
  IceCredentials c;
  c.ufrag = randomIceString(kUfragLength);
  c.password = randomIceString(kPasswordLength);
  return c;
}

bool IceCredentials::isIceCharString(std::string_view s) noexcept {
  if (s.empty() || s.size() > kMaxLength) return false;
  for (const char c : s)
    if (!isIceChar(c)) return false;
  return true;
}

bool IceCredentials::valid() const noexcept {
  return isIceCharString(ufrag) && isIceCharString(password) && ufrag.size() >= kMinUfragLength &&
         password.size() >= kMinPasswordLength;
}

}  // namespace switchyard::media::ice
