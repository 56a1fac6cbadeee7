#include "media/codec/RbspBitReader.h"

namespace switchyard::media::codec {

bool RbspBitReader::loadByte() noexcept {
  if (pos_ >= data_.size()) return false;
  uint8_t b = data_[pos_++];
  if (zeros_ >= 2 && b == 0x03) {
    // emulation_prevention_three_byte: not part of the RBSP.
    zeros_ = 0;
    if (pos_ >= data_.size()) return false;
    b = data_[pos_++];
  }
  zeros_ = b == 0 ? zeros_ + 1 : 0;
  cur_ = b;
  bitsLeft_ = 8;
  return true;
}

uint32_t RbspBitReader::readBits(unsigned count) noexcept {
  if (!ok_ || count > 32) {
    ok_ = false;
    return 0;
  }
  uint64_t value = 0;
  while (count > 0) {
    if (bitsLeft_ == 0 && !loadByte()) {
      ok_ = false;
      return 0;
    }
    const unsigned take = count < bitsLeft_ ? count : bitsLeft_;
    const unsigned shift = bitsLeft_ - take;
    const auto bits = static_cast<unsigned>((cur_ >> shift) & ((1u << take) - 1u));
    value = (value << take) | bits;
    bitsLeft_ -= take;
    count -= take;
  }
  return static_cast<uint32_t>(value);
}

uint32_t RbspBitReader::readUe() noexcept {
  unsigned leadingZeros = 0;
  while (ok_ && readBits(1) == 0) {
    if (!ok_) return 0;
    if (++leadingZeros > 31) {
      ok_ = false;
      return 0;
    }
  }
  if (!ok_) return 0;
  const uint64_t suffix = readBits(leadingZeros);
  if (!ok_) return 0;
  return static_cast<uint32_t>(((uint64_t{1} << leadingZeros) - 1) + suffix);
}

int64_t RbspBitReader::readSe() noexcept {
  const uint32_t k = readUe();
  if (!ok_) return 0;
  const auto half = static_cast<int64_t>((uint64_t{k} + 1) / 2);
  return (k & 1u) ? half : -half;
}

}  // namespace switchyard::media::codec
