#pragma once
// Big-endian (network order) reads and writes on raw bytes. Callers check bounds first; these
// helpers never cast buffers to structs (STYLE: views, not overlay structs).
#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::media::util {

[[nodiscard]] constexpr uint16_t read16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
[[nodiscard]] constexpr uint32_t read24(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[2]};
}
[[nodiscard]] constexpr uint32_t read32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
[[nodiscard]] constexpr uint64_t read64(const uint8_t* p) noexcept {
  return (uint64_t{read32(p)} << 32) | uint64_t{read32(p + 4)};
}

// Two's complement sign extension of a 24-bit value (RTCP cumulative lost, TWCC reference time).
[[nodiscard]] constexpr int32_t signExtend24(uint32_t v) noexcept {
  v &= 0xffffffu;
  return (v & 0x800000u) != 0 ? static_cast<int32_t>(v) - 0x1000000 : static_cast<int32_t>(v);
}
[[nodiscard]] constexpr int32_t readSigned24(const uint8_t* p) noexcept {
  return signExtend24(read24(p));
}

constexpr void write16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
constexpr void write24(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
constexpr void write32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
constexpr void write64(uint8_t* p, uint64_t v) noexcept {
  write32(p, static_cast<uint32_t>(v >> 32));
  write32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace switchyard::media::util
