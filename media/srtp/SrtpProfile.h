#pragma once
// The SRTP protection profiles Switchyard negotiates through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714
// §14.2), in preference order, with their master key and salt lengths.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace switchyard::media::srtp {

enum class SrtpProfile : uint8_t {
  kAeadAes256Gcm,    // SRTP_AEAD_AES_256_GCM, id 0x0008: 32-byte key, 12-byte salt
  kAeadAes128Gcm,    // SRTP_AEAD_AES_128_GCM, id 0x0007: 16-byte key, 12-byte salt
  kAes128CmSha1_80,  // SRTP_AES128_CM_SHA1_80, id 0x0001: 16-byte key, 14-byte salt (Chromium's default)
};

inline constexpr std::array<SrtpProfile, 3> kSrtpProfilePreference{
    SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80};

// The largest key + salt of any profile.
inline constexpr size_t kSrtpMaxKeySaltLength = 44;

[[nodiscard]] constexpr size_t srtpMasterKeyLength(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::kAeadAes256Gcm ? 32 : 16;
}
[[nodiscard]] constexpr size_t srtpMasterSaltLength(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::kAes128CmSha1_80 ? 14 : 12;
}
[[nodiscard]] constexpr size_t srtpKeySaltLength(SrtpProfile profile) noexcept {
  return srtpMasterKeyLength(profile) + srtpMasterSaltLength(profile);
}
// The DTLS-SRTP protection profile id of RFC 5764 / RFC 7714.
[[nodiscard]] constexpr uint16_t srtpProfileId(SrtpProfile profile) noexcept {
  switch (profile) {
    case SrtpProfile::kAeadAes256Gcm:
      return 0x0008;
    case SrtpProfile::kAeadAes128Gcm:
      return 0x0007;
    case SrtpProfile::kAes128CmSha1_80:
      return 0x0001;
  }
  return 0;
}
[[nodiscard]] constexpr std::optional<SrtpProfile> srtpProfileFromId(uint64_t id) noexcept {
  switch (id) {
    case 0x0008:
      return SrtpProfile::kAeadAes256Gcm;
    case 0x0007:
      return SrtpProfile::kAeadAes128Gcm;
    case 0x0001:
      return SrtpProfile::kAes128CmSha1_80;
    default:
      return std::nullopt;
  }
}
// The OpenSSL name used in SSL_CTX_set_tlsext_use_srtp().
[[nodiscard]] constexpr std::string_view srtpProfileOpenSslName(SrtpProfile profile) noexcept {
  switch (profile) {
    case SrtpProfile::kAeadAes256Gcm:
      return "SRTP_AEAD_AES_256_GCM";
    case SrtpProfile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAes128CmSha1_80:
      return "SRTP_AES128_CM_SHA1_80";
  }
  return "";
}

// Master key followed by master salt, as exported from DTLS (RFC 5764 §4.2) for one direction.
struct SrtpKeySalt {
  SrtpProfile profile = SrtpProfile::kAes128CmSha1_80;
  std::array<uint8_t, kSrtpMaxKeySaltLength> bytes{};

  [[nodiscard]] std::span<const uint8_t> keySalt() const noexcept {
    return std::span<const uint8_t>(bytes.data(), srtpKeySaltLength(profile));
  }
};

// The keys of one DTLS-SRTP association: what we protect with (local) and unprotect with (remote).
struct SrtpKeys {
  SrtpKeySalt local;
  SrtpKeySalt remote;
};

}  // namespace switchyard::media::srtp
