#pragma once
// Writes one subscriber's copy of a received RTP packet into a caller buffer: a new fixed header
// (RFC 3550 §5.1) with the subscriber's SSRC, payload type, sequence number and timestamp and the
// publisher's padding bit, marker and CSRCs; a freshly built RFC 8285 header extension block with
// the elements added for this subscriber; then the publisher's payload and padding bytes
// unchanged.
//
// The block uses the one-byte form (RFC 8285 §4.2, profile 0xBEDE) when every id is 1..14 and
// every element holds 1..16 bytes, else the two-byte form (§4.3, profile 0x1000, ids 1..255,
// 0..255 bytes); it is zero-padded to 32 bits. No elements: no block (X bit clear).
//
//   RtpHeaderRewriter rewriter;          // per packet and subscriber:
//   rewriter.clear();
//   rewriter.add(midId, midBytes);
//   auto size = rewriter.write(packet, {pt, seq, ts, ssrc}, buffer);
//
// The rewriter keeps spans to the element data (not copies): they must stay alive until write().
// Nothing allocates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtp/RtpExtensionForm.h"
#include "media/rtp/RtpPacket.h"

namespace switchyard::media::forward {

class RtpHeaderRewriter {
 public:
  static constexpr size_t kMaxElements = 8;
  static constexpr size_t kMaxTwoByteLength = 255;

  struct Fields {
    uint8_t payloadType = 0;  // the low 7 bits are written
    uint16_t sequenceNumber = 0;
    uint32_t timestamp = 0;
    uint32_t ssrc = 0;
  };

  void clear() noexcept { count_ = 0; }
  // Adds an element. False (not added) when the id is 0 or already added, the data is longer than
  // 255 bytes (the two-byte form's limit) or kMaxElements are already held.
  bool add(uint8_t id, std::span<const uint8_t> data) noexcept;

  [[nodiscard]] size_t elementCount() const noexcept { return count_; }
  // kNone without elements, else the form write() uses.
  [[nodiscard]] rtp::RtpExtensionForm form() const noexcept;
  // Bytes of the extension block including its 4-byte header and padding; 0 without elements.
  [[nodiscard]] size_t extensionSize() const noexcept;
  // Bytes write() produces for `in`.
  [[nodiscard]] size_t sizeFor(const rtp::RtpPacketView& in) const noexcept;

  // Writes the rewritten packet at the start of `out`; its size, or std::nullopt (nothing
  // meaningful written) when `out` is smaller than sizeFor(in).
  [[nodiscard]] std::optional<size_t> write(const rtp::RtpPacketView& in, const Fields& fields,
                                            std::span<uint8_t> out) const noexcept;

 private:
  struct Element {
    uint8_t id = 0;
    std::span<const uint8_t> data;
  };

  std::array<Element, kMaxElements> elements_{};
  size_t count_ = 0;
};

}  // namespace switchyard::media::forward
