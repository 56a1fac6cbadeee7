#pragma once
// The sizes an RTP packet parse validates (RFC 3550 §5.1, RFC 8285), shared by RtpPacket and
// RtpPacketView. Computed out of line, once per packet, from the bytes only; the views then bound
// every access by these numbers.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtp/RtpExtensionForm.h"

namespace switchyard::media::rtp {

struct RtpPacketLayout {
  static constexpr uint8_t kVersion = 2;
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr size_t kExtensionHeaderSize = 4;  // profile + length in 32-bit words

  uint32_t headerSize = 0;     // fixed header + CSRCs + extension header and block
  uint32_t extensionSize = 0;  // extension block bytes (after its 4-byte header)
  uint8_t csrcCount = 0;
  uint8_t paddingSize = 0;  // 0 without the P bit, else 1..255 including the count byte
  RtpExtensionForm form = RtpExtensionForm::kNone;

  // Checks version 2, the CSRC list, the extension header and length, the RFC 8285 element
  // framing of a 0xBEDE / 0x100X block, and the padding count; std::nullopt if anything is off.
  [[nodiscard]] static std::optional<RtpPacketLayout> parse(std::span<const uint8_t> data) noexcept;

  [[nodiscard]] size_t extensionHeaderOffset() const noexcept {
    return kFixedHeaderSize + 4 * size_t{csrcCount};
  }
  [[nodiscard]] size_t extensionOffset() const noexcept {
    return extensionHeaderOffset() + kExtensionHeaderSize;
  }
};

}  // namespace switchyard::media::rtp
