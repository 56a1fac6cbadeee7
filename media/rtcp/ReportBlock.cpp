#include "media/rtcp/ReportBlock.h"

#include <algorithm>

#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

std::optional<ReportBlock> ReportBlock::parse(std::span<const uint8_t> bytes) noexcept {
  if (bytes.size() < kSize) return std::nullopt;
  const uint8_t* p = bytes.data();
  ReportBlock block;
  block.ssrc = util::read32(p);
  block.fractionLost = p[4];
  block.cumulativeLost = util::readSigned24(p + 5);  // 24-bit two's complement
  block.extendedHighestSeq = util::read32(p + 8);
  block.jitter = util::read32(p + 12);
  block.lastSr = util::read32(p + 16);
  block.delaySinceLastSr = util::read32(p + 20);
  return block;
}

bool ReportBlock::write(util::ByteWriter& writer) const noexcept {
  const int32_t lost = std::clamp(cumulativeLost, kMinCumulativeLost, kMaxCumulativeLost);
  writer.u32(ssrc);
  writer.u8(fractionLost);
  writer.u24(static_cast<uint32_t>(lost) & 0xffffff);
  writer.u32(extendedHighestSeq);
  writer.u32(jitter);
  writer.u32(lastSr);
  return writer.u32(delaySinceLastSr);
}

}  // namespace switchyard::media::rtcp
