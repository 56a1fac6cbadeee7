#include "media/net/Rfc4571Framer.h"

#include <algorithm>
#include <cstring>

#include "media/util/BigEndian.h"

namespace switchyard::media::net {

Rfc4571Framer::Rfc4571Framer(size_t maxFrameSize)
    : buffer_(kHeaderSize + std::min(maxFrameSize, kMaxFrameSize)),
      maxFrameSize_(std::min(maxFrameSize, kMaxFrameSize)) {}

std::span<uint8_t> Rfc4571Framer::writableSpace() noexcept {
  if (failed_) return {};
  if (begin_ > 0) {
    // A pending partial frame is shorter than the buffer, so this leaves room for >= 1 byte.
    const size_t pending = end_ - begin_;
    if (pending > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, pending);
    begin_ = 0;
    end_ = pending;
  }
  return std::span<uint8_t>(buffer_).subspan(end_);
}

void Rfc4571Framer::commit(size_t n) noexcept {
  if (failed_) return;
  end_ += std::min(n, buffer_.size() - end_);
}

size_t Rfc4571Framer::feed(std::span<const uint8_t> data) noexcept {
  const std::span<uint8_t> space = writableSpace();
  const size_t n = std::min(space.size(), data.size());
  if (n > 0) std::memcpy(space.data(), data.data(), n);
  commit(n);
  return n;
}

std::optional<std::span<uint8_t>> Rfc4571Framer::nextFrame() noexcept {
  if (failed_) return std::nullopt;
  const size_t available = end_ - begin_;
  if (available < kHeaderSize) return std::nullopt;
  const size_t length = util::read16(buffer_.data() + begin_);
  if (length > maxFrameSize_) {
    failed_ = true;
    return std::nullopt;
  }
  if (available - kHeaderSize < length) return std::nullopt;
  const std::span<uint8_t> frame(buffer_.data() + begin_ + kHeaderSize, length);
  begin_ += kHeaderSize + length;
  if (begin_ == end_) begin_ = end_ = 0;  // drained: no move needed before the next read
  return frame;
}

void Rfc4571Framer::reset() noexcept {
  begin_ = end_ = 0;
  failed_ = false;
}

}  // namespace switchyard::media::net
