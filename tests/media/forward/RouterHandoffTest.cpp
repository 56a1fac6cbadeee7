// A room spread over two workers, without the workers: the origin router hands its producer's
// packets and SRs off through a real SpscRing of pooled packets to a mirror producer in a second
// router, whose consumers get them rewritten for their subscribers; the mirror answers their NACKs
// itself and passes their keyframe requests back to the origin. And the whole path allocates
// nothing in steady state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>

#include "media/forward/HandoffPacketPool.h"
#include "media/forward/SpscRing.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/SenderReportView.h"
#include "media/util/BigEndian.h"
#include "tests/media/forward/RouterTestKit.h"
#include "tests/support/HeapCounter.h"

using switchyard::test::heapAllocations;

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

namespace {

constexpr uint16_t kOriginWorker = 0;
constexpr uint16_t kMirrorWorker = 1;

// One lane origin -> mirror.
struct Lane {
  HandoffPacketPool pool{64};
  SpscRing<HandoffPacket*> ring{32};
  uint64_t dropped = 0;
};

// Counts what it is given, stores nothing (allocation test).
class CountingOutput : public Router::Output {
 public:
  bool sendRtp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept override {
    ++rtp;
    if (transport == watched && length >= 12 && util::read32(buffer.data() + 8) == watchedSsrc)
      lastWatchedSeq = util::read16(buffer.data() + 2);
    return true;
  }
  bool sendRtcp(TransportId, std::span<uint8_t>, size_t) noexcept override {
    ++rtcp;
    return true;
  }
  uint64_t rtp = 0;
  uint64_t rtcp = 0;
  TransportId watched = 0;
  uint32_t watchedSsrc = 0;
  uint16_t lastWatchedSeq = 0;
};

// The worker's side of the Output: hand-offs go into the lane, keyframe requests are noted.
template <typename Base>
class LaneOutput : public Base {
 public:
  explicit LaneOutput(Lane& lane) : lane_(lane) {}
  void handOff(const Router& router, uint32_t producer, std::span<const uint16_t> workers,
               HandoffPacket::Type type, int layer, std::span<const uint8_t> packet) noexcept override {
    ++handOffs;
    if (std::find(workers.begin(), workers.end(), kMirrorWorker) == workers.end()) return;
    HandoffPacket* p = lane_.pool.acquire();
    if (p == nullptr || packet.size() > HandoffPacket::kMaxSize) {
      ++lane_.dropped;
      return;
    }
    p->room = router.tag();
    p->producer = producer;
    p->layer = static_cast<int8_t>(layer);
    p->type = type;
    p->size = static_cast<uint16_t>(packet.size());
    std::copy(packet.begin(), packet.end(), p->data.begin());
    p->references.store(1);
    if (!lane_.ring.push(p)) {
      HandoffPacketPool::release(*p);
      ++lane_.dropped;
    }
  }
  void requestOriginKeyframe(const Router&, uint32_t producer, uint16_t origin) noexcept override {
    ++keyframeRequests;
    lastKeyframeProducer = producer;
    lastOrigin = origin;
  }
  uint64_t handOffs = 0;
  uint64_t keyframeRequests = 0;
  uint32_t lastKeyframeProducer = 0;
  uint16_t lastOrigin = 0xffff;

 private:
  Lane& lane_;
};

// The mirror worker's side: everything waiting in the lane, into the mirror router.
size_t drain(Lane& lane, Router& mirror, Clock::time_point now) {
  size_t n = 0;
  HandoffPacket* p = nullptr;
  while (lane.ring.pop(p)) {
    if (p->type == HandoffPacket::Type::kRtp) {
      mirror.onMirroredRtp(p->producer, p->layer, p->bytes(), now);
    } else {
      mirror.onMirroredSenderReport(p->producer, p->layer, p->bytes(), now);
    }
    HandoffPacketPool::release(*p);
    ++n;
  }
  return n;
}

ProducerSpec mirrorOf(ProducerSpec spec) {
  spec.transport = 0;
  spec.originWorker = kOriginWorker;
  return spec;
}

constexpr uint32_t kMirrorSubSsrc = 0xB0B0B0B0;
constexpr uint32_t kMirrorSubRtxSsrc = 0xB0B0B0B1;

ConsumerSpec mirrorConsumer(uint32_t id, TransportId transport, uint32_t ssrc, uint32_t rtxSsrc) {
  ConsumerSpec spec = consumer(id, kVideoProducer, transport, ssrc, 120, "v", ids({{RtpExtension::kMid, 9}}));
  spec.rtxSsrc = rtxSsrc;
  spec.rtxPayloadType = 121;
  return spec;
}

Bytes videoPacket(uint16_t seq) {
  const Bytes payload(200, static_cast<uint8_t>(seq));
  const Bytes mid = textBytes("1");
  rtp::RtpPacketBuilder builder;
  builder.setPayloadType(96).setSequenceNumber(seq).setTimestamp(seq * 3000U).setSsrc(kVideoSsrc);
  builder.setPayload(payload).addExtension(kPubMid, mid);
  return build(builder);
}

Bytes senderReport(uint32_t ssrc, uint32_t rtpTimestamp) {
  rtcp::SenderInfo info;
  info.ssrc = ssrc;
  info.ntpTimestamp = 0x0102030405060708ULL;
  info.rtpTimestamp = rtpTimestamp;
  info.packetCount = 10;
  info.octetCount = 1000;
  Bytes out(100);
  rtcp::RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addSr(info));
  out.resize(builder.size());
  return out;
}

}  // namespace

TEST_CASE("a mirror producer on another worker forwards, repairs and asks the origin for keyframes",
          "[handoff]") {
  Lane lane;
  LaneOutput<RecordingOutput> originOut(lane);
  LaneOutput<RecordingOutput> mirrorOut(lane);
  Router origin(originOut, {}, 7);
  Router mirror(mirrorOut, {}, 7);
  ProducerSpec video = videoProducer();
  video.nack = true;
  origin.addProducer(video);
  REQUIRE(origin.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xA1, 96, "1", {}), at(0us), false));
  mirror.addProducer(mirrorOf(video));
  REQUIRE(mirror.addConsumer(mirrorConsumer(200, kSubscriberB, kMirrorSubSsrc, kMirrorSubRtxSsrc), at(0us),
                             false));
  CHECK_FALSE(mirror.addHandoff(kVideoProducer, 5));  // a mirror hands nothing off

  // No handoff yet: the origin forwards locally only.
  feedRtp(origin, kPublisher, videoPacket(1), at(1000us));
  CHECK(originOut.handOffs == 0);
  CHECK(lane.ring.empty());

  REQUIRE(origin.addHandoff(kVideoProducer, kMirrorWorker));
  for (uint16_t seq = 2; seq <= 20; ++seq) {
    if (seq == 10) continue;  // lost on the way from the publisher
    feedRtp(origin, kPublisher, videoPacket(seq), at(std::chrono::microseconds(seq * 1000)));
  }
  CHECK(origin.counters().rtpHandedOff == 18);
  CHECK(drain(lane, mirror, at(21000us)) == 18);
  CHECK(lane.pool.inUse() == 0);
  CHECK(mirror.counters().rtpMirrored == 18);
  CHECK(mirror.counters().rtpMirrorDropped == 0);

  const std::vector<Bytes> atB = mirrorOut.rtpOn(kSubscriberB);
  REQUIRE(atB.size() == 18);
  uint16_t lastSeq = 0;
  for (const Bytes& b : atB) {
    const auto packet = rtp::RtpPacketView::parse(b);
    REQUIRE(packet);
    CHECK(packet->ssrc() == kMirrorSubSsrc);
    CHECK(packet->payloadType() == 120);
    CHECK(packet->payload().size() == 200);
    lastSeq = packet->sequenceNumber();
  }
  CHECK(originOut.rtpOn(kSubscriberA).size() == 19);

  // Only the origin talks to the publisher: its NACK for 10; the mirror's tick sends nothing there.
  origin.tick(at(200000us));
  mirror.tick(at(200000us));
  CHECK(origin.counters().nacksSent >= 1);
  CHECK(mirror.counters().nacksSent == 0);
  CHECK(std::none_of(mirrorOut.rtcp.begin(), mirrorOut.rtcp.end(),
                     [](const SentPacket& p) { return p.transport == kPublisher || p.transport == 0; }));

  // B's NACK for its last packet is answered by the mirror, on B's RTX stream.
  const size_t rtpBefore = mirrorOut.rtp.size();
  Bytes nack(64);
  {
    rtcp::RtcpCompoundBuilder builder(nack);
    const std::array<uint16_t, 1> lost{lastSeq};
    REQUIRE(builder.addNack(0x5B, kMirrorSubSsrc, lost));
    nack.resize(builder.size());
  }
  mirror.onRtcp(kSubscriberB, nack, at(201000us));
  CHECK(mirror.counters().retransmissionsSent == 1);
  CHECK(origin.counters().retransmissionsRequested == 0);
  REQUIRE(mirrorOut.rtp.size() == rtpBefore + 1);
  const auto rtx = rtp::RtpPacketView::parse(mirrorOut.rtp.back().bytes);
  REQUIRE(rtx);
  CHECK(rtx->ssrc() == kMirrorSubRtxSsrc);
  CHECK(rtx->payloadType() == 121);
  CHECK(util::read16(rtx->payload().data()) == lastSeq);

  // B's PLI: the mirror passes it to the origin, whose router asks the publisher.
  mirror.onRtcp(kSubscriberB, pli(0x5B, kMirrorSubSsrc), at(500000us));
  CHECK(mirrorOut.keyframeRequests == 1);
  CHECK(mirrorOut.lastKeyframeProducer == kVideoProducer);
  CHECK(mirrorOut.lastOrigin == kOriginWorker);
  CHECK(mirror.counters().keyframeRequestsForwarded == 1);
  const size_t rtcpBefore = originOut.rtcp.size();
  origin.requestKeyframe(kVideoProducer, at(500000us));
  REQUIRE(originOut.rtcp.size() == rtcpBefore + 1);
  CHECK(originOut.rtcp.back().transport == kPublisher);
  const auto sentPli = decodePli(originOut.rtcp.back());
  REQUIRE(sentPli);
  CHECK(sentPli->second == kVideoSsrc);

  // The publisher's SR crosses too and reaches B rewritten for its SSRC.
  origin.onRtcp(kPublisher, senderReport(kVideoSsrc, 60000), at(600000us));
  CHECK(origin.counters().senderReportsHandedOff == 1);
  REQUIRE(drain(lane, mirror, at(600000us)) == 1);
  const auto srAtB = std::find_if(mirrorOut.rtcp.begin(), mirrorOut.rtcp.end(), [](const SentPacket& p) {
    const rtcp::RtcpCompound compound(p.bytes);
    if (p.transport != kSubscriberB || !compound.valid()) return false;
    const auto sr = rtcp::SenderReportView::parse(*compound.begin());
    return sr && sr->senderSsrc() == kMirrorSubSsrc && sr->ntpTimestamp() == 0x0102030405060708ULL;
  });
  CHECK(srAtB != mirrorOut.rtcp.end());

  // The worker left the room: nothing more is handed off to it.
  origin.removeHandoffs(kMirrorWorker);
  feedRtp(origin, kPublisher, videoPacket(21), at(700000us));
  CHECK(lane.ring.empty());
  CHECK(origin.counters().rtpHandedOff == 18);
}

TEST_CASE("a full lane drops and counts, a packet for an unknown mirror is dropped", "[handoff]") {
  Lane lane;
  LaneOutput<RecordingOutput> originOut(lane);
  LaneOutput<RecordingOutput> mirrorOut(lane);
  Router origin(originOut, {}, 1);
  Router mirror(mirrorOut, {}, 1);
  origin.addProducer(videoProducer());
  REQUIRE(origin.addHandoff(kVideoProducer, kMirrorWorker));
  for (uint16_t seq = 1; seq <= 40; ++seq)
    feedRtp(origin, kPublisher, videoPacket(seq), at(std::chrono::microseconds(seq * 1000)));
  CHECK(lane.ring.size() == 32);
  CHECK(lane.dropped == 8);
  CHECK(drain(lane, mirror, at(50000us)) == 32);  // no mirror there yet
  CHECK(mirror.counters().rtpMirrorDropped == 32);
  CHECK(mirrorOut.rtp.empty());
  CHECK(lane.pool.inUse() == 0);
}

TEST_CASE("the handoff path allocates nothing after warm-up", "[handoff][allocation]") {
  Lane lane;
  LaneOutput<CountingOutput> originOut(lane);
  LaneOutput<CountingOutput> mirrorOut(lane);
  Router origin(originOut, {}, 3);
  Router mirror(mirrorOut, {}, 3);
  ProducerSpec video = videoProducer();
  video.nack = true;
  origin.addProducer(video);
  origin.addProducer(audioProducer());
  mirror.addProducer(mirrorOf(video));
  mirror.addProducer(mirrorOf(audioProducer()));
  const auto all =
      ids({{RtpExtension::kMid, 1}, {RtpExtension::kTransportCc, 3}, {RtpExtension::kAudioLevel, 4}});
  for (uint32_t i = 0; i < 5; ++i) {
    REQUIRE(origin.addConsumer(consumer(100 + i, kVideoProducer, 10 + i, 0xC000 + i, 96, "1", all), at(0us)));
    REQUIRE(
        origin.addConsumer(consumer(200 + i, kAudioProducer, 10 + i, 0xD000 + i, 111, "0", all), at(0us)));
  }
  for (uint32_t i = 0; i < 20; ++i) {
    REQUIRE(mirror.addConsumer(mirrorConsumer(300 + i, 30 + i, 0xE000 + i, 0xF000 + i), at(0us)));
    REQUIRE(
        mirror.addConsumer(consumer(400 + i, kAudioProducer, 30 + i, 0xD100 + i, 111, "0", all), at(0us)));
  }
  REQUIRE(origin.addHandoff(kVideoProducer, kMirrorWorker));
  REQUIRE(origin.addHandoff(kAudioProducer, kMirrorWorker));
  mirrorOut.watched = 30;
  mirrorOut.watchedSsrc = 0xE000;

  const Bytes payload(1000, 0x33);
  const Bytes level = {0x85};
  const Bytes audioMid = textBytes("0");
  rtp::RtpPacketBuilder audioBuilder;
  audioBuilder.setPayloadType(111).setSsrc(kAudioSsrc).setPayload(payload);
  audioBuilder.addExtension(kPubMid, audioMid).addExtension(kPubAudioLevel, level);
  Bytes videoBytes = videoPacket(0);
  Bytes audioBytes = build(audioBuilder);
  auto videoRtp = rtp::RtpPacket::parse(videoBytes);
  auto audioRtp = rtp::RtpPacket::parse(audioBytes);
  REQUIRE(videoRtp);
  REQUIRE(audioRtp);
  const Bytes sr = senderReport(kVideoSsrc, 1234);
  const Bytes pliBytes = pli(0x5B, 0xE001);
  std::array<uint8_t, 64> nackBuffer{};

  auto round = [&](int i) {
    const Clock::time_point now = at(std::chrono::microseconds(1000000 + i * 10000));
    videoRtp->setSequenceNumber(static_cast<uint16_t>(i * 2));  // every other one lost: NACKs
    origin.onRtp(kPublisher, *videoRtp, now);
    audioRtp->setSequenceNumber(static_cast<uint16_t>(i));
    origin.onRtp(kPublisher, *audioRtp, now);
    if (i % 10 == 0) origin.onRtcp(kPublisher, sr, now);
    drain(lane, mirror, now);
    // The watched subscriber NACKs the last packet it got (answered from the mirror's buffer).
    rtcp::RtcpCompoundBuilder builder(nackBuffer);
    const std::array<uint16_t, 1> lost{mirrorOut.lastWatchedSeq};
    builder.addNack(0x5B, 0xE000, lost);
    mirror.onRtcp(30, std::span<const uint8_t>(nackBuffer).first(builder.size()), now);
    mirror.onRtcp(31, pliBytes, now);
    origin.requestKeyframe(kVideoProducer, now);
    origin.tick(now);
    mirror.tick(now);
  };
  for (int i = 0; i < 5; ++i)
    round(i);  // warm-up

  const uint64_t before = heapAllocations();
  for (int i = 5; i < 505; ++i)
    round(i);
  const uint64_t allocations = heapAllocations() - before;
  CHECK(allocations == 0);
  CHECK(lane.dropped == 0);
  CHECK(lane.pool.inUse() == 0);
  CHECK(origin.counters().rtpHandedOff == 505 * 2);
  CHECK(mirror.counters().rtpMirrored == 505 * 2);
  CHECK(mirror.counters().rtpForwarded == 505 * 2 * 20);
  CHECK(mirror.counters().retransmissionsSent >= 500);
  CHECK(mirror.counters().senderReportsReceived == 51);
  CHECK(mirrorOut.keyframeRequests >= 10);
  CHECK(origin.counters().keyframeRequestsSent >= 10);
}
