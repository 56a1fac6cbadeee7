#include "media/rtcp/SdesView.h"

#include "media/rtcp/RtcpConstants.h"
#include "media/util/BigEndian.h"
#include "media/util/Padding.h"

namespace switchyard::media::rtcp {

std::optional<SdesView> SdesView::parse(const RtcpPacket& packet) noexcept {
  if (packet.packetType() != kPtSdes) return std::nullopt;
  const auto payload = packet.payload();
  const size_t size = payload.size();
  const size_t chunks = packet.count();
  size_t pos = 0;
  for (size_t c = 0; c < chunks; ++c) {
    if (size - pos < 4) return std::nullopt;
    pos += 4;
    for (;;) {
      if (pos >= size) return std::nullopt;  // no terminating null octet
      if (payload[pos] == kSdesEnd) {
        pos = util::padded4(pos + 1);
        if (pos > size) return std::nullopt;
        break;
      }
      if (size - pos < 2) return std::nullopt;
      const size_t length = payload[pos + 1];
      pos += 2;
      if (size - pos < length) return std::nullopt;
      pos += length;
    }
  }
  return SdesView(payload, chunks);
}

bool SdesView::ItemReader::next(SdesItem& item) noexcept {
  for (;;) {
    if (inChunk_) {
      if (pos_ >= payload_.size()) return false;  // cannot happen on a parsed view
      const uint8_t type = payload_[pos_];
      if (type == kSdesEnd) {
        pos_ = util::padded4(pos_ + 1);
        inChunk_ = false;
        continue;
      }
      if (payload_.size() - pos_ < 2) return false;
      const size_t length = payload_[pos_ + 1];
      if (payload_.size() - pos_ - 2 < length) return false;
      item.ssrc = ssrc_;
      item.type = type;
      item.value = payload_.subspan(pos_ + 2, length);
      pos_ += 2 + length;
      return true;
    }
    if (chunksLeft_ == 0 || payload_.size() - pos_ < 4) return false;
    ssrc_ = util::read32(payload_.data() + pos_);
    pos_ += 4;
    --chunksLeft_;
    inChunk_ = true;
  }
}

size_t SdesView::itemCount() const noexcept {
  size_t n = 0;
  forEachItem([&n](const SdesItem&) { ++n; });
  return n;
}

std::optional<std::string_view> SdesView::cname(uint32_t ssrc) const noexcept {
  ItemReader reader(*this);
  SdesItem item;
  while (reader.next(item)) {
    if (item.ssrc == ssrc && item.type == kSdesCname) return item.text();
  }
  return std::nullopt;
}

std::optional<std::string_view> SdesView::firstCname() const noexcept {
  ItemReader reader(*this);
  SdesItem item;
  while (reader.next(item)) {
    if (item.type == kSdesCname) return item.text();
  }
  return std::nullopt;
}

}  // namespace switchyard::media::rtcp
