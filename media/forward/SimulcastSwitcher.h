#pragma once
// The layer switcher of one subscriber stream of a video track (issue 6). It selects three things:
//
// - The stream layer of a simulcast track: the publisher sends up to three encodings (RIDs "q",
//   "h", "f"; RFC 8853 simulcast, RFC 8851 RIDs), each its own RTP stream with its own SSRC,
//   sequence numbers, RTP timestamps and, for VP8, its own picture ids and TL0PICIDX (RFC 7741
//   §4.2). The subscriber gets one SSRC carrying one layer at a time. A track without simulcast is
//   stream layer 0.
// - The temporal layer (VP8 TID, VP9 TID): frames above the target are dropped.
// - The spatial layer of a VP9 SVC stream (one RTP stream, several spatial layers per picture, e.g.
//   Chromium's scalabilityMode "L3T3_KEY"): layer frames above the target are dropped.
//
// It decides which packets go out and what their seq/timestamp/picture id/TL0PICIDX/marker become so
// that the subscriber sees one continuous stream (RFC 3550 §5.1: consecutive sequence numbers,
// monotonic timestamps; RFC 7741 §4.2 and RFC 9628 §4.2: consecutive picture ids and TL0PICIDX).
//
//   switcher.setTargetLayer(2);
//   switcher.setTargetTemporalLayer(0);
//   const auto d = switcher.onPacket(layer, seq, ts, info, width, now);
//   if (d.needKeyframe) requestKeyframe(layerSsrc[switcher.targetLayer()]);  // rate limited by caller
//   if (d.forward) { write d.seq, d.timestamp, marker || d.marker; vp8.setPictureId(...d.pictureId); }
//
// Stream layers:
// - A layer becomes current only at a key frame start (PayloadInfo::keyFrame && frameStart) of the
//   target layer (with setStartOnAnyPacket, the very first one at any packet: a track without
//   simulcast, whose subscriber's decoder waits for a key frame anyway; a resume after a pause waits
//   for one); until then the current layer keeps being forwarded (needKeyframe is set).
// - At a switch the numbering restarts: first output seq = highest output seq + 1, timestamp =
//   highest output timestamp + the arrival time elapsed since that timestamp was first sent, at
//   90 kHz (at least 1 tick), picture id = last + 1, TL0PICIDX = last + 1. The first segment passes
//   sequence numbers, timestamps and picture ids through unchanged.
// - Packets of other layers, and packets of the current layer older than the switch point (or more
//   than kMaxReorder behind the segment's highest, or exactly 32768 ahead of it), are dropped.
// Pictures (all packets with one RTP timestamp: a VP8 frame, a VP9 picture of all spatial layers),
// decided at the first packet of the picture that arrives in order:
// - Temporal: a picture with TID above the current temporal layer is dropped whole. Down-switch at
//   the next picture; up-switch at a picture whose TID is above the current layer and at or below the
//   target with the switching bit set (VP8 Y, VP9 U: it depends only on lower layers; the current
//   layer becomes its TID), or at a key frame (the current layer becomes the target). No key frame
//   is asked for a temporal up-switch.
// - Spatial (k-SVC: upper spatial layers depend on lower ones only at key pictures): down-switch at
//   the next picture; up-switch only at a key picture (needKeyframe is set meanwhile). Layer frames
//   with SID above the picture's spatial layer are dropped; the packet that ends the frame of that
//   layer (VP9 E bit) gets the RTP marker (Decision::marker), since the publisher marks the end of
//   the top layer it sent (RFC 9628 §4.1). If the picture lacks that layer (the encoder skipped it),
//   the picture goes out without a marker (not detectable before the next picture).
// - Dropped packets leave no holes (RenumberWindow): later sequence numbers and (VP8) picture ids
//   move down, so the subscriber neither NACKs nor sees a lost frame (VP9 keeps picture id holes:
//   setKeepPictureIdHoles); TL0 pictures are never dropped, so TL0PICIDX needs no renumbering. A late packet
//   (reordered, repaired) gets the decision of its picture when the picture is among the last
//   kPictureHistory, else that of the current layers; a late packet that is dropped leaves its number unused
//   (a hole).
// - Within a segment every input maps to one output, so retransmissions map to the outputs of their
//   originals, and inputSequenceFor() maps NACKed outputs back (nothing for dropped inputs).
//
// Data plane: no heap, no exceptions, no logs, no locks; all state is fixed members.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "media/codec/PayloadInfo.h"
#include "media/forward/RenumberWindow.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class SimulcastSwitcher {
 public:
  using Clock = transport::Clock;

  static constexpr int kLayers = 3;  // layers 0 .. kLayers - 1
  static constexpr int kPaused = -1;
  // Temporal and spatial targets are 0 .. kAllLayers; kAllLayers (the largest VP9 TID/SID) keeps all.
  static constexpr int kAllLayers = 7;
  // Recent pictures whose decisions are kept for late packets.
  static constexpr size_t kPictureHistory = 32;
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
    bool marker = false;                // set the RTP marker bit (the input's may be clear)
    bool switched = false;              // this packet made its layer the current one (numbering restarts)
    bool needKeyframe = false;          // the target layer is not current yet: ask for a key frame
  };

  SimulcastSwitcher() noexcept = default;

  // 0 .. kLayers - 1, or kPaused (forward nothing; the current layer is left at once). False (and
  // nothing changes) for any other value.
  bool setTargetLayer(int layer) noexcept;
  [[nodiscard]] int targetLayer() const noexcept { return target_; }
  // The layer being forwarded; kPaused before the first key frame and while paused.
  [[nodiscard]] int currentLayer() const noexcept { return current_; }
  // 0 .. kAllLayers; false (nothing changes) otherwise. See the header comment for when they apply.
  bool setTargetTemporalLayer(int layer) noexcept;
  bool setTargetSpatialLayer(int layer) noexcept;
  [[nodiscard]] int targetTemporalLayer() const noexcept { return targetTemporal_; }
  [[nodiscard]] int targetSpatialLayer() const noexcept { return targetSpatial_; }
  [[nodiscard]] int currentTemporalLayer() const noexcept { return currentTemporal_; }
  [[nodiscard]] int currentSpatialLayer() const noexcept { return currentSpatial_; }
  // A track without simulcast: the stream starts at any packet within the temporal and spatial targets
  // instead of waiting for a key frame (a resume after a pause still waits for one).
  void setStartOnAnyPacket(bool any) noexcept { startOnAnyPacket_ = any; }
  // VP9: a dropped picture keeps its picture id (a hole in the output). A VP9 receiver places a
  // picture of a non-flexible stream in its group of pictures by the picture id distance to the TL0
  // picture (RFC 9628 §4.2.1; libwebrtc's reference finder drops what does not match), and a flexible
  // one finds references by picture id differences (P_DIFF): renumbering would break both, while holes
  // of unreferenced upper temporal layers are harmless. VP8 (the default: holes closed) receivers wait
  // for every picture id between a frame and its references (RFC 7741 §4.2).
  void setKeepPictureIdHoles(bool keep) noexcept { keepPictureIdHoles_ = keep; }
  // True while the target layer is set but not current yet, or a higher spatial layer waits for its
  // key picture (the caller should have a key frame requested on the target layer's SSRC).
  [[nodiscard]] bool waitingForKeyframe() const noexcept {
    return target_ != kPaused && (current_ != target_ || currentSpatial_ < targetSpatial_);
  }

  // One RTP packet of `layer` (its own seq/timestamp space). `info` from codec::inspectPayload;
  // `width` is that of info.pictureId (ignored when it has none).
  [[nodiscard]] Decision onPacket(int layer, uint16_t seq, uint32_t timestamp, const codec::PayloadInfo& info,
                                  PictureIdWidth width, Clock::time_point arrival) noexcept;

  // The output RTP timestamp for input timestamp `timestamp` of `layer` (a sender report's RTP
  // time): nullopt unless `layer` is the current one.
  [[nodiscard]] std::optional<uint32_t> outputTimestampFor(int layer, uint32_t timestamp) const noexcept {
    if (current_ == kPaused || layer != current_) return std::nullopt;
    return timestamp + tsOffset_;
  }

  // The input sequence number (of currentLayer()) that the output `outputSeq` stands for, for NACKs
  // from the subscriber: nullopt when paused, or when `outputSeq` is from before the last switch,
  // beyond the highest output so far, or stands for nothing (a number left unused by a late drop).
  [[nodiscard]] std::optional<uint16_t> inputSequenceFor(uint16_t outputSeq) const noexcept;

  [[nodiscard]] uint64_t switches() const noexcept { return switches_; }

 private:
  struct Picture {
    uint32_t timestamp = 0;
    int spatial = 0;  // layer frames above it are dropped
    bool forward = false;
  };

  void startSegment(int layer, uint16_t seq, uint32_t timestamp, Clock::time_point arrival) noexcept;
  // The first in-order packet of a new picture: applies the temporal and spatial switching rules.
  Picture& decidePicture(uint32_t timestamp, const codec::PayloadInfo& info) noexcept;
  [[nodiscard]] const Picture* findPicture(uint32_t timestamp) const noexcept;
  // The output picture id of a packet of a picture that goes out (`pictureForward`), or nullopt.
  std::optional<uint16_t> mapPictureId(uint16_t in, PictureIdWidth width, bool inOrder, bool pictureForward,
                                       bool packetForward) noexcept;

  int target_ = kPaused;
  int current_ = kPaused;
  int targetTemporal_ = kAllLayers;
  int currentTemporal_ = kAllLayers;
  int targetSpatial_ = kAllLayers;
  int currentSpatial_ = kAllLayers;
  bool startOnAnyPacket_ = false;
  bool keepPictureIdHoles_ = false;
  uint64_t switches_ = 0;

  // The current segment (valid while current_ != kPaused).
  RenumberWindow seq_;
  RenumberWindow pictureIds_;
  bool pictureIdsSet_ = false;
  PictureIdWidth pictureIdWidth_ = PictureIdWidth::k15Bit;
  uint32_t tsOffset_ = 0;
  uint8_t tl0Offset_ = 0;
  bool tl0OffsetSet_ = false;
  std::array<Picture, kPictureHistory> pictures_{};
  size_t pictureCount_ = 0;
  size_t newestPicture_ = 0;

  // The output stream so far (kept across segments and pauses).
  bool sentAny_ = false;
  uint16_t highestOutSeq_ = 0;
  uint32_t highestOutTs_ = 0;
  Clock::time_point highestOutTsArrival_{};
  std::optional<uint16_t> lastPictureId_;  // as sent (7 or 15 bits)
  std::optional<uint8_t> lastTl0PicIdx_;
};

}  // namespace switchyard::media::forward
