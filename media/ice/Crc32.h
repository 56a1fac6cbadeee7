#pragma once
// CRC-32 (ISO-HDLC / IEEE 802.3, reflected polynomial 0xEDB88320, init and xorout 0xFFFFFFFF) as
// used by the STUN FINGERPRINT attribute (RFC 8489 §14.7). Table-driven, the table built at
// compile time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::media::ice {

// Table for the byte-at-a-time loop, computed at compile time.
inline constexpr std::array<uint32_t, 256> kCrc32Table = [] {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}();

class Crc32 {
 public:
  // One-shot CRC of a buffer: Crc32::compute("123456789") == 0xCBF43926.
  [[nodiscard]] static constexpr uint32_t compute(std::span<const uint8_t> data) noexcept {
    Crc32 crc;
    crc.update(data);
    return crc.value();
  }

  constexpr void update(std::span<const uint8_t> data) noexcept {
    for (const uint8_t b : data)
      state_ = kCrc32Table[(state_ ^ b) & 0xFFu] ^ (state_ >> 8);
  }
  [[nodiscard]] constexpr uint32_t value() const noexcept { return state_ ^ 0xFFFFFFFFu; }

 private:
  uint32_t state_ = 0xFFFFFFFFu;
};

}  // namespace switchyard::media::ice
