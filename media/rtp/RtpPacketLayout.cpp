#include "media/rtp/RtpPacketLayout.h"

#include "media/rtp/RtpExtensionStep.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::rtp {

std::optional<RtpPacketLayout> RtpPacketLayout::parse(std::span<const uint8_t> data) noexcept {
  if (data.size() < kFixedHeaderSize) return std::nullopt;
  const uint8_t b0 = data[0];
  if ((b0 >> 6) != kVersion) return std::nullopt;
  RtpPacketLayout layout;
  layout.csrcCount = static_cast<uint8_t>(b0 & 0x0F);
  size_t headerSize = layout.extensionHeaderOffset();
  if (data.size() < headerSize) return std::nullopt;

  if ((b0 & 0x10) != 0) {
    if (data.size() - headerSize < kExtensionHeaderSize) return std::nullopt;
    const uint16_t profile = util::read16(data.data() + headerSize);
    const size_t extensionSize = 4 * size_t{util::read16(data.data() + headerSize + 2)};
    headerSize += kExtensionHeaderSize;
    if (data.size() - headerSize < extensionSize) return std::nullopt;
    layout.form = extensionFormOf(profile);
    layout.extensionSize = static_cast<uint32_t>(extensionSize);
    const std::span<const uint8_t> block = data.subspan(headerSize, extensionSize);
    for (size_t pos = 0;;) {
      const RtpExtensionStep step = RtpExtensionStep::at(block, layout.form, pos);
      if (step.kind == RtpExtensionStep::Kind::kMalformed) return std::nullopt;
      if (step.kind == RtpExtensionStep::Kind::kEnd) break;
      pos = step.next;
    }
    headerSize += extensionSize;
  }

  if ((b0 & 0x20) != 0) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    if (data.size() == headerSize) return std::nullopt;
    const uint8_t paddingSize = data[data.size() - 1];
    if (paddingSize == 0 || paddingSize > data.size() - headerSize) return std::nullopt;
    layout.paddingSize = paddingSize;
  }
  layout.headerSize = static_cast<uint32_t>(headerSize);
  return layout;
}

}  // namespace switchyard::media::rtp
