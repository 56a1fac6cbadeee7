// Temporal and spatial layer selection through the Router, for tracks without simulcast: a VP8
// publisher with three temporal layers (0-2-1-2, Y bits), and a VP9 SVC publisher with three spatial
// layers per picture (L3T3_KEY). Subscribers get continuous sequence numbers, picture ids and
// TL0PICIDX, the marker bit on the last packet of each picture they get, and NACKs map back.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <vector>

#include "media/codec/Vp8Descriptor.h"
#include "media/codec/Vp9Descriptor.h"
#include "media/forward/Router.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/rtp/RtxPacket.h"
#include "tests/media/forward/RouterTestKit.h"
#include "tests/support/HeapCounter.h"

using switchyard::test::heapAllocations;

namespace {

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

const Clock::time_point kT0 = at(10000000us);
constexpr uint8_t kPattern[4] = {0, 2, 1, 2};

ProducerSpec producerOf(codec::CodecKind codec) {
  ProducerSpec spec = videoProducer();
  spec.videoCodec = codec;
  return spec;
}

Bytes rtpPacket(uint16_t seq, uint32_t ts, bool marker, const Bytes& payload) {
  const Bytes mid = textBytes("1");
  rtp::RtpPacketBuilder b;
  b.setPayloadType(96).setSequenceNumber(seq).setTimestamp(ts).setSsrc(kVideoSsrc).setMarker(marker);
  b.setPayload(payload);
  b.addExtension(kPubMid, mid);
  return build(b);
}

// VP8: X=1 with I (15-bit picture id), L (TL0PICIDX) and T (TID, Y).
Bytes vp8Packet(uint16_t seq, uint32_t ts, bool start, bool marker, bool key, uint16_t pictureId, uint8_t tl0,
                uint8_t tid, bool sync) {
  Bytes payload = {static_cast<uint8_t>(0x80 | (start ? 0x10 : 0)),
                   0xE0,
                   static_cast<uint8_t>(0x80 | (pictureId >> 8)),
                   static_cast<uint8_t>(pictureId & 0xff),
                   tl0,
                   static_cast<uint8_t>((tid << 6) | (sync ? 0x20 : 0))};
  if (start && key) {
    payload.insert(payload.end(), {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00});
  } else {
    payload.insert(payload.end(), {0x11, 0x22, 0x33, 0x44});
  }
  return rtpPacket(seq, ts, marker, payload);
}

// VP9 non-flexible: I (15-bit picture id), L (TID, U, SID, D) and TL0PICIDX; one packet per layer frame.
Bytes vp9Packet(uint16_t seq, uint32_t ts, bool marker, bool key, uint16_t pictureId, uint8_t tl0,
                uint8_t tid, uint8_t sid) {
  const uint8_t flags = static_cast<uint8_t>(0x80 | 0x20 | 0x08 | 0x04 | (key ? 0 : 0x40));  // I L B E (P)
  const Bytes payload = {flags,
                         static_cast<uint8_t>(0x80 | (pictureId >> 8)),
                         static_cast<uint8_t>(pictureId & 0xff),
                         static_cast<uint8_t>((tid << 5) | 0x10 | (sid << 1) | (sid > 0 && key ? 1 : 0)),
                         tl0,
                         0xAA,
                         0xBB};
  return rtpPacket(seq, ts, marker, payload);
}

struct Received {
  uint16_t seq;
  uint32_t ts;
  bool marker;
  uint16_t pictureId;
  uint8_t tl0;
  uint8_t tid;
  uint8_t sid;
};

Received decode(const Bytes& bytes, codec::CodecKind codec) {
  const auto view = rtp::RtpPacketView::parse(bytes);
  REQUIRE(view);
  Received r{view->sequenceNumber(), view->timestamp(), view->marker(), 0, 0, 0, 0};
  if (codec == codec::CodecKind::Vp8) {
    const auto d = codec::Vp8Descriptor::parse(view->payload());
    REQUIRE(d);
    r.pictureId = *d->pictureId();
    r.tl0 = *d->tl0PicIdx();
    r.tid = *d->temporalLayer();
  } else {
    const auto d = codec::Vp9Descriptor::parse(view->payload());
    REQUIRE(d);
    r.pictureId = *d->pictureId();
    r.tl0 = *d->tl0PicIdx();
    r.tid = d->temporalLayer();
    r.sid = d->spatialLayer();
  }
  return r;
}

std::vector<Received> receivedOn(const RecordingOutput& output, TransportId transport,
                                 codec::CodecKind codec) {
  std::vector<Received> out;
  for (const Bytes& bytes : output.rtpOn(transport))
    out.push_back(decode(bytes, codec));
  return out;
}

// Consecutive sequence numbers; picture id + 1 per new picture (+ 1 .. 4 with `pictureIdHoles`: VP9
// keeps the ids of dropped pictures), TL0PICIDX + 0 or 1.
void checkContinuous(const std::vector<Received>& received, bool pictureIdHoles = false) {
  for (size_t i = 1; i < received.size(); ++i) {
    const Received& a = received[i - 1];
    const Received& b = received[i];
    CHECK(b.seq == static_cast<uint16_t>(a.seq + 1));
    if (b.ts == a.ts) {
      CHECK(b.pictureId == a.pictureId);
    } else {
      if (pictureIdHoles) {
        CHECK(((b.pictureId - a.pictureId) & 0x7fff) >= 1);
        CHECK(((b.pictureId - a.pictureId) & 0x7fff) <= 4);
      } else {
        CHECK(b.pictureId == ((a.pictureId + 1) & 0x7fff));
      }
      CHECK(static_cast<uint8_t>(b.tl0 - a.tl0) <= 1);
      CHECK(a.marker);  // the previous picture ended with the marker
    }
  }
}

Bytes nack(uint32_t mediaSsrc, std::vector<uint16_t> seqs) {
  Bytes out(256);
  rtcp::RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addNack(0x5B5B5B5B, mediaSsrc, seqs));
  out.resize(builder.size());
  return out;
}

// A VP8 publisher: frame f (0 = key) has TID kPattern[f % 4], two packets, Y on the first frames of
// TL1 and TL2 after every key frame and on frame `extraSync`.
class Vp8Publisher {
 public:
  void frame(Router& router, bool key, bool sync, Clock::time_point now) {
    if (key) index_ = 0;
    const uint8_t tid = kPattern[index_ % 4];
    if (tid == 0 && !first_) ++tl0_;
    first_ = false;
    const bool y = sync || (index_ == 1 || index_ == 2);
    for (int p = 0; p < 2; ++p) {
      feedRtp(router, kPublisher,
              vp8Packet(seq_++, ts_, p == 0, p == 1, key, pictureId_, tl0_, tid, y && !key), now);
    }
    ++index_;
    ts_ += 3000;
    ++pictureId_;
  }
  uint16_t seq_ = 1000;
  uint32_t ts_ = 5000;
  uint16_t pictureId_ = 100;
  uint8_t tl0_ = 7;
  unsigned index_ = 0;
  bool first_ = true;
};

class Vp9Publisher {
 public:
  void picture(Router& router, bool key, Clock::time_point now) {
    if (key) index_ = 0;
    const uint8_t tid = kPattern[index_ % 4];
    if (tid == 0 && !first_) ++tl0_;
    first_ = false;
    for (uint8_t sid = 0; sid < 3; ++sid)
      feedRtp(router, kPublisher, vp9Packet(seq_++, ts_, sid == 2, key, pictureId_, tl0_, tid, sid), now);
    ++index_;
    ts_ += 3000;
    ++pictureId_;
  }
  uint16_t seq_ = 40000;
  uint32_t ts_ = 777;
  uint16_t pictureId_ = 2000;
  uint8_t tl0_ = 200;
  unsigned index_ = 0;
  bool first_ = true;
};

}  // namespace

TEST_CASE("Router: a VP8 subscriber at temporal layer 0 gets only TL0 frames, continuously numbered") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(producerOf(codec::CodecKind::Vp8));
  ConsumerSpec low = consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {});
  low.temporalLayer = 0;
  low.rtxSsrc = 0xC1F0;
  low.rtxPayloadType = 97;
  REQUIRE(router.addConsumer(low, kT0, false));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "v", {}), kT0, false));
  Vp8Publisher publisher;
  Clock::time_point now = kT0;
  publisher.frame(router, true, false, now);
  for (int i = 0; i < 23; ++i) {
    now += 33ms;
    publisher.frame(router, false, false, now);
  }
  const auto a = receivedOn(output, kSubscriberA, codec::CodecKind::Vp8);
  const auto b = receivedOn(output, kSubscriberB, codec::CodecKind::Vp8);
  REQUIRE(a.size() == 2 * 6);  // the key frame and five TL0 frames of 24
  REQUIRE(b.size() == 2 * 24);
  for (const Received& r : a)
    CHECK(r.tid == 0);
  checkContinuous(a);
  checkContinuous(b);
  CHECK(a.front().seq == 1000);  // the first packets pass through
  CHECK(a.back().seq == 1011);
  CHECK(a.back().pictureId == 105);
  CHECK(a.back().tl0 == 7 + 5);
  CHECK(router.counters().rtpLayerDropped == 2 * 18);

  // A NACK for an output maps to its input (RTX carries the original sequence number, ours).
  output.rtp.clear();
  router.onRtcp(kSubscriberA, nack(0xC100, {1005}), now);
  REQUIRE(output.rtp.size() == 1);
  const auto repair = rtp::RtpPacketView::parse(output.rtp[0].bytes);
  REQUIRE(repair);
  CHECK(repair->ssrc() == 0xC1F0);
  const auto osn = repair->payload().first(2);
  CHECK(((osn[0] << 8) | osn[1]) == 1005);
  const auto inner = codec::Vp8Descriptor::parse(repair->payload().subspan(2));
  REQUIRE(inner);
  CHECK(*inner->pictureId() == 102);  // renumbered like the original copy
  CHECK(*inner->temporalLayer() == 0);
  const uint64_t missed = router.counters().retransmissionsMissed;
  router.onRtcp(kSubscriberA, nack(0xC100, {1012}), now);  // never sent
  CHECK(router.counters().retransmissionsMissed == missed + 1);

  // Up to all layers: at the next sync frame (Y), not before.
  REQUIRE(router.setConsumerTemporalLayer(100, 2));
  output.rtp.clear();
  now += 33ms;
  publisher.frame(router, false, false, now);  // frame 24: TL0
  now += 33ms;
  publisher.frame(router, false, false, now);  // TL2 without Y: dropped
  now += 33ms;
  publisher.frame(router, false, true, now);  // TL1 with Y: up to 1
  now += 33ms;
  publisher.frame(router, false, true, now);  // TL2 with Y: up to 2
  now += 33ms;
  publisher.frame(router, false, false, now);  // TL0
  now += 33ms;
  publisher.frame(router, false, false, now);  // TL2
  const auto up = receivedOn(output, kSubscriberA, codec::CodecKind::Vp8);
  std::vector<uint8_t> tids;
  for (size_t i = 0; i < up.size(); i += 2)
    tids.push_back(up[i].tid);
  CHECK(tids == std::vector<uint8_t>{0, 1, 2, 0, 2});
  CHECK(up.front().seq == 1012);
  CHECK(up.front().pictureId == 106);
  checkContinuous(up);
  CHECK_FALSE(router.setConsumerTemporalLayer(100, 8));
  CHECK_FALSE(router.setConsumerTemporalLayer(999, 0));
}

TEST_CASE("Router: a VP9 SVC subscriber at spatial layer 0 gets only SID 0, each packet marked") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(producerOf(codec::CodecKind::Vp9));
  ConsumerSpec low = consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {});
  low.layer = 0;
  REQUIRE(router.addConsumer(low, kT0, false));
  ConsumerSpec mid = consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "v", {});
  mid.layer = 1;
  mid.temporalLayer = 1;
  REQUIRE(router.addConsumer(mid, kT0, false));
  REQUIRE(router.addConsumer(consumer(300, kVideoProducer, kSubscriberC, 0xC300, 96, "v", {}), kT0, false));
  Vp9Publisher publisher;
  Clock::time_point now = kT0;
  publisher.picture(router, true, now);
  for (int i = 0; i < 11; ++i) {
    now += 33ms;
    publisher.picture(router, false, now);
  }
  const auto a = receivedOn(output, kSubscriberA, codec::CodecKind::Vp9);
  const auto b = receivedOn(output, kSubscriberB, codec::CodecKind::Vp9);
  const auto c = receivedOn(output, kSubscriberC, codec::CodecKind::Vp9);
  REQUIRE(a.size() == 12);
  for (const Received& r : a) {
    CHECK(r.sid == 0);
    CHECK(r.marker);
  }
  checkContinuous(a);
  CHECK(a.back().pictureId == 2011);
  // B: SID 0 and 1 of TL0 and TL1 pictures (the key picture, then 2 of every 4), the marker on SID 1.
  REQUIRE(b.size() == 2 * 6);
  for (const Received& r : b) {
    CHECK(r.sid <= 1);
    CHECK(r.tid <= 1);
    CHECK(r.marker == (r.sid == 1));
  }
  checkContinuous(b, true);
  // VP9 keeps the ids of dropped pictures: its receivers place pictures in the group by picture id.
  CHECK(b.back().pictureId == 2010);
  std::vector<uint16_t> bIds;
  for (size_t i = 0; i < b.size(); i += 2)
    bIds.push_back(b[i].pictureId);
  CHECK(bIds == std::vector<uint16_t>{2000, 2002, 2004, 2006, 2008, 2010});
  // C: everything as sent.
  REQUIRE(c.size() == 36);
  for (const Received& r : c)
    CHECK(r.marker == (r.sid == 2));
  CHECK(c.back().seq == 40035);

  // A up to all spatial layers: a key picture is requested; the switch waits for it.
  output.rtp.clear();
  output.rtcp.clear();
  REQUIRE(router.setConsumerLayer(100, 2, now));
  CHECK_FALSE(output.rtcp.empty());  // the PLI
  now += 33ms;
  publisher.picture(router, false, now);
  now += 33ms;
  publisher.picture(router, true, now);
  const auto up = receivedOn(output, kSubscriberA, codec::CodecKind::Vp9);
  REQUIRE(up.size() == 1 + 3);
  CHECK(up[0].sid == 0);
  CHECK(up[0].marker);
  CHECK(up[1].sid == 0);
  CHECK_FALSE(up[1].marker);
  CHECK(up[3].sid == 2);
  CHECK(up[3].marker);
  CHECK(up[0].seq == static_cast<uint16_t>(a.back().seq + 1));
  checkContinuous(up);
  // Down to spatial 0 again: at the next picture.
  REQUIRE(router.setConsumerLayer(100, 0, now));
  output.rtp.clear();
  now += 33ms;
  publisher.picture(router, false, now);
  const auto down = receivedOn(output, kSubscriberA, codec::CodecKind::Vp9);
  REQUIRE(down.size() == 1);
  CHECK(down[0].sid == 0);
  CHECK(down[0].marker);
  CHECK(down[0].seq == static_cast<uint16_t>(up.back().seq + 1));
}

TEST_CASE("Router: temporal and spatial selection allocates nothing after warm-up", "[allocation]") {
  class Counting : public Router::Output {
   public:
    bool sendRtp(TransportId, std::span<uint8_t>, size_t) noexcept override {
      ++rtp;
      return true;
    }
    bool sendRtcp(TransportId, std::span<uint8_t>, size_t) noexcept override { return true; }
    uint64_t rtp = 0;
  } output;
  Router router(output, {});
  router.addProducer(producerOf(codec::CodecKind::Vp9));
  for (uint32_t i = 0; i < 6; ++i) {
    ConsumerSpec spec = consumer(100 + i, kVideoProducer, 10 + i, 0xC000 + i, 96, "1", {});
    spec.layer = static_cast<int>(i % 3);
    spec.temporalLayer = static_cast<int>(i % 3);
    REQUIRE(router.addConsumer(spec, kT0, false));
  }
  // 200 pictures of three spatial layers, a key picture every 50, built before counting.
  std::vector<Bytes> packets;
  uint16_t seq = 65000;
  for (uint16_t picture = 0; picture < 200; ++picture) {
    const bool key = picture % 50 == 0;
    for (uint8_t sid = 0; sid < 3; ++sid) {
      packets.push_back(vp9Packet(seq++, 3000U * picture, sid == 2, key,
                                  static_cast<uint16_t>(32700 + picture), static_cast<uint8_t>(picture / 4),
                                  kPattern[picture % 4], sid));
    }
  }
  auto feed = [&](size_t i) {
    auto packet = rtp::RtpPacket::parse(packets[i]);
    REQUIRE(packet);
    router.onRtp(kPublisher, *packet, kT0 + std::chrono::milliseconds(i));
  };
  for (size_t i = 0; i < 3; ++i)  // warm-up: the first picture
    feed(i);
  const uint64_t before = heapAllocations();
  for (size_t i = 3; i < packets.size(); ++i) {
    feed(i);
    router.tick(kT0 + std::chrono::milliseconds(i));
  }
  CHECK(heapAllocations() == before);
  CHECK(output.rtp > 600);
}
