#pragma once
// ICE short-term credentials of one side of a session: the username fragment and password that go
// into SDP (a=ice-ufrag / a=ice-pwd). Both are ice-chars (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/");
// the ufrag must be at least 4 characters and the password at least 22 (RFC 8839 §5.4).
#include <string>
#include <string_view>

namespace switchyard::media::ice {

struct IceCredentials {
  static constexpr size_t kUfragLength = 8;      // generated length (minimum 4)
  static constexpr size_t kPasswordLength = 24;  // generated length (minimum 22)
  static constexpr size_t kMinUfragLength = 4;
  static constexpr size_t kMinPasswordLength = 22;
  static constexpr size_t kMaxLength = 256;  // RFC 8839 §5.4: at most 256 characters each

  std::string ufrag;
  std::string password;

  // Fresh random credentials from OpenSSL's CSPRNG (RAND_bytes), each character drawn uniformly from
  // the 64 ice-chars. Throws std::runtime_error if the CSPRNG fails (control plane only).
  [[nodiscard]] static IceCredentials generate();

  // True if s is 1..256 ice-chars.
  [[nodiscard]] static bool isIceCharString(std::string_view s) noexcept;
  // ufrag 4..256 and password 22..256 ice-chars.
  [[nodiscard]] bool valid() const noexcept;

  friend bool operator==(const IceCredentials&, const IceCredentials&) = default;
};

}  // namespace switchyard::media::ice
