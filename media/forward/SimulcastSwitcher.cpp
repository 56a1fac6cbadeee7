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

}  // namespace

bool SimulcastSwitcher::setTargetLayer(int layer) noexcept {
  if (layer != kPaused && (layer < 0 || layer >= kLayers)) return false;
  target_ = layer;
  if (layer == kPaused) current_ = kPaused;
  return true;
}

bool SimulcastSwitcher::setTargetTemporalLayer(int layer) noexcept {
  if (layer < 0 || layer > kAllLayers) return false;
  targetTemporal_ = layer;
  return true;
}

bool SimulcastSwitcher::setTargetSpatialLayer(int layer) noexcept {
  if (layer < 0 || layer > kAllLayers) return false;
  targetSpatial_ = layer;
  return true;
}

void SimulcastSwitcher::startSegment(int layer, uint16_t seq, uint32_t timestamp,
                                     Clock::time_point arrival) noexcept {
  current_ = layer;
  currentTemporal_ = targetTemporal_;
  currentSpatial_ = targetSpatial_;
  pictureIdsSet_ = false;
  tl0OffsetSet_ = false;
  pictureCount_ = 0;
  ++switches_;
  if (!sentAny_) {
    seq_.reset(0xffff, seq, seq);
    tsOffset_ = 0;
    return;
  }
  seq_.reset(0xffff, seq, static_cast<uint16_t>(highestOutSeq_ + 1U));
  tsOffset_ = highestOutTs_ + timestampAdvance(arrival - highestOutTsArrival_) - timestamp;
}

SimulcastSwitcher::Picture& SimulcastSwitcher::decidePicture(uint32_t timestamp,
                                                             const codec::PayloadInfo& info) noexcept {
  const int temporal = info.temporalLayer;
  if (info.keyFrame && info.frameStart) {
    currentTemporal_ = targetTemporal_;
    currentSpatial_ = targetSpatial_;
  } else {
    if (targetTemporal_ < currentTemporal_) {
      currentTemporal_ = targetTemporal_;
    } else if (info.layerSync && temporal > currentTemporal_ && temporal <= targetTemporal_) {
      currentTemporal_ = temporal;  // decodable from the lower layers, which the subscriber has
    }
    if (targetSpatial_ < currentSpatial_) currentSpatial_ = targetSpatial_;
  }
  newestPicture_ = pictureCount_ == 0 ? 0 : (newestPicture_ + 1) % kPictureHistory;
  pictureCount_ = std::min(pictureCount_ + 1, kPictureHistory);
  Picture& picture = pictures_[newestPicture_];
  picture.timestamp = timestamp;
  picture.spatial = currentSpatial_;
  picture.forward = (info.keyFrame && info.frameStart) || temporal <= currentTemporal_;
  return picture;
}

const SimulcastSwitcher::Picture* SimulcastSwitcher::findPicture(uint32_t timestamp) const noexcept {
  for (size_t i = 0; i < pictureCount_; ++i) {
    const Picture& p = pictures_[(newestPicture_ + kPictureHistory - i) % kPictureHistory];
    if (p.timestamp == timestamp) return &p;
  }
  return nullptr;
}

std::optional<uint16_t> SimulcastSwitcher::mapPictureId(uint16_t pictureId, PictureIdWidth width,
                                                        bool inOrder, bool pictureForward,
                                                        bool packetForward) noexcept {
  const uint16_t mask = pictureIdMask(width);
  const auto in = static_cast<uint16_t>(pictureId & mask);
  // (Re)start the numbering at a forwarded in-order packet: the first picture id of the segment, a
  // change of width, or a jump the window cannot place: it continues at the last one sent + 1.
  const auto restart = [&]() -> std::optional<uint16_t> {
    const uint16_t out = lastPictureId_ ? static_cast<uint16_t>((*lastPictureId_ + 1U) & mask) : in;
    pictureIds_.reset(mask, in, out);
    pictureIdsSet_ = true;
    pictureIdWidth_ = width;
    return out;
  };
  if (!pictureIdsSet_ || pictureIdWidth_ != width) {
    if (inOrder && packetForward) return restart();
    return std::nullopt;
  }
  if (pictureIds_.isNewer(in)) {
    if (!inOrder) return std::nullopt;
    // A dropped picture's id is not used: the next forwarded picture takes it (unless holes are kept).
    const std::optional<uint16_t> out = pictureIds_.advance(in, !pictureForward && !keepPictureIdHoles_);
    return packetForward ? out : std::nullopt;
  }
  if (!packetForward) return std::nullopt;
  if (const std::optional<uint16_t> out = pictureIds_.outputFor(in)) return out;
  if (inOrder) return restart();
  return std::nullopt;
}

SimulcastSwitcher::Decision SimulcastSwitcher::onPacket(int layer, uint16_t seq, uint32_t timestamp,
                                                        const codec::PayloadInfo& info, PictureIdWidth width,
                                                        Clock::time_point arrival) noexcept {
  Decision decision;
  if (layer < 0 || layer >= kLayers) {
    decision.needKeyframe = waitingForKeyframe();
    return decision;
  }
  const int temporal = info.temporalLayer;
  const int spatial = info.spatialLayer;
  const bool keyStart = info.keyFrame && info.frameStart;
  bool inOrder = false;
  bool pictureForward = false;
  int pictureSpatial = currentSpatial_;
  if (layer == target_ && current_ != target_ && spatial <= targetSpatial_ &&
      (keyStart || (startOnAnyPacket_ && !sentAny_ && temporal <= targetTemporal_))) {
    startSegment(layer, seq, timestamp, arrival);
    const Picture& picture = decidePicture(timestamp, info);
    pictureForward = picture.forward;
    pictureSpatial = picture.spatial;
    decision.switched = true;
    inOrder = true;
  } else if (layer != current_) {
    decision.needKeyframe = waitingForKeyframe();
    return decision;
  } else if (seq_.isNewer(seq)) {
    inOrder = true;
    const Picture* newest = pictureCount_ > 0 ? &pictures_[newestPicture_] : nullptr;
    const Picture& picture =
        newest != nullptr && newest->timestamp == timestamp ? *newest : decidePicture(timestamp, info);
    pictureForward = picture.forward;
    pictureSpatial = picture.spatial;
  } else {
    if (!seq_.outputFor(seq)) {  // from before the switch point, dropped, or no longer placeable
      decision.needKeyframe = waitingForKeyframe();
      return decision;
    }
    if (const Picture* picture = findPicture(timestamp)) {
      pictureForward = picture->forward;
      pictureSpatial = picture->spatial;
    } else {
      pictureForward = temporal <= currentTemporal_;
    }
  }

  bool forward = pictureForward && spatial <= pictureSpatial;
  std::optional<uint16_t> pictureId;
  if (info.pictureId) {
    pictureId = mapPictureId(*info.pictureId, width, inOrder, pictureForward, forward);
    if (!pictureId) forward = false;  // cannot be numbered: not sent
  }

  std::optional<uint16_t> seqOut;
  if (decision.switched) {
    seqOut = seq_.outputFor(seq);
  } else if (inOrder) {
    seqOut = seq_.advance(seq, !forward);
  } else if (forward) {
    seqOut = seq_.outputFor(seq);
  } else {
    seq_.skip(seq);
  }
  if (!forward || !seqOut) {
    decision.needKeyframe = waitingForKeyframe();
    return decision;
  }

  decision.forward = true;
  decision.seq = *seqOut;
  decision.timestamp = timestamp + tsOffset_;
  decision.marker = info.frameEnd.value_or(false) && spatial == pictureSpatial;
  if (pictureId) {
    decision.pictureId = pictureId;
    if (inOrder || !lastPictureId_) lastPictureId_ = pictureId;
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
  return seq_.inputFor(outputSeq);
}

}  // namespace switchyard::media::forward
