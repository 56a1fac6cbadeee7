#include "media/forward/SimulcastSwitcher.h"

#include <algorithm>

#include "media/rtp/SequenceNumber.h"

namespace switchyard::media::forward {

namespace {

constexpr uint16_t kPictureIdMask15 = 0x7fff;
constexpr uint16_t kPictureIdMask7 = 0x7f;

uint16_t pictureIdMask(SimulcastSwitcher::PictureIdWidth width) noexcept {
  return width == SimulcastSwitcher::PictureIdWidth::k7Bit ? kPictureIdMask7 : kPictureIdMask15;
}

// `elapsed` in 90 kHz ticks, clamped to [1, kMaxTimestampAdvance].
uint32_t timestampAdvance(SimulcastSwitcher::Clock::duration elapsed) noexcept {
  constexpr int64_t kMaxMicros =
      int64_t{SimulcastSwitcher::kMaxTimestampAdvance} * 1'000'000 / int64_t{SimulcastSwitcher::kClockRate};
  const int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  if (micros <= 0) return 1;
  if (micros >= kMaxMicros) return SimulcastSwitcher::kMaxTimestampAdvance;
  const int64_t ticks = micros * int64_t{SimulcastSwitcher::kClockRate} / 1'000'000;
  return static_cast<uint32_t>(std::max<int64_t>(ticks, 1));
}

// `a` is ahead of `b` by 1 .. 32767. Unlike rtp::seqNewer, a distance of exactly 32768 is never
// ahead: its RFC 1982 tie-break by plain value could differ between an input and its output.
bool ahead(uint16_t a, uint16_t b) noexcept {
  const auto forward = static_cast<uint16_t>(a - b);
  return forward != 0 && forward < 0x8000;
}

}  // namespace

bool SimulcastSwitcher::setTargetLayer(int layer) noexcept {
  if (layer != kPaused && (layer < 0 || layer >= kLayers)) return false;
  target_ = layer;
  if (layer == kPaused) current_ = kPaused;
  return true;
}

bool SimulcastSwitcher::inSegment(uint16_t seq) const noexcept {
  if (seq == highestIn_ || ahead(seq, highestIn_)) return true;
  return static_cast<uint16_t>(highestIn_ - seq) <= segmentSpan_;
}

void SimulcastSwitcher::startSegment(int layer, uint16_t seq, uint32_t timestamp,
                                     Clock::time_point arrival) noexcept {
  current_ = layer;
  highestIn_ = seq;
  segmentSpan_ = 0;
  pictureIdOffsetSet_ = false;
  tl0OffsetSet_ = false;
  ++switches_;
  if (!sentAny_) {
    seqOffset_ = 0;
    tsOffset_ = 0;
    return;
  }
  seqOffset_ = static_cast<uint16_t>(highestOutSeq_ + 1U - seq);
  tsOffset_ = highestOutTs_ + timestampAdvance(arrival - highestOutTsArrival_) - timestamp;
}

SimulcastSwitcher::Decision SimulcastSwitcher::onPacket(int layer, uint16_t seq, uint32_t timestamp,
                                                        const codec::PayloadInfo& info, PictureIdWidth width,
                                                        Clock::time_point arrival) noexcept {
  Decision decision;
  if (layer < 0 || layer >= kLayers) {
    decision.needKeyframe = waitingForKeyframe();
    return decision;
  }
  bool inOrder = false;
  if (layer == target_ && current_ != target_ && info.keyFrame && info.frameStart) {
    startSegment(layer, seq, timestamp, arrival);
    decision.switched = true;
    inOrder = true;
  } else if (layer != current_ || !inSegment(seq)) {
    decision.needKeyframe = waitingForKeyframe();
    return decision;
  } else if (ahead(seq, highestIn_)) {
    segmentSpan_ = std::min<uint32_t>(segmentSpan_ + static_cast<uint16_t>(seq - highestIn_), kMaxReorder);
    highestIn_ = seq;
    inOrder = true;
  }

  decision.forward = true;
  decision.seq = static_cast<uint16_t>(seq + seqOffset_);
  decision.timestamp = timestamp + tsOffset_;

  if (info.pictureId) {
    const uint16_t mask = pictureIdMask(width);
    const auto in = static_cast<uint16_t>(*info.pictureId & mask);
    if (!pictureIdOffsetSet_) {
      pictureIdOffset_ = lastPictureId_
                             ? static_cast<uint16_t>((*lastPictureId_ + 1U - in) & kPictureIdMask15)
                             : uint16_t{0};
      pictureIdOffsetSet_ = true;
    }
    const auto out = static_cast<uint16_t>((in + pictureIdOffset_) & mask);
    decision.pictureId = out;
    if (inOrder || !lastPictureId_) lastPictureId_ = out;
  }
  if (info.tl0PicIdx) {
    if (!tl0OffsetSet_) {
      tl0Offset_ = lastTl0PicIdx_ ? static_cast<uint8_t>(*lastTl0PicIdx_ + 1U - *info.tl0PicIdx) : uint8_t{0};
      tl0OffsetSet_ = true;
    }
    const auto out = static_cast<uint8_t>(*info.tl0PicIdx + tl0Offset_);
    decision.tl0PicIdx = out;
    if (inOrder || !lastTl0PicIdx_) lastTl0PicIdx_ = out;
  }

  if (inOrder) highestOutSeq_ = decision.seq;  // the first packet ever is a switch, so in order
  if (!sentAny_ || rtp::timestampNewer(decision.timestamp, highestOutTs_)) {
    highestOutTs_ = decision.timestamp;
    highestOutTsArrival_ = arrival;
  }
  sentAny_ = true;
  decision.needKeyframe = waitingForKeyframe();
  return decision;
}

std::optional<uint16_t> SimulcastSwitcher::inputSequenceFor(uint16_t outputSeq) const noexcept {
  if (current_ == kPaused) return std::nullopt;
  const auto in = static_cast<uint16_t>(outputSeq - seqOffset_);
  if (ahead(in, highestIn_)) return std::nullopt;
  if (static_cast<uint16_t>(highestIn_ - in) > segmentSpan_) return std::nullopt;
  return in;
}

}  // namespace switchyard::media::forward
