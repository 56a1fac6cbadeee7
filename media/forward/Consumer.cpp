#include "media/forward/Consumer.h"

#include <algorithm>

#include "media/forward/RtpHeaderRewriter.h"
#include "media/util/AsBytes.h"

namespace switchyard::media::forward {

Consumer::Consumer(const ConsumerSpec& spec, Producer& producer, uint16_t& transportSequence)
    : spec_(spec),
      producer_(&producer),
      transportSequence_(&transportSequence),
      writesMid_(spec.extensions.has(rtp::RtpExtension::kMid) &&
                 spec.mid.size() <= RtpHeaderRewriter::kMaxTwoByteLength) {
  onProducerUpdated();
}

void Consumer::onProducerUpdated() noexcept {
  if (!producer_->layered()) {
    switcher_.reset();
    return;
  }
  if (!switcher_) switcher_.emplace();
  switcher_->setKeepPictureIdHoles(producer_->spec().videoCodec == codec::CodecKind::Vp9);
  if (producer_->simulcast()) {
    switcher_->setStartOnAnyPacket(false);
    switcher_->setTargetSpatialLayer(SimulcastSwitcher::kAllLayers);
    switcher_->setTargetLayer(std::min(spec_.layer, producer_->layerCount() - 1));
  } else {
    switcher_->setStartOnAnyPacket(true);  // one stream: no key frame wait (as without a switcher)
    setWantedLayer(spec_.layer);
  }
  if (!switcher_->setTargetTemporalLayer(spec_.temporalLayer))
    spec_.temporalLayer = switcher_->targetTemporalLayer();
}

void Consumer::setWantedLayer(int layer) noexcept {
  spec_.layer = layer;
  if (!switcher_ || producer_->simulcast()) return;
  switcher_->setTargetLayer(layer < 0 ? SimulcastSwitcher::kPaused : 0);
  if (producer_->spec().videoCodec == codec::CodecKind::Vp9) {
    switcher_->setTargetSpatialLayer(layer >= 0 && layer < 2 ? layer : SimulcastSwitcher::kAllLayers);
  }
}

bool Consumer::setWantedTemporalLayer(int layer) noexcept {
  if (!switcher_ || !switcher_->setTargetTemporalLayer(layer)) return false;
  spec_.temporalLayer = layer;
  return true;
}

std::optional<uint8_t> Consumer::payloadTypeFor(Producer::PayloadKind kind) const noexcept {
  switch (kind) {
    case Producer::PayloadKind::kMedia:
      return spec_.payloadType;
    case Producer::PayloadKind::kDtmf:
      return spec_.dtmfPayloadType;
    case Producer::PayloadKind::kRtx:
    case Producer::PayloadKind::kUnknown:
      break;
  }
  return std::nullopt;
}

std::span<const uint8_t> Consumer::midBytes() const noexcept {
  if (!writesMid_) return {};
  return util::asBytes(spec_.mid);
}

bool Consumer::acceptFir(uint8_t seqNr) noexcept {
  if (lastFirSeqNr_ && *lastFirSeqNr_ == seqNr) return false;
  lastFirSeqNr_ = seqNr;
  return true;
}

void Consumer::onReportBlock(uint32_t lastSr, uint32_t delaySinceLastSr, Clock::time_point now) noexcept {
  if (lastSr == 0 || lastSrCompactNtp_ != lastSr) return;  // not (or no longer) our last SR
  // DLSR is in 1/65536 s.
  const auto delay = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<int64_t, std::ratio<1, 65536>>(delaySinceLastSr));
  const Clock::duration rtt = now - lastSrSentAt_ - delay;
  if (rtt < Clock::duration::zero() || rtt > std::chrono::seconds(10)) return;  // clock trouble: ignore
  rtt_ = rtt;
}

}  // namespace switchyard::media::forward
