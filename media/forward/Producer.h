#pragma once
// One published track in the router: its negotiated parameters, the media SSRCs it is known by
// (from the SDP, plus at most kMaxLearnedSsrcs learned from packets carrying its mid), its
// consumers and its keyframe request throttle.
//
// Only the producer's primary SSRC (the first one from the SDP, else the first one learned) is
// forwarded: a simulcast publisher sends several encodings (one SSRC each) of the same track and a
// subscriber stream can carry only one of them at a time. The primary SSRC is also the media SSRC
// of the PLIs sent to the publisher. Layer selection will replace this rule.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/forward/KeyframeRequester.h"
#include "media/forward/NackGenerator.h"
#include "media/forward/RateWindow.h"
#include "media/forward/ReceiveStatistics.h"
#include "media/forward/RetransmissionBuffer.h"
#include "media/forward/Router.h"
#include "media/rtp/RtpPacket.h"

namespace switchyard::media::forward {

class Consumer;

class Producer {
 public:
  static constexpr size_t kMaxLearnedSsrcs = 4;
  static constexpr size_t kMaxLayers = 3;

  enum class PayloadKind : uint8_t { kMedia, kDtmf, kRtx, kUnknown };

  // `retransmissionPackets`: capacity of the retransmission buffer (video; audio keeps none).
  Producer(const ProducerSpec& spec, Clock::duration keyframeInterval, size_t retransmissionPackets);

  // The same producer re-negotiated: new parameters; consumers and the keyframe throttle stay.
  // Learned SSRCs are kept while the transport and the mid stay the same.
  void update(const ProducerSpec& spec);

  [[nodiscard]] const ProducerSpec& spec() const noexcept { return spec_; }
  [[nodiscard]] uint32_t id() const noexcept { return spec_.id; }
  [[nodiscard]] TransportId transport() const noexcept { return spec_.transport; }
  [[nodiscard]] bool isVideo() const noexcept { return spec_.kind == TrackKind::kVideo; }
  // A mirror of a producer published on another worker (ProducerSpec::originWorker).
  [[nodiscard]] bool mirror() const noexcept { return spec_.originWorker.has_value(); }

  // --- Handoff (a room spread over workers) ---
  // The other workers that hold mirrors of this producer: each of its packets goes to them too.
  [[nodiscard]] std::span<const uint16_t> handoffs() const noexcept { return handoffs_; }
  bool addHandoff(uint16_t worker);
  void removeHandoff(uint16_t worker) noexcept;

  // --- SSRCs ---
  [[nodiscard]] bool hasMediaSsrc(uint32_t ssrc) const noexcept;
  [[nodiscard]] bool isRtxSsrc(uint32_t ssrc) const noexcept;
  // The SSRC forwarded and named in PLIs; nullopt while none is known.
  [[nodiscard]] std::optional<uint32_t> primarySsrc() const noexcept;
  // True when the packet carries this producer's mid extension (its own id) with its mid value.
  [[nodiscard]] bool matchesMid(const rtp::RtpPacketView& packet) const noexcept;
  // Adds a media SSRC seen with this producer's mid. False when kMaxLearnedSsrcs are known.
  bool learnSsrc(uint32_t ssrc) noexcept;
  [[nodiscard]] size_t learnedSsrcCount() const noexcept { return learnedCount_; }

  [[nodiscard]] PayloadKind classify(uint8_t payloadType) const noexcept;

  // --- Consumers (not owned) ---
  [[nodiscard]] std::span<Consumer* const> consumers() const noexcept { return consumers_; }
  void attach(Consumer& consumer);
  void detach(const Consumer& consumer) noexcept;

  [[nodiscard]] KeyframeRequester& keyframes() noexcept { return keyframes_; }
  // The sequence number of the next FIR to the publisher (RFC 5104 §4.3.1.1: one more per new request).
  [[nodiscard]] uint8_t firSequenceNumber() const noexcept { return firSeqNr_; }
  void nextFirSequenceNumber() noexcept { ++firSeqNr_; }
  // Recent packets of the primary stream (of a simulcast layer), as received (decrypted), to answer
  // subscribers' NACKs.
  [[nodiscard]] RetransmissionBuffer& retransmissions(int layer = 0) noexcept {
    return retransmissions_[layer > 0 && static_cast<size_t>(layer) < retransmissions_.size()
                                ? static_cast<size_t>(layer)
                                : 0];
  }

  // --- Simulcast ---
  // True when the track has two or more negotiated layers and a codec the router can inspect.
  [[nodiscard]] bool simulcast() const noexcept {
    return spec_.simulcastRids.size() >= 2 && spec_.videoCodec.has_value();
  }
  // True when each consumer selects layers through a SimulcastSwitcher: simulcast, or a VP8/VP9 track
  // (temporal layers; VP9 spatial layers).
  [[nodiscard]] bool layered() const noexcept {
    return isVideo() && (simulcast() || spec_.videoCodec == codec::CodecKind::Vp8 ||
                         spec_.videoCodec == codec::CodecKind::Vp9);
  }
  [[nodiscard]] int layerCount() const noexcept {
    return simulcast() ? static_cast<int>(std::min<size_t>(spec_.simulcastRids.size(), kMaxLayers)) : 1;
  }
  // The layer an SSRC carries (learned from the rid extension), or -1.
  [[nodiscard]] int layerOf(uint32_t ssrc) const noexcept;
  // Learns the layer of `packet`'s SSRC from its rid extension; the layer, or -1.
  int learnLayer(const rtp::RtpPacketView& packet) noexcept;
  // A mirror learns its layers' SSRCs from the origin (which tells each handed-off packet's layer).
  void setLayerSsrc(int layer, uint32_t ssrc) noexcept;
  // The SSRC of a layer, when known.
  [[nodiscard]] std::optional<uint32_t> layerSsrc(int layer) const noexcept;
  // A packet of `layer` arrived: the layer is active (the publisher may turn layers off when its
  // bandwidth estimate is low).
  void noteLayerPacket(int layer, Clock::time_point now) noexcept {
    if (layer < 0 || static_cast<size_t>(layer) >= kMaxLayers) return;
    const size_t i = static_cast<size_t>(layer);
    if (layerSeen_[i] == Clock::time_point{} || now - layerSeen_[i] > kLayerTimeout)
      layerActiveSince_[i] = now;
    layerSeen_[i] = now;
    // A layer counts as needed when it first arrives, so it is not turned off before subscribers
    // had a chance to ask for it.
    if (layerNeeded_[static_cast<size_t>(layer)] == Clock::time_point{})
      layerNeeded_[static_cast<size_t>(layer)] = now;
  }
  // The layer to send a subscriber that wants `wanted`: the best active layer not above it, else the
  // lowest active one above it; -1 stays -1 (paused). Without recent packets of any layer: `wanted`
  // capped at the layer count.
  [[nodiscard]] int effectiveLayer(int wanted, Clock::time_point now) const noexcept;
  static constexpr Clock::duration kLayerTimeout = std::chrono::milliseconds(1000);

  // --- Bit rates and needed layers (subscribers' bandwidth allocation) ---
  // `bytes` of `layer` (0 without simulcast) arrived.
  void noteBytes(int layer, size_t bytes, Clock::time_point now) noexcept {
    if (layer >= 0 && static_cast<size_t>(layer) < kMaxLayers)
      rates_[static_cast<size_t>(layer)].add(toUs(now), bytes);
  }
  // Refreshes the layers' rates (from the router's periodic allocation, not per packet).
  void updateRates(Clock::time_point now) noexcept;
  // The rate of `layer` over the last second once it has been sent for a second without a pause;
  // else the last such rate (the publisher turned it off, or just on again); `fallback` when it
  // was never sent that long.
  [[nodiscard]] uint32_t layerBitrate(int layer, uint32_t fallback) const noexcept {
    if (layer < 0 || static_cast<size_t>(layer) >= kMaxLayers) return 0;
    const uint32_t rate = lastRates_[static_cast<size_t>(layer)];
    return rate > 0 ? rate : fallback;
  }
  // A subscriber is allocated `layer` now.
  void noteLayerNeeded(int layer, Clock::time_point now) noexcept {
    if (layer >= 0 && static_cast<size_t>(layer) < kMaxLayers) layerNeeded_[static_cast<size_t>(layer)] = now;
  }
  // The layers needed by someone within `hold` (bit i = layer i), the lowest always included.
  [[nodiscard]] uint8_t neededLayers(Clock::time_point now, Clock::duration hold) const noexcept;
  // The mask last reported through Output::onLayersNeeded (all layers until the first report).
  [[nodiscard]] uint8_t reportedLayers() const noexcept { return reportedLayers_; }
  void setReportedLayers(uint8_t layers) noexcept { reportedLayers_ = layers; }
  // Loss detection on the primary stream (nullptr when the publisher does not take NACKs).
  static int64_t toUs(Clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  [[nodiscard]] NackGenerator* nack() noexcept { return nack_ ? &*nack_ : nullptr; }
  // Reception statistics of the primary stream, for receiver reports to the publisher.
  [[nodiscard]] ReceiveStatistics& statistics() noexcept { return statistics_; }
  // When the next receiver report is due (Clock::time_point{}: with the first packet).
  [[nodiscard]] Clock::time_point nextReceiverReport() const noexcept { return nextReceiverReport_; }
  void setNextReceiverReport(Clock::time_point at) noexcept { nextReceiverReport_ = at; }

 private:
  ProducerSpec spec_;
  std::array<uint32_t, kMaxLearnedSsrcs> learned_{};
  size_t learnedCount_ = 0;
  std::vector<Consumer*> consumers_;
  std::vector<uint16_t> handoffs_;
  KeyframeRequester keyframes_;
  std::vector<RetransmissionBuffer> retransmissions_;  // one per layer
  std::array<uint32_t, kMaxLayers> layerSsrcs_{};
  std::array<bool, kMaxLayers> layerKnown_{};
  std::array<Clock::time_point, kMaxLayers> layerSeen_{};
  std::array<RateWindow, kMaxLayers> rates_{};
  std::array<uint32_t, kMaxLayers> lastRates_{};
  std::array<Clock::time_point, kMaxLayers> layerActiveSince_{};  // sent without a pause since
  std::array<Clock::time_point, kMaxLayers> layerNeeded_{};
  uint8_t firSeqNr_ = 0;
  uint8_t reportedLayers_ = 0xff;  // every layer on (the publisher's initial state)
  std::optional<NackGenerator> nack_;
  ReceiveStatistics statistics_;
  Clock::time_point nextReceiverReport_{};
};

}  // namespace switchyard::media::forward
