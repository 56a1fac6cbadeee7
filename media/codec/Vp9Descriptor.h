#pragma once
// VP9 RTP payload descriptor (RFC 9628 section 4.2, was draft-ietf-payload-vp9-16), flexible (F=1)
// and non-flexible (F=0) modes, with the scalability structure (SS, section 4.2.1). Zero-copy and
// position independent like Vp8Descriptor: parse once, rewrite any copy of the packet.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z| (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PICTURE ID  |
//  M:   | EXTENDED PID  |
//  L:   | TID |U| SID |D|
//       |   TL0PICIDX   |  (F=0 only)
//  P,F: | P_DIFF      |N|  (F=1 only, up to 3 times)
//  V:   | SS            |
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/PayloadInfo.h"
#include "media/codec/PictureIdField.h"
#include "media/codec/Vp9PictureGroup.h"

namespace switchyard::media::codec {

class Vp9Descriptor {
 public:
  static constexpr size_t kMaxReferences = 3;
  static constexpr size_t kMaxSpatialLayers = 8;

  // Parses the descriptor at the start of an RTP payload, SS included (every length checked, PG
  // descriptions walked). Fails on truncation, a fourth P_DIFF, or nothing after the descriptor.
  [[nodiscard]] static std::optional<Vp9Descriptor> parse(std::span<const uint8_t> payload) noexcept;

  [[nodiscard]] bool hasPictureId() const noexcept { return (flags_ & kI) != 0; }
  [[nodiscard]] bool interPicturePredicted() const noexcept { return (flags_ & kP) != 0; }    // P
  [[nodiscard]] bool hasLayerIndices() const noexcept { return (flags_ & kL) != 0; }          // L
  [[nodiscard]] bool flexibleMode() const noexcept { return (flags_ & kF) != 0; }             // F
  [[nodiscard]] bool startOfFrame() const noexcept { return (flags_ & kB) != 0; }             // B
  [[nodiscard]] bool endOfFrame() const noexcept { return (flags_ & kE) != 0; }               // E
  [[nodiscard]] bool hasScalabilityStructure() const noexcept { return (flags_ & kV) != 0; }  // V
  // Z: not used as reference by upper spatial layers of the same picture.
  [[nodiscard]] bool notUpperLayerReference() const noexcept { return (flags_ & kZ) != 0; }

  [[nodiscard]] bool longPictureId() const noexcept { return hasPictureId() && pictureIdBits_ == 15; }
  [[nodiscard]] std::optional<uint16_t> pictureId() const noexcept;

  // Layer indices (0 / false when L=0).
  [[nodiscard]] uint8_t temporalLayer() const noexcept { return static_cast<uint8_t>(layer_ >> 5); }
  [[nodiscard]] bool switchingUpPoint() const noexcept { return (layer_ & 0x10) != 0; }  // U
  [[nodiscard]] uint8_t spatialLayer() const noexcept { return static_cast<uint8_t>((layer_ >> 1) & 0x07); }
  [[nodiscard]] bool interLayerDependency() const noexcept { return (layer_ & 0x01) != 0; }  // D
  // Non-flexible mode with L=1 only.
  [[nodiscard]] std::optional<uint8_t> tl0PicIdx() const noexcept;

  // Flexible mode with P=1: the reference picture id differences.
  [[nodiscard]] size_t numReferences() const noexcept { return numReferences_; }
  [[nodiscard]] uint8_t referenceDiff(size_t index) const noexcept {
    return index < numReferences_ ? pDiff_[index] : 0;
  }

  // Scalability structure (V=1). numSpatialLayers() is N_S + 1, or 0 without SS.
  [[nodiscard]] size_t numSpatialLayers() const noexcept { return numSpatialLayers_; }
  [[nodiscard]] bool hasResolutions() const noexcept { return (ssFlags_ & 0x10) != 0; }  // Y
  [[nodiscard]] uint16_t layerWidth(size_t spatialLayer) const noexcept;
  [[nodiscard]] uint16_t layerHeight(size_t spatialLayer) const noexcept;
  [[nodiscard]] bool hasPictureGroups() const noexcept { return (ssFlags_ & 0x08) != 0; }  // G
  [[nodiscard]] size_t numPictureGroups() const noexcept { return numPictureGroups_; }     // N_G
  // The index-th PG description, read from `payload` (the packet this was parsed from, or a copy).
  [[nodiscard]] std::optional<Vp9PictureGroup> pictureGroup(std::span<const uint8_t> payload,
                                                            size_t index) const noexcept;

  // Bytes of payload descriptor; the VP9 frame data starts at this offset.
  [[nodiscard]] size_t size() const noexcept { return size_; }

  // RFC 9628: a key picture starts with P=0, B=1 in spatial layer 0. A layer frame with P=0 in an
  // upper spatial layer (SID>0) is intra in time but, when D=1, predicted from the lower layer of the
  // same picture: it is not a key frame on its own (see isLayerIntraStart()).
  [[nodiscard]] bool isKeyFrame() const noexcept {
    return !interPicturePredicted() && startOfFrame() && spatialLayer() == 0;
  }
  // P=0 and B=1 in any spatial layer: the start of a layer frame with no temporal dependency. With
  // D=0 it decodes alone; with D=1 it needs the lower layers of the same picture.
  [[nodiscard]] bool isLayerIntraStart() const noexcept { return !interPicturePredicted() && startOfFrame(); }

  // Frame size is that of this packet's spatial layer when the SS carries resolutions, else 0.
  [[nodiscard]] PayloadInfo info() const noexcept;

  // In-place rewriting; same rules as Vp8Descriptor (layout checked, width kept, only field bits
  // change). setTl0PicIdx needs non-flexible mode with L=1.
  bool setPictureId(std::span<uint8_t> payload, uint16_t pictureId) noexcept;
  bool setTl0PicIdx(std::span<uint8_t> payload, uint8_t tl0PicIdx) noexcept;

 private:
  static constexpr uint8_t kI = 0x80;
  static constexpr uint8_t kP = 0x40;
  static constexpr uint8_t kL = 0x20;
  static constexpr uint8_t kF = 0x10;
  static constexpr uint8_t kB = 0x08;
  static constexpr uint8_t kE = 0x04;
  static constexpr uint8_t kV = 0x02;
  static constexpr uint8_t kZ = 0x01;

  Vp9Descriptor() = default;
  [[nodiscard]] bool layoutMatches(std::span<const uint8_t> payload) const noexcept;

  uint8_t flags_ = 0;
  uint8_t layer_ = 0;
  uint8_t pictureIdBits_ = 0;
  uint8_t pictureIdOffset_ = 0;
  uint8_t tl0Offset_ = 0;
  uint8_t tl0PicIdx_ = 0;
  uint16_t pictureId_ = 0;
  uint8_t numReferences_ = 0;
  std::array<uint8_t, kMaxReferences> pDiff_{};
  uint8_t ssFlags_ = 0;
  uint8_t numSpatialLayers_ = 0;
  uint8_t numPictureGroups_ = 0;
  uint16_t pictureGroupsOffset_ = 0;
  uint16_t size_ = 0;
  std::array<uint16_t, kMaxSpatialLayers> widths_{};
  std::array<uint16_t, kMaxSpatialLayers> heights_{};
};

}  // namespace switchyard::media::codec
