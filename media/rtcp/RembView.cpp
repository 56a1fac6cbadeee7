#include "media/rtcp/RembView.h"

#include <bit>
#include <limits>

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtcp {

namespace {

constexpr uint32_t kRembId = 0x52454d42;  // 'R' 'E' 'M' 'B'
constexpr size_t kRembFixedSize = 8;      // identifier + num/exp/mantissa word

}  // namespace

std::optional<RembView> RembView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtPsfb || packet.fmt() != kFmtAfb) return std::nullopt;
  auto feedback = FeedbackView::parse(packet);
  if (!feedback) return std::nullopt;
  const auto fci = feedback->fci();
  if (fci.size() < kRembFixedSize || util::read32(fci.data()) != kRembId) return std::nullopt;
  const size_t numSsrc = fci[4];
  if ((fci.size() - kRembFixedSize) / 4 < numSsrc) return std::nullopt;
  return RembView(*feedback);
}

uint8_t RembView::exponent() const noexcept {
  return static_cast<uint8_t>(feedback_.fci()[5] >> 2);
}

uint32_t RembView::mantissa() const noexcept {
  return util::read24(feedback_.fci().data() + 5) & kMaxMantissa;
}

size_t RembView::ssrcCount() const noexcept {
  return feedback_.fci()[4];
}

uint32_t RembView::ssrc(size_t index) const noexcept {
  if (index >= ssrcCount()) return 0;
  return util::read32(feedback_.fci().data() + kRembFixedSize + index * 4);
}

RembView::Encoded RembView::encodeBitrate(uint64_t bitrateBps) noexcept {
  uint8_t exponent = 0;
  while ((bitrateBps >> exponent) > kMaxMantissa)
    ++exponent;  // at most 64 - 18 = 46
  return Encoded{exponent, static_cast<uint32_t>(bitrateBps >> exponent)};
}

uint64_t RembView::decodeBitrate(uint8_t exponent, uint32_t mantissa) noexcept {
  mantissa &= kMaxMantissa;
  if (mantissa == 0) return 0;
  exponent = static_cast<uint8_t>(exponent & kMaxExponent);
  const int width = static_cast<int>(std::bit_width(mantissa));  // 1..18
  if (width + exponent > 64) return std::numeric_limits<uint64_t>::max();
  return uint64_t{mantissa} << exponent;
}

}  // namespace switchyard::media::rtcp
