// Simulcast through the Router: a publisher's three layers (told apart by the rid extension) reach
// each subscriber as one continuous stream of the layer it wants: switches happen at keyframes of
// the new layer, with consecutive sequence numbers and VP8 picture ids; a subscriber asking for
// another layer makes the router request keyframes; NACKs map back to the current layer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "media/codec/Vp8Descriptor.h"
#include "media/forward/Router.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

const Clock::time_point kT0 = at(10000000us);
constexpr uint32_t kLayerSsrc[3] = {0x51000000, 0x52000000, 0x53000000};
const char* const kRids[3] = {"q", "h", "f"};

ProducerSpec simulcastProducer() {
  ProducerSpec spec = videoProducer();
  spec.ssrcs.clear();  // rid-based: nothing in the SDP
  spec.rtxSsrcs.clear();
  spec.simulcastRids = {"q", "h", "f"};
  spec.videoCodec = codec::CodecKind::Vp8;
  return spec;
}

// A VP8 packet of `layer`: descriptor with a 15-bit picture id, a key frame or a delta frame.
Bytes layerPacket(int layer, uint16_t seq, uint32_t ts, uint16_t pictureId, bool keyFrame) {
  Bytes payload = {0x90, 0x80, static_cast<uint8_t>(0x80 | (pictureId >> 8)),
                   static_cast<uint8_t>(pictureId & 0xff)};
  if (keyFrame) {
    const Bytes header = {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};  // 320x240
    payload.insert(payload.end(), header.begin(), header.end());
  } else {
    payload.insert(payload.end(), {0x11, 0x22, 0x33, 0x44});
  }
  const Bytes rid(kRids[layer], kRids[layer] + 1);
  const Bytes mid = textBytes("1");
  rtp::RtpPacketBuilder b;
  b.setPayloadType(96).setSequenceNumber(seq).setTimestamp(ts).setSsrc(kLayerSsrc[layer]).setMarker(true);
  b.setPayload(payload);
  b.addExtension(kPubMid, mid).addExtension(kPubRid, rid);
  return build(b);
}

struct Sent {
  uint16_t seq;
  uint32_t ts;
  uint16_t pictureId;
};

Sent decode(const Bytes& bytes) {
  const auto view = rtp::RtpPacketView::parse(bytes);
  REQUIRE(view);
  const auto descriptor = codec::Vp8Descriptor::parse(view->payload());
  REQUIRE(descriptor);
  REQUIRE(descriptor->pictureId());
  return {view->sequenceNumber(), view->timestamp(), *descriptor->pictureId()};
}

size_t plisIn(const RecordingOutput& output) {
  size_t count = 0;
  for (const SentPacket& sent : output.rtcp) {
    for (const auto& packet : rtcp::RtcpCompound(sent.bytes))
      count += rtcp::PliView::parse(packet) ? 1U : 0U;
  }
  return count;
}

}  // namespace

TEST_CASE("Router: simulcast layers reach a subscriber as one stream, switching at keyframes") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(simulcastProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {}), kT0, false));
  Clock::time_point now = kT0;
  uint16_t seq[3] = {100, 2000, 30000};
  uint16_t picture[3] = {10, 500, 9000};
  uint32_t ts = 90000;
  // One frame per layer every 33 ms; keyframes where asked.
  const auto frame = [&](bool keyQ, bool keyH, bool keyF) {
    const bool key[3] = {keyQ, keyH, keyF};
    for (int layer = 0; layer < 3; ++layer) {
      feedRtp(router, kPublisher,
              layerPacket(layer, seq[layer]++, ts + 1000U * static_cast<uint32_t>(layer), picture[layer]++,
                          key[layer]),
              now);
    }
    ts += 3000;
    now += 33ms;
  };
  frame(false, false, false);
  CHECK(output.rtp.empty());  // no keyframe of the target (the highest layer) yet
  CHECK(router.counters().rtpLayerDropped == 3);
  frame(true, true, true);  // the layers' SSRCs are all known by now
  REQUIRE(output.rtp.size() == 1);
  const Sent first = decode(output.rtp[0].bytes);
  CHECK(first.seq == 30001);  // the first segment passes the layer's numbers through
  CHECK(first.pictureId == 9001);
  for (int i = 0; i < 3; ++i)
    frame(false, false, false);
  REQUIRE(output.rtp.size() == 4);

  // The subscriber wants the lowest layer: keyframes are requested, the switch waits for one.
  output.rtcp.clear();
  REQUIRE(router.setConsumerLayer(100, 0, now));
  router.tick(now + 250ms);    // past the keyframe request interval of the earlier request
  CHECK(plisIn(output) == 3);  // one PLI per known layer
  frame(false, false, false);
  REQUIRE(output.rtp.size() == 5);  // still the high layer
  CHECK(decode(output.rtp[4].bytes).seq == 30005);
  frame(true, false, false);  // the low layer's keyframe: switch
  REQUIRE(output.rtp.size() == 6);
  const Sent switched = decode(output.rtp[5].bytes);
  CHECK(switched.seq == 30006);       // continuous
  CHECK(switched.pictureId == 9006);  // continuous
  CHECK(switched.ts > decode(output.rtp[4].bytes).ts);
  frame(false, false, false);
  REQUIRE(output.rtp.size() == 7);
  CHECK(decode(output.rtp[6].bytes).seq == 30007);
  CHECK(router.counters().layerSwitches == 2);  // the start, then the switch

  // A NACK for the last packet is answered with the same numbers from the low layer's buffer.
  output.rtp.clear();
  Bytes nack(64);
  rtcp::RtcpCompoundBuilder builder(nack);
  const uint16_t lost[] = {30007};
  REQUIRE(builder.addNack(0x5B, 0xC100, lost));
  nack.resize(builder.size());
  router.onRtcp(kSubscriberA, nack, now);
  REQUIRE(output.rtp.size() == 1);
  CHECK(decode(output.rtp[0].bytes).seq == 30007);
  CHECK(decode(output.rtp[0].bytes).pictureId == 9007);
  // A NACK from before the switch cannot be answered.
  router.onRtcp(
      kSubscriberA,
      [&] {
        Bytes old(64);
        rtcp::RtcpCompoundBuilder b(old);
        const uint16_t before[] = {30004};
        REQUIRE(b.addNack(0x5B, 0xC100, before));
        old.resize(b.size());
        return old;
      }(),
      now);
  CHECK(output.rtp.size() == 1);
  CHECK(router.counters().retransmissionsMissed == 1);
  // Not simulcast, or unknown: refused.
  CHECK_FALSE(router.setConsumerLayer(999, 0, now));
}

TEST_CASE("Router: a subscriber gets the best layer the publisher actually sends") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(simulcastProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {}), kT0, false));
  Clock::time_point now = kT0;
  uint16_t seq[3] = {100, 2000, 30000};
  uint16_t picture[3] = {10, 500, 9000};
  uint32_t ts = 90000;
  // The publisher's estimate is low: it sends q and h only (f is off).
  const auto frame = [&](bool withFull, bool key) {
    for (int layer = 0; layer < (withFull ? 3 : 2); ++layer) {
      feedRtp(router, kPublisher, layerPacket(layer, seq[layer]++, ts, picture[layer]++, key), now);
    }
    ts += 3000;
    now += 33ms;
  };
  frame(false, false);  // delta frames: the layers are seen, nothing can start yet
  CHECK(output.rtp.empty());
  frame(false, true);
  frame(false, false);
  REQUIRE(output.rtp.size() == 2);  // 'high' wanted, h is the best sent: from h's numbering
  CHECK(decode(output.rtp[0].bytes).seq == 2001);
  // f comes on: the switch up happens at its keyframe.
  frame(true, false);
  CHECK(decode(output.rtp.back().bytes).seq == 2003);  // still h: f has no keyframe yet
  frame(true, true);
  CHECK(decode(output.rtp.back().bytes).seq == 2005);  // h's 2004, then f's keyframe: continuous
  CHECK(decode(output.rtp.back().bytes).pictureId == 505);
  frame(true, false);
  CHECK(decode(output.rtp.back().bytes).seq == 2006);
  // f stops for more than a second: back to h at its next keyframe, still continuous.
  for (int i = 0; i < 40; ++i)
    frame(false, i == 39);
  CHECK(decode(output.rtp.back().bytes).seq == 2007);
  CHECK(router.counters().layerSwitches == 3);
}

TEST_CASE("Router: a simulcast subscriber gets the SRs of the layer it is on, in its own timeline") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(simulcastProducer());
  ConsumerSpec spec = consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {});
  spec.layer = 0;
  REQUIRE(router.addConsumer(spec, kT0, false));
  Clock::time_point now = kT0;
  uint16_t seq[3] = {100, 2000, 30000};
  uint16_t picture[3] = {10, 500, 9000};
  const uint32_t base[3] = {1000, 500000, 9000000};  // each layer its own RTP timestamp base
  uint32_t step = 0;
  const auto frame = [&](bool key) {
    for (int layer = 0; layer < 3; ++layer) {
      feedRtp(router, kPublisher, layerPacket(layer, seq[layer]++, base[layer] + step, picture[layer]++, key),
              now);
    }
    step += 3000;
    now += 33ms;
  };
  const auto senderReport = [&](int layer, uint32_t rtpTimestamp) {
    Bytes bytes(64);
    rtcp::RtcpCompoundBuilder builder(bytes);
    rtcp::SenderInfo info;
    info.ssrc = kLayerSsrc[layer];
    info.ntpTimestamp = 0x1234567800000000ULL;
    info.rtpTimestamp = rtpTimestamp;
    REQUIRE(builder.addSr(info));
    bytes.resize(builder.size());
    output.rtcp.clear();
    router.onRtcp(kPublisher, bytes, now);
    std::vector<uint32_t> out;
    for (const SentPacket& sent : output.rtcp) {
      if (sent.transport != kSubscriberA) continue;
      for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
        if (const auto sr = rtcp::SenderReportView::parse(packet)) out.push_back(sr->rtpTimestamp());
      }
    }
    return out;
  };
  frame(true);
  frame(false);
  REQUIRE_FALSE(output.rtp.empty());
  const Sent last = decode(output.rtp.back().bytes);  // the low layer's packet at base[0] + 3000
  // The low layer's SR maps like its packets; the other layers' SRs do not reach this subscriber.
  CHECK(senderReport(0, base[0] + 3000) == std::vector<uint32_t>{last.ts});
  CHECK(senderReport(2, base[2] + 3000).empty());
  CHECK(senderReport(1, base[1] + 3000).empty());

  // After a switch to the high layer, the high layer's SR maps into the same output timeline.
  REQUIRE(router.setConsumerLayer(100, 2, now));
  frame(true);
  frame(false);
  const Sent high = decode(output.rtp.back().bytes);
  CHECK(high.ts > last.ts);
  CHECK(senderReport(2, base[2] + step - 3000) == std::vector<uint32_t>{high.ts});
  CHECK(senderReport(0, base[0] + step - 3000).empty());
}
