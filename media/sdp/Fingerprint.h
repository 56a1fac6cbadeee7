#pragma once
// a=fingerprint:<hash-func> <fingerprint> (RFC 8122 section 5): upper-case hex byte pairs separated
// by colons. The byte count is checked against the known hash functions (sha-256 -> 32 bytes).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct Fingerprint {
  std::string hashFunction = "sha-256";  // as written ("sha-256", "SHA-256", ...)
  std::vector<uint8_t> bytes;

  static constexpr size_t kMaxBytes = 64;  // sha-512

  [[nodiscard]] static std::optional<Fingerprint> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;
  // Digest size in bytes for a known hash function name (case-insensitive), 0 when unknown.
  [[nodiscard]] static size_t digestSize(std::string_view hashFunction) noexcept;

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

}  // namespace switchyard::media::sdp
