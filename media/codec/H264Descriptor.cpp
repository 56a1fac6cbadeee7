#include "media/codec/H264Descriptor.h"

#include "media/codec/H264Sps.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::codec {

namespace {

constexpr uint8_t kTypeMask = 0x1f;
constexpr uint8_t kFuStart = 0x80;
constexpr uint8_t kFuEnd = 0x40;

}  // namespace

void H264Descriptor::addNalUnitStart(uint8_t type, std::span<const uint8_t> body) noexcept {
  nalTypes_ |= 1u << type;
  if (type == kNalIdr) idrStart_ = true;
  if (type == kNalSps) spsStart_ = true;
  if ((type == kNalSlice || type == kNalIdr) && !body.empty()) {
    // first_mb_in_slice is the first ue(v) of the slice header; it is 0 iff its first bit is 1. The
    // first body octet cannot be an emulation prevention byte (the header octet is non-zero).
    if (body[0] & 0x80) frameStart_ = true;
  }
  if (type == kNalSps && !spsParsed_) {
    if (const auto sps = H264Sps::parseBody(body)) {
      spsParsed_ = true;
      width_ = sps->width();
      height_ = sps->height();
    }
  }
}

std::optional<H264Descriptor> H264Descriptor::parse(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  H264Descriptor d;
  const uint8_t header = payload[0];
  const auto type = static_cast<uint8_t>(header & kTypeMask);
  d.nri_ = static_cast<uint8_t>((header >> 5) & 0x03);

  if (type >= 1 && type <= 23) {
    // Section 5.6: the payload is exactly one NAL unit.
    d.packetization_ = H264Packetization::SingleNal;
    d.nalType_ = type;
    d.nalUnitCount_ = 1;
    d.addNalUnitStart(type, payload.subspan(1));
    return d;
  }

  switch (type) {
    case kNalStapA: {
      // Section 5.7.1: STAP-A header, then (16-bit NALU size, NAL unit) repeated to the end.
      d.packetization_ = H264Packetization::StapA;
      size_t off = 1;
      const size_t n = payload.size();
      while (off < n) {
        if (n - off < 2) return std::nullopt;
        const size_t size = util::read16(payload.data() + off);
        off += 2;
        if (size == 0 || n - off < size) return std::nullopt;
        const auto unitType = static_cast<uint8_t>(payload[off] & kTypeMask);
        if (d.nalUnitCount_ == 0) d.nalType_ = unitType;
        ++d.nalUnitCount_;
        d.addNalUnitStart(unitType, payload.subspan(off + 1, size - 1));
        off += size;
      }
      if (d.nalUnitCount_ == 0) return std::nullopt;
      return d;
    }
    case kNalFuA: {
      // Section 5.8: FU indicator, FU header |S|E|R|Type|, fragment.
      if (payload.size() < 2) return std::nullopt;
      const uint8_t fuHeader = payload[1];
      d.packetization_ = H264Packetization::FuA;
      d.fragmentStart_ = (fuHeader & kFuStart) != 0;
      d.fragmentEnd_ = (fuHeader & kFuEnd) != 0;
      // "The Start bit and End bit MUST NOT both be set to one in the same FU header."
      if (d.fragmentStart_ && d.fragmentEnd_) return std::nullopt;
      d.nalType_ = static_cast<uint8_t>(fuHeader & kTypeMask);
      d.nalUnitCount_ = 1;
      if (d.fragmentStart_) {
        d.addNalUnitStart(d.nalType_, payload.subspan(2));
      } else {
        d.nalTypes_ |= 1u << d.nalType_;
      }
      return d;
    }
    case 25:
      d.packetization_ = H264Packetization::StapB;
      break;
    case 26:
      d.packetization_ = H264Packetization::Mtap16;
      break;
    case 27:
      d.packetization_ = H264Packetization::Mtap24;
      break;
    case 29:
      d.packetization_ = H264Packetization::FuB;
      break;
    default:
      return std::nullopt;  // 0, 30, 31: reserved / undefined
  }
  d.supported_ = false;
  d.nalType_ = type;
  return d;
}

PayloadInfo H264Descriptor::info() const noexcept {
  PayloadInfo info;
  info.keyFrame = isKeyFrame();
  info.frameStart = frameStart_;
  info.width = width_;
  info.height = height_;
  return info;
}

}  // namespace switchyard::media::codec
