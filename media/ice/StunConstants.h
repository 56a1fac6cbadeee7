#pragma once
// STUN wire constants (RFC 8489, RFC 8445 ICE attributes) and the message-type bit interleave of
// RFC 8489 §5: the 14-bit type is M11..M7 C1 M6..M4 C0 M3..M0.
#include <array>
#include <cstddef>
#include <cstdint>

#include "media/util/Padding.h"

namespace switchyard::media::ice {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr size_t kStunAttributeHeaderSize = 4;
inline constexpr size_t kStunTransactionIdSize = 12;
inline constexpr size_t kStunMessageIntegritySize = 20;  // HMAC-SHA1
inline constexpr uint32_t kStunFingerprintXor = 0x5354554E;
inline constexpr uint16_t kStunMaxMethod = 0x0FFF;

using StunTransactionId = std::array<uint8_t, kStunTransactionIdSize>;

enum class StunClass : uint8_t { kRequest = 0, kIndication = 1, kSuccessResponse = 2, kErrorResponse = 3 };

inline constexpr uint16_t kStunMethodBinding = 0x001;

// Attribute types (RFC 8489 §18.3, RFC 8445 §16.1).
inline constexpr uint16_t kStunAttrMappedAddress = 0x0001;
inline constexpr uint16_t kStunAttrUsername = 0x0006;
inline constexpr uint16_t kStunAttrMessageIntegrity = 0x0008;
inline constexpr uint16_t kStunAttrErrorCode = 0x0009;
inline constexpr uint16_t kStunAttrUnknownAttributes = 0x000A;
inline constexpr uint16_t kStunAttrRealm = 0x0014;
inline constexpr uint16_t kStunAttrNonce = 0x0015;
inline constexpr uint16_t kStunAttrMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kStunAttrXorMappedAddress = 0x0020;
inline constexpr uint16_t kStunAttrPriority = 0x0024;
inline constexpr uint16_t kStunAttrUseCandidate = 0x0025;
inline constexpr uint16_t kStunAttrSoftware = 0x8022;
inline constexpr uint16_t kStunAttrAlternateServer = 0x8023;
inline constexpr uint16_t kStunAttrFingerprint = 0x8028;
inline constexpr uint16_t kStunAttrIceControlled = 0x8029;
inline constexpr uint16_t kStunAttrIceControlling = 0x802A;

// Attribute types 0x0000-0x7FFF are comprehension-required (RFC 8489 §14).
[[nodiscard]] constexpr bool isStunComprehensionRequired(uint16_t type) noexcept {
  return type < 0x8000;
}

// Attribute values are padded to a multiple of 4 bytes (RFC 8489 §14); util::padded4 under its STUN name.
[[nodiscard]] constexpr size_t stunPadded(size_t length) noexcept {
  return util::padded4(length);
}

// RFC 8489 §5: method bits M0-M3 -> type bits 0-3, M4-M6 -> 5-7, M7-M11 -> 9-13; C0 -> bit 4, C1 -> bit 8.
[[nodiscard]] constexpr uint16_t stunMessageType(StunClass cls, uint16_t method) noexcept {
  const auto c = static_cast<unsigned>(cls);
  const unsigned m = method & kStunMaxMethod;
  return static_cast<uint16_t>((m & 0x000Fu) | ((m & 0x0070u) << 1) | ((m & 0x0F80u) << 2) | ((c & 1u) << 4) |
                               ((c & 2u) << 7));
}
[[nodiscard]] constexpr StunClass stunClassOf(uint16_t type) noexcept {
  return static_cast<StunClass>(((type >> 7) & 0x2u) | ((type >> 4) & 0x1u));
}
[[nodiscard]] constexpr uint16_t stunMethodOf(uint16_t type) noexcept {
  return static_cast<uint16_t>((type & 0x000Fu) | ((type >> 1) & 0x0070u) | ((type >> 2) & 0x0F80u));
}

}  // namespace switchyard::media::ice
