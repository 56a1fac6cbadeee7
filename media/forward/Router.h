#pragma once
// The forwarding plane of one room, on the room's worker thread: published tracks (producers) and,
// per subscriber, one outgoing stream per track it receives (consumers). A decrypted RTP packet of
// a producer is copied once per consumer into a scratch buffer with its header rebuilt for that
// subscriber (SSRC, payload type, sequence number and timestamp offsets, header extensions
// re-numbered to the subscriber's ids, the subscriber's mid, abs-send-time and a per-subscriber
// transport-wide sequence number written by the server), then protected and sent by the Output.
// Keyframes: a new video consumer asks its producer for one (PLI), and PLI/FIR from subscribers
// reach the producer's publisher, at most one request per producer per keyframeRequestInterval
// (requests inside the interval are merged and sent when it ends, from tick()).
// The data plane (onRtp, onRtcp, tick) never allocates, locks, throws or logs; the control calls
// (add/remove) may allocate. Confined to one thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/codec/CodecKind.h"
#include "media/forward/BandwidthEstimator.h"
#include "media/forward/HandoffPacketPool.h"
#include "media/rtp/RtpHeaderExtensions.h"
#include "media/rtp/RtpPacket.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

using transport::Clock;
using transport::TransportId;

enum class TrackKind : uint8_t { kAudio, kVideo };

struct ProducerSpec {
  uint32_t id = 0;  // unique in the router
  TransportId transport = 0;
  TrackKind kind = TrackKind::kVideo;
  uint32_t clockRate = 90000;
  uint8_t payloadType = 0;
  std::optional<uint8_t> rtxPayloadType;
  std::optional<uint8_t> dtmfPayloadType;
  std::vector<uint32_t> ssrcs;      // media SSRCs from the SDP; may be empty (learned by mid)
  std::vector<uint32_t> rtxSsrcs;   // repair SSRCs from the SDP
  std::string mid;                  // the publisher's mid of this track's m-section
  rtp::RtpExtensionIds extensions;  // the publisher's ids
  bool nack = false;                // the publisher honours generic NACK (a=rtcp-fb nack)
  // Keyframe requests it honours: PLI (a=rtcp-fb nack pli) is used when negotiated, else FIR
  // (a=rtcp-fb ccm fir, RFC 5104 section 4.3.1) when that is, else PLI anyway.
  bool pli = true;
  bool fir = false;
  // Simulcast (RFC 8853): the layers' RIDs, lowest first, as answered; empty or one: no simulcast.
  // Layers are told apart by the rid header extension; needs a codec the router can inspect.
  std::vector<std::string> simulcastRids;
  std::optional<codec::CodecKind> videoCodec;  // VP8, VP9, H264 (keyframes, picture ids)
  // Set: a mirror of the producer of the same id published on that worker (a room spread over
  // workers). A mirror has no transport (0) and is fed by onMirroredRtp/onMirroredSenderReport
  // with what the origin's router hands off; it answers its consumers' NACKs from its own
  // retransmission buffer, sends the publisher nothing (no NACK, receiver report, transport-cc)
  // and passes keyframe requests to the origin through Output::requestOriginKeyframe. Active
  // speaker detection stays at the origin.
  std::optional<uint16_t> originWorker;
};

struct ConsumerSpec {
  uint32_t id = 0;  // unique in the router
  uint32_t producer = 0;
  TransportId transport = 0;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // 0: no RTX negotiated
  std::string mid;       // the subscriber's mid, written into the mid extension
  uint8_t payloadType = 0;
  std::optional<uint8_t> rtxPayloadType;
  std::optional<uint8_t> dtmfPayloadType;
  rtp::RtpExtensionIds extensions;  // the subscriber's ids
  // Simulcast: the layer the subscriber wants (0 = lowest .. 2; -1 pauses); capped at the best layer.
  // VP9 without simulcast (SVC): the spatial layer (0, 1, 2 = all; -1 pauses).
  int layer = 2;
  // VP8/VP9: the highest temporal layer (TID) forwarded, 0 .. 7 (7: all).
  int temporalLayer = 7;
};

class Router {
 public:
  // Implemented by the worker: protects in place and sends on a transport. `buffer` holds the
  // packet in its first `length` bytes and has room for the SRTP/SRTCP trailer after it. Called
  // from inside onRtp/onRtcp/tick/addConsumer: it must not call back into the Router.
  class Output {
   public:
    virtual ~Output() = default;
    virtual bool sendRtp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept = 0;
    virtual bool sendRtcp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept = 0;
    // The room's active speaker changed to the publisher of audio producer `producer` (from tick()).
    virtual void onActiveSpeaker(const Router& /*router*/, uint32_t /*producer*/) noexcept {}
    // Simulcast: the layers of `producer` its subscribers currently need, as a bit mask (bit i =
    // layer i, lowest first; the lowest layer is always in it). Called from tick() when the set
    // changes: a layer is added at once, removed once nobody needed it for a while. The worker asks
    // the publisher to turn the other layers off (the client module's setParameters) and on again.
    virtual void onLayersNeeded(const Router& /*router*/, uint32_t /*producer*/,
                                uint8_t /*layers*/) noexcept {}
    // A room spread over workers: a packet of `producer` (after the publisher-side processing:
    // decrypted, RTX unwrapped, counted, NACKs scheduled), or one of its publisher's sender reports
    // (one RTCP SR packet), for the mirrors of the producer on `workers` (addHandoff). `layer`:
    // the simulcast layer the packet (or the SR's SSRC) carries, 0 without simulcast.
    virtual void handOff(const Router& /*router*/, uint32_t /*producer*/,
                         std::span<const uint16_t> /*workers*/, HandoffPacket::Type /*type*/, int /*layer*/,
                         std::span<const uint8_t> /*packet*/) noexcept {}
    // A mirror producer's subscribers need a keyframe (throttled like any keyframe request): the
    // worker asks the origin's router (Router::requestKeyframe there).
    virtual void requestOriginKeyframe(const Router& /*router*/, uint32_t /*producer*/,
                                       uint16_t /*originWorker*/) noexcept {}
  };

  struct Options {
    std::chrono::milliseconds keyframeRequestInterval{200};
    // Packets kept per published video stream to answer NACKs (about 1.5 s at 2.5 Mbit/s).
    size_t retransmissionBufferPackets = 512;
    // Receiver reports to each publisher, per published stream (RFC 3550 section 6.4.2).
    std::chrono::milliseconds receiverReportInterval{1000};
    // Round-trip time assumed toward a publisher until its transport's reports give one.
    std::chrono::milliseconds defaultRtt{100};
    // Send-side bandwidth estimation toward each subscriber from its transport-cc feedback; the
    // estimate picks its simulcast layers (false: each gets the layer it asks for).
    bool bandwidthEstimation = true;
    BandwidthEstimator::Options estimator{};
    // A simulcast layer no subscriber was allocated for this long is reported unneeded
    // (Output::onLayersNeeded).
    std::chrono::milliseconds layerOffDelay{5000};
  };

  struct Counters {
    uint64_t rtpReceived = 0;               // RTP from producers' transports
    uint64_t rtpForwarded = 0;              // copies sent to consumers
    uint64_t rtpUnknownSsrc = 0;            // no producer for the SSRC (and no known mid extension)
    uint64_t rtpUnknownPayload = 0;         // a payload type the producer did not negotiate
    uint64_t rtxDropped = 0;                // repair packets that carry nothing to repair (padding probes)
    uint64_t rtxRepaired = 0;               // publishers' repairs unwrapped and forwarded
    uint64_t rtxDuplicate = 0;              // repairs of packets already received (dropped)
    uint64_t retransmissionsRequested = 0;  // sequence numbers subscribers NACKed
    uint64_t retransmissionsSent = 0;       // answered (as RTX when negotiated)
    uint64_t retransmissionsMissed = 0;     // no longer (or never) in the buffer
    uint64_t nacksSent = 0;                 // sequence numbers NACKed to publishers
    uint64_t rtpDuplicate = 0;              // publishers' packets already received (dropped)
    uint64_t receiverReportsSent = 0;
    uint64_t speakerChanges = 0;         // active speaker announcements (Output::onActiveSpeaker)
    uint64_t layerSwitches = 0;          // simulcast consumers that moved to another layer
    uint64_t transportFeedbackSent = 0;  // transport-cc feedback packets to publishers
    uint64_t rtpLayerDropped =
        0;  // copies not sent: another simulcast layer, or above the spatial/temporal target
    uint64_t sendFailed = 0;  // Output refused (transport not connected, or full)
    uint64_t rtcpReceived = 0;
    uint64_t keyframeRequestsReceived = 0;  // PLI/FIR from subscribers naming a consumer
    uint64_t keyframeRequestsSent = 0;      // PLI sent to publishers
    uint64_t keyframeRequestsMerged = 0;    // held back by the interval and merged
    uint64_t rtpTooLarge = 0;               // a rewritten copy over 1500 bytes: not sent to that consumer
    uint64_t rtpNotSelected = 0;         // media of a producer SSRC other than the one forwarded (simulcast)
    uint64_t rtcpMalformed = 0;          // compounds that do not parse: dropped whole
    uint64_t senderReportsReceived = 0;  // publishers' SRs for a forwarded SSRC
    uint64_t senderReportsSent = 0;      // SRs rewritten for consumers
    uint64_t transportFeedbackReceived = 0;  // transport-cc feedback from subscribers
    uint64_t probes = 0;                     // bandwidth probes started toward subscribers
    uint64_t paddingSent = 0;                // padding packets of those probes
    uint64_t layerReports = 0;               // Output::onLayersNeeded calls
    uint64_t rtpHandedOff = 0;               // packets given to Output::handOff (to other workers)
    uint64_t senderReportsHandedOff = 0;     // publishers' SRs given to Output::handOff
    uint64_t rtpMirrored = 0;                // packets received by mirror producers (onMirroredRtp)
    uint64_t rtpMirrorDropped = 0;           // of those: no such mirror, or not forwardable
    uint64_t keyframeRequestsForwarded = 0;  // mirrors' keyframe requests passed to the origin
  };

  // `tag`: the owner's key of this router (the room), handed back through tag().
  Router(Output& output, Options options, uint64_t tag = 0);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Control plane. A duplicate id replaces the earlier one (same producer re-negotiated).
  void addProducer(const ProducerSpec& spec);
  void removeProducer(uint32_t id) noexcept;  // and its consumers
  // Adds a consumer; a video consumer requests a keyframe from its producer when `requestKeyframe`
  // (pass false while the consumer's transport is not connected yet: a keyframe sent now would be
  // lost, and would hold the throttle; call requestKeyframes() when it connects). False if the
  // producer does not exist.
  bool addConsumer(const ConsumerSpec& spec, Clock::time_point now, bool requestKeyframe = true);
  // Asks the producer of every video consumer on `transport` for a keyframe (through the
  // throttle): the subscriber's transport just connected.
  void requestKeyframes(TransportId transport, Clock::time_point now) noexcept;
  void removeConsumer(uint32_t id) noexcept;
  // The layer a subscriber wants of a simulcast track (0 = lowest .. 2, -1 = pause); the switch
  // happens at the next keyframe of that layer (one is requested). Of a VP9 track without simulcast:
  // its spatial layer (SVC; 2 = all), up at the next key picture (requested), down at the next
  // picture. False for an unknown consumer or one whose producer is neither simulcast nor VP8/VP9.
  bool setConsumerLayer(uint32_t id, int layer, Clock::time_point now) noexcept;
  // The highest temporal layer (VP8/VP9 TID, 0 .. 7; 7 = all) a subscriber gets: down at the next
  // frame, up at the next frame that allows it (a layer sync frame or a keyframe; none is requested).
  // False for an unknown consumer or one whose producer is neither simulcast nor VP8/VP9.
  bool setConsumerTemporalLayer(uint32_t id, int temporalLayer) noexcept;
  // Every producer and consumer on `transport` (the peer left or its transport closed).
  void removeTransport(TransportId transport) noexcept;

  // Data plane.
  void onRtp(TransportId transport, rtp::RtpPacket& packet, Clock::time_point now) noexcept;
  void onRtcp(TransportId transport, std::span<const uint8_t> compound, Clock::time_point now) noexcept;
  // Sends keyframe requests whose interval has passed. Call every ~10 ms.
  void tick(Clock::time_point now) noexcept;

  // A room spread over workers. Origin side: `worker` holds a mirror of `producer`; its packets
  // and SRs are handed off to it from now on (control plane; false for an unknown producer).
  bool addHandoff(uint32_t producer, uint16_t worker);
  // `worker` no longer holds any mirror of this room.
  void removeHandoffs(uint16_t worker) noexcept;
  // A mirror of `producer` on another worker needs a keyframe (through the throttle).
  void requestKeyframe(uint32_t producer, Clock::time_point now) noexcept;
  // Mirror side (data plane): a packet (or an SR) the origin handed off, forwarded to the mirror's
  // consumers as if it had arrived here.
  void onMirroredRtp(uint32_t producer, int layer, std::span<const uint8_t> packet,
                     Clock::time_point now) noexcept;
  void onMirroredSenderReport(uint32_t producer, int layer, std::span<const uint8_t> packet,
                              Clock::time_point now) noexcept;

  [[nodiscard]] uint64_t tag() const noexcept { return tag_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] size_t producerCount() const noexcept;
  [[nodiscard]] size_t consumerCount() const noexcept;
  // Packets forwarded to one consumer (tests, stats).
  [[nodiscard]] uint64_t consumerPackets(uint32_t consumer) const noexcept;
  // The consumer's round-trip time from its subscriber's reports; nullopt until one echoed an SR.
  [[nodiscard]] std::optional<Clock::duration> consumerRtt(uint32_t consumer) const noexcept;
  // The layer the consumer's bandwidth allocation gives it (its wanted one without an estimate).
  [[nodiscard]] std::optional<int> consumerAllocatedLayer(uint32_t consumer) const noexcept;
  // The bandwidth estimate toward a subscriber transport (nullopt when it did not negotiate transport-cc).
  [[nodiscard]] std::optional<uint32_t> subscriberEstimate(TransportId transport) const noexcept;

 private:
  struct State;
  Output& output_;
  Options options_;
  uint64_t tag_;
  std::unique_ptr<State> state_;
  Counters counters_;
};

}  // namespace switchyard::media::forward
