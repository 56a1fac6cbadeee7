#include "media/ice/HmacSha1.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

namespace switchyard::media::ice {

namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

// EVP_MAC_init treats a null key as "keep the previous key", so an empty key needs a real pointer.
constexpr uint8_t kEmptyKey[1] = {0};

bool run(std::span<const uint8_t> key, std::span<const uint8_t> first, std::span<const uint8_t> second,
         std::span<uint8_t, HmacSha1::kSize> out) noexcept {
  const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) return false;
  const std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return false;
  char digest[] = "SHA1";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  const uint8_t* keyData = key.empty() ? kEmptyKey : key.data();
  if (EVP_MAC_init(ctx.get(), keyData, key.size(), params) != 1) return false;
  if (!first.empty() && EVP_MAC_update(ctx.get(), first.data(), first.size()) != 1) return false;
  if (!second.empty() && EVP_MAC_update(ctx.get(), second.data(), second.size()) != 1) return false;
  size_t written = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1) return false;
  return written == HmacSha1::kSize;
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
