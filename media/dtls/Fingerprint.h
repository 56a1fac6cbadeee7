#pragma once
// A certificate fingerprint as carried by SDP a=fingerprint (RFC 8122 §5): the hash function name
// and the SHA-256 digest of the DER certificate. Switchyard only generates and accepts sha-256, the
// hash every browser uses (RFC 8827 §6.5 requires implementations to support it).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard::media::dtls {

struct Fingerprint {
  static constexpr size_t kSize = 32;

  std::string algorithm = "sha-256";
  std::array<uint8_t, kSize> bytes{};

  // "AB:CD:..." upper-case hex pairs separated by colons (RFC 8122 §5 fingerprint syntax).
  [[nodiscard]] std::string toText() const;

  // Parses an SDP fingerprint: the algorithm (case-insensitive, only "sha-256") and 32 colon-separated
  // hex pairs (either case). Anything else gives std::nullopt.
  [[nodiscard]] static std::optional<Fingerprint> fromText(std::string_view algorithm, std::string_view text);

  // Constant-time comparison of the digests (and a plain comparison of the algorithm names): use this,
  // not ==, to check a peer certificate.
  [[nodiscard]] bool matches(const Fingerprint& other) const noexcept;

  bool operator==(const Fingerprint&) const = default;
};

}  // namespace switchyard::media::dtls
