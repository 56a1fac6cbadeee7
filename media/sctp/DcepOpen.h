#pragma once
// DATA_CHANNEL_OPEN (RFC 8832 section 5.1): a zero-copy view and a builder.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  |  Message Type |  Channel Type |            Priority           |
//  |                    Reliability Parameter                      |
//  |         Label Length          |       Protocol Length         |
//  |  Label (Label Length bytes) ... | Protocol (Protocol Length bytes) ...
//
// parse() accepts a message only when its size is exactly 12 + Label Length + Protocol Length and
// the Channel Type is one RFC 8832 defines. Label and protocol are returned as the raw bytes
// (meant to be UTF-8; not validated here).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/sctp/DcepChannelType.h"

namespace switchyard::media::sctp {

inline constexpr size_t kDcepOpenHeaderSize = 12;
inline constexpr size_t kDcepMaxStringLength = 0xffff;

// Priority values (RFC 8832 section 5.1 refers to RFC 8831; the W3C mapping of RTCPriorityType).
inline constexpr uint16_t kDcepPriorityBelowNormal = 128;
inline constexpr uint16_t kDcepPriorityNormal = 256;
inline constexpr uint16_t kDcepPriorityHigh = 512;
inline constexpr uint16_t kDcepPriorityExtraHigh = 1024;

struct DcepOpenParams {
  DcepReliability reliability = DcepReliability::kReliable;
  bool ordered = true;
  // Max retransmissions or max lifetime (ms); written as 0 for reliable channels (RFC 8832
  // section 5.1: "MUST be set to 0 on the sending side").
  uint32_t reliabilityParameter = 0;
  uint16_t priority = kDcepPriorityNormal;
  std::string_view label;
  std::string_view protocol;
};

class DcepOpen {
 public:
  [[nodiscard]] static std::optional<DcepOpen> parse(std::span<const uint8_t> message) noexcept;

  [[nodiscard]] uint8_t channelType() const noexcept { return data_[1]; }
  [[nodiscard]] bool ordered() const noexcept { return (channelType() & kDcepUnorderedBit) == 0; }
  [[nodiscard]] DcepReliability reliability() const noexcept { return reliability_; }
  [[nodiscard]] uint16_t priority() const noexcept;
  // The parameter as sent; for reliable channels RFC 8832 says to ignore it, see
  // reliabilityParameter().
  [[nodiscard]] uint32_t rawReliabilityParameter() const noexcept;
  // Max retransmissions / max lifetime in ms; 0 for reliable channels whatever was sent.
  [[nodiscard]] uint32_t reliabilityParameter() const noexcept;
  [[nodiscard]] std::string_view label() const noexcept;
  [[nodiscard]] std::string_view protocol() const noexcept;
  // Every field, with label/protocol viewing this message's bytes.
  [[nodiscard]] DcepOpenParams params() const noexcept;
  [[nodiscard]] std::span<const uint8_t> data() const noexcept { return data_; }

 private:
  DcepOpen(std::span<const uint8_t> data, DcepReliability reliability, uint16_t labelLength) noexcept
      : data_(data), reliability_(reliability), labelLength_(labelLength) {}

  std::span<const uint8_t> data_;
  DcepReliability reliability_;
  uint16_t labelLength_;
};

// The size writeDcepOpen() needs for `params`; nullopt when label or protocol exceed 65535 bytes.
[[nodiscard]] std::optional<size_t> dcepOpenSize(const DcepOpenParams& params) noexcept;

// Writes a DATA_CHANNEL_OPEN into `out`; returns its size, or nullopt when `out` is too small or
// label/protocol exceed 65535 bytes (nothing meaningful is written then).
[[nodiscard]] std::optional<size_t> writeDcepOpen(std::span<uint8_t> out,
                                                  const DcepOpenParams& params) noexcept;

}  // namespace switchyard::media::sctp
