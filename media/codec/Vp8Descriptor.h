#pragma once
// VP8 RTP payload descriptor (RFC 7741 section 4.2) plus the bits of the VP8 payload header and key
// frame header (RFC 7741 section 4.3, RFC 6386 section 9.1) an SFU needs: key frame detection and
// frame size. Parsing is zero-copy and position independent: the descriptor keeps field values and
// offsets, not pointers, so it can be parsed once from the publisher's packet and then used to
// rewrite the copy made for each subscriber.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID | (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PictureID   | (OPTIONAL, second octet present when M=1)
//       +-+-+-+-+-+-+-+-+
//  L:   |   TL0PICIDX   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/PayloadInfo.h"
#include "media/codec/PictureIdField.h"

namespace switchyard::media::codec {

class Vp8Descriptor {
 public:
  static constexpr size_t kMaxSize = 6;

  // Parses the descriptor at the start of an RTP payload. Fails on truncation and on a payload that
  // holds nothing after the descriptor.
  [[nodiscard]] static std::optional<Vp8Descriptor> parse(std::span<const uint8_t> payload) noexcept;

  [[nodiscard]] bool extended() const noexcept { return (flags_ & kX) != 0; }
  [[nodiscard]] bool nonReference() const noexcept { return (flags_ & kN) != 0; }
  [[nodiscard]] bool startOfPartition() const noexcept { return (flags_ & kS) != 0; }
  [[nodiscard]] uint8_t partitionIndex() const noexcept { return partitionIndex_; }

  [[nodiscard]] bool hasPictureId() const noexcept { return (ext_ & kI) != 0; }
  // True for the 15-bit form (M=1), false for the 7-bit form or when absent.
  [[nodiscard]] bool longPictureId() const noexcept { return hasPictureId() && pictureIdBits_ == 15; }
  [[nodiscard]] std::optional<uint16_t> pictureId() const noexcept;
  [[nodiscard]] std::optional<uint8_t> tl0PicIdx() const noexcept;
  // TID, only when T=1.
  [[nodiscard]] std::optional<uint8_t> temporalLayer() const noexcept;
  // Y bit, only meaningful (and only reported true) when T=1.
  [[nodiscard]] bool layerSync() const noexcept;
  // KEYIDX, only when K=1.
  [[nodiscard]] std::optional<uint8_t> keyIdx() const noexcept;

  // Bytes of payload descriptor; the VP8 payload starts at this offset.
  [[nodiscard]] size_t size() const noexcept { return size_; }

  // S=1 and PID=0: this packet starts the first partition, so it carries the VP8 payload header.
  [[nodiscard]] bool isFrameStart() const noexcept { return startOfPartition() && partitionIndex_ == 0; }
  // RFC 7741 section 4.3: S=1, PID=0 and the P bit of the VP8 payload header is 0.
  [[nodiscard]] bool isKeyFrame() const noexcept { return keyFrame_; }
  // From the key frame header (start code 0x9d 0x01 0x2a) when this packet carries it; else 0.
  [[nodiscard]] uint16_t width() const noexcept { return width_; }
  [[nodiscard]] uint16_t height() const noexcept { return height_; }
  [[nodiscard]] uint8_t horizontalScale() const noexcept { return horizontalScale_; }
  [[nodiscard]] uint8_t verticalScale() const noexcept { return verticalScale_; }

  [[nodiscard]] PayloadInfo info() const noexcept;

  // In-place rewriting for forwarding (simulcast switching renumbers these). `payload` is the packet
  // this descriptor was parsed from, or a copy of it; the descriptor's layout must match (checked),
  // else nothing is written and false is returned. Only the bits of the field change. The picture id
  // keeps its 7/15-bit width and is written modulo 128 or 32768. False if the field is absent.
  bool setPictureId(std::span<uint8_t> payload, uint16_t pictureId) noexcept;
  bool setTl0PicIdx(std::span<uint8_t> payload, uint8_t tl0PicIdx) noexcept;
  bool setKeyIdx(std::span<uint8_t> payload, uint8_t keyIdx) noexcept;

 private:
  static constexpr uint8_t kX = 0x80;
  static constexpr uint8_t kN = 0x20;
  static constexpr uint8_t kS = 0x10;
  static constexpr uint8_t kI = 0x80;
  static constexpr uint8_t kL = 0x40;
  static constexpr uint8_t kT = 0x20;
  static constexpr uint8_t kK = 0x10;

  Vp8Descriptor() = default;
  [[nodiscard]] bool layoutMatches(std::span<const uint8_t> payload) const noexcept;

  uint8_t flags_ = 0;  // first octet
  uint8_t ext_ = 0;    // X octet (0 when X=0)
  uint8_t partitionIndex_ = 0;
  uint8_t size_ = 0;
  uint8_t pictureIdOffset_ = 0;
  uint8_t pictureIdBits_ = 0;
  uint8_t tl0Offset_ = 0;
  uint8_t tkOffset_ = 0;
  uint16_t pictureId_ = 0;
  uint8_t tl0PicIdx_ = 0;
  uint8_t tk_ = 0;  // T/K octet
  bool keyFrame_ = false;
  uint8_t horizontalScale_ = 0;
  uint8_t verticalScale_ = 0;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
};

}  // namespace switchyard::media::codec
