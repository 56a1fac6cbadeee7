// Fuzzes the room Router (media/forward) end to end. A router with an audio producer (known SSRC,
// DTMF) and a video producer (SSRC learned by mid, RTX) on the publisher transport, and consumers
// on four transports with different SSRCs, payload types and extension ids (one-byte, two-byte,
// none, a mid too long to write, a consumer on the publisher's own transport).
//
// The input is a sequence of chunks, each a 3-byte header [op, length hi, length lo] and up to
// `length` bytes:
//   op bits 0-2: transport id (0..7; 1 is the publisher, 2..5 subscribers, others unknown)
//   op bits 3-4: 0 = RTP if RtpPacket::parse accepts it (and it is not RTCP by RFC 5761), else
//                RTCP; 1 = RTCP; 2 = a control operation chosen by the first data byte; 3 = tick
//   op bits 5-7: the clock advances by that many 64 ms steps first
// Every packet the Output receives must parse (RtpPacket::parse / RtcpCompound), fit its buffer
// with the SRTP trailer room, and match what was sent: an RTP copy goes to a live consumer's
// transport with its SSRC, the mapped payload type, the input's sequence number, timestamp,
// marker, CSRCs, payload and padding, and only extension ids that consumer negotiated; RTCP is a
// single PLI from the router's SSRC to a producer's transport. Traps otherwise. When the video
// producer is re-added as VP8 or VP9 its consumers select layers (SimulcastSwitcher): their copies
// may have other sequence numbers, timestamps, picture ids (the payload's first 6 bytes) and a marker
// the input lacks, but never lose one, and the rest of the payload is the input's.
// Control operations (op bits 3-4 = 2) by the first data byte % 6: remove/add a consumer, remove/add a
// producer (re-negotiated: other SSRCs, mid, transport, kind, VP8/VP9), close a transport, and
// with a third byte set a consumer's layer (-1..2) or temporal layer (0..8), else tick.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"
#include "media/rtp/RtpExtensionForm.h"
#include "media/rtp/RtpPacket.h"
#include "media/srtp/SrtpSession.h"

namespace {

namespace forward = switchyard::media::forward;
namespace rtp = switchyard::media::rtp;
namespace rtcp = switchyard::media::rtcp;
using forward::Clock;
using forward::TransportId;
using rtp::RtpExtension;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

constexpr TransportId kPublisher = 1;
constexpr uint32_t kAudioProducer = 20;
constexpr uint32_t kVideoProducer = 10;

bool sameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

rtp::RtpExtensionIds publisherIds() {
  rtp::RtpExtensionIds ids;
  ids.set(RtpExtension::kAudioLevel, 1);
  ids.set(RtpExtension::kAbsSendTime, 2);
  ids.set(RtpExtension::kTransportCc, 3);
  ids.set(RtpExtension::kMid, 4);
  ids.set(RtpExtension::kRid, 10);
  ids.set(RtpExtension::kRepairedRid, 11);
  ids.set(RtpExtension::kVideoOrientation, 13);
  return ids;
}

forward::ProducerSpec audioProducer() {
  forward::ProducerSpec spec;
  spec.id = kAudioProducer;
  spec.transport = kPublisher;
  spec.kind = forward::TrackKind::kAudio;
  spec.clockRate = 48000;
  spec.payloadType = 111;
  spec.dtmfPayloadType = 126;
  spec.ssrcs = {0xA0A0A0A0};
  spec.mid = "0";
  spec.extensions = publisherIds();
  return spec;
}

forward::ProducerSpec videoProducer() {
  forward::ProducerSpec spec;
  spec.id = kVideoProducer;
  spec.transport = kPublisher;
  spec.kind = forward::TrackKind::kVideo;
  spec.payloadType = 96;
  spec.rtxPayloadType = 97;
  spec.rtxSsrcs = {0xB1B1B1B1};
  spec.mid = "1";
  spec.extensions = publisherIds();
  spec.nack = true;  // NACKs to the publisher, RTX repairs checked against them
  return spec;
}

rtp::RtpExtensionIds ids(uint8_t mid, uint8_t abs, uint8_t twcc, uint8_t level, uint8_t orientation) {
  rtp::RtpExtensionIds out;
  out.set(RtpExtension::kMid, mid);
  out.set(RtpExtension::kAbsSendTime, abs);
  out.set(RtpExtension::kTransportCc, twcc);
  out.set(RtpExtension::kAudioLevel, level);
  out.set(RtpExtension::kVideoOrientation, orientation);
  return out;
}

forward::ConsumerSpec makeConsumer(uint32_t id, uint32_t producer, TransportId transport, uint32_t ssrc,
                                   uint8_t pt, std::optional<uint8_t> dtmf, std::string mid,
                                   rtp::RtpExtensionIds extensions) {
  forward::ConsumerSpec spec;
  spec.id = id;
  spec.producer = producer;
  spec.transport = transport;
  spec.ssrc = ssrc;
  spec.payloadType = pt;
  spec.dtmfPayloadType = dtmf;
  spec.mid = std::move(mid);
  spec.extensions = extensions;
  return spec;
}

forward::ConsumerSpec withRtx(forward::ConsumerSpec spec, uint32_t rtxSsrc, uint8_t rtxPayloadType) {
  spec.rtxSsrc = rtxSsrc;  // NACKs to this consumer are answered on its RTX stream
  spec.rtxPayloadType = rtxPayloadType;
  return spec;
}

const std::vector<forward::ConsumerSpec>& consumerSpecs() {
  static const std::vector<forward::ConsumerSpec> specs = {
      makeConsumer(100, kVideoProducer, 2, 0xC100, 98, std::nullopt, "v2", ids(1, 3, 5, 0, 7)),
      makeConsumer(101, kAudioProducer, 2, 0xC101, 109, 101, "a2", ids(1, 3, 5, 10, 0)),
      makeConsumer(200, kVideoProducer, 3, 0xC200, 100, std::nullopt, "v3", ids(9, 0, 200, 0, 15)),
      makeConsumer(201, kAudioProducer, 3, 0xC201, 111, std::nullopt, "", ids(250, 0, 200, 20, 0)),
      withRtx(makeConsumer(300, kVideoProducer, 4, 0xC300, 96, std::nullopt, "v4", ids(0, 0, 0, 0, 0)),
              0xC3FF, 97),
      makeConsumer(301, kAudioProducer, 4, 0xC301, 0, 127, std::string(300, 'm'), ids(2, 14, 13, 12, 0)),
      makeConsumer(400, kAudioProducer, kPublisher, 0xC400, 111, 126, "0", ids(4, 2, 3, 1, 13)),
      makeConsumer(500, kVideoProducer, 5, 0xC500, 96, std::nullopt, std::string(16, 'x'),
                   ids(14, 3, 5, 0, 7)),
  };
  return specs;
}

// What the harness knows is live, to check the Output against.
struct Model {
  std::array<bool, 8> consumerLive{};  // index into consumerSpecs()
  std::array<bool, 2> producerLive{};  // 0 audio, 1 video
  std::array<TransportId, 2> producerTransport{kPublisher, kPublisher};
  std::array<bool, 2> producerVideoKind{false, true};
  std::array<bool, 2> producerLayered{};  // VP8/VP9 video: its consumers have switchers
};

class CheckingOutput : public forward::Router::Output {
 public:
  explicit CheckingOutput(const Model& model) : model_(model) {}

  // The RTP packet being fed (none: no RTP may come out now).
  std::optional<rtp::RtpPacketView> input;

  bool sendRtp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept override {
    if (!input) return checkRepairOrRetransmission(transport, buffer, length);
    FUZZ_REQUIRE(length <= 1500 && buffer.size() >= length + switchyard::media::srtp::kSrtpMaxTrailer);
    const auto packet = rtp::RtpPacketView::parse(std::span<const uint8_t>(buffer.data(), length));
    FUZZ_REQUIRE(packet.has_value());
    const forward::ConsumerSpec* consumer = nullptr;
    for (size_t i = 0; i < consumerSpecs().size(); ++i) {
      const forward::ConsumerSpec& spec = consumerSpecs()[i];
      if (model_.consumerLive[i] && spec.transport == transport && spec.ssrc == packet->ssrc())
        consumer = &spec;
    }
    FUZZ_REQUIRE(consumer != nullptr);
    const rtp::RtpPacketView& in = *input;
    FUZZ_REQUIRE(packet->payloadType() == (consumer->payloadType & 0x7F) ||
                 (consumer->dtmfPayloadType && packet->payloadType() == *consumer->dtmfPayloadType));
    FUZZ_REQUIRE(packet->csrcCount() == in.csrcCount());
    for (size_t i = 0; i < in.csrcCount(); ++i)
      FUZZ_REQUIRE(packet->csrc(i) == in.csrc(i));
    FUZZ_REQUIRE(packet->paddingSize() == in.paddingSize());
    if (model_.producerLayered[consumer->producer == kAudioProducer ? 0 : 1]) {
      if (in.marker()) FUZZ_REQUIRE(packet->marker());
      const size_t descriptor = std::min<size_t>(6, in.payload().size());
      FUZZ_REQUIRE(packet->payload().size() == in.payload().size());
      FUZZ_REQUIRE(sameBytes(packet->payload().subspan(descriptor), in.payload().subspan(descriptor)));
    } else {
      FUZZ_REQUIRE(packet->sequenceNumber() == in.sequenceNumber());
      FUZZ_REQUIRE(packet->timestamp() == in.timestamp());
      FUZZ_REQUIRE(packet->marker() == in.marker());
      FUZZ_REQUIRE(sameBytes(packet->payload(), in.payload()));
      FUZZ_REQUIRE(
          sameBytes(packet->data().subspan(packet->headerSize()), in.data().subspan(in.headerSize())));
    }
    // Only the consumer's negotiated ids, each once, in a block of the right form.
    size_t count = 0;
    bool oneByteFits = true;
    for (auto element : packet->extensions()) {
      bool known = false;
      for (uint8_t id : consumer->extensions.ids)
        known = known || (id != 0 && id == element.id);
      FUZZ_REQUIRE(known);
      FUZZ_REQUIRE(packet->extension(element.id)->data() == element.data.data());  // no duplicate id
      if (element.id == consumer->extensions[RtpExtension::kMid]) {
        FUZZ_REQUIRE(sameBytes(element.data, std::span(reinterpret_cast<const uint8_t*>(consumer->mid.data()),
                                                       consumer->mid.size())));
      }
      oneByteFits = oneByteFits && element.id <= 14 && !element.data.empty() && element.data.size() <= 16;
      ++count;
    }
    if (count == 0) {
      FUZZ_REQUIRE(!packet->hasExtension());
    } else {
      FUZZ_REQUIRE(packet->extensionForm() ==
                   (oneByteFits ? rtp::RtpExtensionForm::kOneByte : rtp::RtpExtensionForm::kTwoByte));
    }
    const bool accept = (++rtpSends % 7) != 0;  // refuse some sends
    (accept ? rtpAccepted : refused)++;
    return accept;
  }

  bool sendRtcp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept override {
    FUZZ_REQUIRE(buffer.size() >= length + switchyard::media::srtp::kSrtcpMaxTrailer);
    const rtcp::RtcpCompound compound(std::span<const uint8_t>(buffer.data(), length));
    FUZZ_REQUIRE(compound.valid() && compound.packetCount() == 1);
    const rtcp::RtcpPacket packet = *compound.begin();  // a copy: the iterator is a temporary
    bool toVideoProducer = false;
    bool toProducer = false;
    for (size_t i = 0; i < 2; ++i) {
      const bool live = model_.producerLive[i] && model_.producerTransport[i] == transport;
      toProducer = toProducer || live;
      toVideoProducer = toVideoProducer || (live && model_.producerVideoKind[i]);
    }
    if (const auto pli = rtcp::PliView::parse(packet)) {
      // Keyframe requests go to video publishers only.
      FUZZ_REQUIRE(pli->senderSsrc() == 1 && toVideoProducer);
    } else if (const auto nack = rtcp::NackView::parse(packet)) {
      // NACKs for lost packets of a video publisher's stream.
      FUZZ_REQUIRE(nack->senderSsrc() == 1 && nack->lostCount() > 0 && toVideoProducer);
    } else if (const auto twcc = rtcp::TransportCcView::parse(packet)) {
      // Congestion control feedback to a publisher: at least one packet received.
      FUZZ_REQUIRE(twcc->senderSsrc() == 1 && twcc->receivedCount() > 0 && toProducer);
    } else if (const auto rr = rtcp::ReceiverReportView::parse(packet)) {
      // One report block per published stream, to its publisher.
      FUZZ_REQUIRE(rr->senderSsrc() == 1 && rr->reportCount() == 1 && toProducer);
    } else {
      // A publisher's SR rewritten for a consumer: no report blocks, the consumer's SSRC.
      const auto sr = rtcp::SenderReportView::parse(packet);
      FUZZ_REQUIRE(sr.has_value() && sr->reportCount() == 0 && sr->senderSsrc() != 1);
    }
    const bool accept = (++rtcpSends % 5) != 0;
    (accept ? rtcpAccepted : refused)++;
    if (accept && rtcp::PliView::parse(packet)) ++plisAccepted;
    if (accept && rtcp::ReceiverReportView::parse(packet)) ++receiverReportsAccepted;
    if (accept && rtcp::SenderReportView::parse(packet)) ++senderReportsAccepted;
    return accept;
  }

  // A packet sent while no media packet is being fed: a retransmission answering a NACK (on the
  // consumer's RTX stream, or as the original) or a publisher's repair forwarded: a live consumer's
  // SSRC on its transport, one of its payload types, at most 1500 bytes (+2 for the RTX OSN).
  bool checkRepairOrRetransmission(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept {
    FUZZ_REQUIRE(length <= 1502 && buffer.size() >= length + switchyard::media::srtp::kSrtpMaxTrailer);
    const auto packet = rtp::RtpPacketView::parse(std::span<const uint8_t>(buffer.data(), length));
    FUZZ_REQUIRE(packet.has_value());
    bool known = false;
    for (size_t i = 0; i < consumerSpecs().size(); ++i) {
      const forward::ConsumerSpec& spec = consumerSpecs()[i];
      if (!model_.consumerLive[i] || spec.transport != transport) continue;
      if (spec.ssrc == packet->ssrc()) {
        known = length <= 1500 && (packet->payloadType() == (spec.payloadType & 0x7F) ||
                                   (spec.dtmfPayloadType && packet->payloadType() == *spec.dtmfPayloadType));
      } else if (spec.rtxSsrc != 0 && spec.rtxSsrc == packet->ssrc()) {
        known = spec.rtxPayloadType && packet->payloadType() == *spec.rtxPayloadType &&
                packet->payloadSize() >= 2;
      }
      if (known) break;
    }
    FUZZ_REQUIRE(known);
    const bool accept = (++rtpSends % 7) != 0;
    (accept ? otherRtpAccepted : refused)++;
    return accept;
  }

  uint64_t rtpSends = 0;
  uint64_t rtcpSends = 0;
  uint64_t otherRtpAccepted = 0;  // retransmissions and forwarded repairs
  uint64_t plisAccepted = 0;
  uint64_t receiverReportsAccepted = 0;
  uint64_t senderReportsAccepted = 0;
  uint64_t rtpAccepted = 0;
  uint64_t rtcpAccepted = 0;
  uint64_t refused = 0;

 private:
  const Model& model_;
};

void control(forward::Router& router, Model& model, std::span<const uint8_t> data, Clock::time_point now) {
  if (data.empty()) return;
  const uint8_t op = data[0];
  const uint8_t arg = data.size() > 1 ? data[1] : 0;
  const auto& specs = consumerSpecs();
  switch (op % 6) {
    case 0: {  // remove a consumer
      const size_t i = arg % specs.size();
      router.removeConsumer(specs[i].id);
      model.consumerLive[i] = false;
      break;
    }
    case 1: {  // (re-)add a consumer
      const size_t i = arg % specs.size();
      const size_t p = specs[i].producer == kAudioProducer ? 0 : 1;
      const bool added = router.addConsumer(specs[i], now);
      FUZZ_REQUIRE(added == model.producerLive[p]);
      if (added) model.consumerLive[i] = true;
      break;
    }
    case 2: {  // remove a producer and its consumers
      const size_t p = arg % 2;
      router.removeProducer(p == 0 ? kAudioProducer : kVideoProducer);
      model.producerLive[p] = false;
      for (size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].producer == (p == 0 ? kAudioProducer : kVideoProducer)) model.consumerLive[i] = false;
      }
      break;
    }
    case 3: {  // (re-)add a producer, possibly re-negotiated with other SSRCs, mid, kind, transport
      const size_t p = arg % 2;
      forward::ProducerSpec spec = p == 0 ? audioProducer() : videoProducer();
      if (data.size() > 2 && (data[2] & 1)) spec.ssrcs = {0x11111111};
      if (data.size() > 2 && (data[2] & 2)) spec.mid = "9";
      if (data.size() > 2 && (data[2] & 4)) spec.transport = 6;
      if (data.size() > 2 && (data[2] & 8)) spec.ssrcs.clear();
      if (data.size() > 2 && (data[2] & 16)) {
        spec.kind =
            spec.kind == forward::TrackKind::kAudio ? forward::TrackKind::kVideo : forward::TrackKind::kAudio;
      }
      if (data.size() > 2 && (data[2] & 32)) spec.videoCodec = switchyard::media::codec::CodecKind::Vp8;
      if (data.size() > 2 && (data[2] & 64)) spec.videoCodec = switchyard::media::codec::CodecKind::Vp9;
      router.addProducer(spec);
      model.producerLive[p] = true;
      model.producerLayered[p] = spec.videoCodec.has_value() && spec.kind == forward::TrackKind::kVideo;
      model.producerTransport[p] = spec.transport;
      model.producerVideoKind[p] = spec.kind == forward::TrackKind::kVideo;
      break;
    }
    case 4: {  // a transport closes
      const TransportId t = arg % 8;
      router.removeTransport(t);
      for (size_t p = 0; p < 2; ++p) {
        if (model.producerLive[p] && model.producerTransport[p] == t) {
          model.producerLive[p] = false;
          for (size_t i = 0; i < specs.size(); ++i) {
            if (specs[i].producer == (p == 0 ? kAudioProducer : kVideoProducer))
              model.consumerLive[i] = false;
          }
        }
      }
      for (size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].transport == t) model.consumerLive[i] = false;
      }
      break;
    }
    default: {
      if (data.size() < 3) {
        router.tick(now);
        break;
      }
      const size_t i = arg % specs.size();
      const bool ok = (data[2] & 0x40) != 0 ? router.setConsumerTemporalLayer(specs[i].id, data[2] % 9)
                                            : router.setConsumerLayer(specs[i].id, data[2] % 4 - 1, now);
      const bool layered = model.producerLayered[specs[i].producer == kAudioProducer ? 0 : 1];
      FUZZ_REQUIRE(ok == (model.consumerLive[i] && layered && (data[2] & 0x40 ? data[2] % 9 <= 7 : true)));
      break;
    }
  }
  size_t producers = 0;
  size_t consumers = 0;
  for (bool live : model.producerLive)
    producers += live ? 1 : 0;
  for (bool live : model.consumerLive)
    consumers += live ? 1 : 0;
  FUZZ_REQUIRE(router.producerCount() == producers);
  FUZZ_REQUIRE(router.consumerCount() == consumers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  CheckingOutput output(model);
  forward::Router router(output, forward::Router::Options{std::chrono::milliseconds(300)});
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1000));

  router.addProducer(audioProducer());
  router.addProducer(videoProducer());
  model.producerLive = {true, true};
  for (size_t i = 0; i < consumerSpecs().size(); ++i) {
    FUZZ_REQUIRE(router.addConsumer(consumerSpecs()[i], now));
    model.consumerLive[i] = true;
  }

  std::vector<uint8_t> chunk;
  chunk.reserve(2048);
  size_t pos = 0;
  while (size - pos >= 3) {
    const uint8_t op = data[pos];
    const size_t length = std::min<size_t>((size_t{data[pos + 1]} << 8) | data[pos + 2], size - pos - 3);
    pos += 3;
    chunk.assign(data + pos, data + pos + length);
    pos += length;

    now += std::chrono::milliseconds(64) * (op >> 5);
    const TransportId transport = op & 7;
    const uint8_t kind = (op >> 3) & 3;
    if (kind == 3) {
      router.tick(now);
      continue;
    }
    if (kind == 2) {
      control(router, model, chunk, now);
      continue;
    }
    const forward::Router::Counters before = router.counters();
    if (kind == 0 && !rtcp::RtcpCompound::looksLikeRtcp(chunk)) {
      if (auto packet = rtp::RtpPacket::parse(std::span<uint8_t>(chunk))) {
        // A repair (the video producer's RTX SSRC or payload type) is unwrapped in place: checked
        // like a retransmission, not against the fed bytes.
        const bool repair = packet->view().ssrc() == 0xB1B1B1B1 || packet->view().payloadType() == 97;
        if (!repair) output.input = packet->view();
        router.onRtp(transport, *packet, now);
        output.input.reset();
        const forward::Router::Counters& after = router.counters();
        FUZZ_REQUIRE(after.rtpReceived == before.rtpReceived + 1);
        continue;
      }
    }
    router.onRtcp(transport, chunk, now);
    FUZZ_REQUIRE(router.counters().rtcpReceived == before.rtcpReceived + 1);
    FUZZ_REQUIRE(router.counters().rtpForwarded == before.rtpForwarded);
  }
  router.tick(now + std::chrono::seconds(1));
  const forward::Router::Counters& c = router.counters();
  FUZZ_REQUIRE(c.rtpForwarded + c.retransmissionsSent == output.rtpAccepted + output.otherRtpAccepted);
  FUZZ_REQUIRE(c.keyframeRequestsSent == output.plisAccepted);
  FUZZ_REQUIRE(c.receiverReportsSent == output.receiverReportsAccepted);
  FUZZ_REQUIRE(c.senderReportsSent == output.senderReportsAccepted);
  FUZZ_REQUIRE(c.sendFailed == output.refused);
  return 0;
}
