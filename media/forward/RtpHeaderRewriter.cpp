#include "media/forward/RtpHeaderRewriter.h"

#include <cstring>

#include "media/util/ByteWriter.h"
#include "media/util/Padding.h"

namespace switchyard::media::forward {

using rtp::RtpExtensionForm;

bool RtpHeaderRewriter::add(uint8_t id, std::span<const uint8_t> data) noexcept {
  if (id == 0 || data.size() > kMaxTwoByteLength || count_ == kMaxElements) return false;
  for (size_t i = 0; i < count_; ++i) {
    if (elements_[i].id == id) return false;
  }
  elements_[count_++] = Element{id, data};
  return true;
}

RtpExtensionForm RtpHeaderRewriter::form() const noexcept {
  if (count_ == 0) return RtpExtensionForm::kNone;
  for (size_t i = 0; i < count_; ++i) {
    const Element& e = elements_[i];
    if (e.id > rtp::kOneByteExtensionMaxId || e.data.empty() ||
        e.data.size() > rtp::kOneByteExtensionMaxLength) {
      return RtpExtensionForm::kTwoByte;
    }
  }
  return RtpExtensionForm::kOneByte;
}

size_t RtpHeaderRewriter::extensionSize() const noexcept {
  const RtpExtensionForm f = form();
  if (f == RtpExtensionForm::kNone) return 0;
  const size_t headerPerElement = f == RtpExtensionForm::kOneByte ? 1 : 2;
  size_t block = 0;
  for (size_t i = 0; i < count_; ++i)
    block += headerPerElement + elements_[i].data.size();
  return rtp::RtpPacketView::kExtensionHeaderSize + util::padded4(block);
}

size_t RtpHeaderRewriter::sizeFor(const rtp::RtpPacketView& in) const noexcept {
  return rtp::RtpPacketView::kFixedHeaderSize + 4 * in.csrcCount() + extensionSize() +
         (in.size() - in.headerSize());
}

std::optional<size_t> RtpHeaderRewriter::write(const rtp::RtpPacketView& in, const Fields& fields,
                                               std::span<uint8_t> out) const noexcept {
  const size_t total = sizeFor(in);
  if (out.size() < total) return std::nullopt;
  const RtpExtensionForm f = form();
  const size_t extension = extensionSize();

  util::ByteWriter w(out);
  // V=2 | P | X | CC, then M | PT (RFC 3550 §5.1).
  w.u8(static_cast<uint8_t>((rtp::RtpPacketView::kVersion << 6) | (in.hasPadding() ? 0x20 : 0) |
                            (extension != 0 ? 0x10 : 0) | in.csrcCount()));
  w.u8(static_cast<uint8_t>((in.marker() ? 0x80 : 0) | (fields.payloadType & 0x7F)));
  w.u16(fields.sequenceNumber);
  w.u32(fields.timestamp);
  w.u32(fields.ssrc);
  for (size_t i = 0; i < in.csrcCount(); ++i)
    w.u32(in.csrc(i));
  if (extension != 0) {
    const size_t blockSize = extension - rtp::RtpPacketView::kExtensionHeaderSize;
    w.u16(f == RtpExtensionForm::kOneByte ? rtp::kOneByteExtensionProfile : rtp::kTwoByteExtensionProfile);
    w.u16(static_cast<uint16_t>(blockSize / 4));
    const size_t blockStart = w.size();
    for (size_t i = 0; i < count_; ++i) {
      const Element& e = elements_[i];
      if (f == RtpExtensionForm::kOneByte) {
        w.u8(static_cast<uint8_t>((size_t{e.id} << 4) | (e.data.size() - 1)));
      } else {
        w.u8(e.id);
        w.u8(static_cast<uint8_t>(e.data.size()));
      }
      w.bytes(e.data);
    }
    w.zeros(blockSize - (w.size() - blockStart));
  }
  // Payload and padding, byte for byte.
  w.bytes(in.data().subspan(in.headerSize()));
  if (!w.ok() || w.size() != total) return std::nullopt;
  return total;
}

}  // namespace switchyard::media::forward
