#pragma once
// Zero-copy, bounds-checked view of one RTP packet (RFC 3550 §5.1) with RFC 8285 header
// extensions, over a caller-owned buffer: the SFU hot path parses an SRTP-decrypted packet in
// place, reads it, and rewrites header fields in place (or after copying it into a pooled buffer).
//
//   RtpPacket     = BasicRtpPacket<uint8_t>        parse(std::span<uint8_t>), readers + rewriters
//   RtpPacketView = BasicRtpPacket<const uint8_t>  parse(std::span<const uint8_t>), readers only
//   (an RtpPacket converts implicitly to an RtpPacketView)
//
// parse() checks every length once, out of line (RtpPacketLayout::parse): version 2, the CSRC
// list, the extension header and length, the RFC 8285 element framing of a 0xBEDE / 0x100X block
// (an element overrunning the block rejects the packet), and padding (P bit: the last byte counts
// the padding bytes including itself; it must be >= 1 and fit in the bytes after the header). It
// does not tell RTP from RTCP: demultiplex first (RtpDemux.h). Nothing is allocated and nothing is
// precomputed for the extensions: lookups and iteration walk the (small, typically < 40 bytes)
// block lazily with RtpExtensionStep, which keeps the view at 32 bytes.
//
// The view keeps the sizes it validated (header size, extension block size, CSRC count, padding
// size) and bounds every access by them, so even if the bytes change underneath it (in-place
// rewriting, a caller writing through data()), no access leaves the buffer. The rewriters never
// change any of those sizes; the payload and padding bytes are never touched.
//
// The view does not own the buffer; it must not outlive it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "media/rtp/RtpExtensionForm.h"
#include "media/rtp/RtpExtensionIdMap.h"
#include "media/rtp/RtpExtensionRange.h"
#include "media/rtp/RtpExtensionStep.h"
#include "media/rtp/RtpPacketLayout.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtp {

template <typename Byte>
class BasicRtpPacket {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, uint8_t>, "a view over uint8_t bytes");
  static constexpr bool kMutable = !std::is_const_v<Byte>;

 public:
  static constexpr uint8_t kVersion = RtpPacketLayout::kVersion;
  static constexpr size_t kFixedHeaderSize = RtpPacketLayout::kFixedHeaderSize;
  static constexpr size_t kMaxCsrcCount = 15;
  static constexpr size_t kExtensionHeaderSize = RtpPacketLayout::kExtensionHeaderSize;
  static constexpr uint8_t kMaxPayloadType = 127;

  // A view of `data` if it is a well-formed RTP packet, std::nullopt otherwise.
  [[nodiscard]] static std::optional<BasicRtpPacket> parse(std::span<Byte> data) noexcept {
    const std::optional<RtpPacketLayout> layout = RtpPacketLayout::parse(data);
    if (!layout) return std::nullopt;
    return BasicRtpPacket(data, *layout);
  }

  // --- Fixed header (RFC 3550 §5.1) ---
  [[nodiscard]] bool hasPadding() const noexcept { return layout_.paddingSize != 0; }
  [[nodiscard]] bool hasExtension() const noexcept { return layout_.form != RtpExtensionForm::kNone; }
  [[nodiscard]] bool marker() const noexcept { return (data_[1] & 0x80) != 0; }
  [[nodiscard]] uint8_t payloadType() const noexcept { return static_cast<uint8_t>(data_[1] & 0x7F); }
  [[nodiscard]] uint16_t sequenceNumber() const noexcept { return util::read16(data_.data() + 2); }
  [[nodiscard]] uint32_t timestamp() const noexcept { return util::read32(data_.data() + 4); }
  [[nodiscard]] uint32_t ssrc() const noexcept { return util::read32(data_.data() + 8); }

  [[nodiscard]] size_t csrcCount() const noexcept { return layout_.csrcCount; }
  // The i-th CSRC; 0 when i >= csrcCount() (never reads out of bounds).
  [[nodiscard]] uint32_t csrc(size_t i) const noexcept {
    return i < layout_.csrcCount ? util::read32(data_.data() + kFixedHeaderSize + 4 * i) : 0;
  }

  // --- Header extension (RFC 3550 §5.3.1, RFC 8285) ---
  [[nodiscard]] RtpExtensionForm extensionForm() const noexcept { return layout_.form; }
  // The "defined by profile" field; nullopt without an extension block.
  [[nodiscard]] std::optional<uint16_t> extensionProfile() const noexcept {
    if (!hasExtension()) return std::nullopt;
    return util::read16(data_.data() + extensionHeaderOffset());
  }
  // The RFC 8285 §4.3 "appbits" (low 4 bits of a two-byte profile); 0 for other forms.
  [[nodiscard]] uint8_t extensionAppBits() const noexcept {
    if (layout_.form != RtpExtensionForm::kTwoByte) return 0;
    return static_cast<uint8_t>(data_[extensionHeaderOffset() + 1] & 0x0F);
  }
  // The raw extension block (length * 4 bytes after the 4-byte profile/length header).
  [[nodiscard]] std::span<Byte> extensionBytes() const noexcept {
    if (!hasExtension()) return {};
    return data_.subspan(extensionHeaderOffset() + kExtensionHeaderSize, layout_.extensionSize);
  }
  // The data of the first element with this id (one-byte or two-byte form); nullopt if absent.
  // A two-byte element may be present with empty data.
  [[nodiscard]] std::optional<std::span<Byte>> extension(uint8_t id) const noexcept {
    if (id == 0) return std::nullopt;
    if (layout_.form == RtpExtensionForm::kOneByte && id > kOneByteExtensionMaxId) return std::nullopt;
    const std::span<Byte> block = extensionBytes();
    for (RtpExtensionStep step = RtpExtensionStep::at(block, layout_.form, 0);
         step.kind == RtpExtensionStep::Kind::kElement;
         step = RtpExtensionStep::at(block, layout_.form, step.next)) {
      if (step.id == id) return block.subspan(step.dataOffset, step.dataSize);
    }
    return std::nullopt;
  }
  [[nodiscard]] bool hasExtensionId(uint8_t id) const noexcept { return extension(id).has_value(); }
  // All elements in packet order (see RtpExtensionRange.h).
  [[nodiscard]] BasicRtpExtensionRange<Byte> extensions() const noexcept {
    return BasicRtpExtensionRange<Byte>(extensionBytes(), layout_.form);
  }

  // --- Layout ---
  [[nodiscard]] size_t headerSize() const noexcept {
    return layout_.headerSize;
  }  // fixed + CSRCs + extension
  [[nodiscard]] size_t paddingSize() const noexcept { return layout_.paddingSize; }  // incl. the count byte
  [[nodiscard]] size_t payloadSize() const noexcept {
    return data_.size() - layout_.headerSize - layout_.paddingSize;
  }
  [[nodiscard]] std::span<Byte> payload() const noexcept {
    return data_.subspan(layout_.headerSize, payloadSize());
  }
  [[nodiscard]] std::span<Byte> data() const noexcept { return data_; }  // the whole packet
  [[nodiscard]] size_t size() const noexcept { return data_.size(); }

  // --- In-place rewriting (RtpPacket only): header bytes only, sizes never change ---
  void setMarker(bool marker) noexcept requires kMutable {
    data_[1] = static_cast<uint8_t>(marker ? (data_[1] | 0x80) : (data_[1] & 0x7F));
  }
  // False (nothing written) if payloadType > 127.
  bool setPayloadType(uint8_t payloadType) noexcept requires kMutable {
    if (payloadType > kMaxPayloadType) return false;
    data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | payloadType);
    return true;
  }
  void setSequenceNumber(uint16_t sequenceNumber) noexcept requires kMutable {
    util::write16(data_.data() + 2, sequenceNumber);
  }
  void setTimestamp(uint32_t timestamp) noexcept requires kMutable {
    util::write32(data_.data() + 4, timestamp);
  }
  void setSsrc(uint32_t ssrc) noexcept requires kMutable { util::write32(data_.data() + 8, ssrc); }
  // False if i >= csrcCount().
  bool setCsrc(size_t i, uint32_t csrc) noexcept requires kMutable {
    if (i >= layout_.csrcCount) return false;
    util::write32(data_.data() + kFixedHeaderSize + 4 * i, csrc);
    return true;
  }

  // Overwrites the data of the first element with this id by `value` of the same size (e.g.
  // abs-send-time, transport-wide sequence number). False (nothing written) if the element is
  // absent or its size differs.
  bool setExtensionValue(uint8_t id, std::span<const uint8_t> value) noexcept requires kMutable {
    const std::optional<std::span<uint8_t>> target = extension(id);
    if (!target || target->size() != value.size()) return false;
    if (!value.empty()) std::memmove(target->data(), value.data(), value.size());
    return true;
  }

  // Rewrites every element's id through `map` (map[in] = out). out == 0 drops the element: its
  // header and data bytes become 0x00 padding bytes (valid padding in both RFC 8285 forms), so the
  // packet length and every other byte stay the same. Fails (false, packet untouched) if a target
  // id does not fit the form: > 14 in the one-byte form (15 is the reserved terminator). Every
  // target 1..255 fits the two-byte form. Blocks of another profile (and packets without
  // extensions) are left alone and succeed. Elements after a one-byte ID 15 terminator are
  // ignored, as receivers ignore them. The caller keeps the map injective if it needs unique ids.
  bool remapExtensionIds(const RtpExtensionIdMap& map) noexcept requires kMutable {
    if (layout_.form != RtpExtensionForm::kOneByte && layout_.form != RtpExtensionForm::kTwoByte) return true;
    const std::span<uint8_t> block = extensionBytes();
    if (layout_.form == RtpExtensionForm::kOneByte) {
      for (RtpExtensionStep step = RtpExtensionStep::at(block, layout_.form, 0);
           step.kind == RtpExtensionStep::Kind::kElement;
           step = RtpExtensionStep::at(block, layout_.form, step.next)) {
        if (map[step.id] > kOneByteExtensionMaxId) return false;
      }
    }
    // Dropping zeroes bytes the walk has already passed, and an id rewrite keeps the length
    // field, so the walk below sees the same element boundaries as the check above.
    for (RtpExtensionStep step = RtpExtensionStep::at(block, layout_.form, 0);
         step.kind == RtpExtensionStep::Kind::kElement;
         step = RtpExtensionStep::at(block, layout_.form, step.next)) {
      const uint8_t target = map[step.id];
      if (target == 0) {
        std::memset(block.data() + step.headerOffset, 0, step.next - step.headerOffset);
      } else if (layout_.form == RtpExtensionForm::kOneByte) {
        block[step.headerOffset] = static_cast<uint8_t>((target << 4) | (block[step.headerOffset] & 0x0F));
      } else {
        block[step.headerOffset] = target;
      }
    }
    return true;
  }

  // The read-only view of the same packet.
  [[nodiscard]] BasicRtpPacket<const uint8_t> view() const noexcept {
    return BasicRtpPacket<const uint8_t>(data_, layout_);
  }
  operator BasicRtpPacket<const uint8_t>() const noexcept  // NOLINT(google-explicit-constructor)
      requires kMutable {
    return view();
  }

 private:
  template <typename>
  friend class BasicRtpPacket;

  BasicRtpPacket(std::span<Byte> data, const RtpPacketLayout& layout) noexcept
      : data_(data), layout_(layout) {}

  [[nodiscard]] size_t extensionHeaderOffset() const noexcept { return layout_.extensionHeaderOffset(); }

  std::span<Byte> data_;
  RtpPacketLayout layout_;
};

using RtpPacket = BasicRtpPacket<uint8_t>;
using RtpPacketView = BasicRtpPacket<const uint8_t>;

}  // namespace switchyard::media::rtp
