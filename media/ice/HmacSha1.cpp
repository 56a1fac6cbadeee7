#include "media/ice/HmacSha1.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

namespace switchyard::media::ice {

namespace {

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

// EVP_MAC_init treats a null key as "keep the previous key", so an empty key needs a real pointer.
// With the reused context below this matters twice: a null key would silently MAC with the key of
// the previous call on this thread.
constexpr uint8_t kEmptyKey[1] = {0};

// The HMAC implementation, fetched from the default provider once (a provider lookup takes a lock).
// An immutable cache: initialised thread-safely on first use, never freed (it lives as long as
// OpenSSL's own provider tables), so no thread can see it disappear.
EVP_MAC* hmac() noexcept {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return mac;
}

// One context per thread, re-initialised with the key (and digest) on every call: no allocation
// per STUN check. Freed when the thread ends. Each media worker thread owns its own, so no locking.
EVP_MAC_CTX* threadContext() noexcept {
  thread_local const std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> c(hmac() != nullptr ? EVP_MAC_CTX_new(hmac()) : nullptr);
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (c && EVP_MAC_CTX_set_params(c.get(), params) != 1) c.reset();
    return c;
  }();
  return ctx.get();
}

bool run(std::span<const uint8_t> key, std::span<const uint8_t> first, std::span<const uint8_t> second,
         std::span<uint8_t, HmacSha1::kSize> out) noexcept {
  EVP_MAC_CTX* ctx = threadContext();
  if (ctx == nullptr) return false;
  const uint8_t* keyData = key.empty() ? kEmptyKey : key.data();
  if (EVP_MAC_init(ctx, keyData, key.size(), nullptr) != 1) return false;
  if (!first.empty() && EVP_MAC_update(ctx, first.data(), first.size()) != 1) return false;
  if (!second.empty() && EVP_MAC_update(ctx, second.data(), second.size()) != 1) return false;
  size_t written = 0;
  if (EVP_MAC_final(ctx, out.data(), &written, out.size()) != 1) return false;
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
