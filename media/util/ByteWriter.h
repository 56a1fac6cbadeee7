#pragma once
// Appends big-endian fields into a caller-owned buffer and remembers whether it ran out of room.
// Builders use it so that a too-small buffer gives a failed build, never a write out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "media/util/BigEndian.h"

namespace switchyard::media::util {

class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) noexcept : out_(out) {}

  bool u8(uint8_t v) noexcept {
    if (!reserve(1)) return false;
    out_[pos_++] = v;
    return true;
  }
  bool u16(uint16_t v) noexcept {
    if (!reserve(2)) return false;
    write16(out_.data() + pos_, v);
    pos_ += 2;
    return true;
  }
  bool u24(uint32_t v) noexcept {
    if (!reserve(3)) return false;
    write24(out_.data() + pos_, v);
    pos_ += 3;
    return true;
  }
  bool u32(uint32_t v) noexcept {
    if (!reserve(4)) return false;
    write32(out_.data() + pos_, v);
    pos_ += 4;
    return true;
  }
  bool u64(uint64_t v) noexcept {
    if (!reserve(8)) return false;
    write64(out_.data() + pos_, v);
    pos_ += 8;
    return true;
  }
  bool bytes(std::span<const uint8_t> b) noexcept {
    if (!reserve(b.size())) return false;
    if (!b.empty()) std::memcpy(out_.data() + pos_, b.data(), b.size());
    pos_ += b.size();
    return true;
  }
  bool zeros(size_t n) noexcept {
    if (!reserve(n)) return false;
    std::memset(out_.data() + pos_, 0, n);
    pos_ += n;
    return true;
  }

  [[nodiscard]] size_t size() const noexcept { return pos_; }
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::span<uint8_t> written() const noexcept { return out_.first(pos_); }
  [[nodiscard]] uint8_t* at(size_t offset) const noexcept { return out_.data() + offset; }

 private:
  bool reserve(size_t n) noexcept {
    if (!ok_ || out_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace switchyard::media::util
