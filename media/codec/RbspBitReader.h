#pragma once
// Bit reader over an H.264 NAL unit payload that drops emulation prevention bytes (00 00 03 -> 00 00,
// ITU-T H.264 section 7.4.1) on the fly, so the RBSP is never copied. Reads past the end fail
// stickily: every read then returns 0 and ok() turns false; callers check ok() after a group of reads.
#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::media::codec {

class RbspBitReader {
 public:
  explicit RbspBitReader(std::span<const uint8_t> data) noexcept : data_(data) {}

  // u(n), n <= 32.
  uint32_t readBits(unsigned count) noexcept;
  bool readFlag() noexcept { return readBits(1) != 0; }
  // ue(v) (section 9.1); fails on more than 31 leading zero bits.
  uint32_t readUe() noexcept;
  // se(v) (section 9.1.1).
  int64_t readSe() noexcept;

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  // Marks the data malformed (a value out of its range): ok() is false from now on.
  void fail() noexcept { ok_ = false; }

 private:
  bool loadByte() noexcept;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;         // next raw byte
  unsigned zeros_ = 0;     // consecutive 0x00 bytes just read
  unsigned bitsLeft_ = 0;  // unread bits of cur_
  uint8_t cur_ = 0;
  bool ok_ = true;
};

}  // namespace switchyard::media::codec
