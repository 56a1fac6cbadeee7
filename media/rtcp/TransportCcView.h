#pragma once
// Transport-wide congestion control feedback (PT=205, FMT=15),
// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1:
//
//  |V=2|P|  FMT=15 |    PT=205     |           length              |
//  |                     SSRC of packet sender                     |
//  |                      SSRC of media source                     |
//  |      base sequence number     |      packet status count      |
//  |                 reference time                | fb pkt. count |
//  |          packet chunk         |         packet chunk          |
//  .                                                               .
//  |         packet chunk          |  recv delta   |  recv delta   |
//  .                                                               .
//  |           recv delta          |  recv delta   | zero padding  |
//
// Packet chunks (§3.1.2-3.1.4) are run-length chunks (0|SS|13-bit run) or status vector chunks
// (1|0|14 one-bit symbols or 1|1|7 two-bit symbols). Symbols (§3.1.1): 00 not received,
// 01 received with a 1-byte unsigned delta, 10 received with a 2-byte signed delta, 11 reserved
// (rejected, as libwebrtc does). Deltas (§3.1.5) are in 250 µs ticks; the first is relative to
// the reference time (signed 24-bit, 64 ms units = 256 ticks), each next one to the previous
// received packet.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

struct TwccPacketStatus {
  uint16_t seq = 0;
  bool received = false;
  int32_t deltaTicks = 0;    // receive delta in 250 µs ticks (0 when not received)
  int64_t arrivalTicks = 0;  // reference time * 256 + running sum of deltas (0 when not received)

  [[nodiscard]] int64_t arrivalUs() const noexcept { return arrivalTicks * 250; }
  bool operator==(const TwccPacketStatus&) const = default;
};

class TransportCcView {
 public:
  static constexpr int64_t kDeltaTickUs = 250;
  static constexpr int64_t kReferenceTimeTicks = 256;  // 64 ms
  static constexpr size_t kFixedFciSize = 8;

  // Walks the status of every packet without heap; the view has checked every chunk and delta.
  class PacketReader {
   public:
    explicit PacketReader(const TransportCcView& view) noexcept;
    bool next(TwccPacketStatus& status) noexcept;

   private:
    std::span<const uint8_t> fci_;
    size_t chunkPos_;
    size_t deltaPos_;
    size_t remaining_;
    uint16_t seq_;
    int64_t arrivalTicks_;
    uint16_t chunk_ = 0;
    size_t chunkSymbols_ = 0;  // symbols of the current chunk still to read
    size_t chunkIndex_ = 0;
  };

  // nullopt unless PT=205, FMT=15, the packet status count is non-zero, the chunks cover it, no
  // reserved symbol is used and every receive delta lies inside the FCI. Trailing bytes after
  // the deltas (zero padding) are ignored.
  [[nodiscard]] static std::optional<TransportCcView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept { return feedback_.senderSsrc(); }
  [[nodiscard]] uint32_t mediaSsrc() const noexcept { return feedback_.mediaSsrc(); }
  [[nodiscard]] uint16_t baseSeq() const noexcept;
  [[nodiscard]] uint16_t statusCount() const noexcept;
  // Signed 24-bit reference time in 64 ms units, and its raw 24 bits.
  [[nodiscard]] int32_t referenceTime() const noexcept;
  [[nodiscard]] uint32_t referenceTimeRaw() const noexcept;
  [[nodiscard]] uint8_t fbPktCount() const noexcept;
  [[nodiscard]] size_t receivedCount() const noexcept { return receivedCount_; }

  // Calls visit(const TwccPacketStatus&) for each of the statusCount() packets, in order.
  template <typename F>
  void forEachPacket(F&& visit) const noexcept {
    PacketReader reader(*this);
    TwccPacketStatus status;
    while (reader.next(status))
      visit(static_cast<const TwccPacketStatus&>(status));
  }

 private:
  TransportCcView(FeedbackView feedback, size_t deltaOffset, size_t receivedCount) noexcept
      : feedback_(feedback), deltaOffset_(deltaOffset), receivedCount_(receivedCount) {}

  FeedbackView feedback_;
  size_t deltaOffset_;  // in the FCI
  size_t receivedCount_;
};

}  // namespace switchyard::media::rtcp
