#pragma once
// One subscriber's outgoing stream of a producer: its negotiated parameters, the sequence number
// and timestamp offsets applied to the producer's packets (0 for now; layer switching will move
// them), the transport-wide sequence counter it shares with the other consumers of its transport,
// and its packet count.
#include <cstdint>
#include <optional>
#include <span>

#include "media/forward/Producer.h"
#include "media/forward/Router.h"
#include "media/forward/SimulcastSwitcher.h"
#include "media/forward/Subscriber.h"

namespace switchyard::media::forward {

class Consumer {
 public:
  // `transportSequence` is the counter of the consumer's transport (owned by the router, outlives
  // the consumer).
  Consumer(const ConsumerSpec& spec, Producer& producer, uint16_t& transportSequence);

  [[nodiscard]] const ConsumerSpec& spec() const noexcept { return spec_; }
  [[nodiscard]] uint32_t id() const noexcept { return spec_.id; }
  [[nodiscard]] TransportId transport() const noexcept { return spec_.transport; }
  [[nodiscard]] uint32_t ssrc() const noexcept { return spec_.ssrc; }
  [[nodiscard]] Producer& producer() const noexcept { return *producer_; }

  // The payload type sent for a producer packet of this kind; nullopt: not sent to this consumer
  // (DTMF it did not negotiate, RTX, unknown).
  [[nodiscard]] std::optional<uint8_t> payloadTypeFor(Producer::PayloadKind kind) const noexcept;
  [[nodiscard]] uint16_t sequenceNumberFor(uint16_t in) const noexcept {
    return static_cast<uint16_t>(in + seqOffset_);
  }
  [[nodiscard]] uint32_t timestampFor(uint32_t in) const noexcept { return in + tsOffset_; }
  // The mid bytes to write; empty span (and false from writesMid) if mid is not negotiated or is
  // longer than an extension element can hold.
  [[nodiscard]] bool writesMid() const noexcept { return writesMid_; }
  [[nodiscard]] std::span<const uint8_t> midBytes() const noexcept;

  // The next transport-wide sequence number of this consumer's transport; giveBackTransportSequence
  // undoes the last take when the packet was not sent (so the subscriber sees no false loss).
  [[nodiscard]] uint16_t takeTransportSequence() noexcept { return (*transportSequence_)++; }
  void giveBackTransportSequence() noexcept { --*transportSequence_; }

  // The layer switcher of a layered track's consumer (Producer::layered(); nullptr otherwise).
  [[nodiscard]] SimulcastSwitcher* switcher() noexcept { return switcher_ ? &*switcher_ : nullptr; }
  // The layer the subscriber asked for (setLayer). Simulcast: the switcher's target is the best layer
  // the publisher actually sends at or below it (Producer::effectiveLayer). VP9 without simulcast:
  // the spatial target (set here; 2 = all layers), stream layer 0 unless paused (-1).
  [[nodiscard]] int wantedLayer() const noexcept { return spec_.layer; }
  void setWantedLayer(int layer) noexcept;
  // The temporal target (0 .. SimulcastSwitcher::kAllLayers); false if out of range or no switcher.
  bool setWantedTemporalLayer(int layer) noexcept;
  // The producer was re-negotiated (Producer::update): a switcher exactly while it is layered, set up
  // for its kind of layers (an existing one keeps its numbering).
  void onProducerUpdated() noexcept;
  // The layer its subscriber's bandwidth estimate allows (at most the wanted one); the wanted one
  // while the subscriber has no estimate.
  [[nodiscard]] int allocatedLayer() const noexcept { return allocatedLayer_.value_or(spec_.layer); }
  void setAllocatedLayer(std::optional<int> layer) noexcept { allocatedLayer_ = layer; }

  // The subscriber transport it belongs to (owned by the router).
  [[nodiscard]] Subscriber* subscriber() const noexcept { return subscriber_; }
  void setSubscriber(Subscriber* subscriber) noexcept { subscriber_ = subscriber; }

  // The RTX stream (RFC 4588) of this consumer: its own sequence numbers.
  [[nodiscard]] bool hasRtx() const noexcept {
    return spec_.rtxSsrc != 0 && spec_.rtxPayloadType.has_value();
  }
  [[nodiscard]] uint16_t takeRtxSequence() noexcept { return rtxSequence_++; }
  // The producer sequence number a subscriber's sequence number stands for.
  [[nodiscard]] uint16_t producerSequenceFor(uint16_t out) const noexcept {
    return static_cast<uint16_t>(out - seqOffset_);
  }

  // RFC 5104 §4.3.1.2: a FIR repeating the last sequence number is a retransmission, not a new
  // request. True for a new request (and remembers the number).
  bool acceptFir(uint8_t seqNr) noexcept;

  // A media packet with `payloadBytes` of payload went out (RFC 3550 sender counts).
  void countPacket(size_t payloadBytes) noexcept {
    ++packets_;
    octets_ += payloadBytes;
  }
  [[nodiscard]] uint64_t packets() const noexcept { return packets_; }
  [[nodiscard]] uint64_t octets() const noexcept { return octets_; }

  // Round-trip time from the subscriber's reception reports (RFC 3550 section 6.4.1): the router
  // notes each SR it sends on this stream (its compact NTP and when), and a report block echoing it
  // gives RTT = now - sent - DLSR.
  void noteSenderReport(uint32_t compactNtp, Clock::time_point sentAt) noexcept {
    lastSrCompactNtp_ = compactNtp;
    lastSrSentAt_ = sentAt;
  }
  void onReportBlock(uint32_t lastSr, uint32_t delaySinceLastSr, Clock::time_point now) noexcept;
  [[nodiscard]] std::optional<Clock::duration> rtt() const noexcept { return rtt_; }

 private:
  ConsumerSpec spec_;
  Producer* producer_;
  uint16_t* transportSequence_;
  uint16_t seqOffset_ = 0;
  uint32_t tsOffset_ = 0;
  bool writesMid_ = false;
  std::optional<uint8_t> lastFirSeqNr_;
  uint64_t packets_ = 0;
  uint64_t octets_ = 0;
  uint16_t rtxSequence_ = 0;
  std::optional<SimulcastSwitcher> switcher_;
  std::optional<int> allocatedLayer_;
  Subscriber* subscriber_ = nullptr;
  std::optional<uint32_t> lastSrCompactNtp_;
  Clock::time_point lastSrSentAt_{};
  std::optional<Clock::duration> rtt_;
};

}  // namespace switchyard::media::forward
