#include "media/ice/HmacSha1.h"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3.0 in favour of EVP, whose per-key re-init
// allocates (see run()); they remain in 3.x and are what we want here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>

namespace switchyard::media::ice {

namespace {

constexpr size_t kBlock = 64;  // SHA-1 block size

// HMAC (RFC 2104) over OpenSSL's SHA-1 block function on stack contexts. The EVP_MAC route
// re-initialises its digest context with EVP_MD_CTX_copy_ex on every key, which allocates; the
// consent checks of every peer run this on the worker threads all the time, so it must not.
bool run(std::span<const uint8_t> key, std::span<const uint8_t> first, std::span<const uint8_t> second,
         std::span<uint8_t, HmacSha1::kSize> out) noexcept {
  std::array<uint8_t, kBlock> k0{};
  if (key.size() > kBlock) {
    SHA1(key.data(), key.size(), k0.data());
  } else if (!key.empty()) {
    std::memcpy(k0.data(), key.data(), key.size());
  }
  std::array<uint8_t, kBlock> pad{};
  for (size_t i = 0; i < kBlock; ++i)
    pad[i] = static_cast<uint8_t>(k0[i] ^ 0x36);
  std::array<uint8_t, HmacSha1::kSize> inner{};
  SHA_CTX ctx;
  bool ok = SHA1_Init(&ctx) == 1 && SHA1_Update(&ctx, pad.data(), pad.size()) == 1;
  if (ok && !first.empty()) ok = SHA1_Update(&ctx, first.data(), first.size()) == 1;
  if (ok && !second.empty()) ok = SHA1_Update(&ctx, second.data(), second.size()) == 1;
  ok = ok && SHA1_Final(inner.data(), &ctx) == 1;
  for (size_t i = 0; i < kBlock; ++i)
    pad[i] = static_cast<uint8_t>(k0[i] ^ 0x5c);
  ok = ok && SHA1_Init(&ctx) == 1 && SHA1_Update(&ctx, pad.data(), pad.size()) == 1 &&
       SHA1_Update(&ctx, inner.data(), inner.size()) == 1 && SHA1_Final(out.data(), &ctx) == 1;
  OPENSSL_cleanse(k0.data(), k0.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return ok;
}

}  // namespace

bool HmacSha1::compute(std::span<const uint8_t> key, std::span<const uint8_t> first,
                       std::span<const uint8_t> second, std::span<uint8_t, kSize> out) noexcept {
  if (run(key, first, second, out)) return true;
  std::memset(out.data(), 0, out.size());
  return false;
}

bool HmacSha1::equal(std::span<const uint8_t, kSize> a, std::span<const uint8_t, kSize> b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), kSize) == 0;
}

}  // namespace switchyard::media::ice
