#pragma once
// A zero-copy view of a compound RTCP packet (RFC 3550 §6.1): RTCP packets stacked back to back,
// each with its own common header. Iterating yields one RtcpPacket per sub-packet; a malformed
// sub-packet (bad version, length past the buffer, padding bit on a packet that is not the last,
// bad padding count, trailing bytes shorter than a header) ends the iteration and marks the
// compound invalid. Packets before the bad one are still yielded. Unknown packet types are not
// errors: they are yielded like any other packet for the caller to skip. The RFC 3550 §6.1 rule
// that a compound starts with an SR or RR is not enforced: reduced-size RTCP (RFC 5506, which
// Chrome uses for feedback) sends feedback packets alone.
//
//   RtcpCompound compound(bytes);
//   for (const RtcpPacket& packet : compound) { ... }
//   if (!compound.valid()) { ... count a malformed compound ... }
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class RtcpCompound {
 public:
  class Iterator {
   public:
    using value_type = RtcpPacket;
    using difference_type = std::ptrdiff_t;

    Iterator() noexcept = default;
    [[nodiscard]] const RtcpPacket& operator*() const noexcept { return *current_; }
    [[nodiscard]] const RtcpPacket* operator->() const noexcept { return &*current_; }
    Iterator& operator++() noexcept;
    void operator++(int) noexcept { ++*this; }
    [[nodiscard]] bool operator==(std::default_sentinel_t) const noexcept { return !current_; }
    // True once iteration stopped at a malformed sub-packet (rather than at the end of the buffer).
    [[nodiscard]] bool error() const noexcept { return error_; }
    // Offset of the current packet inside the compound buffer.
    [[nodiscard]] size_t offset() const noexcept { return offset_; }

   private:
    friend class RtcpCompound;
    explicit Iterator(std::span<const uint8_t> buffer) noexcept;
    void load() noexcept;

    std::span<const uint8_t> buffer_;
    size_t offset_ = 0;
    std::optional<RtcpPacket> current_;
    bool error_ = false;
  };

  // Walks every header once: valid() and packetCount() are known right after construction.
  explicit RtcpCompound(std::span<const uint8_t> buffer) noexcept;

  [[nodiscard]] Iterator begin() const noexcept { return Iterator(buffer_); }
  [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

  // True when the buffer is non-empty and consists of well-formed RTCP packets only.
  [[nodiscard]] bool valid() const noexcept { return valid_; }
  // Number of well-formed packets before the end or the first malformed one.
  [[nodiscard]] size_t packetCount() const noexcept { return packetCount_; }
  // Offset of the first malformed sub-packet (== buffer size when valid).
  [[nodiscard]] size_t errorOffset() const noexcept { return errorOffset_; }
  [[nodiscard]] std::span<const uint8_t> data() const noexcept { return buffer_; }

  // RFC 5761 §4 demultiplexing of RTP and RTCP on one port: the second byte of RTCP is a packet
  // type in 192..223 (RTP payload types 64..95 are therefore not used with rtcp-mux).
  [[nodiscard]] static bool looksLikeRtcp(std::span<const uint8_t> bytes) noexcept;

 private:
  std::span<const uint8_t> buffer_;
  size_t packetCount_ = 0;
  size_t errorOffset_ = 0;
  bool valid_ = false;
};

}  // namespace switchyard::media::rtcp
