#pragma once
// The layout of an RTP header extension block (RFC 3550 §5.3.1), told apart by its 16-bit
// "defined by profile" field: RFC 8285 §4.2 one-byte form (0xBEDE), RFC 8285 §4.3 two-byte form
// (0x100 in the top 12 bits, 4 "appbits" below), or any other profile (opaque bytes).
#include <cstdint>

namespace switchyard::media::rtp {

enum class RtpExtensionForm : uint8_t {
  kNone,     // X bit clear: no extension block
  kOneByte,  // RFC 8285 §4.2: profile 0xBEDE, ids 1..14, 1..16 data bytes
  kTwoByte,  // RFC 8285 §4.3: profile 0x100X, ids 1..255, 0..255 data bytes
  kOther,    // any other profile: raw bytes only, no elements
};

inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // | appbits (low 4 bits)
inline constexpr uint16_t kTwoByteExtensionProfileMask = 0xFFF0;
inline constexpr uint8_t kOneByteExtensionMaxId = 14;      // 15 is reserved: stops processing
inline constexpr uint8_t kOneByteExtensionMaxLength = 16;  // 4-bit length field holds length - 1

[[nodiscard]] constexpr RtpExtensionForm extensionFormOf(uint16_t profile) noexcept {
  if (profile == kOneByteExtensionProfile) return RtpExtensionForm::kOneByte;
  if ((profile & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile) return RtpExtensionForm::kTwoByte;
  return RtpExtensionForm::kOther;
}

}  // namespace switchyard::media::rtp
