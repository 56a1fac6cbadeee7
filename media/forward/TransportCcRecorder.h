#pragma once
// Transport-wide congestion control feedback toward one publisher transport
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): records the arrival time of each packet by
// the transport-wide sequence number the publisher wrote into it, and turns what arrived since the
// last feedback into the list TransportCcWriter encodes. The publisher's send-side bandwidth
// estimator (Chromium's GCC) needs this feedback to raise its estimate, e.g. to turn on its upper
// simulcast layers.
//
// Each feedback starts right after the previous one's last sequence number, so packets lost at the
// border are reported as lost; packets that arrive after their place was reported are dropped.
// Fixed capacity (allocated at construction); data path noexcept and allocation-free.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/TransportCcWriter.h"
#include "media/rtp/SeqUnwrapper.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class TransportCcRecorder {
 public:
  using Clock = transport::Clock;
  // Packets recorded between two feedbacks at most (more are counted and dropped); the list built
  // from them (with gaps) is at most kMaxReported long.
  static constexpr size_t kCapacity = 512;
  static constexpr size_t kMaxReported = 256;  // one feedback packet stays well under 1200 bytes

  void onPacket(uint16_t transportSequence, Clock::time_point arrival) noexcept;
  // Writes the packets to report (ascending, the first one possibly a "not received" placeholder
  // for a gap after the previous feedback) into `out` and forgets them. 0 when nothing arrived.
  size_t take(std::span<rtcp::TwccPacket> out) noexcept;
  [[nodiscard]] size_t pending() const noexcept { return count_; }
  // The feedback packet count (fb pkt count field), incremented by each take() that returns > 0.
  [[nodiscard]] uint8_t feedbackCount() const noexcept { return feedbackCount_; }
  [[nodiscard]] uint64_t dropped() const noexcept { return dropped_; }

 private:
  struct Entry {
    int64_t seq = 0;  // unwrapped
    int64_t arrivalUs = 0;
  };
  std::array<Entry, kCapacity> entries_{};
  size_t count_ = 0;
  rtp::SeqUnwrapper unwrapper_;
  std::optional<int64_t> lastReported_;  // unwrapped sequence number of the last reported packet
  uint8_t feedbackCount_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace switchyard::media::forward
