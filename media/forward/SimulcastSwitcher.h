#pragma once
// The layer switcher of one subscriber stream of a simulcast track (issue 6): the publisher sends up
// to three encodings (RIDs "q", "h", "f"; RFC 8853 simulcast, RFC 8851 RIDs), each its own RTP
// stream with its own SSRC, sequence numbers, RTP timestamps and, for VP8, its own picture ids and
// TL0PICIDX (RFC 7741 §4.2). The subscriber gets one SSRC carrying one layer at a time; this class
// decides which packets go out and what their seq/timestamp/picture id/TL0PICIDX become so that the
// subscriber sees one continuous stream (RFC 3550 §5.1: consecutive sequence numbers, monotonic
// timestamps; RFC 7741 §4.2: consecutive picture ids and TL0PICIDX).
//
//   switcher.setTargetLayer(2);
//   const auto d = switcher.onPacket(layer, seq, ts, info, width, now);
//   if (d.needKeyframe) requestKeyframe(layerSsrc[switcher.targetLayer()]);  // rate limited by caller
//   if (d.forward) { write d.seq, d.timestamp; vp8.setPictureId(...d.pictureId); ... }
//
// - A layer becomes current only at a key frame start (PayloadInfo::keyFrame && frameStart) of the
//   target layer; until then the current layer keeps being forwarded (needKeyframe is set).
// - Within one segment (one stay on one layer) the output is the input plus fixed offsets, so
//   reordered packets keep their order and retransmissions map to the outputs of their originals.
// - At a switch the offsets are recomputed: first output seq = highest output seq + 1, timestamp =
//   highest output timestamp + the arrival time elapsed since that timestamp was first sent, at
//   90 kHz (at least 1 tick), picture id = last + 1, TL0PICIDX = last + 1.
// - Packets of other layers, and packets of the current layer older than the switch point (or more
//   than kMaxReorder behind the segment's highest, or exactly 32768 ahead of it), are dropped. The first
//   segment passes sequence numbers, timestamps and picture ids through unchanged.
//
// Data plane: no heap, no exceptions, no logs, no locks; all state is a few fixed members.
#include <chrono>
#include <cstdint>
#include <optional>

#include "media/codec/PayloadInfo.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class SimulcastSwitcher {
 public:
  using Clock = transport::Clock;

  static constexpr int kLayers = 3;  // layers 0 .. kLayers - 1
  static constexpr int kPaused = -1;
  static constexpr uint32_t kClockRate = 90000;
  // Largest timestamp advance at a switch (about 3.3 hours at 90 kHz): keeps the jump below half the
  // 32-bit timestamp space, so the new timestamp is still "newer" (RFC 1982) than the last one.
  static constexpr uint32_t kMaxTimestampAdvance = 1U << 30;
  // How far behind the highest input sequence number of the segment a packet may be and still be
  // forwarded (never further back than the switch point).
  static constexpr uint16_t kMaxReorder = 0x7fff;

  // Width of the VP8/VP9 picture id field of the input packet (RFC 7741 §4.2: M bit). The output
  // keeps it and wraps at 2^7 or 2^15 accordingly.
  enum class PictureIdWidth : uint8_t { k7Bit, k15Bit };

  struct Decision {
    bool forward = false;
    uint16_t seq = 0;
    uint32_t timestamp = 0;
    std::optional<uint16_t> pictureId;  // only when the input has one
    std::optional<uint8_t> tl0PicIdx;   // only when the input has one
    bool switched = false;              // this packet made its layer the current one
    bool needKeyframe = false;          // the target layer is not current yet: ask for a key frame
  };

  SimulcastSwitcher() noexcept = default;

  // 0 .. kLayers - 1, or kPaused (forward nothing; the current layer is left at once). False (and
  // nothing changes) for any other value.
  bool setTargetLayer(int layer) noexcept;
  [[nodiscard]] int targetLayer() const noexcept { return target_; }
  // The layer being forwarded; kPaused before the first key frame and while paused.
  [[nodiscard]] int currentLayer() const noexcept { return current_; }
  // True while the target layer is set but not current yet (the caller should have a key frame
  // requested on the target layer's SSRC).
  [[nodiscard]] bool waitingForKeyframe() const noexcept { return target_ != kPaused && current_ != target_; }

  // One RTP packet of `layer` (its own seq/timestamp space). `info` from codec::inspectPayload;
  // `width` is that of info.pictureId (ignored when it has none).
  [[nodiscard]] Decision onPacket(int layer, uint16_t seq, uint32_t timestamp, const codec::PayloadInfo& info,
                                  PictureIdWidth width, Clock::time_point arrival) noexcept;

  // The input sequence number (of currentLayer()) that the output `outputSeq` stands for, for NACKs
  // from the subscriber: nullopt when paused, or when `outputSeq` is from before the last switch or
  // beyond the highest output so far.
  [[nodiscard]] std::optional<uint16_t> inputSequenceFor(uint16_t outputSeq) const noexcept;

  [[nodiscard]] uint64_t switches() const noexcept { return switches_; }

 private:
  void startSegment(int layer, uint16_t seq, uint32_t timestamp, Clock::time_point arrival) noexcept;
  // True if input `seq` of the current layer lies between the switch point and the highest input
  // (within kMaxReorder of the highest).
  [[nodiscard]] bool inSegment(uint16_t seq) const noexcept;

  int target_ = kPaused;
  int current_ = kPaused;
  uint64_t switches_ = 0;

  // The current segment (valid while current_ != kPaused).
  uint16_t highestIn_ = 0;
  uint32_t segmentSpan_ = 0;  // from the switch point to highestIn_, saturated at kMaxReorder
  uint16_t seqOffset_ = 0;
  uint32_t tsOffset_ = 0;
  uint16_t pictureIdOffset_ = 0;  // modulo 2^15
  uint8_t tl0Offset_ = 0;
  bool pictureIdOffsetSet_ = false;
  bool tl0OffsetSet_ = false;

  // The output stream so far (kept across segments and pauses).
  bool sentAny_ = false;
  uint16_t highestOutSeq_ = 0;
  uint32_t highestOutTs_ = 0;
  Clock::time_point highestOutTsArrival_{};
  std::optional<uint16_t> lastPictureId_;  // as sent (7 or 15 bits)
  std::optional<uint8_t> lastTl0PicIdx_;
};

}  // namespace switchyard::media::forward
