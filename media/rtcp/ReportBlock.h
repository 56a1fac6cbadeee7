#pragma once
// One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes:
//
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |                 SSRC_1 (SSRC of first source)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | fraction lost |       cumulative number of packets lost       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           extended highest sequence number received           |
//  |                      interarrival jitter                      |
//  |                         last SR (LSR)                         |
//  |                   delay since last SR (DLSR)                  |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/util/ByteWriter.h"

namespace switchyard::media::rtcp {

struct ReportBlock {
  static constexpr size_t kSize = 24;
  static constexpr int32_t kMaxCumulativeLost = 0x7fffff;  // signed 24-bit
  static constexpr int32_t kMinCumulativeLost = -0x800000;

  uint32_t ssrc = 0;
  uint8_t fractionLost = 0;    // fixed point, lost/expected * 256
  int32_t cumulativeLost = 0;  // signed 24-bit on the wire (may be negative with duplicates)
  uint32_t extendedHighestSeq = 0;
  uint32_t jitter = 0;            // in RTP timestamp units
  uint32_t lastSr = 0;            // middle 32 bits of the NTP timestamp of the last SR
  uint32_t delaySinceLastSr = 0;  // in 1/65536 s

  // Reads the first 24 bytes; nullopt when fewer are given.
  [[nodiscard]] static std::optional<ReportBlock> parse(std::span<const uint8_t> bytes) noexcept;
  // Appends the 24 bytes; cumulativeLost is clamped to the signed 24-bit range.
  bool write(util::ByteWriter& writer) const noexcept;

  bool operator==(const ReportBlock&) const = default;
};

}  // namespace switchyard::media::rtcp
