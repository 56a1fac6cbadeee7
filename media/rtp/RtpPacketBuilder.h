#pragma once
// Writes an RTP packet (RFC 3550 §5.1) into a caller buffer: fixed header, CSRCs, an RFC 8285
// one-byte or two-byte extension block (zero-padded to 32 bits) or a raw block of any profile,
// payload and optional padding. For tests, fuzzing and the bench clients; the SFU hot path
// rewrites received packets in place with RtpPacket instead.
//
//   uint8_t buf[1500];
//   auto size = RtpPacketBuilder().setPayloadType(96).setSequenceNumber(7).setSsrc(0x1234)
//                   .addExtension(3, absSendTime).setPayload(payload).build(buf);
//
// The builder keeps spans (extension values, payload, raw block) and does not copy them: they must
// stay alive until build(). It holds at most kMaxExtensions elements. An invalid setting (payload
// type > 127, more than 15 CSRCs, an id or length that does not fit the form, too many elements,
// appbits > 15, a raw block not a multiple of 4 bytes) makes valid() false and build() fail.
// Nothing allocates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtp/RtpExtensionForm.h"

namespace switchyard::media::rtp {

class RtpPacketBuilder {
 public:
  static constexpr size_t kMaxExtensions = 16;
  static constexpr size_t kMaxCsrcs = 15;

  RtpPacketBuilder& setMarker(bool marker) noexcept;
  RtpPacketBuilder& setPayloadType(uint8_t payloadType) noexcept;
  RtpPacketBuilder& setSequenceNumber(uint16_t sequenceNumber) noexcept;
  RtpPacketBuilder& setTimestamp(uint32_t timestamp) noexcept;
  RtpPacketBuilder& setSsrc(uint32_t ssrc) noexcept;
  RtpPacketBuilder& addCsrc(uint32_t csrc) noexcept;

  // The form used for addExtension() elements: kOneByte (the default) or kTwoByte (with appbits
  // 0..15). Any other value is invalid.
  RtpPacketBuilder& setExtensionForm(RtpExtensionForm form, uint8_t appBits = 0) noexcept;
  // One element: one-byte form ids 1..14 with 1..16 bytes, two-byte form ids 1..255 with 0..255.
  RtpPacketBuilder& addExtension(uint8_t id, std::span<const uint8_t> value) noexcept;
  // A raw extension block with any profile; `body` (a multiple of 4 bytes, possibly empty) is
  // written as is. Used instead of the elements (invalid if both are given).
  RtpPacketBuilder& setRawExtension(uint16_t profile, std::span<const uint8_t> body) noexcept;

  RtpPacketBuilder& setPayload(std::span<const uint8_t> payload) noexcept;
  // Padding bytes appended after the payload, including the final count byte; 0 = none (P bit clear).
  RtpPacketBuilder& setPadding(uint8_t paddingSize) noexcept;

  [[nodiscard]] bool valid() const noexcept { return valid_; }
  // The number of bytes build() writes (when valid()).
  [[nodiscard]] size_t size() const noexcept;
  // Writes the packet at the start of `out` and returns its size; std::nullopt (nothing written)
  // if the settings are invalid or `out` is smaller than size().
  [[nodiscard]] std::optional<size_t> build(std::span<uint8_t> out) const noexcept;

 private:
  struct Extension {
    uint8_t id = 0;
    std::span<const uint8_t> value;
  };

  [[nodiscard]] bool hasExtensionBlock() const noexcept { return hasRawExtension_ || extensionCount_ > 0; }
  [[nodiscard]] size_t extensionBlockSize() const noexcept;  // padded, without the 4-byte header
  [[nodiscard]] uint16_t extensionProfile() const noexcept;

  bool valid_ = true;
  bool marker_ = false;
  uint8_t payloadType_ = 0;
  uint16_t sequenceNumber_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  std::array<uint32_t, kMaxCsrcs> csrcs_{};
  size_t csrcCount_ = 0;
  RtpExtensionForm form_ = RtpExtensionForm::kOneByte;
  uint8_t appBits_ = 0;
  std::array<Extension, kMaxExtensions> extensions_{};
  size_t extensionCount_ = 0;
  bool hasRawExtension_ = false;
  uint16_t rawProfile_ = 0;
  std::span<const uint8_t> rawBody_;
  std::span<const uint8_t> payload_;
  uint8_t paddingSize_ = 0;
};

}  // namespace switchyard::media::rtp
