// Bandwidth estimation through the Router: a simulcast publisher (three layers at about 150 kbit/s,
// 500 kbit/s and 2.5 Mbit/s) and a subscriber behind a bottleneck link whose receiver sends
// transport-cc feedback (TransportCcRecorder, as a browser would). The subscriber wants the high
// layer; the router's estimate decides what it gets: high on a wide link (found by probing with
// RTX padding), low on a narrow one, high again when the link widens. The publisher turns layers
// off and on as Output::onLayersNeeded says, like the client module does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/forward/Router.h"
#include "media/forward/TransportCcRecorder.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/util/BigEndian.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

const Clock::time_point kT0 = at(10000000us);
constexpr uint32_t kLayerSsrc[3] = {0x51000000, 0x52000000, 0x53000000};
const char* const kRids[3] = {"q", "h", "f"};
// Per 33 ms frame: packets and bytes of each layer (about 145, 485 and 2510 kbit/s).
constexpr int kPackets[3] = {1, 2, 9};
constexpr size_t kPayload[3] = {600, 1000, 1150};
constexpr uint8_t kSubTransportCc = 5;
constexpr uint32_t kConsumerSsrc = 0xC100;
constexpr uint32_t kConsumerRtxSsrc = 0xC101;

class LayersOutput : public RecordingOutput {
 public:
  void onLayersNeeded(const Router& /*router*/, uint32_t producer, uint8_t layers) noexcept override {
    reports.emplace_back(producer, layers);
    active = layers;
  }
  std::vector<std::pair<uint32_t, uint8_t>> reports;
  uint8_t active = 0x07;
};

Bytes layerPacket(int layer, uint16_t seq, uint32_t ts, uint16_t pictureId, bool keyFrame, bool marker) {
  Bytes payload = {0x90, 0x80, static_cast<uint8_t>(0x80 | (pictureId >> 8)),
                   static_cast<uint8_t>(pictureId & 0xff)};
  if (keyFrame) {
    const Bytes header = {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};
    payload.insert(payload.end(), header.begin(), header.end());
  }
  payload.resize(kPayload[layer], 0x55);
  const Bytes rid(kRids[layer], kRids[layer] + 1);
  const Bytes mid = textBytes("1");
  rtp::RtpPacketBuilder b;
  b.setPayloadType(96).setSequenceNumber(seq).setTimestamp(ts).setSsrc(kLayerSsrc[layer]).setMarker(marker);
  b.setPayload(payload);
  b.addExtension(kPubMid, mid).addExtension(kPubRid, rid);
  return build(b);
}

// A drop-tail bottleneck of `capacityBps` with a 100 ms queue and 20 ms of propagation.
struct Link {
  double capacityBps = 10e6;
  Clock::time_point busyUntil{};
  std::optional<Clock::time_point> send(Clock::time_point now, size_t bytes) {
    const Clock::time_point start = std::max(now, busyUntil);
    if (start - now > 100ms) return std::nullopt;
    busyUntil = start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(bytes) * 8 / capacityBps));
    return busyUntil + 20ms;
  }
};

struct Room {
  LayersOutput output;
  Router router{output, {}};
  Link link;
  TransportCcRecorder receiver;
  std::deque<std::pair<Clock::time_point, uint16_t>> inFlight;
  std::array<rtcp::TwccPacket, TransportCcRecorder::kMaxReported> list{};
  Clock::time_point now = kT0;
  Clock::time_point lastFeedback = kT0;
  uint16_t seq[3] = {100, 2000, 30000};
  uint16_t picture[3] = {10, 500, 9000};
  uint32_t ts = 90000;
  int frame = 0;
  size_t consumed = 0;  // output.rtp entries already passed to the link
  uint64_t paddingSeen = 0;
  uint64_t framesOf[3] = {0, 0, 0};

  explicit Room(bool transportCc = true) {
    router.addProducer([] {
      ProducerSpec spec = videoProducer();
      spec.ssrcs.clear();
      spec.rtxSsrcs.clear();
      spec.simulcastRids = {"q", "h", "f"};
      spec.videoCodec = codec::CodecKind::Vp8;
      return spec;
    }());
    ConsumerSpec spec =
        consumer(100, kVideoProducer, kSubscriberA, kConsumerSsrc, 96, "v",
                 transportCc ? ids({{RtpExtension::kTransportCc, kSubTransportCc}}) : rtp::RtpExtensionIds{});
    spec.rtxSsrc = kConsumerRtxSsrc;
    spec.rtxPayloadType = 97;
    spec.layer = 2;
    REQUIRE(router.addConsumer(spec, now, false));
  }

  void publishFrame() {
    const bool key = frame % 30 == 0;
    for (int layer = 0; layer < 3; ++layer) {
      if ((output.active & (1U << layer)) == 0) continue;  // the publisher turned it off
      ++framesOf[layer];
      for (int i = 0; i < kPackets[layer]; ++i) {
        feedRtp(router, kPublisher,
                layerPacket(layer, seq[layer]++, ts, picture[layer], key && i == 0, i == kPackets[layer] - 1),
                now);
      }
      ++picture[layer];
    }
    ts += 3000;
    ++frame;
  }

  // The subscriber's side: what the router sent crosses the link; feedback every 50 ms.
  void deliver() {
    for (; consumed < output.rtp.size(); ++consumed) {
      const SentPacket& sent = output.rtp[consumed];
      if (sent.transport != kSubscriberA) continue;
      const auto view = rtp::RtpPacketView::parse(sent.bytes);
      REQUIRE(view);
      if (view->ssrc() == kConsumerRtxSsrc && view->payloadSize() == 0) ++paddingSeen;
      const auto twcc = view->extension(kSubTransportCc);
      REQUIRE(twcc);
      if (const auto arrival = link.send(now, sent.bytes.size() + 10)) {
        inFlight.emplace_back(*arrival, util::read16(twcc->data()));
      }
    }
    std::sort(inFlight.begin(), inFlight.end());
    while (!inFlight.empty() && inFlight.front().first <= now) {
      receiver.onPacket(inFlight.front().second, inFlight.front().first);
      inFlight.pop_front();
    }
    if (now - lastFeedback >= 50ms && receiver.pending() > 0) {
      lastFeedback = now;
      const uint8_t count = receiver.feedbackCount();
      const size_t n = receiver.take(list);
      Bytes bytes(1500);
      rtcp::RtcpCompoundBuilder builder(bytes);
      REQUIRE(builder.addTransportCc(0xB0B, kConsumerSsrc, count,
                                     std::span<const rtcp::TwccPacket>(list).first(n)));
      bytes.resize(builder.size());
      router.onRtcp(kSubscriberA, bytes, now);
    }
  }

  void run(Clock::duration d) {
    const Clock::time_point end = now + d;
    Clock::time_point nextFrame = now;
    while (now < end) {
      if (now >= nextFrame) {
        publishFrame();
        nextFrame += 33ms;
      }
      router.tick(now);
      deliver();
      now += 5ms;
    }
  }

  // Runs until the allocated layer is `layer` (true) or `limit` passes (false).
  bool runUntilLayer(int layer, Clock::duration limit) {
    const Clock::time_point end = now + limit;
    while (now < end) {
      run(100ms);
      if (router.consumerAllocatedLayer(100) == layer) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("Router: each subscriber's bandwidth estimate picks its simulcast layer") {
  Room room;
  INFO("estimate " << room.router.subscriberEstimate(kSubscriberA).value_or(0));

  // A wide link: the initial 1 Mbit/s gives the medium layer; probes find room for the high one.
  const Clock::time_point start = room.now;
  REQUIRE(room.runUntilLayer(2, 15s));
  const auto upTime = room.now - start;
  CHECK(upTime <= 10s);
  CHECK(room.router.counters().probes >= 1);
  CHECK(room.paddingSeen > 0);
  CHECK(room.router.counters().paddingSent == room.paddingSeen);
  CHECK(room.router.counters().transportFeedbackReceived > 0);
  REQUIRE(room.router.subscriberEstimate(kSubscriberA));
  CHECK(*room.router.subscriberEstimate(kSubscriberA) >= 2'500'000);
  room.run(3s);
  CHECK(room.router.consumerAllocatedLayer(100) == 2);

  // The link narrows to 400 kbit/s: the low layer within a few seconds.
  room.link.capacityBps = 400'000;
  const Clock::time_point narrowed = room.now;
  REQUIRE(room.runUntilLayer(0, 10s));
  CHECK(room.now - narrowed <= 3s);
  room.run(2s);
  CHECK(room.router.consumerAllocatedLayer(100) == 0);
  CHECK(*room.router.subscriberEstimate(kSubscriberA) <= 600'000);

  // Nobody needs the upper layers any more: after the off delay the publisher is told so.
  room.run(6s);
  REQUIRE_FALSE(room.output.reports.empty());
  INFO("last report " << int(room.output.reports.back().second) << " of " << room.output.reports.size());
  CHECK(room.output.reports.back() == std::pair<uint32_t, uint8_t>{kVideoProducer, 0x01});
  CHECK(room.router.consumerAllocatedLayer(100) == 0);  // probes into the narrow link fail

  // The link widens again: probing climbs back to the high layer, which the publisher turns on.
  room.link.capacityBps = 10e6;
  const Clock::time_point widened = room.now;
  REQUIRE(room.runUntilLayer(2, 20s));
  CHECK(room.now - widened <= 15s);
  CHECK((room.output.active & 0x04) != 0);
  const uint64_t highFrames = room.framesOf[2];
  room.run(2s);
  CHECK(room.framesOf[2] > highFrames);
}

TEST_CASE("Router: a subscriber without transport-cc gets the layer it wants") {
  Room room(false);
  for (int i = 0; i < 100; ++i) {
    room.publishFrame();
    room.router.tick(room.now);
    room.now += 33ms;
  }
  CHECK(room.router.consumerAllocatedLayer(100) == 2);
  CHECK_FALSE(room.router.subscriberEstimate(kSubscriberA));
  CHECK(room.router.counters().probes == 0);
}
