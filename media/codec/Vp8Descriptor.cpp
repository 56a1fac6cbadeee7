#include "media/codec/Vp8Descriptor.h"

namespace switchyard::media::codec {

namespace {

// RFC 7741 section 4.3 / RFC 6386 section 9.1: 3-byte frame tag, then on key frames the start
// code and two little-endian 16-bit fields (14-bit size, 2-bit scale).
constexpr size_t kKeyFrameHeaderSize = 10;
constexpr uint8_t kStartCode[3] = {0x9d, 0x01, 0x2a};

}  // namespace

std::optional<Vp8Descriptor> Vp8Descriptor::parse(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Vp8Descriptor d;
  d.flags_ = payload[0];
  d.partitionIndex_ = static_cast<uint8_t>(payload[0] & 0x07);
  size_t off = 1;
  if (d.extended()) {
    if (payload.size() < off + 1) return std::nullopt;
    d.ext_ = payload[off++];
    if (d.ext_ & kI) {
      d.pictureIdOffset_ = static_cast<uint8_t>(off);
      const size_t width = PictureIdField::read(payload, off, d.pictureId_);
      if (width == 0) return std::nullopt;
      d.pictureIdBits_ = width == 2 ? 15 : 7;
      off += width;
    }
    if (d.ext_ & kL) {
      if (payload.size() < off + 1) return std::nullopt;
      d.tl0Offset_ = static_cast<uint8_t>(off);
      d.tl0PicIdx_ = payload[off++];
    }
    if (d.ext_ & (kT | kK)) {
      if (payload.size() < off + 1) return std::nullopt;
      d.tkOffset_ = static_cast<uint8_t>(off);
      d.tk_ = payload[off++];
    }
  }
  // The descriptor must be followed by VP8 payload (RFC 7741 section 4.1: a packet carries data).
  if (payload.size() <= off) return std::nullopt;
  d.size_ = static_cast<uint8_t>(off);

  if (d.isFrameStart()) {
    const auto vp8 = payload.subspan(off);
    // Payload header octet 0: |Size0|H| VER |P|; P=0 means key frame.
    d.keyFrame_ = (vp8[0] & 0x01) == 0;
    if (d.keyFrame_ && vp8.size() >= kKeyFrameHeaderSize && vp8[3] == kStartCode[0] &&
        vp8[4] == kStartCode[1] && vp8[5] == kStartCode[2]) {
      const auto w = static_cast<uint16_t>(vp8[6] | (vp8[7] << 8));
      const auto h = static_cast<uint16_t>(vp8[8] | (vp8[9] << 8));
      d.width_ = static_cast<uint16_t>(w & 0x3fff);
      d.horizontalScale_ = static_cast<uint8_t>(w >> 14);
      d.height_ = static_cast<uint16_t>(h & 0x3fff);
      d.verticalScale_ = static_cast<uint8_t>(h >> 14);
    }
  }
  return d;
}

std::optional<uint16_t> Vp8Descriptor::pictureId() const noexcept {
  if (!hasPictureId()) return std::nullopt;
  return pictureId_;
}

std::optional<uint8_t> Vp8Descriptor::tl0PicIdx() const noexcept {
  if ((ext_ & kL) == 0) return std::nullopt;
  return tl0PicIdx_;
}

std::optional<uint8_t> Vp8Descriptor::temporalLayer() const noexcept {
  if ((ext_ & kT) == 0) return std::nullopt;
  return static_cast<uint8_t>(tk_ >> 6);
}

bool Vp8Descriptor::layerSync() const noexcept {
  return (ext_ & kT) != 0 && (tk_ & 0x20) != 0;
}

std::optional<uint8_t> Vp8Descriptor::keyIdx() const noexcept {
  if ((ext_ & kK) == 0) return std::nullopt;
  return static_cast<uint8_t>(tk_ & 0x1f);
}

PayloadInfo Vp8Descriptor::info() const noexcept {
  PayloadInfo info;
  info.keyFrame = keyFrame_;
  info.frameStart = isFrameStart();
  info.temporalLayer = temporalLayer().value_or(0);
  info.layerSync = layerSync();
  info.pictureId = pictureId();
  info.tl0PicIdx = tl0PicIdx();
  info.width = width_;
  info.height = height_;
  return info;
}

bool Vp8Descriptor::layoutMatches(std::span<const uint8_t> payload) const noexcept {
  if (payload.size() < size_) return false;
  // Same X bit, same I/L/T/K bits, same picture id width: the offsets are valid for this buffer.
  if ((payload[0] & kX) != (flags_ & kX)) return false;
  if (!extended()) return true;
  if ((payload[1] & 0xf0) != (ext_ & 0xf0)) return false;
  if (hasPictureId() && !PictureIdField::widthMatches(payload, pictureIdOffset_, longPictureId()))
    return false;
  return true;
}

bool Vp8Descriptor::setPictureId(std::span<uint8_t> payload, uint16_t pictureId) noexcept {
  if (!hasPictureId() || !layoutMatches(payload)) return false;
  pictureId_ = PictureIdField::write(payload.data() + pictureIdOffset_, longPictureId(), pictureId);
  return true;
}

bool Vp8Descriptor::setTl0PicIdx(std::span<uint8_t> payload, uint8_t tl0PicIdx) noexcept {
  if ((ext_ & kL) == 0 || !layoutMatches(payload)) return false;
  payload[tl0Offset_] = tl0PicIdx;
  tl0PicIdx_ = tl0PicIdx;
  return true;
}

bool Vp8Descriptor::setKeyIdx(std::span<uint8_t> payload, uint8_t keyIdx) noexcept {
  if ((ext_ & kK) == 0 || !layoutMatches(payload)) return false;
  uint8_t& b = payload[tkOffset_];
  b = static_cast<uint8_t>((b & 0xe0) | (keyIdx & 0x1f));
  tk_ = static_cast<uint8_t>((tk_ & 0xe0) | (keyIdx & 0x1f));
  return true;
}

}  // namespace switchyard::media::codec
