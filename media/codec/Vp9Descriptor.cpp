#include "media/codec/Vp9Descriptor.h"

#include "media/util/BigEndian.h"

namespace switchyard::media::codec {

std::optional<Vp9Descriptor> Vp9Descriptor::parse(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Vp9Descriptor d;
  d.flags_ = payload[0];
  const size_t n = payload.size();
  size_t off = 1;

  if (d.hasPictureId()) {
    d.pictureIdOffset_ = static_cast<uint8_t>(off);
    const size_t width = PictureIdField::read(payload, off, d.pictureId_);
    if (width == 0) return std::nullopt;
    d.pictureIdBits_ = width == 2 ? 15 : 7;
    off += width;
  }

  if (d.hasLayerIndices()) {
    if (n < off + 1) return std::nullopt;
    d.layer_ = payload[off++];
    if (!d.flexibleMode()) {
      if (n < off + 1) return std::nullopt;
      d.tl0Offset_ = static_cast<uint8_t>(off);
      d.tl0PicIdx_ = payload[off++];
    }
  }

  if (d.flexibleMode() && d.interPicturePredicted()) {
    // Section 4.2: P_DIFF|N, N=1 means another follows; at most 3 reference indices.
    bool more = true;
    while (more) {
      if (d.numReferences_ == kMaxReferences || n < off + 1) return std::nullopt;
      const uint8_t b = payload[off++];
      d.pDiff_[d.numReferences_++] = static_cast<uint8_t>(b >> 1);
      more = (b & 0x01) != 0;
    }
  }

  if (d.hasScalabilityStructure()) {
    // Section 4.2.1: | N_S |Y|G|-|-|-|
    if (n < off + 1) return std::nullopt;
    d.ssFlags_ = payload[off++];
    d.numSpatialLayers_ = static_cast<uint8_t>((d.ssFlags_ >> 5) + 1);
    if (d.hasResolutions()) {
      const size_t bytes = size_t{4} * d.numSpatialLayers_;
      if (n - off < bytes) return std::nullopt;
      for (size_t i = 0; i < d.numSpatialLayers_; ++i) {
        d.widths_[i] = util::read16(payload.data() + off);
        d.heights_[i] = util::read16(payload.data() + off + 2);
        off += 4;
      }
    }
    if (d.hasPictureGroups()) {
      if (n < off + 1) return std::nullopt;
      d.numPictureGroups_ = payload[off++];
      d.pictureGroupsOffset_ = static_cast<uint16_t>(off);
      for (size_t g = 0; g < d.numPictureGroups_; ++g) {
        // |  TID  |U| R |-|-| then R octets of P_DIFF.
        if (n < off + 1) return std::nullopt;
        const size_t refs = (payload[off] >> 2) & 0x03;
        off += 1;
        if (n - off < refs) return std::nullopt;
        off += refs;
      }
    }
  }

  // Frame data must follow the descriptor.
  if (n <= off) return std::nullopt;
  d.size_ = static_cast<uint16_t>(off);
  return d;
}

std::optional<uint16_t> Vp9Descriptor::pictureId() const noexcept {
  if (!hasPictureId()) return std::nullopt;
  return pictureId_;
}

std::optional<uint8_t> Vp9Descriptor::tl0PicIdx() const noexcept {
  if (tl0Offset_ == 0) return std::nullopt;
  return tl0PicIdx_;
}

uint16_t Vp9Descriptor::layerWidth(size_t spatialLayer) const noexcept {
  if (!hasResolutions() || spatialLayer >= numSpatialLayers_) return 0;
  return widths_[spatialLayer];
}

uint16_t Vp9Descriptor::layerHeight(size_t spatialLayer) const noexcept {
  if (!hasResolutions() || spatialLayer >= numSpatialLayers_) return 0;
  return heights_[spatialLayer];
}

std::optional<Vp9PictureGroup> Vp9Descriptor::pictureGroup(std::span<const uint8_t> payload,
                                                           size_t index) const noexcept {
  if (index >= numPictureGroups_ || !layoutMatches(payload)) return std::nullopt;
  size_t off = pictureGroupsOffset_;
  for (size_t g = 0;; ++g) {
    if (off >= size_) return std::nullopt;  // the copy disagrees with what was parsed
    const uint8_t b = payload[off];
    const size_t refs = (b >> 2) & 0x03;
    if (size_ - off - 1 < refs) return std::nullopt;
    if (g == index) {
      Vp9PictureGroup pg;
      pg.temporalLayer = static_cast<uint8_t>(b >> 5);
      pg.switchingUp = (b & 0x10) != 0;
      pg.numReferences = static_cast<uint8_t>(refs);
      for (size_t r = 0; r < refs; ++r)
        pg.referenceDiffs[r] = payload[off + 1 + r];
      return pg;
    }
    off += 1 + refs;
  }
}

PayloadInfo Vp9Descriptor::info() const noexcept {
  PayloadInfo info;
  info.keyFrame = isKeyFrame();
  info.frameStart = startOfFrame();
  info.frameEnd = endOfFrame();
  info.spatialLayer = spatialLayer();
  info.temporalLayer = temporalLayer();
  info.layerSync = switchingUpPoint();
  info.pictureId = pictureId();
  info.tl0PicIdx = tl0PicIdx();
  info.width = layerWidth(spatialLayer());
  info.height = layerHeight(spatialLayer());
  return info;
}

bool Vp9Descriptor::layoutMatches(std::span<const uint8_t> payload) const noexcept {
  if (payload.size() < size_) return false;
  // The flag bits that decide the layout (I, P, L, F, V) and the picture id width must agree.
  constexpr uint8_t kLayoutBits = kI | kP | kL | kF | kV;
  if ((payload[0] & kLayoutBits) != (flags_ & kLayoutBits)) return false;
  if (hasPictureId() && !PictureIdField::widthMatches(payload, pictureIdOffset_, longPictureId()))
    return false;
  return true;
}

bool Vp9Descriptor::setPictureId(std::span<uint8_t> payload, uint16_t pictureId) noexcept {
  if (!hasPictureId() || !layoutMatches(payload)) return false;
  pictureId_ = PictureIdField::write(payload.data() + pictureIdOffset_, longPictureId(), pictureId);
  return true;
}

bool Vp9Descriptor::setTl0PicIdx(std::span<uint8_t> payload, uint8_t tl0PicIdx) noexcept {
  if (tl0Offset_ == 0 || !layoutMatches(payload)) return false;
  payload[tl0Offset_] = tl0PicIdx;
  tl0PicIdx_ = tl0PicIdx;
  return true;
}

}  // namespace switchyard::media::codec
