#include "server/JoinToken.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <nlohmann/json.hpp>

namespace switchyard::server {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kMaxTokenLength = 4096;

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) | static_cast<uint8_t>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (i + 2 == in.size()) {
    const uint32_t v =
        (uint32_t{static_cast<uint8_t>(in[i])} << 16) | (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if ((acc & ((1U << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

std::string hmacSha256(std::string_view secret, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

}  // namespace

std::string makeJoinToken(std::string_view secret, const JoinGrant& grant) {
  nlohmann::json payload{{"room", grant.room}, {"exp", grant.expires}};
  if (grant.name) payload["name"] = *grant.name;
  return signJoinToken(secret, payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string signJoinToken(std::string_view secret, std::string_view payload) {
  const std::string body = base64url(payload);
  return body + "." + base64url(hmacSha256(secret, body));
}

std::optional<JoinGrant> verifyJoinToken(std::string_view secret, std::string_view token,
                                         std::string_view room, int64_t now, std::string& error) {
  const size_t dot = token.find('.');
  if (token.size() > kMaxTokenLength || dot == std::string_view::npos) {
    error = "the token is not <payload>.<signature>";
    return std::nullopt;
  }
  const std::string_view body = token.substr(0, dot);
  const std::optional<std::string> signature = unbase64url(token.substr(dot + 1));
  const std::string expected = hmacSha256(secret, body);
  if (!signature || signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    error = "the token's signature is not valid";
    return std::nullopt;
  }
  const std::optional<std::string> payloadText = unbase64url(body);
  const nlohmann::json payload = payloadText ? nlohmann::json::parse(*payloadText, nullptr, false)
                                             : nlohmann::json(nlohmann::json::value_t::discarded);
  JoinGrant grant;
  if (!payload.is_object() || !payload.contains("room") || !payload["room"].is_string() ||
      !payload.contains("exp") || !payload["exp"].is_number_integer() ||
      (payload.contains("name") && !payload["name"].is_string())) {
    error = "the token's payload needs a string \"room\" and an integer \"exp\"";
    return std::nullopt;
  }
  grant.room = payload["room"].get<std::string>();
  grant.expires = payload["exp"].get<int64_t>();
  if (payload.contains("name")) grant.name = payload["name"].get<std::string>();
  if (grant.expires <= now) {
    error = "the token has expired";
    return std::nullopt;
  }
  if (grant.room != "*" && grant.room != room) {
    error = "the token is for another room";
    return std::nullopt;
  }
  return grant;
}

}  // namespace switchyard::server
