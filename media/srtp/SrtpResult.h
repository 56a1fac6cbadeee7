#pragma once
// The outcome of one SRTP/SRTCP protect or unprotect call: what a hot-path caller drops and counts.
#include <cstdint>
#include <string_view>

namespace switchyard::media::srtp {

enum class SrtpResult : uint8_t {
  kOk,          // protected / authenticated and decrypted in place
  kReplay,      // replay check failed: a duplicate, or older than the replay window
  kAuthFailed,  // authentication tag (HMAC or GCM) did not verify: wrong key or tampered packet
  kBadPacket,   // too short, not version 2, CSRC/extension/trailer lengths exceed the packet
  kNoRoom,      // the buffer has no room for the largest trailer libsrtp may write
  kFailed,      // anything else (wrong direction, key expired, allocation of a new SSRC stream)
};

[[nodiscard]] constexpr std::string_view srtpResultName(SrtpResult result) noexcept {
  switch (result) {
    case SrtpResult::kOk:
      return "ok";
    case SrtpResult::kReplay:
      return "replay";
    case SrtpResult::kAuthFailed:
      return "auth-failed";
    case SrtpResult::kBadPacket:
      return "bad-packet";
    case SrtpResult::kNoRoom:
      return "no-room";
    case SrtpResult::kFailed:
      return "failed";
  }
  return "unknown";
}

}  // namespace switchyard::media::srtp
