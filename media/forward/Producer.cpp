#include "media/forward/Producer.h"

#include <algorithm>
#include <cstring>

#include "media/forward/Consumer.h"

namespace switchyard::media::forward {

Producer::Producer(const ProducerSpec& spec, Clock::duration keyframeInterval, size_t retransmissionPackets)
    : spec_(spec), keyframes_(keyframeInterval), statistics_(spec.clockRate) {
  for (int layer = 0; layer < layerCount(); ++layer)
    retransmissions_.emplace_back(spec.kind == TrackKind::kVideo ? retransmissionPackets : 0);
  // NACKs toward the publisher follow one stream; a simulcast track is repaired by subscribers'
  // NACKs from the buffers and by keyframes.
  if (spec.nack && spec.kind == TrackKind::kVideo && !simulcast() && !mirror()) nack_.emplace();
}

int Producer::layerOf(uint32_t ssrc) const noexcept {
  for (size_t i = 0; i < kMaxLayers; ++i) {
    if (layerKnown_[i] && layerSsrcs_[i] == ssrc) return static_cast<int>(i);
  }
  return -1;
}

int Producer::learnLayer(const rtp::RtpPacketView& packet) noexcept {
  if (!simulcast()) return -1;
  const auto rid = packet.extension(spec_.extensions[rtp::RtpExtension::kRid]);
  if (!rid) return -1;
  for (size_t i = 0; i < static_cast<size_t>(layerCount()); ++i) {
    const std::string& name = spec_.simulcastRids[i];
    if (name.size() == rid->size() && std::memcmp(name.data(), rid->data(), name.size()) == 0) {
      layerSsrcs_[i] = packet.ssrc();
      layerKnown_[i] = true;
      return static_cast<int>(i);
    }
  }
  return -1;
}

void Producer::setLayerSsrc(int layer, uint32_t ssrc) noexcept {
  if (layer < 0 || layer >= layerCount()) return;
  layerSsrcs_[static_cast<size_t>(layer)] = ssrc;
  layerKnown_[static_cast<size_t>(layer)] = true;
}

bool Producer::addHandoff(uint16_t worker) {
  if (std::find(handoffs_.begin(), handoffs_.end(), worker) != handoffs_.end()) return false;
  handoffs_.push_back(worker);
  return true;
}

void Producer::removeHandoff(uint16_t worker) noexcept {
  handoffs_.erase(std::remove(handoffs_.begin(), handoffs_.end(), worker), handoffs_.end());
}

int Producer::effectiveLayer(int wanted, Clock::time_point now) const noexcept {
  if (wanted < 0) return -1;
  const int count = layerCount();
  const int capped = std::min(wanted, count - 1);
  const auto active = [&](int layer) {
    const Clock::time_point seen = layerSeen_[static_cast<size_t>(layer)];
    return seen != Clock::time_point{} && now - seen <= kLayerTimeout;
  };
  for (int layer = capped; layer >= 0; --layer) {
    if (active(layer)) return layer;
  }
  for (int layer = capped + 1; layer < count; ++layer) {
    if (active(layer)) return layer;
  }
  return capped;
}

void Producer::updateRates(Clock::time_point now) noexcept {
  for (size_t layer = 0; layer < kMaxLayers; ++layer) {
    if (simulcast()) {
      // Only a full second of sending gives the layer's rate (a layer just turned on again
      // would average its new packets with the silence before them).
      const bool active =
          layerSeen_[layer] != Clock::time_point{} && now - layerSeen_[layer] <= kLayerTimeout;
      if (!active || now - layerActiveSince_[layer] < std::chrono::seconds(1)) continue;
    }
    // Over the second up to its last packet: a layer just turned off has no silence counted.
    const uint64_t rate = rates_[layer].bitsPerSecond(toUs(simulcast() ? layerSeen_[layer] : now));
    if (rate > 0) lastRates_[layer] = static_cast<uint32_t>(std::min<uint64_t>(rate, UINT32_MAX));
  }
}

uint8_t Producer::neededLayers(Clock::time_point now, Clock::duration hold) const noexcept {
  uint8_t layers = 1;
  for (int layer = 1; layer < layerCount(); ++layer) {
    const Clock::time_point needed = layerNeeded_[static_cast<size_t>(layer)];
    if (needed != Clock::time_point{} && now - needed <= hold)
      layers = static_cast<uint8_t>(layers | (1U << layer));
  }
  return layers;
}

std::optional<uint32_t> Producer::layerSsrc(int layer) const noexcept {
  if (layer < 0 || static_cast<size_t>(layer) >= kMaxLayers || !layerKnown_[static_cast<size_t>(layer)]) {
    return std::nullopt;
  }
  return layerSsrcs_[static_cast<size_t>(layer)];
}

void Producer::update(const ProducerSpec& spec) {
  const bool keepLearned = spec.transport == spec_.transport && spec.mid == spec_.mid;
  const size_t bufferCapacity = retransmissions_.empty() ? 0 : retransmissions_.front().capacity();
  spec_ = spec;
  if (spec.nack && spec.kind == TrackKind::kVideo && !simulcast() && !mirror()) {
    if (!nack_) nack_.emplace();
  } else {
    nack_.reset();
  }
  while (retransmissions_.size() < static_cast<size_t>(layerCount()))
    retransmissions_.emplace_back(bufferCapacity);
  if (!keepLearned) learnedCount_ = 0;
  for (Consumer* consumer : consumers_)
    consumer->onProducerUpdated();
}

bool Producer::hasMediaSsrc(uint32_t ssrc) const noexcept {
  for (const uint32_t s : spec_.ssrcs) {
    if (s == ssrc) return true;
  }
  for (size_t i = 0; i < learnedCount_; ++i) {
    if (learned_[i] == ssrc) return true;
  }
  return false;
}

bool Producer::isRtxSsrc(uint32_t ssrc) const noexcept {
  return std::find(spec_.rtxSsrcs.begin(), spec_.rtxSsrcs.end(), ssrc) != spec_.rtxSsrcs.end();
}

std::optional<uint32_t> Producer::primarySsrc() const noexcept {
  if (!spec_.ssrcs.empty()) return spec_.ssrcs.front();
  if (learnedCount_ > 0) return learned_[0];
  return std::nullopt;
}

bool Producer::matchesMid(const rtp::RtpPacketView& packet) const noexcept {
  const uint8_t id = spec_.extensions[rtp::RtpExtension::kMid];
  if (id == 0) return false;
  const auto value = packet.extension(id);
  return value && value->size() == spec_.mid.size() &&
         (value->empty() || std::memcmp(value->data(), spec_.mid.data(), value->size()) == 0);
}

bool Producer::learnSsrc(uint32_t ssrc) noexcept {
  if (hasMediaSsrc(ssrc)) return true;
  if (learnedCount_ == kMaxLearnedSsrcs) return false;
  learned_[learnedCount_++] = ssrc;
  return true;
}

Producer::PayloadKind Producer::classify(uint8_t payloadType) const noexcept {
  if (payloadType == spec_.payloadType) return PayloadKind::kMedia;
  if (spec_.dtmfPayloadType && payloadType == *spec_.dtmfPayloadType) return PayloadKind::kDtmf;
  if (spec_.rtxPayloadType && payloadType == *spec_.rtxPayloadType) return PayloadKind::kRtx;
  return PayloadKind::kUnknown;
}

void Producer::attach(Consumer& consumer) {
  if (std::find(consumers_.begin(), consumers_.end(), &consumer) == consumers_.end()) {
    consumers_.push_back(&consumer);
  }
}

void Producer::detach(const Consumer& consumer) noexcept {
  const auto it = std::find(consumers_.begin(), consumers_.end(), &consumer);
  if (it != consumers_.end()) consumers_.erase(it);
}

}  // namespace switchyard::media::forward
