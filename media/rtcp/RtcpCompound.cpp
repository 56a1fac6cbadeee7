#include "media/rtcp/RtcpCompound.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/RtpRtcpDemux.h"

namespace switchyard::media::rtcp {

RtcpCompound::Iterator::Iterator(std::span<const uint8_t> buffer) noexcept : buffer_(buffer) {
  // An empty compound is malformed: RFC 3550 §6.1 requires at least one packet.
  if (buffer_.empty()) {
    error_ = true;
    return;
  }
  load();
}

void RtcpCompound::Iterator::load() noexcept {
  current_ = RtcpPacket::parse(buffer_.subspan(offset_));
  if (!current_) error_ = true;
}

RtcpCompound::Iterator& RtcpCompound::Iterator::operator++() noexcept {
  if (!current_) return *this;
  offset_ += current_->size();
  if (offset_ == buffer_.size()) {
    current_.reset();
    return *this;
  }
  load();
  return *this;
}

RtcpCompound::RtcpCompound(std::span<const uint8_t> buffer) noexcept : buffer_(buffer) {
  Iterator it(buffer_);
  while (it != std::default_sentinel) {
    ++packetCount_;
    ++it;
  }
  valid_ = !it.error();
  errorOffset_ = valid_ ? buffer_.size() : it.offset();
}

bool RtcpCompound::looksLikeRtcp(std::span<const uint8_t> bytes) noexcept {
  // The RTP/RTCP split itself is shared with media/rtp; an RTCP packet also needs a full header.
  return bytes.size() >= kHeaderSize && util::isRtcp(bytes);
}

}  // namespace switchyard::media::rtcp
