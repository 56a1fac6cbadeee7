#pragma once
// A zero-copy view of one RTCP packet: the common header of RFC 3550 §6.4.1 plus the bytes it covers.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|  RC/FMT |      PT       |   length (32-bit words - 1)   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::rtcp {

class RtcpPacket {
 public:
  // Parses the packet that starts at buffer[0]. Checks version 2, that the length field fits in
  // the buffer and, when the P bit is set, that the packet ends exactly at the end of the buffer
  // (padding is only allowed on the last packet of a compound, RFC 3550 §6.4.1) and that the
  // padding count is 1..(packet size - 4). Bytes after the packet are not looked at.
  [[nodiscard]] static std::optional<RtcpPacket> parse(std::span<const uint8_t> buffer) noexcept;

  [[nodiscard]] bool padding() const noexcept { return (data_[0] & 0x20) != 0; }
  // The 5-bit count field: RC (SR/RR), SC (SDES/BYE) or FMT (RTPFB/PSFB).
  [[nodiscard]] uint8_t count() const noexcept { return static_cast<uint8_t>(data_[0] & 0x1f); }
  [[nodiscard]] uint8_t fmt() const noexcept { return count(); }
  [[nodiscard]] uint8_t packetType() const noexcept { return data_[1]; }
  [[nodiscard]] uint16_t lengthWords() const noexcept;
  // Whole packet: header, body and padding.
  [[nodiscard]] std::span<const uint8_t> data() const noexcept { return data_; }
  [[nodiscard]] size_t size() const noexcept { return data_.size(); }
  // Bytes after the 4-byte header, without padding.
  [[nodiscard]] std::span<const uint8_t> payload() const noexcept { return payload_; }

 private:
  RtcpPacket(std::span<const uint8_t> data, std::span<const uint8_t> payload) noexcept
      : data_(data), payload_(payload) {}

  std::span<const uint8_t> data_;
  std::span<const uint8_t> payload_;
};

}  // namespace switchyard::media::rtcp
