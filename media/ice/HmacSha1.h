#pragma once
// HMAC-SHA1 (RFC 2104 over OpenSSL's SHA-1, no allocation) over the concatenation of two byte ranges, so STUN
// MESSAGE-INTEGRITY can be computed over a header copy with an adjusted length followed by the
// untouched rest of a read-only message, without copying the message.
#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::media::ice {

class HmacSha1 {
 public:
  static constexpr size_t kSize = 20;

  // out = HMAC-SHA1(key, first || second). False only if OpenSSL fails (then out is zeroed).
  [[nodiscard]] static bool compute(std::span<const uint8_t> key, std::span<const uint8_t> first,
                                    std::span<const uint8_t> second, std::span<uint8_t, kSize> out) noexcept;

  // Constant-time equality (CRYPTO_memcmp) of two MACs.
  [[nodiscard]] static bool equal(std::span<const uint8_t, kSize> a,
                                  std::span<const uint8_t, kSize> b) noexcept;
};

}  // namespace switchyard::media::ice
