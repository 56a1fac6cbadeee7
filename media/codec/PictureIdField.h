#pragma once
// The PictureID field shared by the VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) payload
// descriptors: one octet |M| 7-bit id | or, with M=1, two octets |M| 15-bit id |. Stateless
// helpers: the descriptors keep the offset, width and value as plain members (a nested member
// object measurably slowed down GCC's code for the per-packet parse).
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/util/BigEndian.h"

namespace switchyard::media::codec {

struct PictureIdField {
  static constexpr uint8_t kM = 0x80;

  // Reads the field at `offset` into `value`: returns its size (1 or 2 octets), or 0 when the
  // payload ends inside it (then `value` is unchanged).
  [[nodiscard]] static size_t read(std::span<const uint8_t> payload, size_t offset,
                                   uint16_t& value) noexcept {
    if (offset >= payload.size()) return 0;
    if ((payload[offset] & kM) == 0) {
      value = static_cast<uint16_t>(payload[offset] & 0x7f);
      return 1;
    }
    if (payload.size() - offset < 2) return 0;
    value = static_cast<uint16_t>(util::read16(payload.data() + offset) & 0x7fff);
    return 2;
  }

  // True if the octet at `offset` exists and its M bit says the width `isLong` (15 bits).
  [[nodiscard]] static bool widthMatches(std::span<const uint8_t> payload, size_t offset,
                                         bool isLong) noexcept {
    return offset < payload.size() && ((payload[offset] & kM) != 0) == isLong;
  }

  // Writes `pictureId` modulo 128 or 32768 into the field at `field` (1 or 2 octets, M bit as
  // `isLong`; the caller checked the layout) and returns the value written.
  static uint16_t write(uint8_t* field, bool isLong, uint16_t pictureId) noexcept {
    if (isLong) {
      const auto value = static_cast<uint16_t>(pictureId & 0x7fff);
      util::write16(field, static_cast<uint16_t>(0x8000 | value));
      return value;
    }
    const auto value = static_cast<uint16_t>(pictureId & 0x7f);
    field[0] = static_cast<uint8_t>(value);  // M bit stays 0
    return value;
  }
};

}  // namespace switchyard::media::codec
