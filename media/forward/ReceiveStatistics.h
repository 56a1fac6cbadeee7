#pragma once
// Reception statistics of one received media stream (one SSRC of a publisher), for the report
// block the SFU sends back in its receiver reports (RFC 3550 §6.4.1, §6.4.2). Follows the
// reference code of RFC 3550 appendix A:
//  - A.1 sequence number tracking: base_seq, max_seq, cycles (the extended highest sequence number
//    is cycles + max_seq), the MAX_DROPOUT = 3000 / MAX_MISORDER = 100 rules, and the restart
//    after a very large jump when the next packet is the one after it (bad_seq);
//  - A.3 expected = extended_max - base_seq + 1, cumulative lost = expected - received (duplicates
//    count as received, so it can go negative), fraction lost over the interval since the
//    previous report block (expected_prior / received_prior);
//  - A.8 interarrival jitter in RTP timestamp units, the integer form with gain 1/16 (the state
//    is jitter * 16, the report is that >> 4).
// Simplification of A.1: there is no probation (MIN_SEQUENTIAL). The first packet initialises
// the source at once (init_seq, received = 1): a publisher's stream is already known from the
// SDP and authenticated by SRTP, so a single stray packet is no concern here.
//
// Arrival times are converted to RTP units with the stream's clock rate (an exact integer
// conversion from a reference at the first packet). Jitter uses every packet update_seq accepts,
// as in A.8 (duplicates and reorders included); the first packet, and the first after a restart
// (a new timestamp base), only set the transit time.
//
//   stats.onPacket(packet.sequenceNumber(), packet.timestamp(), now);       // every RTP packet
//   stats.onSenderReport(sr.ntpTimestamp(), now);                           // SR from the publisher
//   if (stats.received() > 0) builder.addReportBlock(stats.reportBlock(mediaSsrc, now));
//
// Data plane: no allocation, no exceptions, no logging, no locks.
#include <chrono>
#include <cstdint>
#include <optional>

#include "media/rtcp/ReportBlock.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class ReceiveStatistics {
 public:
  using Clock = transport::Clock;

  static constexpr uint16_t kMaxDropout = 3000;  // RFC 3550 A.1 MAX_DROPOUT
  static constexpr uint16_t kMaxMisorder = 100;  // RFC 3550 A.1 MAX_MISORDER

  // clockRate: the RTP clock rate of the stream's codec in Hz (90000 for video, 48000 for Opus);
  // 0 is taken as 1.
  explicit ReceiveStatistics(uint32_t clockRate) noexcept : clockRate_(clockRate == 0 ? 1 : clockRate) {}

  // One received RTP packet (update_seq of A.1, then the jitter of A.8). A packet after a very
  // large jump (>= MAX_DROPOUT ahead or > MAX_MISORDER behind) is not counted, unless it is the
  // one right after the previous such packet: then the source restarts there (init_seq).
  void onPacket(uint16_t seq, uint32_t rtpTimestamp, Clock::time_point arrival) noexcept;

  // A sender report from this stream's sender: remembers LSR (the middle 32 bits of its 64-bit
  // NTP timestamp) and when it arrived, for the next report blocks' LSR and DLSR (§6.4.1).
  void onSenderReport(uint64_t ntpTimestamp, Clock::time_point arrival) noexcept;

  // The report block for `ssrc` (the media SSRC reported on) at `now`; starts a new interval for
  // the fraction lost (A.3). Cumulative lost is clamped to the signed 24-bit range; LSR and DLSR
  // (in 1/65536 s) are 0 until a sender report arrives. All zero before the first packet.
  [[nodiscard]] rtcp::ReportBlock reportBlock(uint32_t ssrc, Clock::time_point now) noexcept;

  // Packets counted (duplicates included), since the source started or restarted.
  [[nodiscard]] uint64_t received() const noexcept { return received_; }
  // extended_max - base_seq + 1 (0 before the first packet).
  [[nodiscard]] int64_t expected() const noexcept;
  // expected - received, unclamped.
  [[nodiscard]] int64_t cumulativeLost() const noexcept;
  // cycles + max_seq: the extended highest sequence number received.
  [[nodiscard]] int64_t extendedHighestSeq() const noexcept { return cycles_ + maxSeq_; }
  // Interarrival jitter in RTP timestamp units (A.8: the state >> 4).
  [[nodiscard]] uint32_t jitter() const noexcept;
  [[nodiscard]] uint32_t clockRate() const noexcept { return clockRate_; }

 private:
  void initSeq(uint16_t seq) noexcept;
  // A.1 update_seq: false when the packet is not counted.
  bool updateSeq(uint16_t seq) noexcept;
  void updateJitter(uint32_t rtpTimestamp, Clock::time_point arrival) noexcept;
  // arrival in RTP units since firstArrival_, modulo 2^32.
  [[nodiscard]] uint32_t arrivalRtp(Clock::time_point arrival) const noexcept;

  uint32_t clockRate_;
  bool started_ = false;
  uint16_t maxSeq_ = 0;         // highest seq number seen
  int64_t cycles_ = 0;          // count of seq number cycles, times 65536 (as in A.1)
  uint16_t baseSeq_ = 0;        // base seq number
  uint32_t badSeq_ = 0;         // last 'bad' seq number + 1; 65537 when none
  uint64_t received_ = 0;       // packets received
  int64_t expectedPrior_ = 0;   // expected at the last report block
  uint64_t receivedPrior_ = 0;  // received at the last report block

  Clock::time_point firstArrival_;       // reference for arrivalRtp()
  std::optional<uint32_t> lastTransit_;  // relative transit time of the previous packet
  uint64_t jitter16_ = 0;                // estimated jitter, times 16

  uint32_t lastSr_ = 0;
  std::optional<Clock::time_point> lastSrArrival_;
};

}  // namespace switchyard::media::forward
