#pragma once
// A header-extension id translation table for RtpPacket::remapExtensionIds(): entry [in] is the
// id to write for an element received with id `in`; 0 drops the element (RFC 8285 ids are 1..255,
// 0 is padding). A fixed 256-entry array so that the data plane looks ids up without allocation.
#include <array>
#include <cstdint>

namespace switchyard::media::rtp {

using RtpExtensionIdMap = std::array<uint8_t, 256>;

// Every id maps to itself (entry 0 stays 0).
[[nodiscard]] constexpr RtpExtensionIdMap identityExtensionIdMap() noexcept {
  RtpExtensionIdMap map{};
  for (size_t i = 0; i < map.size(); ++i)
    map[i] = static_cast<uint8_t>(i);
  return map;
}

// Every id is dropped; set the entries to keep.
[[nodiscard]] constexpr RtpExtensionIdMap dropAllExtensionIdMap() noexcept {
  return RtpExtensionIdMap{};
}

}  // namespace switchyard::media::rtp
