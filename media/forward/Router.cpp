#include "media/forward/Router.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

#include "media/codec/PayloadInspector.h"
#include "media/codec/Vp8Descriptor.h"
#include "media/codec/Vp9Descriptor.h"
#include "media/forward/AbsSendTime.h"
#include "media/forward/ActiveSpeakerDetector.h"
#include "media/forward/BandwidthEstimator.h"
#include "media/forward/Consumer.h"
#include "media/forward/Producer.h"
#include "media/forward/RtpHeaderRewriter.h"
#include "media/forward/SimulcastSwitcher.h"
#include "media/forward/Subscriber.h"
#include "media/forward/TransportCcRecorder.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/rtp/RtxPacket.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::forward {

namespace {

using rtp::RtpExtension;

// The sender SSRC of the router's own RTCP (PLIs to publishers).
constexpr uint32_t kServerSsrc = 1;
// Largest RTP packet sent (before the SRTP trailer); a rewritten copy above it is dropped.
constexpr size_t kMaxRtpPacketSize = 1500;
constexpr size_t kRtpBufferSize = kMaxRtpPacketSize + srtp::kSrtcpMaxTrailer;
// A retransmission wrapped as RTX carries the 2-byte original sequence number in front of the payload.
constexpr size_t kRtxBufferSize = kMaxRtpPacketSize + rtp::kRtxOsnSize + srtp::kSrtcpMaxTrailer;
// Sequence numbers NACKed to a publisher per tick at most.
constexpr size_t kMaxNackBatch = 64;
// Sequence numbers answered per NACK packet at most (a NACK of 17 can name 16 more per entry).
constexpr size_t kMaxNackedPerPacket = 256;
constexpr size_t kMaxRtcpPacketSize = 1200;  // a PLI is 12 bytes, a NACK of kMaxNackBatch at most 268
constexpr size_t kRtcpBufferSize = kMaxRtcpPacketSize + srtp::kSrtcpMaxTrailer;

// Bandwidth allocation: how often each subscriber's estimate is shared out again.
constexpr Clock::duration kAllocationInterval = std::chrono::milliseconds(100);
// A higher layer than the current one is taken only when its rate fits this many times over.
constexpr double kUpswitchMargin = 1.15;
// Rates assumed for a layer never seen (Chromium's defaults for 1280x720 in three layers), for a
// video track without simulcast, and for audio.
constexpr std::array<uint32_t, 3> kNominalLayerBps{150'000, 500'000, 2'500'000};
constexpr uint32_t kNominalVideoBps = 1'000'000;
constexpr uint32_t kNominalAudioBps = 50'000;
// Probes: after a success the next may follow soon (climbing), after a failure later.
constexpr Clock::duration kProbeAfterSuccess = std::chrono::milliseconds(1000);
constexpr Clock::duration kProbeAfterFailure = std::chrono::milliseconds(4000);
// Padding packets: RTX padding only (RFC 3550 padding, 255 bytes), at most this many per tick.
constexpr uint8_t kPaddingBytes = 255;
constexpr size_t kMaxPaddingPerTick = 64;

// Transport-wide congestion control feedback toward a publisher: every so often (sooner when 100
// packets are pending).
constexpr Clock::duration kFeedbackInterval = std::chrono::milliseconds(50);

// Periodic RTCP (feedback, receiver reports) is due on a grid of its own per publisher: the first
// goes with the first tick that has something to say, the second a period plus the key's phase
// (splitmix64, fixed per key) later, and then every period on that grid. Counting each period from
// the tick that sent the last one instead would let the publishers of a worker drift into the same
// tick (a tick later than 10 ms catches every grid it passed), and with 160 publishers that is a 1 ms
// stall every period that each packet arriving meanwhile waits behind.
Clock::duration phaseOf(uint64_t key, Clock::duration period) noexcept {
  uint64_t z = key + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  const auto ticks = static_cast<uint64_t>(period.count());
  return ticks > 0 ? Clock::duration(static_cast<Clock::rep>(z % ticks)) : Clock::duration::zero();
}

// After a periodic send at `now`: the next due time. `due` is the one just met, or
// Clock::time_point{} for the first send.
Clock::time_point nextDue(Clock::time_point due, Clock::time_point now, Clock::duration period,
                          uint64_t key) noexcept {
  if (due == Clock::time_point{}) return now + period + phaseOf(key, period);
  if (now < due) return due;  // sent early (many pending): the grid stays
  due += period;
  if (due <= now) due += period * ((now - due) / period + 1);  // periods missed: the next one after now
  return due;
}

constexpr uint64_t ssrcKey(TransportId transport, uint32_t ssrc) noexcept {
  return (uint64_t{transport} << 32) | ssrc;
}

}  // namespace

// The router's tables and scratch buffers, and the logic that needs them. The Output must not
// call back into the router from sendRtp/sendRtcp.
struct Router::State {
  State(const Router& owner, Output& out, const Options& opts, Counters& counts)
      : router(owner), output(out), options(opts), counters(counts) {}

  const Router& router;

  Output& output;
  const Options& options;
  Counters& counters;
  std::vector<std::unique_ptr<Producer>> producers;
  std::vector<std::unique_ptr<Consumer>> consumers;
  std::unordered_map<uint64_t, Consumer*> consumersBySsrc;  // (transport, consumer SSRC)
  // One per subscriber transport (its transport-wide sequence counter and bandwidth estimate),
  // kept until the transport is removed; the consumers point into it.
  std::unordered_map<TransportId, std::unique_ptr<Subscriber>> subscribers;
  uint16_t lastTransportSequence = 0;  // the one the last rewriteFor took
  Clock::time_point nextAllocation{};  // Clock::time_point{}: at the first tick
  RtpHeaderRewriter rewriter;
  std::array<uint8_t, kRtpBufferSize> rtpBuffer{};
  std::array<uint8_t, kRtxBufferSize> rtxBuffer{};
  std::array<uint16_t, kMaxNackBatch> nackBatch{};
  ActiveSpeakerDetector speakers;
  // Transport-wide congestion control feedback toward each publisher transport.
  struct Feedback {
    TransportCcRecorder recorder;
    uint8_t extensionId = 0;  // the publisher's transport-wide sequence number extension
    Clock::time_point due{};  // Clock::time_point{}: none sent yet
  };
  std::unordered_map<TransportId, std::unique_ptr<Feedback>> feedback;
  std::array<rtcp::TwccPacket, TransportCcRecorder::kMaxReported> feedbackList{};
  Clock::time_point nextSpeakerEvaluation{};
  std::array<uint8_t, kRtcpBufferSize> rtcpBuffer{};

  Producer* findProducer(uint32_t id) const noexcept {
    for (const auto& p : producers) {
      if (p->id() == id) return p.get();
    }
    return nullptr;
  }

  Consumer* findConsumer(uint32_t id) const noexcept {
    for (const auto& c : consumers) {
      if (c->id() == id) return c.get();
    }
    return nullptr;
  }

  void removeConsumer(const Consumer* consumer) noexcept {
    const auto it = std::find_if(consumers.begin(), consumers.end(),
                                 [consumer](const auto& c) { return c.get() == consumer; });
    if (it == consumers.end()) return;
    consumer->producer().detach(*consumer);
    if (Subscriber* subscriber = consumer->subscriber()) {
      auto& list = subscriber->consumers;
      list.erase(std::remove(list.begin(), list.end(), consumer), list.end());
    }
    const auto byKey = consumersBySsrc.find(ssrcKey(consumer->transport(), consumer->ssrc()));
    if (byKey != consumersBySsrc.end() && byKey->second == consumer) consumersBySsrc.erase(byKey);
    consumers.erase(it);
  }

  void removeProducer(const Producer* producer) noexcept {
    for (size_t i = consumers.size(); i-- > 0;) {
      if (&consumers[i]->producer() == producer) removeConsumer(consumers[i].get());
    }
    speakers.removeStream(producer->id());
    const TransportId transport = producer->transport();
    const auto it = std::find_if(producers.begin(), producers.end(),
                                 [producer](const auto& p) { return p.get() == producer; });
    if (it != producers.end()) producers.erase(it);
    // No more published tracks on that transport: no more congestion control feedback to it.
    if (std::none_of(producers.begin(), producers.end(),
                     [&](const auto& p) { return p->transport() == transport; })) {
      feedback.erase(transport);
    }
  }

  // --- RTP ---

  // The producer of a media packet on `transport`, learning its SSRC from the mid extension when
  // it is new; nullptr when the packet is dropped (and counted).
  Producer* producerOf(TransportId transport, const rtp::RtpPacketView& packet,
                       Clock::time_point now) noexcept {
    const uint32_t ssrc = packet.ssrc();
    for (const auto& p : producers) {
      if (p->transport() == transport && p->hasMediaSsrc(ssrc)) return p.get();
    }
    for (const auto& p : producers) {
      if (p->transport() == transport && p->isRtxSsrc(ssrc)) {
        ++counters.rtxDropped;
        return nullptr;
      }
    }
    for (const auto& p : producers) {
      if (p->transport() != transport || !p->matchesMid(packet)) continue;
      switch (p->classify(packet.payloadType())) {
        case Producer::PayloadKind::kRtx:
          ++counters.rtxDropped;  // a repair stream is not learned as media
          return nullptr;
        case Producer::PayloadKind::kUnknown:
          ++counters.rtpUnknownPayload;
          return nullptr;
        case Producer::PayloadKind::kMedia:
        case Producer::PayloadKind::kDtmf:
          break;
      }
      if (!p->learnSsrc(ssrc)) break;
      // A keyframe request may have waited for the first media SSRC.
      if (p->isVideo() && p->keyframes().due(now)) sendKeyframeRequest(*p, now);
      return p.get();
    }
    ++counters.rtpUnknownSsrc;
    return nullptr;
  }

  // What one packet contributes to every copy: computed once per packet.
  struct CopySource {
    std::array<uint8_t, kAbsSendTimeSize> absSendTime{};
    std::optional<std::span<const uint8_t>> audioLevel;
    std::optional<std::span<const uint8_t>> videoOrientation;
  };

  static CopySource copySource(const Producer& producer, const rtp::RtpPacketView& packet,
                               Clock::time_point now) noexcept {
    const rtp::RtpExtensionIds& from = producer.spec().extensions;
    CopySource source;
    source.absSendTime = absSendTimeBytes(now);
    source.audioLevel = packet.extension(from[RtpExtension::kAudioLevel]);
    source.videoOrientation = packet.extension(from[RtpExtension::kVideoOrientation]);
    return source;
  }

  // Writes `packet` rewritten for `consumer` into rtpBuffer (its SSRC, payload type, offsets, its
  // extension ids, mid, abs-send-time and the next transport-wide sequence number of its
  // transport). nullopt when the copy would be too large (counted; the sequence number is given
  // back). `tookSequence` tells the caller to give it back if the send fails.
  std::optional<size_t> rewriteFor(Consumer& consumer, uint8_t payloadType, const rtp::RtpPacketView& packet,
                                   const CopySource& source, bool& tookSequence,
                                   const SimulcastSwitcher::Decision* layer = nullptr) noexcept {
    const rtp::RtpExtensionIds& to = consumer.spec().extensions;
    rewriter.clear();
    if (consumer.writesMid()) rewriter.add(to[RtpExtension::kMid], consumer.midBytes());
    if (to.has(RtpExtension::kAbsSendTime)) rewriter.add(to[RtpExtension::kAbsSendTime], source.absSendTime);
    std::array<uint8_t, 2> transportSequence{};
    tookSequence = false;
    if (to.has(RtpExtension::kTransportCc)) {
      lastTransportSequence = consumer.takeTransportSequence();
      util::write16(transportSequence.data(), lastTransportSequence);
      tookSequence = rewriter.add(to[RtpExtension::kTransportCc], transportSequence);
      if (!tookSequence) consumer.giveBackTransportSequence();
    }
    if (source.audioLevel && to.has(RtpExtension::kAudioLevel))
      rewriter.add(to[RtpExtension::kAudioLevel], *source.audioLevel);
    if (source.videoOrientation && to.has(RtpExtension::kVideoOrientation)) {
      rewriter.add(to[RtpExtension::kVideoOrientation], *source.videoOrientation);
    }
    const RtpHeaderRewriter::Fields fields{
        payloadType, layer ? layer->seq : consumer.sequenceNumberFor(packet.sequenceNumber()),
        layer ? layer->timestamp : consumer.timestampFor(packet.timestamp()), consumer.ssrc()};
    const std::optional<size_t> size =
        rewriter.write(packet, fields, std::span<uint8_t>(rtpBuffer).first(kMaxRtpPacketSize));
    if (!size) {
      ++counters.rtpTooLarge;
      if (tookSequence) consumer.giveBackTransportSequence();
      tookSequence = false;
      return size;
    }
    if (layer) applyLayerDecision(consumer, *layer, *size);
    return size;
  }

  // A switcher's decision on the copy in rtpBuffer: the marker bit when the top forwarded spatial
  // layer ends the picture, and the VP8/VP9 picture id and TL0PICIDX (RFC 7741 section 4.2, RFC 9628
  // section 4.2), so the subscriber's decoder sees one continuous picture sequence.
  void applyLayerDecision(Consumer& consumer, const SimulcastSwitcher::Decision& layer,
                          size_t size) noexcept {
    if (layer.marker) rtpBuffer[1] = static_cast<uint8_t>(rtpBuffer[1] | 0x80);
    if (!layer.pictureId && !layer.tl0PicIdx) return;
    auto copy = rtp::RtpPacket::parse(std::span<uint8_t>(rtpBuffer).first(size));
    if (!copy) return;
    const std::span<uint8_t> payload = copy->payload();
    if (consumer.producer().spec().videoCodec == codec::CodecKind::Vp8) {
      auto descriptor = codec::Vp8Descriptor::parse(payload);
      if (!descriptor) return;
      if (layer.pictureId) descriptor->setPictureId(payload, *layer.pictureId);
      if (layer.tl0PicIdx) descriptor->setTl0PicIdx(payload, *layer.tl0PicIdx);
    } else if (consumer.producer().spec().videoCodec == codec::CodecKind::Vp9) {
      auto descriptor = codec::Vp9Descriptor::parse(payload);
      if (!descriptor) return;
      if (layer.pictureId) descriptor->setPictureId(payload, *layer.pictureId);
      if (layer.tl0PicIdx) descriptor->setTl0PicIdx(payload, *layer.tl0PicIdx);
    }
  }

  static SimulcastSwitcher::PictureIdWidth pictureIdWidth(const Producer& producer,
                                                          const rtp::RtpPacketView& packet) noexcept {
    if (producer.spec().videoCodec == codec::CodecKind::Vp8) {
      if (const auto descriptor = codec::Vp8Descriptor::parse(packet.payload())) {
        if (descriptor->longPictureId()) return SimulcastSwitcher::PictureIdWidth::k15Bit;
      }
      return SimulcastSwitcher::PictureIdWidth::k7Bit;
    }
    if (producer.spec().videoCodec == codec::CodecKind::Vp9) {
      if (const auto descriptor = codec::Vp9Descriptor::parse(packet.payload())) {
        if (descriptor->hasPictureId() && !descriptor->longPictureId())
          return SimulcastSwitcher::PictureIdWidth::k7Bit;
      }
    }
    return SimulcastSwitcher::PictureIdWidth::k15Bit;
  }

  // A packet of simulcast layer `layer`: each consumer's switcher decides whether it goes out (its
  // current layer) and with which numbers; a consumer waiting for its target layer asks for a keyframe.
  void forwardSimulcast(Producer& producer, int layer, Producer::PayloadKind kind,
                        const rtp::RtpPacketView& packet, Clock::time_point now) noexcept {
    const CopySource source = copySource(producer, packet, now);
    const codec::PayloadInfo info =
        codec::inspectPayload(*producer.spec().videoCodec, packet.payload()).value_or(codec::PayloadInfo{});
    const SimulcastSwitcher::PictureIdWidth width = pictureIdWidth(producer, packet);
    for (Consumer* consumer : producer.consumers()) {
      SimulcastSwitcher* switcher = consumer->switcher();
      const std::optional<uint8_t> payloadType = consumer->payloadTypeFor(kind);
      if (switcher == nullptr || !payloadType) continue;
      // Follow the layers the publisher actually sends (it turns some off on a low estimate).
      const int target = producer.effectiveLayer(consumer->allocatedLayer(), now);
      if (target != switcher->targetLayer()) switcher->setTargetLayer(target);
      const SimulcastSwitcher::Decision decision =
          switcher->onPacket(layer, packet.sequenceNumber(), packet.timestamp(), info, width, now);
      if (decision.needKeyframe) requestKeyframe(producer, now);
      if (!decision.forward) {
        ++counters.rtpLayerDropped;
        continue;
      }
      if (decision.switched && producer.simulcast()) ++counters.layerSwitches;
      bool tookSequence = false;
      const std::optional<size_t> size =
          rewriteFor(*consumer, *payloadType, packet, source, tookSequence, &decision);
      if (!size) continue;
      if (output.sendRtp(consumer->transport(), rtpBuffer, *size)) {
        ++counters.rtpForwarded;
        consumer->countPacket(packet.payloadSize());
        noteSent(*consumer, tookSequence, *size, now);
      } else {
        ++counters.sendFailed;
        if (tookSequence) consumer->giveBackTransportSequence();
      }
    }
  }

  void forward(Producer& producer, Producer::PayloadKind kind, const rtp::RtpPacketView& packet,
               Clock::time_point now) noexcept {
    if (producer.layered()) {  // VP8/VP9 without simulcast: temporal (and VP9 spatial) layers, one stream
      forwardSimulcast(producer, 0, kind, packet, now);
      return;
    }
    const CopySource source = copySource(producer, packet, now);
    for (Consumer* consumer : producer.consumers()) {
      const std::optional<uint8_t> payloadType = consumer->payloadTypeFor(kind);
      if (!payloadType) continue;
      bool tookSequence = false;
      const std::optional<size_t> size = rewriteFor(*consumer, *payloadType, packet, source, tookSequence);
      if (!size) continue;
      if (output.sendRtp(consumer->transport(), rtpBuffer, *size)) {
        ++counters.rtpForwarded;
        consumer->countPacket(packet.payloadSize());
        noteSent(*consumer, tookSequence, *size, now);
      } else {
        ++counters.sendFailed;
        if (tookSequence) consumer->giveBackTransportSequence();
      }
    }
  }

  // A packet that took transport-wide sequence number lastTransportSequence went out: its
  // subscriber's bandwidth estimator waits for feedback on it.
  void noteSent(const Consumer& consumer, bool tookSequence, size_t size, Clock::time_point now) noexcept {
    if (!tookSequence) return;
    Subscriber* subscriber = consumer.subscriber();
    if (subscriber != nullptr && subscriber->estimator) {
      subscriber->estimator->onPacketSent(lastTransportSequence, size, now);
    }
  }

  // --- Retransmissions ---

  // A subscriber's NACK for `seq` of `consumer`: the stored packet, rewritten for it again, on its
  // RTX stream when it negotiated one (RFC 4588), else as the original packet.
  void retransmit(Consumer& consumer, uint16_t seq, Clock::time_point now) noexcept {
    ++counters.retransmissionsRequested;
    Producer& producer = consumer.producer();
    SimulcastSwitcher* switcher = consumer.switcher();
    // A simulcast consumer's numbers map back to its current layer's segment only.
    const std::optional<uint16_t> inputSeq = switcher
                                                 ? switcher->inputSequenceFor(seq)
                                                 : std::optional<uint16_t>(consumer.producerSequenceFor(seq));
    const int layer = switcher ? switcher->currentLayer() : 0;
    const auto stored =
        inputSeq && layer >= 0 ? producer.retransmissions(layer).find(*inputSeq, now) : std::nullopt;
    const auto original = stored ? rtp::RtpPacketView::parse(*stored) : std::nullopt;
    if (!original) {
      ++counters.retransmissionsMissed;
      return;
    }
    std::optional<SimulcastSwitcher::Decision> decision;
    if (switcher) {
      // The switcher maps a packet of its current segment again to the same output numbers.
      const codec::PayloadInfo info = codec::inspectPayload(*producer.spec().videoCodec, original->payload())
                                          .value_or(codec::PayloadInfo{});
      decision = switcher->onPacket(layer, original->sequenceNumber(), original->timestamp(), info,
                                    pictureIdWidth(producer, *original), now);
      if (!decision->forward || decision->seq != seq) {
        ++counters.retransmissionsMissed;
        return;
      }
    }
    const std::optional<uint8_t> payloadType =
        consumer.payloadTypeFor(producer.classify(original->payloadType()));
    if (!payloadType) {
      ++counters.retransmissionsMissed;
      return;
    }
    bool tookSequence = false;
    const std::optional<size_t> size =
        rewriteFor(consumer, *payloadType, *original, copySource(producer, *original, now), tookSequence,
                   decision ? &*decision : nullptr);
    if (!size) return;
    bool sent = false;
    if (consumer.hasRtx()) {
      const std::optional<size_t> rtxSize =
          rtp::wrapRtx(std::span<const uint8_t>(rtpBuffer).first(*size), rtxBuffer,
                       *consumer.spec().rtxPayloadType, consumer.spec().rtxSsrc, consumer.takeRtxSequence());
      sent = rtxSize && output.sendRtp(consumer.transport(), rtxBuffer, *rtxSize);
    } else {
      sent = output.sendRtp(consumer.transport(), rtpBuffer, *size);
    }
    if (sent) {
      ++counters.retransmissionsSent;
      noteSent(consumer, tookSequence, *size, now);
    } else {
      ++counters.sendFailed;
      if (tookSequence) consumer.giveBackTransportSequence();
    }
  }

  void onNack(TransportId transport, const rtcp::NackView& nack, Clock::time_point now) noexcept {
    const auto it = consumersBySsrc.find(ssrcKey(transport, nack.mediaSsrc()));
    if (it == consumersBySsrc.end()) return;
    Consumer& consumer = *it->second;
    size_t handled = 0;
    nack.forEachLostSeq([&](uint16_t seq) {
      if (handled++ < kMaxNackedPerPacket) retransmit(consumer, seq, now);
    });
  }

  // A repair packet from a publisher (its RTX stream, RFC 4588), asked for by a NACK: unwrapped in
  // place into the original packet and forwarded like it, unless the original already came.
  void onRepair(Producer& producer, rtp::RtpPacket& packet, Clock::time_point now) noexcept {
    const std::optional<uint32_t> primary = producer.primarySsrc();
    const std::optional<size_t> size =
        primary ? rtp::unwrapRtx(packet.data(), producer.spec().payloadType, *primary) : std::nullopt;
    const auto original = size ? rtp::RtpPacket::parse(packet.data().first(*size)) : std::nullopt;
    if (!original) {
      ++counters.rtxDropped;  // padding-only probes, or nothing to repair yet
      return;
    }
    const rtp::RtpPacketView view = original->view();
    NackGenerator* nack = producer.nack();
    const bool duplicate =
        nack != nullptr ? nack->onPacket(view.sequenceNumber(), now) == NackGenerator::Result::kDuplicate
                        : producer.retransmissions().find(view.sequenceNumber(), now).has_value();
    if (duplicate) {
      ++counters.rtxDuplicate;  // already received (and forwarded): a probe or a late repair
      return;
    }
    ++counters.rtxRepaired;
    // A repaired packet is a received one (receiver reports do not count it as lost).
    producer.statistics().onPacket(view.sequenceNumber(), view.timestamp(), now);
    producer.retransmissions().store(view.sequenceNumber(), view.data(), now);
    handOff(producer, 0, view);
    forward(producer, Producer::PayloadKind::kMedia, view, now);
  }

  // The producer whose RTX stream `packet` belongs to, if any.
  Producer* repairedProducerOf(TransportId transport, const rtp::RtpPacketView& packet) const noexcept {
    for (const auto& p : producers) {
      if (p->transport() != transport || p->simulcast() || p->mirror()) continue;  // simulcast: not NACKed
      if (p->isRtxSsrc(packet.ssrc())) return p.get();
      if (p->classify(packet.payloadType()) == Producer::PayloadKind::kRtx && p->matchesMid(packet) &&
          !p->hasMediaSsrc(packet.ssrc())) {
        return p.get();
      }
    }
    return nullptr;
  }

  void onRtp(TransportId transport, const rtp::RtpPacketView& packet, Clock::time_point now) noexcept {
    ++counters.rtpReceived;
    Producer* producer = producerOf(transport, packet, now);
    if (producer == nullptr) return;
    const Producer::PayloadKind kind = producer->classify(packet.payloadType());
    if (kind == Producer::PayloadKind::kRtx) {
      ++counters.rtxDropped;
      return;
    }
    if (kind == Producer::PayloadKind::kUnknown) {
      ++counters.rtpUnknownPayload;
      return;
    }
    if (producer->simulcast()) {
      int layer = producer->layerOf(packet.ssrc());
      if (layer < 0) layer = producer->learnLayer(packet);
      if (layer < 0) {
        ++counters.rtpNotSelected;  // no rid seen for this SSRC yet
        return;
      }
      producer->noteLayerPacket(layer, now);
      producer->noteBytes(layer, packet.size(), now);
      handOff(*producer, layer, packet);
      forwardSimulcast(*producer, layer, kind, packet, now);
      producer->retransmissions(layer).store(packet.sequenceNumber(), packet.data(), now);
      return;
    }
    if (producer->primarySsrc() != packet.ssrc()) {
      ++counters.rtpNotSelected;
      return;
    }
    producer->statistics().onPacket(packet.sequenceNumber(), packet.timestamp(), now);
    producer->noteBytes(0, packet.size(), now);
    if (!producer->isVideo() && kind == Producer::PayloadKind::kMedia) {
      // RFC 6464: one byte, V flag in the top bit, the level in -dBov below it.
      const auto level = packet.extension(producer->spec().extensions[RtpExtension::kAudioLevel]);
      if (level && !level->empty()) {
        const uint8_t byte = (*level)[0];
        speakers.onLevel(producer->id(), static_cast<uint8_t>(byte & 0x7f), (byte & 0x80) != 0, now);
      }
    }
    if (NackGenerator* nack = producer->nack()) {
      switch (nack->onPacket(packet.sequenceNumber(), now)) {
        case NackGenerator::Result::kDuplicate:
          ++counters.rtpDuplicate;
          return;
        case NackGenerator::Result::kReset:
          requestKeyframe(*producer, now);  // the gap is not repaired: the decoder needs a keyframe
          break;
        case NackGenerator::Result::kInOrder:
        case NackGenerator::Result::kRecovered:
          break;
      }
    }
    handOff(*producer, 0, packet);
    forward(*producer, kind, packet, now);
    producer->retransmissions().store(packet.sequenceNumber(), packet.data(), now);
  }

  // --- Handoff (a room spread over workers) ---

  void handOff(const Producer& producer, int layer, const rtp::RtpPacketView& packet) noexcept {
    if (producer.handoffs().empty()) return;
    ++counters.rtpHandedOff;
    output.handOff(router, producer.id(), producer.handoffs(), HandoffPacket::Type::kRtp, layer,
                   packet.data());
  }

  // What the origin handed off, forwarded to the mirror's consumers like a packet received here
  // (after the publisher-side steps, which stay at the origin).
  void onMirrored(uint32_t id, int layer, std::span<const uint8_t> bytes, Clock::time_point now) noexcept {
    ++counters.rtpMirrored;
    Producer* producer = findProducer(id);
    const auto packet = rtp::RtpPacketView::parse(bytes);
    if (producer == nullptr || !producer->mirror() || !packet) {
      ++counters.rtpMirrorDropped;
      return;
    }
    const Producer::PayloadKind kind = producer->classify(packet->payloadType());
    if (kind != Producer::PayloadKind::kMedia && kind != Producer::PayloadKind::kDtmf) {
      ++counters.rtpMirrorDropped;
      return;
    }
    if (!producer->hasMediaSsrc(packet->ssrc()) && !producer->learnSsrc(packet->ssrc())) {
      ++counters.rtpMirrorDropped;
      return;
    }
    if (producer->simulcast()) {
      if (layer < 0 || layer >= producer->layerCount()) {
        ++counters.rtpMirrorDropped;
        return;
      }
      if (producer->layerOf(packet->ssrc()) != layer) producer->setLayerSsrc(layer, packet->ssrc());
      producer->noteLayerPacket(layer, now);
      producer->noteBytes(layer, packet->size(), now);
      forwardSimulcast(*producer, layer, kind, *packet, now);
      producer->retransmissions(layer).store(packet->sequenceNumber(), packet->data(), now);
      return;
    }
    if (producer->primarySsrc() != packet->ssrc()) {
      ++counters.rtpMirrorDropped;
      return;
    }
    producer->noteBytes(0, packet->size(), now);
    forward(*producer, kind, *packet, now);
    producer->retransmissions().store(packet->sequenceNumber(), packet->data(), now);
  }

  // --- Keyframe requests ---

  void requestKeyframe(Producer& producer, Clock::time_point now) noexcept {
    if (!producer.isVideo()) return;
    if (producer.keyframes().request(now)) {
      sendKeyframeRequest(producer, now);
    } else {
      ++counters.keyframeRequestsMerged;
    }
  }

  // Sends a PLI (RFC 4585 §6.3.1) for the producer's primary SSRC, or a FIR (RFC 5104 §4.3.1, a
  // new sequence number per request) when the publisher negotiated only that; without an SSRC the
  // request stays pending until one is learned.
  void sendKeyframeRequest(Producer& producer, Clock::time_point now) noexcept {
    if (producer.mirror()) {  // the origin's router asks the publisher (and throttles again)
      output.requestOriginKeyframe(router, producer.id(), *producer.spec().originWorker);
      producer.keyframes().attempted(now, true);
      ++counters.keyframeRequestsForwarded;
      return;
    }
    const std::optional<uint32_t> mediaSsrc = producer.primarySsrc();
    if (!mediaSsrc) return;
    const bool fir = producer.spec().fir && !producer.spec().pli;
    std::array<rtcp::FirEntry, Producer::kMaxLayers> entries{};
    size_t entryCount = 0;
    rtcp::RtcpCompoundBuilder builder(std::span<uint8_t>(rtcpBuffer).first(kMaxRtcpPacketSize));
    const auto add = [&](uint32_t ssrc) {
      if (!fir) return builder.addPli(kServerSsrc, ssrc);
      entries[entryCount++] = rtcp::FirEntry{ssrc, producer.firSequenceNumber()};
      return true;
    };
    if (producer.simulcast()) {
      // One request per known layer: the subscriber waiting for a layer needs its keyframe, and the
      // others switch on theirs.
      bool any = false;
      for (int layer = 0; layer < producer.layerCount(); ++layer) {
        if (const auto ssrc = producer.layerSsrc(layer)) any = add(*ssrc) || any;
      }
      if (!any) return;
    } else if (!add(*mediaSsrc)) {
      return;
    }
    if (fir) {
      if (!builder.addFir(kServerSsrc, std::span<const rtcp::FirEntry>(entries).first(entryCount))) return;
      producer.nextFirSequenceNumber();
    }
    const bool sent = output.sendRtcp(producer.transport(), rtcpBuffer, builder.size());
    producer.keyframes().attempted(now, sent);
    if (sent) {
      ++counters.keyframeRequestsSent;
    } else {
      ++counters.sendFailed;
    }
  }

  // --- Sender and receiver reports ---

  // A publisher's SR: each of its consumers gets the same NTP time with the RTP timestamp moved by
  // the consumer's offset and the consumer's own counts (RFC 3550 section 6.4.1), so subscribers
  // can synchronise the publisher's audio and video (and estimate RTT from their reports).
  void onSenderReport(TransportId transport, const rtcp::SenderReportView& sr, std::span<const uint8_t> bytes,
                      Clock::time_point now) noexcept {
    Producer* producer = nullptr;
    int layer = 0;  // the simulcast layer the SR's SSRC carries
    for (const auto& p : producers) {
      if (p->transport() != transport || p->mirror()) continue;
      if (p->primarySsrc() == sr.senderSsrc()) {
        producer = p.get();
        layer = p->simulcast() ? std::max(p->layerOf(sr.senderSsrc()), 0) : 0;
        break;
      }
      if (p->simulcast() && p->layerOf(sr.senderSsrc()) >= 0) {
        producer = p.get();
        layer = p->layerOf(sr.senderSsrc());
        break;
      }
    }
    if (producer == nullptr) return;
    ++counters.senderReportsReceived;
    if (producer->primarySsrc() == sr.senderSsrc())
      producer->statistics().onSenderReport(sr.ntpTimestamp(), now);
    if (!producer->handoffs().empty()) {
      ++counters.senderReportsHandedOff;
      output.handOff(router, producer->id(), producer->handoffs(), HandoffPacket::Type::kSenderReport, layer,
                     bytes);
    }
    relaySenderReport(*producer, layer, sr, now);
  }

  // A publisher's SR rewritten for each consumer of the producer.
  void relaySenderReport(Producer& producer, int layer, const rtcp::SenderReportView& sr,
                         Clock::time_point now) noexcept {
    for (Consumer* consumer : producer.consumers()) {
      // A consumer with a switcher gets the SR of the layer it is on, in its output timeline (the
      // offset changes at each switch); the others' SRs would mislead its lip sync.
      const SimulcastSwitcher* switcher = consumer->switcher();
      const std::optional<uint32_t> rtpTimestamp =
          switcher != nullptr ? switcher->outputTimestampFor(layer, sr.rtpTimestamp())
                              : std::optional<uint32_t>(consumer->timestampFor(sr.rtpTimestamp()));
      if (!rtpTimestamp) continue;
      rtcp::SenderInfo info;
      info.ssrc = consumer->ssrc();
      info.ntpTimestamp = sr.ntpTimestamp();
      info.rtpTimestamp = *rtpTimestamp;
      info.packetCount = static_cast<uint32_t>(consumer->packets());
      info.octetCount = static_cast<uint32_t>(consumer->octets());
      rtcp::RtcpCompoundBuilder builder(std::span<uint8_t>(rtcpBuffer).first(kMaxRtcpPacketSize));
      if (!builder.addSr(info)) continue;
      if (output.sendRtcp(consumer->transport(), rtcpBuffer, builder.size())) {
        ++counters.senderReportsSent;
        consumer->noteSenderReport(sr.compactNtp(), now);
      } else {
        ++counters.sendFailed;
      }
    }
  }

  // Report blocks from a subscriber about the streams it receives: RTT per consumer.
  void onReportBlocks(TransportId transport, const rtcp::ReportBlockList& blocks,
                      Clock::time_point now) noexcept {
    for (size_t i = 0; i < blocks.size(); ++i) {
      const rtcp::ReportBlock block = blocks.at(i);
      const auto it = consumersBySsrc.find(ssrcKey(transport, block.ssrc));
      if (it == consumersBySsrc.end()) continue;
      Consumer& consumer = *it->second;
      consumer.onReportBlock(block.lastSr, block.delaySinceLastSr, now);
      Subscriber* subscriber = consumer.subscriber();
      if (consumer.rtt() && subscriber != nullptr && subscriber->estimator)
        subscriber->estimator->setRtt(*consumer.rtt());
    }
  }

  // --- Toward publishers: congestion control feedback, NACKs and receiver reports ---

  // Feedback goes only to transports that still publish something (control plane).
  void pruneFeedback() {
    for (auto it = feedback.begin(); it != feedback.end();) {
      const TransportId transport = it->first;
      const bool publishes = std::any_of(producers.begin(), producers.end(),
                                         [&](const auto& p) { return p->transport() == transport; });
      it = publishes ? std::next(it) : feedback.erase(it);
    }
  }

  void recordArrival(TransportId transport, const rtp::RtpPacketView& packet,
                     Clock::time_point now) noexcept {
    const auto it = feedback.find(transport);
    if (it == feedback.end()) return;
    const auto value = packet.extension(it->second->extensionId);
    if (value && value->size() == 2) it->second->recorder.onPacket(util::read16(value->data()), now);
  }

  // Every 50 ms (or sooner when many packets wait): what arrived, as transport-cc feedback.
  void sendFeedback(Clock::time_point now) noexcept {
    for (auto& [transport, state] : feedback) {
      TransportCcRecorder& recorder = state->recorder;
      if (recorder.pending() == 0 || (now < state->due && recorder.pending() < 100)) continue;
      state->due = nextDue(state->due, now, kFeedbackInterval, transport);
      const uint8_t count = recorder.feedbackCount();
      const size_t n = recorder.take(feedbackList);
      if (n == 0) continue;
      uint32_t mediaSsrc = 0;
      for (const auto& p : producers) {
        if (p->transport() == transport && p->primarySsrc()) {
          mediaSsrc = *p->primarySsrc();
          break;
        }
      }
      rtcp::RtcpCompoundBuilder builder(std::span<uint8_t>(rtcpBuffer).first(kMaxRtcpPacketSize));
      if (builder.addTransportCc(kServerSsrc, mediaSsrc, count,
                                 std::span<const rtcp::TwccPacket>(feedbackList).first(n)) &&
          output.sendRtcp(transport, rtcpBuffer, builder.size())) {
        ++counters.transportFeedbackSent;
      } else {
        ++counters.sendFailed;
      }
    }
  }

  // The round-trip time toward `transport`: from its subscriptions' reports when it has some.
  Clock::duration rttOf(TransportId transport) const noexcept {
    for (const auto& consumer : consumers) {
      if (consumer->transport() == transport && consumer->rtt()) return *consumer->rtt();
    }
    return options.defaultRtt;
  }

  void tickProducer(Producer& producer, Clock::time_point now) noexcept {
    if (producer.mirror()) return;  // the origin reports to the publisher
    const std::optional<uint32_t> ssrc = producer.primarySsrc();
    if (!ssrc) return;
    if (NackGenerator* nack = producer.nack()) {
      const size_t count = nack->collect(now, rttOf(producer.transport()), nackBatch);
      if (count > 0) {
        rtcp::RtcpCompoundBuilder builder(std::span<uint8_t>(rtcpBuffer).first(kMaxRtcpPacketSize));
        if (builder.addNack(kServerSsrc, *ssrc, std::span<const uint16_t>(nackBatch).first(count)) &&
            output.sendRtcp(producer.transport(), rtcpBuffer, builder.size())) {
          counters.nacksSent += count;
        } else {
          ++counters.sendFailed;
        }
      }
      if (nack->keyframeNeeded()) {
        nack->clearKeyframeNeeded();
        requestKeyframe(producer, now);
      }
    }
    ReceiveStatistics& statistics = producer.statistics();
    if (statistics.received() > 0 && now >= producer.nextReceiverReport()) {
      producer.setNextReceiverReport(nextDue(
          producer.nextReceiverReport(), now,
          std::chrono::duration_cast<Clock::duration>(options.receiverReportInterval), producer.id()));
      const rtcp::ReportBlock block = statistics.reportBlock(*ssrc, now);
      rtcp::RtcpCompoundBuilder builder(std::span<uint8_t>(rtcpBuffer).first(kMaxRtcpPacketSize));
      if (builder.addRr(kServerSsrc, std::span<const rtcp::ReportBlock>(&block, 1)) &&
          output.sendRtcp(producer.transport(), rtcpBuffer, builder.size())) {
        ++counters.receiverReportsSent;
      } else {
        ++counters.sendFailed;
      }
    }
  }

  // A PLI or FIR entry from `transport` naming `mediaSsrc`; firSeqNr for FIR.
  void onKeyframeRequest(TransportId transport, uint32_t mediaSsrc, std::optional<uint8_t> firSeqNr,
                         Clock::time_point now) noexcept {
    const auto it = consumersBySsrc.find(ssrcKey(transport, mediaSsrc));
    if (it == consumersBySsrc.end()) return;
    Consumer& consumer = *it->second;
    if (firSeqNr && !consumer.acceptFir(*firSeqNr)) return;  // a retransmitted FIR
    ++counters.keyframeRequestsReceived;
    requestKeyframe(consumer.producer(), now);
  }

  // --- Toward subscribers: bandwidth estimation and allocation ---

  void onTransportFeedback(TransportId transport, const rtcp::TransportCcView& view,
                           Clock::time_point now) noexcept {
    const auto it = subscribers.find(transport);
    if (it == subscribers.end() || !it->second->estimator) return;
    ++counters.transportFeedbackReceived;
    it->second->estimator->onFeedback(view, now);
  }

  static uint32_t layerRate(const Producer& producer, int layer) noexcept {
    return producer.layerBitrate(layer, kNominalLayerBps[static_cast<size_t>(std::clamp(layer, 0, 2))]);
  }

  // Shares the subscriber's estimate out: audio first, then the video of the active speaker, then
  // the rest in subscription order. A simulcast consumer gets the best layer at or below the one it
  // wants whose rate fits what is left (a higher layer than its current one only with a margin), at
  // least the lowest. Before the first feedback the estimate is the initial one; without transport-cc
  // a consumer gets what it wants.
  void allocate(Subscriber& subscriber, Clock::time_point now) noexcept {
    const BandwidthEstimator* estimator = subscriber.estimator ? &*subscriber.estimator : nullptr;
    double budget = estimator != nullptr ? estimator->estimateBps() : 1e12;
    uint64_t desired = 0;
    uint64_t allocated = 0;
    for (const Consumer* consumer : subscriber.consumers) {
      if (consumer->producer().isVideo()) continue;
      const uint32_t rate = consumer->producer().layerBitrate(0, kNominalAudioBps);
      budget -= rate;
      desired += rate;
      allocated += rate;
    }
    std::optional<TransportId> speaker;
    if (const std::optional<uint32_t> current = speakers.current()) {
      if (const Producer* p = findProducer(*current)) speaker = p->transport();
    }
    for (const bool speakerPass : {true, false}) {
      for (Consumer* consumer : subscriber.consumers) {
        Producer& producer = consumer->producer();
        if (!producer.isVideo() || (speaker == producer.transport()) != speakerPass) continue;
        if (!producer.simulcast()) {
          const uint32_t rate = producer.layerBitrate(0, kNominalVideoBps);
          budget -= rate;
          desired += rate;
          allocated += rate;
          continue;
        }
        const int wanted = std::min(consumer->wantedLayer(), producer.layerCount() - 1);
        if (wanted < 0) {
          consumer->setAllocatedLayer(std::nullopt);
          continue;
        }
        desired += layerRate(producer, wanted);
        int chosen = wanted;
        if (estimator != nullptr) {
          const int current = consumer->allocatedLayer();
          chosen = 0;
          for (int layer = wanted; layer > 0; --layer) {
            const double need = layerRate(producer, layer) * (layer > current ? kUpswitchMargin : 1.0);
            if (need <= budget) {
              chosen = layer;
              break;
            }
          }
          consumer->setAllocatedLayer(chosen);
        } else {
          consumer->setAllocatedLayer(std::nullopt);
        }
        producer.noteLayerNeeded(chosen, now);
        budget -= layerRate(producer, chosen);
        allocated += layerRate(producer, chosen);
      }
    }
    subscriber.desiredBps = static_cast<uint32_t>(std::min<uint64_t>(desired, UINT32_MAX));
    subscriber.allocatedBps = static_cast<uint32_t>(std::min<uint64_t>(allocated, UINT32_MAX));
  }

  // The consumer whose RTX stream carries the subscriber's padding (padding-only RTX packets are
  // what Chromium's own probes look like; the subscriber drops them after noting their arrival).
  static Consumer* paddingConsumer(const Subscriber& subscriber) noexcept {
    for (Consumer* consumer : subscriber.consumers) {
      if (consumer->producer().isVideo() && consumer->hasRtx() &&
          consumer->spec().extensions.has(RtpExtension::kTransportCc)) {
        return consumer;
      }
    }
    return nullptr;
  }

  // Starts a probe when the subscriber wants more than its estimate gives it.
  void probe(Subscriber& subscriber, Clock::time_point now) noexcept {
    if (!subscriber.estimator) return;
    BandwidthEstimator& estimator = *subscriber.estimator;
    estimator.tick(now);
    if (subscriber.probing && !estimator.probing()) {
      subscriber.probing = false;
      subscriber.nextProbe = now + (estimator.lastProbeSucceeded() ? kProbeAfterSuccess : kProbeAfterFailure);
    }
    if (estimator.probing() || now < subscriber.nextProbe || !estimator.hasFeedback()) return;
    if (subscriber.desiredBps <= subscriber.allocatedBps) return;  // every consumer has what it wants
    if (estimator.usage() != BandwidthEstimator::Usage::kNormal || estimator.lossRatio() > 0.02) return;
    if (paddingConsumer(subscriber) == nullptr) return;
    const double target = std::min<double>(static_cast<double>(subscriber.desiredBps) * kUpswitchMargin * 1.1,
                                           2.0 * estimator.estimateBps());
    if (estimator.startProbe(static_cast<uint32_t>(target), now)) {
      subscriber.probing = true;
      ++counters.probes;
    }
  }

  // Sends the padding a running probe still wants.
  void sendPadding(Subscriber& subscriber, Clock::time_point now) noexcept {
    if (!subscriber.estimator) return;
    BandwidthEstimator& estimator = *subscriber.estimator;
    size_t due = estimator.probePaddingDue(now);
    if (due == 0) return;
    Consumer* consumer = paddingConsumer(subscriber);
    if (consumer == nullptr) return;
    const rtp::RtpExtensionIds& ids = consumer->spec().extensions;
    const uint8_t extensionId = ids[RtpExtension::kTransportCc];
    for (size_t n = 0; n < kMaxPaddingPerTick && due > 0; ++n) {
      const uint16_t sequence = consumer->takeTransportSequence();
      std::array<uint8_t, 2> value{};
      util::write16(value.data(), sequence);
      rtp::RtpPacketBuilder builder;
      builder.setPayloadType(*consumer->spec().rtxPayloadType)
          .setSequenceNumber(consumer->takeRtxSequence())
          .setTimestamp(consumer->timestampFor(0))
          .setSsrc(consumer->spec().rtxSsrc)
          .setPadding(kPaddingBytes);
      if (extensionId > rtp::kOneByteExtensionMaxId)
        builder.setExtensionForm(rtp::RtpExtensionForm::kTwoByte);
      builder.addExtension(extensionId, value);
      const std::optional<size_t> size =
          builder.build(std::span<uint8_t>(rtpBuffer).first(kMaxRtpPacketSize));
      if (!size || !output.sendRtp(consumer->transport(), rtpBuffer, *size)) {
        consumer->giveBackTransportSequence();
        ++counters.sendFailed;
        return;
      }
      ++counters.paddingSent;
      estimator.onPacketSent(sequence, *size, now);
      due = *size >= due ? 0 : due - *size;
    }
  }

  // Tells the Output which simulcast layers each producer's subscribers need, when that changed.
  void reportLayers(Clock::time_point now) noexcept {
    for (const auto& p : producers) {
      if (!p->simulcast()) continue;
      const uint8_t all = static_cast<uint8_t>((1U << p->layerCount()) - 1);
      const uint8_t needed = p->neededLayers(now, options.layerOffDelay);
      if (needed == (p->reportedLayers() & all)) continue;
      p->setReportedLayers(needed);
      ++counters.layerReports;
      output.onLayersNeeded(router, p->id(), needed);
    }
  }

  void onRtcp(TransportId transport, std::span<const uint8_t> bytes, Clock::time_point now) noexcept {
    ++counters.rtcpReceived;
    const rtcp::RtcpCompound compound(bytes);
    if (!compound.valid()) {
      ++counters.rtcpMalformed;
      return;
    }
    for (const rtcp::RtcpPacket& packet : compound) {
      if (packet.packetType() == rtcp::kPtSr) {
        if (const auto sr = rtcp::SenderReportView::parse(packet)) {
          onSenderReport(transport, *sr, packet.data(), now);
          onReportBlocks(transport, sr->reports(), now);
        }
        continue;
      }
      if (packet.packetType() == rtcp::kPtRr) {
        if (const auto rr = rtcp::ReceiverReportView::parse(packet))
          onReportBlocks(transport, rr->reports(), now);
        continue;
      }
      if (packet.packetType() == rtcp::kPtRtpfb) {
        if (const auto nack = rtcp::NackView::parse(packet)) {
          onNack(transport, *nack, now);
        } else if (const auto congestion = rtcp::TransportCcView::parse(packet)) {
          onTransportFeedback(transport, *congestion, now);
        }
        continue;
      }
      if (packet.packetType() != rtcp::kPtPsfb) continue;
      if (const auto pli = rtcp::PliView::parse(packet)) {
        onKeyframeRequest(transport, pli->mediaSsrc(), std::nullopt, now);
      } else if (const auto fir = rtcp::FirView::parse(packet)) {
        for (size_t i = 0; i < fir->entryCount(); ++i) {
          const rtcp::FirEntry entry = fir->entry(i);
          onKeyframeRequest(transport, entry.ssrc, entry.seqNr, now);
        }
      }
    }
  }
};

Router::Router(Output& output, Options options, uint64_t tag)
    : output_(output),
      options_(options),
      tag_(tag),
      state_(std::make_unique<State>(*this, output_, options_, counters_)) {}

Router::~Router() = default;

void Router::addProducer(const ProducerSpec& spec) {
  if (!spec.originWorker && spec.extensions.has(RtpExtension::kTransportCc) &&
      !state_->feedback.contains(spec.transport)) {
    auto feedback = std::make_unique<State::Feedback>();
    feedback->extensionId = spec.extensions[RtpExtension::kTransportCc];
    state_->feedback.emplace(spec.transport, std::move(feedback));
  }
  if (Producer* existing = state_->findProducer(spec.id)) {
    existing->update(spec);
    state_->pruneFeedback();  // it may have moved to another transport
    return;
  }
  state_->producers.push_back(std::make_unique<Producer>(spec, options_.keyframeRequestInterval,
                                                         options_.retransmissionBufferPackets));
  if (spec.kind == TrackKind::kAudio && !spec.originWorker) {  // a mirror: detected at the origin
    try {
      state_->speakers.addStream(spec.id);
    } catch (...) {
      state_->producers.pop_back();
      throw;
    }
  }
}

void Router::removeProducer(uint32_t id) noexcept {
  if (const Producer* producer = state_->findProducer(id)) state_->removeProducer(producer);
}

bool Router::addConsumer(const ConsumerSpec& spec, Clock::time_point now, bool requestKeyframe) {
  Producer* producer = state_->findProducer(spec.producer);
  if (producer == nullptr) return false;
  if (const Consumer* existing = state_->findConsumer(spec.id)) state_->removeConsumer(existing);

  auto& slot = state_->subscribers[spec.transport];
  if (!slot) slot = std::make_unique<Subscriber>(spec.transport);
  Subscriber& subscriber = *slot;
  if (options_.bandwidthEstimation && !subscriber.estimator &&
      spec.extensions.has(RtpExtension::kTransportCc)) {
    subscriber.estimator.emplace(options_.estimator);
  }
  auto owned = std::make_unique<Consumer>(spec, *producer, subscriber.transportSequence);
  Consumer* consumer = owned.get();
  state_->consumers.push_back(std::move(owned));
  try {
    producer->attach(*consumer);
    state_->consumersBySsrc[ssrcKey(spec.transport, spec.ssrc)] = consumer;
    subscriber.consumers.push_back(consumer);
    consumer->setSubscriber(&subscriber);
  } catch (...) {
    state_->removeConsumer(consumer);
    throw;
  }
  if (requestKeyframe) state_->requestKeyframe(*producer, now);
  return true;
}

void Router::requestKeyframes(TransportId transport, Clock::time_point now) noexcept {
  for (const auto& consumer : state_->consumers) {
    if (consumer->transport() == transport) state_->requestKeyframe(consumer->producer(), now);
  }
}

bool Router::setConsumerLayer(uint32_t id, int layer, Clock::time_point now) noexcept {
  Consumer* consumer = state_->findConsumer(id);
  SimulcastSwitcher* switcher = consumer != nullptr ? consumer->switcher() : nullptr;
  if (switcher == nullptr) return false;
  if (layer < -1 || layer > 2) return false;
  consumer->setWantedLayer(layer);
  // Down at once; up as far as the subscriber's bandwidth allows, from the next allocation on.
  if (layer < 0) {
    consumer->setAllocatedLayer(std::nullopt);
  } else if (consumer->allocatedLayer() > layer) {
    consumer->setAllocatedLayer(layer);
  }
  if (!switcher->setTargetLayer(consumer->producer().effectiveLayer(consumer->allocatedLayer(), now)))
    return false;
  if (switcher->waitingForKeyframe()) state_->requestKeyframe(consumer->producer(), now);
  return true;
}

bool Router::setConsumerTemporalLayer(uint32_t id, int temporalLayer) noexcept {
  Consumer* consumer = state_->findConsumer(id);
  return consumer != nullptr && consumer->setWantedTemporalLayer(temporalLayer);
}

void Router::removeConsumer(uint32_t id) noexcept {
  if (const Consumer* consumer = state_->findConsumer(id)) state_->removeConsumer(consumer);
}

void Router::removeTransport(TransportId transport) noexcept {
  for (size_t i = state_->producers.size(); i-- > 0;) {
    if (i < state_->producers.size() && state_->producers[i]->transport() == transport) {
      state_->removeProducer(state_->producers[i].get());
    }
  }
  for (size_t i = state_->consumers.size(); i-- > 0;) {
    if (i < state_->consumers.size() && state_->consumers[i]->transport() == transport) {
      state_->removeConsumer(state_->consumers[i].get());
    }
  }
  state_->subscribers.erase(transport);
  state_->feedback.erase(transport);
}

void Router::onRtp(TransportId transport, rtp::RtpPacket& packet, Clock::time_point now) noexcept {
  state_->recordArrival(transport, packet.view(), now);
  if (Producer* repaired = state_->repairedProducerOf(transport, packet.view())) {
    ++counters_.rtpReceived;
    state_->onRepair(*repaired, packet, now);
    return;
  }
  state_->onRtp(transport, packet.view(), now);
}

void Router::onRtcp(TransportId transport, std::span<const uint8_t> compound,
                    Clock::time_point now) noexcept {
  state_->onRtcp(transport, compound, now);
}

void Router::tick(Clock::time_point now) noexcept {
  for (const auto& producer : state_->producers) {
    state_->tickProducer(*producer, now);
    if (producer->isVideo() && producer->keyframes().due(now)) state_->sendKeyframeRequest(*producer, now);
  }
  state_->sendFeedback(now);
  if (now >= state_->nextAllocation) {
    state_->nextAllocation = nextDue(state_->nextAllocation, now, kAllocationInterval, tag_);
    for (const auto& producer : state_->producers)
      producer->updateRates(now);
    for (auto& [transport, subscriber] : state_->subscribers)
      state_->allocate(*subscriber, now);
    state_->reportLayers(now);
  }
  for (auto& [transport, subscriber] : state_->subscribers) {
    state_->probe(*subscriber, now);
    state_->sendPadding(*subscriber, now);
  }
  if (now >= state_->nextSpeakerEvaluation) {
    state_->nextSpeakerEvaluation =
        nextDue(state_->nextSpeakerEvaluation, now, ActiveSpeakerDetector::kBinLength, tag_ + 1);
    if (const std::optional<uint32_t> speaker = state_->speakers.evaluate(now)) {
      ++counters_.speakerChanges;
      output_.onActiveSpeaker(*this, *speaker);
    }
  }
}

bool Router::addHandoff(uint32_t producer, uint16_t worker) {
  Producer* p = state_->findProducer(producer);
  if (p == nullptr || p->mirror()) return false;
  p->addHandoff(worker);
  return true;
}

void Router::removeHandoffs(uint16_t worker) noexcept {
  for (const auto& producer : state_->producers)
    producer->removeHandoff(worker);
}

void Router::requestKeyframe(uint32_t producer, Clock::time_point now) noexcept {
  if (Producer* p = state_->findProducer(producer)) state_->requestKeyframe(*p, now);
}

void Router::onMirroredRtp(uint32_t producer, int layer, std::span<const uint8_t> packet,
                           Clock::time_point now) noexcept {
  state_->onMirrored(producer, layer, packet, now);
}

void Router::onMirroredSenderReport(uint32_t producer, int layer, std::span<const uint8_t> packet,
                                    Clock::time_point now) noexcept {
  Producer* p = state_->findProducer(producer);
  const auto rtcpPacket = rtcp::RtcpPacket::parse(packet);
  const auto sr = rtcpPacket ? rtcp::SenderReportView::parse(*rtcpPacket) : std::nullopt;
  if (p == nullptr || !p->mirror() || !sr) return;
  ++counters_.senderReportsReceived;
  state_->relaySenderReport(*p, layer, *sr, now);
}

size_t Router::producerCount() const noexcept {
  return state_->producers.size();
}

size_t Router::consumerCount() const noexcept {
  return state_->consumers.size();
}

uint64_t Router::consumerPackets(uint32_t consumer) const noexcept {
  const Consumer* c = state_->findConsumer(consumer);
  return c != nullptr ? c->packets() : 0;
}

std::optional<Clock::duration> Router::consumerRtt(uint32_t consumer) const noexcept {
  const Consumer* c = state_->findConsumer(consumer);
  return c != nullptr ? c->rtt() : std::nullopt;
}

std::optional<int> Router::consumerAllocatedLayer(uint32_t consumer) const noexcept {
  const Consumer* c = state_->findConsumer(consumer);
  return c != nullptr ? std::optional<int>(c->allocatedLayer()) : std::nullopt;
}

std::optional<uint32_t> Router::subscriberEstimate(TransportId transport) const noexcept {
  const auto it = state_->subscribers.find(transport);
  if (it == state_->subscribers.end() || !it->second->estimator) return std::nullopt;
  return it->second->estimator->estimateBps();
}

}  // namespace switchyard::media::forward
