#pragma once
// Receive-side loss detection for one media stream (one SSRC) of a publisher: finds the holes in
// the sequence numbers and decides when to ask for each missing packet with a generic NACK
// (RFC 4585 §6.2.1; RTCP built by rtcp::RtcpCompoundBuilder::addNack). Pure logic with injected
// time; the worker tick drives collect().
//
//   switch (nack.onPacket(packet.sequenceNumber(), now)) { ... kReset: request a keyframe }
//   ... on tick:
//   std::array<uint16_t, 64> seqs;
//   const size_t n = nack.collect(now, rtt, seqs);
//   if (n > 0) builder.addNack(ourSsrc, mediaSsrc, std::span(seqs).first(n));
//   if (nack.keyframeNeeded()) { requestKeyframe(); nack.clearKeyframeNeeded(); }
//
// Sequence numbers are extended to 64 bits relative to the highest one received
// (rtp::SeqUnwrapper, RFC 1982 serial arithmetic), so wrap-around 65535 -> 0 is seamless.
//
// A missing packet:
//  - is first requested once it has been missing for Options::reorderDelay (small reorders fill
//    the hole before that and are never NACKed);
//  - is requested again once max(rtt * 1.5, Options::minRetryInterval) has passed since its last
//    request;
//  - is given up when it is due again after Options::maxRetries requests, or once it has been
//    missing longer than Options::maxAge, or when Options::maxMissing newer holes push it out of
//    the storage (the oldest go first), or when the highest sequence number moves more than
//    Options::maxGap past it (its arrival would then be a reset). Giving up sets keyframeNeeded():
//    the decoder will not get that packet.
// A packet more than Options::maxGap before or after the highest one restarts the tracker at that
// packet (kReset): the gap is not NACKed, everything still missing is given up, keyframeNeeded()
// is set.
//
// Data plane: the storage is allocated once in the constructor; nothing after allocates, throws,
// logs or locks.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/rtp/SeqUnwrapper.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class NackGenerator {
 public:
  using Clock = transport::Clock;

  struct Options {
    // How many missing packets are remembered; when full the oldest are given up. At least 1.
    size_t maxMissing = 256;
    // A jump of more than this many sequence numbers (forward or backward) restarts the tracker.
    // Clamped to [1, 32767].
    uint16_t maxGap = 1000;
    // A hole is first NACKed after this long: a packet reordered by less arrives by itself.
    Clock::duration reorderDelay = std::chrono::milliseconds(5);
    // The least time between two requests of one packet (the retry interval is
    // max(rtt * 1.5, minRetryInterval)).
    Clock::duration minRetryInterval = std::chrono::milliseconds(20);
    // Requests per packet before it is given up.
    uint32_t maxRetries = 8;
    // A packet missing for longer than this is given up (the decoder has moved on).
    Clock::duration maxAge = std::chrono::milliseconds(1000);
  };

  enum class Result : uint8_t {
    kInOrder,    // the newest sequence number so far (holes before it, if any, are now missing)
    kRecovered,  // a missing packet arrived: a retransmission answering a NACK, or a late reorder
    kDuplicate,  // already received, given up, or older than the tracker's start
    kReset,      // more than maxGap away from the highest: the tracker restarted at this packet
  };

  struct Counters {
    uint64_t packetsMissing = 0;  // holes detected (each missing sequence number once)
    uint64_t nacksRequested = 0;  // sequence numbers written by collect()
    uint64_t recovered = 0;       // missing packets that arrived (kRecovered)
    uint64_t givenUp = 0;         // missing packets given up (retries, age, capacity, reset)
    uint64_t resets = 0;          // kReset results
  };
  // Always: recovered + givenUp + missingCount() == packetsMissing.

  NackGenerator() : NackGenerator(Options{}) {}
  explicit NackGenerator(const Options& options);

  // Records a received packet's sequence number (RTP or the original one of an RTX packet).
  Result onPacket(uint16_t seq, Clock::time_point now) noexcept;

  // Writes the sequence numbers to NACK now, oldest first (ascending, wrap-aware), at most
  // out.size() of them, and records the request for each. Also gives up packets too old or asked
  // for too often. A negative rtt counts as 0; rtt is capped at one minute. When out is too small
  // the oldest due packets are written and the rest stay due for the next call.
  size_t collect(Clock::time_point now, Clock::duration rtt, std::span<uint16_t> out) noexcept;

  // Packets were given up or the tracker restarted: the decoder needs a keyframe.
  [[nodiscard]] bool keyframeNeeded() const noexcept { return keyframeNeeded_; }
  void clearKeyframeNeeded() noexcept { keyframeNeeded_ = false; }

  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  // Missing packets currently remembered.
  [[nodiscard]] size_t missingCount() const noexcept { return missing_.size(); }
  // True when seq is currently remembered as missing.
  [[nodiscard]] bool isMissing(uint16_t seq) const noexcept;
  [[nodiscard]] const Options& options() const noexcept { return options_; }

 private:
  struct Missing {
    int64_t seq = 0;  // extended
    Clock::time_point firstSeen;
    Clock::time_point lastRequest;
    uint32_t retries = 0;  // requests so far
  };

  void addMissing(int64_t from, int64_t to, Clock::time_point now) noexcept;  // [from, to)
  void giveUpOldest(size_t count) noexcept;
  void giveUpBefore(int64_t seq) noexcept;  // extended
  void giveUpAll() noexcept;
  // Index of the entry with this extended seq, or missing_.size().
  [[nodiscard]] size_t find(int64_t seq) const noexcept;

  Options options_;
  rtp::SeqUnwrapper unwrapper_;  // its reference is the highest sequence number received
  // Ascending by extended seq; capacity options_.maxMissing, reserved once, never exceeded.
  std::vector<Missing> missing_;
  Counters counters_;
  bool keyframeNeeded_ = false;
};

}  // namespace switchyard::media::forward
