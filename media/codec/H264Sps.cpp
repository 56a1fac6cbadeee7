#include "media/codec/H264Sps.h"

#include "media/codec/RbspBitReader.h"

namespace switchyard::media::codec {

namespace {

// Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (section 7.3.2.1.1).
bool hasChromaInfo(uint8_t profileIdc) noexcept {
  switch (profileIdc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// scaling_list() (section 7.3.2.1.1.1): only consumed, values are not needed.
void skipScalingList(RbspBitReader& r, unsigned size) noexcept {
  int64_t lastScale = 8;
  int64_t nextScale = 8;
  for (unsigned j = 0; j < size && r.ok(); ++j) {
    if (nextScale != 0) {
      const int64_t delta = r.readSe();
      if (delta < -128 || delta > 127) {
        r.fail();
        return;
      }
      nextScale = (lastScale + delta + 256) % 256;
    }
    if (nextScale != 0) lastScale = nextScale;
  }
}

}  // namespace

std::optional<H264Sps> H264Sps::parse(std::span<const uint8_t> nalUnit) noexcept {
  if (nalUnit.empty() || (nalUnit[0] & 0x1f) != kNalType) return std::nullopt;
  return parseBody(nalUnit.subspan(1));
}

std::optional<H264Sps> H264Sps::parseBody(std::span<const uint8_t> body) noexcept {
  RbspBitReader r(body);
  H264Sps sps;
  sps.profileIdc_ = static_cast<uint8_t>(r.readBits(8));
  sps.constraintFlags_ = static_cast<uint8_t>(r.readBits(8));
  sps.levelIdc_ = static_cast<uint8_t>(r.readBits(8));
  const uint32_t spsId = r.readUe();
  if (!r.ok() || spsId > 31) return std::nullopt;
  sps.spsId_ = static_cast<uint8_t>(spsId);

  uint32_t chromaFormatIdc = 1;
  bool separateColourPlane = false;
  if (hasChromaInfo(sps.profileIdc_)) {
    chromaFormatIdc = r.readUe();
    if (!r.ok() || chromaFormatIdc > 3) return std::nullopt;
    if (chromaFormatIdc == 3) separateColourPlane = r.readFlag();
    const uint32_t bitDepthLuma = r.readUe();
    const uint32_t bitDepthChroma = r.readUe();
    if (!r.ok() || bitDepthLuma > 6 || bitDepthChroma > 6) return std::nullopt;
    r.readFlag();        // qpprime_y_zero_transform_bypass_flag
    if (r.readFlag()) {  // seq_scaling_matrix_present_flag
      const unsigned lists = chromaFormatIdc != 3 ? 8 : 12;
      for (unsigned i = 0; i < lists && r.ok(); ++i) {
        if (r.readFlag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
    if (!r.ok()) return std::nullopt;
  }
  sps.chromaFormatIdc_ = static_cast<uint8_t>(chromaFormatIdc);

  const uint32_t log2MaxFrameNumMinus4 = r.readUe();
  if (!r.ok() || log2MaxFrameNumMinus4 > 12) return std::nullopt;
  const uint32_t picOrderCntType = r.readUe();
  if (!r.ok() || picOrderCntType > 2) return std::nullopt;
  if (picOrderCntType == 0) {
    const uint32_t log2MaxPocLsbMinus4 = r.readUe();
    if (!r.ok() || log2MaxPocLsbMinus4 > 12) return std::nullopt;
  } else if (picOrderCntType == 1) {
    r.readFlag();  // delta_pic_order_always_zero_flag
    r.readSe();    // offset_for_non_ref_pic
    r.readSe();    // offset_for_top_to_bottom_field
    const uint32_t cycle = r.readUe();
    if (!r.ok() || cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && r.ok(); ++i)
      r.readSe();  // offset_for_ref_frame
  }
  r.readUe();    // max_num_ref_frames
  r.readFlag();  // gaps_in_frame_num_value_allowed_flag
  const uint32_t widthInMbsMinus1 = r.readUe();
  const uint32_t heightInMapUnitsMinus1 = r.readUe();
  const bool frameMbsOnly = r.readFlag();
  if (!frameMbsOnly) r.readFlag();  // mb_adaptive_frame_field_flag
  r.readFlag();                     // direct_8x8_inference_flag
  uint64_t cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
  if (r.readFlag()) {  // frame_cropping_flag
    cropLeft = r.readUe();
    cropRight = r.readUe();
    cropTop = r.readUe();
    cropBottom = r.readUe();
  }
  if (!r.ok()) return std::nullopt;
  sps.frameMbsOnly_ = frameMbsOnly;

  // Equations 7-13..7-20 and the frame_crop_* semantics.
  const uint64_t width = (uint64_t{widthInMbsMinus1} + 1) * 16;
  const uint64_t height = (2 - uint64_t{frameMbsOnly}) * (uint64_t{heightInMapUnitsMinus1} + 1) * 16;
  const uint32_t chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  uint64_t cropUnitX = 1;
  uint64_t cropUnitY = 2 - uint64_t{frameMbsOnly};
  if (chromaArrayType != 0) {
    const uint64_t subWidthC = chromaFormatIdc == 3 ? 1 : 2;
    const uint64_t subHeightC = chromaFormatIdc == 1 ? 2 : 1;
    cropUnitX = subWidthC;
    cropUnitY = subHeightC * (2 - uint64_t{frameMbsOnly});
  }
  const uint64_t cropX = cropUnitX * (cropLeft + cropRight);
  const uint64_t cropY = cropUnitY * (cropTop + cropBottom);
  if (cropX >= width || cropY >= height) return std::nullopt;
  const uint64_t croppedWidth = width - cropX;
  const uint64_t croppedHeight = height - cropY;
  if (croppedWidth > UINT16_MAX || croppedHeight > UINT16_MAX) return std::nullopt;
  sps.width_ = static_cast<uint16_t>(croppedWidth);
  sps.height_ = static_cast<uint16_t>(croppedHeight);
  return sps;
}

}  // namespace switchyard::media::codec
