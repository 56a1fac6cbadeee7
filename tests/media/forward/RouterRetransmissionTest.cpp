// Subscribers' NACKs through the Router: the stored packet is rewritten for the subscriber again and
// sent on its RTX stream (RFC 4588: its RTX SSRC and payload type, its own RTX sequence numbers, the
// original sequence number in front of the payload) or, without RTX, as the original packet.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/rtp/RtxPacket.h"
#include "media/util/BigEndian.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

const Clock::time_point kT0 = at(10000000us);
const Bytes kPayload = {0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A};

Bytes videoPacket(uint16_t seq) {
  rtp::RtpPacketBuilder b;
  b.setPayloadType(96)
      .setSequenceNumber(seq)
      .setTimestamp(3000U * seq)
      .setSsrc(kVideoSsrc)
      .setPayload(kPayload);
  return build(b);
}

Bytes nack(uint32_t mediaSsrc, std::vector<uint16_t> seqs) {
  Bytes out(256);
  rtcp::RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addNack(0x5B5B5B5B, mediaSsrc, seqs));
  out.resize(builder.size());
  return out;
}

rtp::RtpPacketView parsed(const Bytes& bytes) {
  auto view = rtp::RtpPacketView::parse(bytes);
  REQUIRE(view);
  return *view;
}

}  // namespace

TEST_CASE("Router: a subscriber's NACK is answered from the buffer, on its RTX stream when negotiated") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  ConsumerSpec withRtx = consumer(100, kVideoProducer, kSubscriberA, 0xC100, 120, "v", {});
  withRtx.rtxSsrc = 0xC1FF;
  withRtx.rtxPayloadType = 121;
  REQUIRE(router.addConsumer(withRtx, kT0, false));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "v", {}), kT0, false));
  for (uint16_t seq = 10; seq < 15; ++seq)
    feedRtp(router, kPublisher, videoPacket(seq), kT0);
  output.rtp.clear();

  router.onRtcp(kSubscriberA, nack(0xC100, {11, 13}), kT0 + 20ms);
  const auto onA = output.rtpOn(kSubscriberA);
  REQUIRE(onA.size() == 2);
  for (size_t i = 0; i < onA.size(); ++i) {
    const auto rtx = parsed(onA[i]);
    CHECK(rtx.ssrc() == 0xC1FF);
    CHECK(rtx.payloadType() == 121);
    CHECK(rtx.sequenceNumber() == i);  // the RTX stream's own numbering
    const uint16_t osn = i == 0 ? 11 : 13;
    REQUIRE(rtx.payload().size() == kPayload.size() + rtp::kRtxOsnSize);
    CHECK(switchyard::media::util::read16(rtx.payload().data()) == osn);
    CHECK(rtx.timestamp() == 3000U * osn);
    // Unwrapped, it is the packet the subscriber missed.
    Bytes copy = onA[i];
    const auto size = rtp::unwrapRtx(copy, 120, 0xC100);
    REQUIRE(size);
    copy.resize(*size);
    const auto original = parsed(copy);
    CHECK(original.sequenceNumber() == osn);
    CHECK(toBytes(original.payload()) == kPayload);
  }

  // Without RTX: the original packet again, same sequence number.
  router.onRtcp(kSubscriberB, nack(0xC200, {12}), kT0 + 20ms);
  const auto onB = output.rtpOn(kSubscriberB);
  REQUIRE(onB.size() == 1);
  CHECK(parsed(onB[0]).ssrc() == 0xC200);
  CHECK(parsed(onB[0]).sequenceNumber() == 12);
  CHECK(parsed(onB[0]).payloadType() == 96);

  // Never stored, too old, unknown SSRC: nothing sent.
  const size_t before = output.rtp.size();
  router.onRtcp(kSubscriberB, nack(0xC200, {5}), kT0 + 20ms);
  router.onRtcp(kSubscriberB, nack(0xC200, {12}), kT0 + 2s);
  router.onRtcp(kSubscriberB, nack(0xC100, {12}), kT0 + 20ms);  // A's SSRC on B's transport
  CHECK(output.rtp.size() == before);
  CHECK(router.counters().retransmissionsRequested == 5);
  CHECK(router.counters().retransmissionsSent == 3);
  CHECK(router.counters().retransmissionsMissed == 2);
}

TEST_CASE("Router: a publisher's lost packets are NACKed, repaired by RTX, and reported in RRs") {
  RecordingOutput output;
  Router router(output, {});
  ProducerSpec spec = videoProducer();
  spec.nack = true;
  router.addProducer(spec);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {}), kT0, false));
  for (const uint16_t seq : std::initializer_list<uint16_t>{1, 2, 4, 5, 8})
    feedRtp(router, kPublisher, videoPacket(seq), kT0);
  output.rtcp.clear();
  router.tick(kT0 + 10ms);  // past the reorder delay
  std::vector<uint16_t> nacked;
  for (const SentPacket& sent : output.rtcp) {
    CHECK(sent.transport == kPublisher);
    const rtcp::RtcpCompound compound(sent.bytes);
    REQUIRE(compound.valid());
    for (const auto& packet : compound) {
      if (const auto view = rtcp::NackView::parse(packet)) {
        CHECK(view->mediaSsrc() == kVideoSsrc);
        view->forEachLostSeq([&](uint16_t seq) { nacked.push_back(seq); });
      }
    }
  }
  CHECK(nacked == std::vector<uint16_t>{3, 6, 7});
  CHECK(router.counters().nacksSent == 3);
  // The publisher repairs 3 on its RTX stream: forwarded once; a second copy is a duplicate.
  const auto repair = [](uint16_t rtxSeq, uint16_t osn) {
    Bytes payload = {static_cast<uint8_t>(osn >> 8), static_cast<uint8_t>(osn & 0xff)};
    payload.insert(payload.end(), kPayload.begin(), kPayload.end());
    rtp::RtpPacketBuilder b;
    b.setPayloadType(97)
        .setSequenceNumber(rtxSeq)
        .setTimestamp(3000U * osn)
        .setSsrc(kVideoRtxSsrc)
        .setPayload(payload);
    return build(b);
  };
  output.rtp.clear();
  feedRtp(router, kPublisher, repair(900, 3), kT0 + 30ms);
  feedRtp(router, kPublisher, repair(901, 3), kT0 + 31ms);
  REQUIRE(output.rtp.size() == 1);
  CHECK(parsed(output.rtp[0].bytes).sequenceNumber() == 3);
  CHECK(router.counters().rtxRepaired == 1);
  CHECK(router.counters().rtxDuplicate == 1);
  // A media packet received twice is forwarded once.
  feedRtp(router, kPublisher, videoPacket(8), kT0 + 32ms);
  CHECK(router.counters().rtpDuplicate == 1);
  CHECK(output.rtp.size() == 1);
  // Within the RTT (100 ms assumed) 6 and 7 are not asked again; after it they are.
  output.rtcp.clear();
  router.tick(kT0 + 40ms);
  CHECK(output.rtcp.empty());
  router.tick(kT0 + 200ms);
  nacked.clear();
  for (const SentPacket& sent : output.rtcp) {
    for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
      if (const auto view = rtcp::NackView::parse(packet))
        view->forEachLostSeq([&](uint16_t s) { nacked.push_back(s); });
    }
  }
  CHECK(nacked == std::vector<uint16_t>{6, 7});
  // Once a second a receiver report (the second one a second plus the producer's phase after the
  // first): highest seq 8; 3 was repaired, 6 and 7 still lost... and one of the duplicates (seq 8
  // twice) counts as received: RFC 3550 cumulative lost = 8 - 7 = 1.
  output.rtcp.clear();
  router.tick(kT0 + 2100ms);
  std::optional<rtcp::ReportBlock> block;
  for (const SentPacket& sent : output.rtcp) {
    for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
      if (const auto rr = rtcp::ReceiverReportView::parse(packet); rr && rr->reportCount() == 1)
        block = rr->reportBlock(0);
    }
  }
  REQUIRE(block);
  CHECK(block->ssrc == kVideoSsrc);
  CHECK((block->extendedHighestSeq & 0xffff) == 8);
  CHECK(block->cumulativeLost == 1);
  CHECK(router.counters().receiverReportsSent == 2);  // the first went with the first tick
}
