// The RTP path of the Router: fan-out with per-subscriber header rewriting, SSRC learning by mid,
// RTX/DTMF/unknown payload handling, size limit and removals.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "media/forward/AbsSendTime.h"
#include "media/forward/Router.h"
#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/BigEndian.h"
#include "tests/TestHex.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;
using switchyard::media::rtp::RtpExtensionForm;
using switchyard::media::rtp::RtpPacketBuilder;
using switchyard::media::rtp::RtpPacketView;

const Bytes kPayload = {0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A};
const Bytes kAudioLevel = {0x85};  // RFC 6464: V=1, level 5 dBov
const Bytes kOrientation = {0x01};
const Bytes kPubTwcc = {0x12, 0x34};
const Bytes kPubAbs = {0xAB, 0xCD, 0xEF};

const Clock::time_point kNow = at(1500000us);  // abs-send-time 0x060000

RtpPacketBuilder videoPacket(uint16_t seq, uint32_t ts, uint32_t ssrc = kVideoSsrc, uint8_t pt = 96) {
  RtpPacketBuilder b;
  b.setMarker(true).setPayloadType(pt).setSequenceNumber(seq).setTimestamp(ts).setSsrc(ssrc).setPayload(
      kPayload);
  return b;
}

// A browser-like video packet: mid, rid, abs-send-time, twcc and video-orientation from the publisher.
RtpPacketBuilder browserVideoPacket(uint16_t seq, uint32_t ts) {
  static const Bytes mid = textBytes("1");
  static const Bytes rid = textBytes("h");
  RtpPacketBuilder b = videoPacket(seq, ts);
  b.addExtension(kPubMid, mid)
      .addExtension(kPubRid, rid)
      .addExtension(kPubAbsSendTime, kPubAbs)
      .addExtension(kPubTransportCc, kPubTwcc)
      .addExtension(kPubVideoOrientation, kOrientation);
  return b;
}

RtpPacketBuilder audioPacket(uint16_t seq, uint32_t ts, uint8_t pt = 111) {
  static const Bytes mid = textBytes("0");
  RtpPacketBuilder b;
  b.setPayloadType(pt).setSequenceNumber(seq).setTimestamp(ts).setSsrc(kAudioSsrc).setPayload(kPayload);
  b.addExtension(kPubMid, mid)
      .addExtension(kPubAudioLevel, kAudioLevel)
      .addExtension(kPubTransportCc, kPubTwcc);
  return b;
}

RtpPacketView parsed(const Bytes& bytes) {
  auto view = RtpPacketView::parse(bytes);
  REQUIRE(view);
  return *view;
}

// The (id -> data) elements of a packet, in order.
std::vector<std::pair<uint8_t, Bytes>> elements(const RtpPacketView& packet) {
  std::vector<std::pair<uint8_t, Bytes>> out;
  for (auto element : packet.extensions())
    out.emplace_back(element.id, toBytes(element.data));
  return out;
}

Bytes twcc(uint16_t seq) {
  Bytes out(2);
  switchyard::media::util::write16(out.data(), seq);
  return out;
}

}  // namespace

TEST_CASE("Router: one packet reaches three consumers with their SSRC, payload type and ids") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 98, "v-a",
                                      ids({{RtpExtension::kMid, 1}, {RtpExtension::kTransportCc, 5}})),
                             kNow));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 100, "v-b",
                                      ids({{RtpExtension::kMid, 9}, {RtpExtension::kAbsSendTime, 3}})),
                             kNow));
  REQUIRE(router.addConsumer(consumer(300, kVideoProducer, kSubscriberC, 0xC300, 96, "v-c", {}), kNow));
  CHECK(router.consumerCount() == 3);

  // P=1 with 4 padding bytes, two CSRCs, marker set.
  RtpPacketBuilder b = videoPacket(0xFFFE, 0x89ABCDEF);
  b.addCsrc(0x01020304).addCsrc(0x05060708).setPadding(4);
  const Bytes input = build(b);
  feedRtp(router, kPublisher, input, kNow);

  REQUIRE(output.rtp.size() == 3);
  const struct {
    TransportId transport;
    uint32_t ssrc;
    uint8_t pt;
  } expected[] = {{kSubscriberA, 0xC100, 98}, {kSubscriberB, 0xC200, 100}, {kSubscriberC, 0xC300, 96}};
  for (size_t i = 0; i < 3; ++i) {
    const SentPacket& sent = output.rtp[i];
    INFO("consumer " << i);
    CHECK(sent.transport == expected[i].transport);
    CHECK(sent.bufferSize >= sent.bytes.size() + switchyard::media::srtp::kSrtpMaxTrailer);
    const RtpPacketView out = parsed(sent.bytes);
    CHECK(out.ssrc() == expected[i].ssrc);
    CHECK(out.payloadType() == expected[i].pt);
    CHECK(out.sequenceNumber() == 0xFFFE);
    CHECK(out.timestamp() == 0x89ABCDEF);
    CHECK(out.marker());
    CHECK(out.csrcCount() == 2);
    CHECK(out.csrc(0) == 0x01020304);
    CHECK(out.csrc(1) == 0x05060708);
    CHECK(toBytes(out.payload()) == kPayload);
    CHECK(out.paddingSize() == 4);
    // Payload and padding are the input's tail byte for byte.
    CHECK(Bytes(sent.bytes.end() - 14, sent.bytes.end()) == Bytes(input.end() - 14, input.end()));
  }
  CHECK(elements(parsed(output.rtp[0].bytes)) ==
        std::vector<std::pair<uint8_t, Bytes>>{{1, textBytes("v-a")}, {5, twcc(0)}});
  CHECK(elements(parsed(output.rtp[1].bytes)) ==
        std::vector<std::pair<uint8_t, Bytes>>{{9, textBytes("v-b")}, {3, Bytes{0x06, 0x00, 0x00}}});
  CHECK_FALSE(parsed(output.rtp[2].bytes).hasExtension());
  CHECK(output.rtp[2].bytes.size() == input.size());

  CHECK(router.counters().rtpReceived == 1);
  CHECK(router.counters().rtpForwarded == 3);
  CHECK(router.consumerPackets(100) == 1);
  CHECK(router.consumerPackets(200) == 1);
  CHECK(router.consumerPackets(300) == 1);
  CHECK(router.consumerPackets(999) == 0);
}

TEST_CASE("Router: extensions are rebuilt for the subscriber, publisher-only ones removed") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(audioProducer());
  // A: audio-level 1 -> 10, mid, abs-send-time, twcc: one-byte form.
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 109, "a2",
                                      ids({{RtpExtension::kMid, 1},
                                           {RtpExtension::kAbsSendTime, 3},
                                           {RtpExtension::kTransportCc, 5},
                                           {RtpExtension::kAudioLevel, 10}})),
                             kNow));
  // B: audio-level 1 -> 20 (> 14): two-byte form.
  REQUIRE(router.addConsumer(consumer(201, kAudioProducer, kSubscriberB, 0xC201, 111, "a3",
                                      ids({{RtpExtension::kMid, 2}, {RtpExtension::kAudioLevel, 20}})),
                             kNow));
  // C: audio level not negotiated: not copied.
  REQUIRE(router.addConsumer(
      consumer(301, kAudioProducer, kSubscriberC, 0xC301, 111, "a4", ids({{RtpExtension::kMid, 3}})), kNow));

  feedRtp(router, kPublisher, build(audioPacket(7, 960)), kNow);
  REQUIRE(output.rtp.size() == 3);

  const Bytes a = output.rtp[0].bytes;
  CHECK(parsed(a).extensionForm() == RtpExtensionForm::kOneByte);
  CHECK(elements(parsed(a)) ==
        std::vector<std::pair<uint8_t, Bytes>>{
            {1, textBytes("a2")}, {3, Bytes{0x06, 0x00, 0x00}}, {5, twcc(0)}, {10, kAudioLevel}});
  // Known answer for A (RFC 3550 §5.1 header, RFC 8285 §4.2 block of 4 words):
  // 11 'a' '2' | 32 06 00 00 | 51 00 00 | A0 85: 12 bytes, no padding needed.
  const Bytes expectedA = switchyard::test::hex(
      "90 6D 0007 000003C0 0000C101"
      "BEDE 0003 11 6132 32 060000 51 0000 A0 85");
  CHECK(Bytes(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(expectedA.size())) == expectedA);

  const RtpPacketView b = parsed(output.rtp[1].bytes);
  CHECK(b.extensionForm() == RtpExtensionForm::kTwoByte);
  CHECK(elements(b) == std::vector<std::pair<uint8_t, Bytes>>{{2, textBytes("a3")}, {20, kAudioLevel}});

  const RtpPacketView c = parsed(output.rtp[2].bytes);
  CHECK(elements(c) == std::vector<std::pair<uint8_t, Bytes>>{{3, textBytes("a4")}});
}

TEST_CASE("Router: video-orientation is copied only when both sides negotiated it; rid never") {
  RecordingOutput output;
  Router router(output, {});
  ProducerSpec spec = videoProducer();
  router.addProducer(spec);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v",
                                      ids({{RtpExtension::kVideoOrientation, 14}, {RtpExtension::kRid, 4}})),
                             kNow));
  feedRtp(router, kPublisher, build(browserVideoPacket(1, 2)), kNow);
  REQUIRE(output.rtp.size() == 1);
  CHECK(elements(parsed(output.rtp[0].bytes)) == std::vector<std::pair<uint8_t, Bytes>>{{14, kOrientation}});

  // The publisher did not negotiate it: nothing to copy, and no block at all.
  spec.extensions.set(RtpExtension::kVideoOrientation, 0);
  router.addProducer(spec);
  feedRtp(router, kPublisher, build(browserVideoPacket(2, 2)), kNow);
  REQUIRE(output.rtp.size() == 2);
  CHECK_FALSE(parsed(output.rtp[1].bytes).hasExtension());
}

TEST_CASE("Router: the transport-wide sequence is counted per subscriber transport") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  router.addProducer(audioProducer());
  const auto twccOnly = ids({{RtpExtension::kTransportCc, 5}});
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", twccOnly), kNow));
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", twccOnly), kNow));
  REQUIRE(router.addConsumer(
      consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "1", ids({{RtpExtension::kTransportCc, 7}})),
      kNow));

  feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
  feedRtp(router, kPublisher, build(audioPacket(1, 0)), kNow);
  feedRtp(router, kPublisher, build(videoPacket(2, 0)), kNow);
  feedRtp(router, kPublisher, build(audioPacket(2, 0)), kNow);

  std::vector<uint16_t> onA;
  for (const Bytes& p : output.rtpOn(kSubscriberA))
    onA.push_back(switchyard::media::util::read16(parsed(p).extension(5)->data()));
  CHECK(onA == std::vector<uint16_t>{0, 1, 2, 3});
  std::vector<uint16_t> onB;
  for (const Bytes& p : output.rtpOn(kSubscriberB))
    onB.push_back(switchyard::media::util::read16(parsed(p).extension(7)->data()));
  CHECK(onB == std::vector<uint16_t>{0, 1});

  SECTION("a refused send gives its number back") {
    output.acceptRtp = false;
    feedRtp(router, kPublisher, build(videoPacket(3, 0)), kNow);
    CHECK(router.counters().sendFailed == 2);
    output.acceptRtp = true;
    feedRtp(router, kPublisher, build(videoPacket(4, 0)), kNow);
    const auto a = output.rtpOn(kSubscriberA);
    CHECK(switchyard::media::util::read16(parsed(a.back()).extension(5)->data()) == 4);
    CHECK(router.consumerPackets(100) == 3);
  }
  SECTION("removeTransport forgets the counter") {
    router.removeTransport(kSubscriberA);
    CHECK(router.consumerCount() == 1);
    REQUIRE(router.addConsumer(consumer(102, kVideoProducer, kSubscriberA, 0xC102, 96, "1", twccOnly), kNow));
    output.rtp.clear();
    feedRtp(router, kPublisher, build(videoPacket(5, 0)), kNow);
    CHECK(switchyard::media::util::read16(parsed(output.rtpOn(kSubscriberA).at(0)).extension(5)->data()) ==
          0);
  }
  SECTION("removeConsumer keeps the transport's counter going") {
    router.removeConsumer(100);
    feedRtp(router, kPublisher, build(audioPacket(3, 0)), kNow);
    CHECK(switchyard::media::util::read16(parsed(output.rtpOn(kSubscriberA).back()).extension(5)->data()) ==
          4);
  }
}

TEST_CASE("Router: abs-send-time is the 6.18 fixed-point time of now") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  REQUIRE(router.addConsumer(
      consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", ids({{RtpExtension::kAbsSendTime, 2}})),
      kNow));
  feedRtp(router, kPublisher, build(browserVideoPacket(1, 0)), at(2250000us));   // 2.25 s
  feedRtp(router, kPublisher, build(browserVideoPacket(2, 0)), at(65000000us));  // 65 s wraps to 1 s
  REQUIRE(output.rtp.size() == 2);
  CHECK(toBytes(*parsed(output.rtp[0].bytes).extension(2)) == Bytes{0x09, 0x00, 0x00});
  CHECK(toBytes(*parsed(output.rtp[1].bytes).extension(2)) == Bytes{0x04, 0x00, 0x00});
}

TEST_CASE("Router: an SSRC without a=ssrc is learned from the producer's mid extension") {
  RecordingOutput output;
  Router router(output, {});
  ProducerSpec spec = videoProducer();
  spec.ssrcs.clear();
  spec.rtxSsrcs.clear();
  router.addProducer(spec);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {}), kNow));

  const Bytes mid = textBytes("1");
  const Bytes otherMid = textBytes("7");
  auto withMid = [&](uint32_t ssrc, const Bytes& value, uint8_t pt = 96) {
    RtpPacketBuilder b = videoPacket(1, 0, ssrc, pt);
    b.addExtension(kPubMid, value);
    return build(b);
  };

  feedRtp(router, kPublisher, build(videoPacket(1, 0, 0x5555)), kNow);  // no mid: unknown
  CHECK(router.counters().rtpUnknownSsrc == 1);
  feedRtp(router, kPublisher, withMid(0x5555, otherMid), kNow);  // another mid: unknown
  CHECK(router.counters().rtpUnknownSsrc == 2);
  feedRtp(router, kSubscriberA, withMid(0x5555, mid), kNow);  // the mid on another transport
  CHECK(router.counters().rtpUnknownSsrc == 3);
  CHECK(output.rtp.empty());

  feedRtp(router, kPublisher, withMid(0x5555, mid), kNow);
  REQUIRE(output.rtp.size() == 1);
  CHECK(parsed(output.rtp[0].bytes).ssrc() == 0xC100);
  // Learned: later packets without the mid are forwarded too.
  feedRtp(router, kPublisher, build(videoPacket(2, 0, 0x5555)), kNow);
  CHECK(output.rtp.size() == 2);

  SECTION("other simulcast SSRCs are learned but not forwarded; at most four") {
    feedRtp(router, kPublisher, withMid(0x6666, mid), kNow);
    feedRtp(router, kPublisher, withMid(0x7777, mid), kNow);
    feedRtp(router, kPublisher, withMid(0x8888, mid), kNow);
    CHECK(router.counters().rtpNotSelected == 3);
    CHECK(router.counters().rtpUnknownSsrc == 3);
    feedRtp(router, kPublisher, withMid(0x9999, mid), kNow);  // a fifth
    CHECK(router.counters().rtpUnknownSsrc == 4);
    feedRtp(router, kPublisher, build(videoPacket(3, 0, 0x8888)), kNow);  // learned, no mid
    CHECK(router.counters().rtpNotSelected == 4);
    CHECK(output.rtp.size() == 2);
  }
  SECTION("a repair packet carrying the mid is taken as a repair, not learned as media") {
    feedRtp(router, kPublisher, withMid(0x6666, mid, 97), kNow);
    CHECK(router.counters().rtxRepaired + router.counters().rtxDropped == 1);
    feedRtp(router, kPublisher, build(videoPacket(3, 0, 0x6666)), kNow);
    CHECK(router.counters().rtpUnknownSsrc == 4);
  }
  SECTION("an unknown payload type with the mid is not learned") {
    feedRtp(router, kPublisher, withMid(0x6666, mid, 35), kNow);
    CHECK(router.counters().rtpUnknownPayload == 1);
    feedRtp(router, kPublisher, build(videoPacket(3, 0, 0x6666)), kNow);
    CHECK(router.counters().rtpUnknownSsrc == 4);
  }
  SECTION("the producer's own mid id is used (two-byte form too)") {
    RtpPacketBuilder b = videoPacket(1, 0, 0x6666);
    b.setExtensionForm(RtpExtensionForm::kTwoByte).addExtension(kPubMid, mid);
    feedRtp(router, kPublisher, build(b), kNow);
    CHECK(router.counters().rtpNotSelected == 1);
    RtpPacketBuilder wrongId = videoPacket(1, 0, 0x7777);
    wrongId.addExtension(kPubRid, mid);
    feedRtp(router, kPublisher, build(wrongId), kNow);
    CHECK(router.counters().rtpUnknownSsrc == 4);
  }
}

TEST_CASE("Router: a publisher's RTX repair is unwrapped and forwarded once; stray RTX is dropped") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", {}), kNow));
  feedRtp(router, kPublisher, build(videoPacket(1, 3000)), kNow);
  REQUIRE(output.rtp.size() == 1);
  // RFC 4588: the repair of seq 1 (already received) is a duplicate; the repair of seq 2 is new.
  const auto repair = [](uint16_t rtxSeq, uint16_t osn) {
    Bytes payload = {static_cast<uint8_t>(osn >> 8), static_cast<uint8_t>(osn & 0xff)};
    payload.insert(payload.end(), kPayload.begin(), kPayload.end());
    RtpPacketBuilder b;
    b.setPayloadType(97)
        .setSequenceNumber(rtxSeq)
        .setTimestamp(6000)
        .setSsrc(kVideoRtxSsrc)
        .setPayload(payload);
    return build(b);
  };
  feedRtp(router, kPublisher, repair(500, 1), kNow);
  CHECK(router.counters().rtxDuplicate == 1);
  CHECK(output.rtp.size() == 1);
  feedRtp(router, kPublisher, repair(501, 2), kNow);
  CHECK(router.counters().rtxRepaired == 1);
  REQUIRE(output.rtp.size() == 2);
  const auto forwarded = parsed(output.rtp[1].bytes);
  CHECK(forwarded.ssrc() == 0xC100);
  CHECK(forwarded.payloadType() == 96);
  CHECK(forwarded.sequenceNumber() == 2);
  CHECK(forwarded.timestamp() == 6000U);
  CHECK(toBytes(forwarded.payload()) == kPayload);
  // The repaired packet is kept: a second repair of it is a duplicate.
  feedRtp(router, kPublisher, repair(502, 2), kNow);
  CHECK(router.counters().rtxDuplicate == 2);
  // A padding-only RTX packet (no OSN), and the RTX payload type on the media SSRC, are dropped.
  const Bytes oneByte{0x00};  // the builder keeps a view: not a temporary
  RtpPacketBuilder probe;
  probe.setPayloadType(97).setSequenceNumber(503).setSsrc(kVideoRtxSsrc).setPayload(oneByte);
  feedRtp(router, kPublisher, build(probe), kNow);
  feedRtp(router, kPublisher, build(videoPacket(3, 0, kVideoSsrc, 97)), kNow);
  CHECK(router.counters().rtxDropped == 2);
  CHECK(output.rtp.size() == 2);
  feedRtp(router, kPublisher, build(videoPacket(3, 0, kVideoSsrc, 35)), kNow);
  CHECK(router.counters().rtpUnknownPayload == 1);
  CHECK(output.rtp.size() == 2);
}

TEST_CASE("Router: DTMF maps to each consumer's telephone-event type, or is skipped") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(audioProducer());
  ConsumerSpec withDtmf = consumer(101, kAudioProducer, kSubscriberA, 0xC101, 109, "0", {});
  withDtmf.dtmfPayloadType = 101;
  REQUIRE(router.addConsumer(withDtmf, kNow));
  REQUIRE(router.addConsumer(consumer(201, kAudioProducer, kSubscriberB, 0xC201, 111, "0", {}), kNow));

  feedRtp(router, kPublisher, build(audioPacket(1, 0, 126)), kNow);
  REQUIRE(output.rtp.size() == 1);
  CHECK(output.rtp[0].transport == kSubscriberA);
  CHECK(parsed(output.rtp[0].bytes).payloadType() == 101);
  feedRtp(router, kPublisher, build(audioPacket(2, 0, 111)), kNow);
  REQUIRE(output.rtp.size() == 3);
  CHECK(parsed(output.rtp[1].bytes).payloadType() == 109);
  CHECK(parsed(output.rtp[2].bytes).payloadType() == 111);
  CHECK(router.consumerPackets(101) == 2);
  CHECK(router.consumerPackets(201) == 1);
}

TEST_CASE("Router: a rewritten copy over 1500 bytes is dropped for that consumer only") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  // 8 extension bytes: 4 header + id 1 "v" (2) + pad = 8.
  REQUIRE(router.addConsumer(
      consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "v", ids({{RtpExtension::kMid, 1}})), kNow));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "v", {}), kNow));

  auto packetOfSize = [](size_t size, uint16_t seq) {
    const Bytes payload(size - 12, 0x42);
    RtpPacketBuilder b;
    b.setPayloadType(96).setSequenceNumber(seq).setSsrc(kVideoSsrc).setPayload(payload);
    return build(b);
  };
  feedRtp(router, kPublisher, packetOfSize(1492, 1), kNow);  // 1500 with the block: fits
  REQUIRE(output.rtp.size() == 2);
  CHECK(output.rtp[0].bytes.size() == 1500);
  CHECK(output.rtp[0].bufferSize >= 1500 + switchyard::media::srtp::kSrtpMaxTrailer);

  feedRtp(router, kPublisher, packetOfSize(1493, 2), kNow);
  REQUIRE(output.rtp.size() == 3);
  CHECK(output.rtp[2].transport == kSubscriberB);
  CHECK(router.counters().rtpTooLarge == 1);

  feedRtp(router, kPublisher, packetOfSize(1501, 3), kNow);  // over the limit even unchanged
  CHECK(output.rtp.size() == 3);
  CHECK(router.counters().rtpTooLarge == 3);
}

TEST_CASE("Router: removals") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  router.addProducer(audioProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kNow));
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", {}), kNow));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "1", {}), kNow));
  CHECK_FALSE(router.addConsumer(consumer(999, 77, kSubscriberB, 0xC999, 96, "1", {}), kNow));
  CHECK(router.producerCount() == 2);
  CHECK(router.consumerCount() == 3);

  SECTION("removeConsumer") {
    router.removeConsumer(100);
    router.removeConsumer(100);  // twice: no effect
    CHECK(router.consumerCount() == 2);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    REQUIRE(output.rtp.size() == 1);
    CHECK(output.rtp[0].transport == kSubscriberB);
  }
  SECTION("removeProducer takes its consumers along") {
    router.removeProducer(kVideoProducer);
    CHECK(router.producerCount() == 1);
    CHECK(router.consumerCount() == 1);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    CHECK(output.rtp.empty());
    CHECK(router.counters().rtpUnknownSsrc == 1);
    feedRtp(router, kPublisher, build(audioPacket(1, 0)), kNow);
    CHECK(output.rtp.size() == 1);
  }
  SECTION("removeTransport of a subscriber") {
    router.removeTransport(kSubscriberA);
    CHECK(router.producerCount() == 2);
    CHECK(router.consumerCount() == 1);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    REQUIRE(output.rtp.size() == 1);
    CHECK(output.rtp[0].transport == kSubscriberB);
  }
  SECTION("removeTransport of the publisher") {
    router.removeTransport(kPublisher);
    CHECK(router.producerCount() == 0);
    CHECK(router.consumerCount() == 0);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    CHECK(output.rtp.empty());
  }
  SECTION("re-adding a producer id keeps its consumers and takes the new SSRCs") {
    ProducerSpec spec = videoProducer();
    spec.ssrcs = {0x33333333};
    spec.payloadType = 98;
    router.addProducer(spec);
    CHECK(router.producerCount() == 2);
    CHECK(router.consumerCount() == 3);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    CHECK(router.counters().rtpUnknownSsrc == 1);
    feedRtp(router, kPublisher, build(videoPacket(2, 0, 0x33333333, 98)), kNow);
    REQUIRE(output.rtp.size() == 2);
    CHECK(parsed(output.rtp[0].bytes).payloadType() == 96);
  }
  SECTION("re-adding a consumer id replaces it") {
    REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberC, 0xD100, 96, "1", {}), kNow));
    CHECK(router.consumerCount() == 3);
    feedRtp(router, kPublisher, build(videoPacket(1, 0)), kNow);
    REQUIRE(output.rtp.size() == 2);
    CHECK(output.rtp[0].transport == kSubscriberB);
    CHECK(output.rtp[1].transport == kSubscriberC);
    CHECK(parsed(output.rtp[1].bytes).ssrc() == 0xD100);
  }
  SECTION("unknown ids are ignored") {
    router.removeConsumer(12345);
    router.removeProducer(12345);
    router.removeTransport(12345);
    CHECK(router.producerCount() == 2);
    CHECK(router.consumerCount() == 3);
  }
}

TEST_CASE("Router: a consumer on its producer's own transport is forwarded like any other") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(audioProducer());
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kPublisher, 0xC101, 111, "0", {}), kNow));
  feedRtp(router, kPublisher, build(audioPacket(1, 0)), kNow);
  REQUIRE(output.rtp.size() == 1);
  CHECK(output.rtp[0].transport == kPublisher);
}
