// The RTCP path of the Router: PLI/FIR from subscribers become PLIs to the publisher, throttled
// to one per producer per interval (merged and sent from tick()), and a new video consumer asks
// for a keyframe.
#include <catch2/catch.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpSession.h"
#include "tests/TestHex.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;
using switchyard::media::rtp::RtpPacketBuilder;
using Pli = std::pair<uint32_t, uint32_t>;

constexpr uint32_t kServerSsrc = 1;
constexpr uint32_t kSubscriberSsrc = 0x5B5B5B5B;  // the subscriber's RTCP sender SSRC
const Clock::time_point kT0 = at(10000000us);

// A room: video and audio from the publisher; subscriber A receives both, B receives video.
struct Room {
  RecordingOutput output;
  Router router{output, Router::Options{std::chrono::milliseconds(500)}};

  Room() {
    router.addProducer(videoProducer());
    router.addProducer(audioProducer());
    REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
    REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", {}), kT0));
    REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "1", {}), kT0));
  }

  std::vector<Pli> plis() const {
    std::vector<Pli> out;
    for (const SentPacket& sent : output.rtcp) {
      CHECK(sent.transport == kPublisher);
      CHECK(sent.bufferSize >= sent.bytes.size() + switchyard::media::srtp::kSrtcpMaxTrailer);
      const auto pli = decodePli(sent);
      REQUIRE(pli);
      out.push_back(*pli);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("Router: a new video consumer requests a keyframe; audio consumers do not") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  router.addProducer(audioProducer());
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", {}), kT0));
  CHECK(output.rtcp.empty());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  REQUIRE(output.rtcp.size() == 1);
  CHECK(output.rtcp[0].transport == kPublisher);
  // RFC 4585 §6.3.1: PT=206 FMT=1, length 2, sender SSRC, media SSRC; no FCI.
  CHECK(output.rtcp[0].bytes == switchyard::test::hex("81 CE 0002 00000001 11111111"));
  CHECK(router.counters().keyframeRequestsSent == 1);
}

TEST_CASE("Router: PLI and FIR from a subscriber reach the publisher as a PLI") {
  Room room;
  Router& router = room.router;
  CHECK(room.plis() == std::vector<Pli>{{kServerSsrc, kVideoSsrc}});  // from addConsumer
  const Clock::time_point later = kT0 + 1s;

  SECTION("PLI naming the subscriber's consumer SSRC (RFC 4585 §6.3.1)") {
    router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC100), later);
    CHECK(router.counters().keyframeRequestsReceived == 1);
    CHECK(room.plis() == std::vector<Pli>{{kServerSsrc, kVideoSsrc}, {kServerSsrc, kVideoSsrc}});
  }
  SECTION("FIR: the FCI entry names the SSRC (RFC 5104 §4.3.1)") {
    router.onRtcp(kSubscriberB, fir(kSubscriberSsrc, 0xC200, 3), later);
    CHECK(router.counters().keyframeRequestsReceived == 1);
    CHECK(room.plis().size() == 2);
    // The same sequence number again is a retransmission (RFC 5104 §4.3.1.2), not a new request.
    router.onRtcp(kSubscriberB, fir(kSubscriberSsrc, 0xC200, 3), later + 1s);
    CHECK(router.counters().keyframeRequestsReceived == 1);
    CHECK(room.plis().size() == 2);
    router.onRtcp(kSubscriberB, fir(kSubscriberSsrc, 0xC200, 4), later + 1s);
    CHECK(router.counters().keyframeRequestsReceived == 2);
    CHECK(room.plis().size() == 3);
  }
  SECTION("inside a compound with an RR, as browsers send it") {
    Bytes compound(128);
    switchyard::media::rtcp::RtcpCompoundBuilder builder(compound);
    REQUIRE(builder.addRr(kSubscriberSsrc));
    REQUIRE(builder.addPli(kSubscriberSsrc, 0xC100));
    compound.resize(builder.size());
    router.onRtcp(kSubscriberA, compound, later);
    CHECK(room.plis().size() == 2);
  }
  SECTION("an SSRC that is not this transport's consumer is ignored") {
    router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC200), later);  // B's consumer
    router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, kVideoSsrc), later);
    router.onRtcp(kPublisher, pli(kSubscriberSsrc, 0xC100), later);
    CHECK(router.counters().keyframeRequestsReceived == 0);
    CHECK(room.plis().size() == 1);
  }
  SECTION("a PLI for an audio consumer is counted but audio producers never get one") {
    router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC101), later);
    CHECK(router.counters().keyframeRequestsReceived == 1);
    CHECK(room.plis().size() == 1);
  }
  CHECK(router.counters().rtcpReceived >= 1);
}

TEST_CASE("Router: one PLI per producer per interval; requests inside it merge and go out on tick") {
  Room room;
  Router& router = room.router;
  REQUIRE(room.plis().size() == 1);  // addConsumer at T0 (the second video consumer was merged)
  CHECK(router.counters().keyframeRequestsMerged == 1);

  router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC100), kT0 + 100ms);
  router.onRtcp(kSubscriberB, pli(kSubscriberSsrc, 0xC200), kT0 + 200ms);
  CHECK(router.counters().keyframeRequestsMerged == 3);
  CHECK(room.plis().size() == 1);
  router.tick(kT0 + 499ms);
  CHECK(room.plis().size() == 1);
  router.tick(kT0 + 500ms);
  CHECK(room.plis().size() == 2);
  router.tick(kT0 + 1200ms);  // nothing pending
  CHECK(room.plis().size() == 2);
  router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC100), kT0 + 1200ms);  // 700 ms later: at once
  CHECK(room.plis().size() == 3);
  CHECK(router.counters().keyframeRequestsSent == 3);
  CHECK(router.counters().keyframeRequestsReceived == 3);
}

TEST_CASE("Router: the throttle is per producer") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  ProducerSpec second = videoProducer();
  second.id = 11;
  second.ssrcs = {0x12121212};
  second.rtxSsrcs.clear();
  router.addProducer(second);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  REQUIRE(router.addConsumer(consumer(110, 11, kSubscriberA, 0xC110, 96, "2", {}), kT0));
  REQUIRE(output.rtcp.size() == 2);
  CHECK(decodePli(output.rtcp[0]) == Pli{kServerSsrc, kVideoSsrc});
  CHECK(decodePli(output.rtcp[1]) == Pli{kServerSsrc, 0x12121212});
}

TEST_CASE("Router: a refused PLI stays pending and is retried after the interval") {
  RecordingOutput output;
  output.acceptRtcp = false;
  Router router(output, {});
  router.addProducer(videoProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  CHECK(output.rtcp.size() == 1);
  CHECK(router.counters().sendFailed == 1);
  CHECK(router.counters().keyframeRequestsSent == 0);
  output.acceptRtcp = true;
  router.tick(kT0 + 10ms);
  CHECK(output.rtcp.size() == 1);
  router.tick(kT0 + 500ms);
  CHECK(output.rtcp.size() == 2);
  CHECK(router.counters().keyframeRequestsSent == 1);
  router.tick(kT0 + 1500ms);
  CHECK(output.rtcp.size() == 2);
}

TEST_CASE("Router: without a known media SSRC the request waits for one to be learned") {
  RecordingOutput output;
  Router router(output, {});
  ProducerSpec spec = videoProducer();
  spec.ssrcs.clear();
  router.addProducer(spec);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  router.tick(kT0 + 1s);
  CHECK(output.rtcp.empty());

  const Bytes mid = textBytes("1");
  const Bytes payload = {1, 2, 3};
  RtpPacketBuilder b;
  b.setPayloadType(96).setSequenceNumber(1).setSsrc(0x5555).setPayload(payload).addExtension(kPubMid, mid);
  feedRtp(router, kPublisher, build(b), kT0 + 2s);
  REQUIRE(output.rtcp.size() == 1);
  CHECK(decodePli(output.rtcp[0]) == Pli{kServerSsrc, 0x5555});
  CHECK(router.counters().keyframeRequestsSent == 1);
}

TEST_CASE("Router: malformed RTCP is dropped whole; other RTCP is consumed silently") {
  Room room;
  Router& router = room.router;
  const Clock::time_point later = kT0 + 1s;
  const Bytes good = pli(kSubscriberSsrc, 0xC100);

  // Every truncation of a PLI.
  for (size_t length = 0; length < good.size(); ++length)
    router.onRtcp(kSubscriberA, std::span(good).first(length), later);
  // A good PLI followed by garbage: the compound is not valid, nothing is acted on.
  Bytes trailing = good;
  trailing.insert(trailing.end(), {0x81, 0xCE, 0x00, 0x09});
  router.onRtcp(kSubscriberA, trailing, later);
  // Version 1.
  Bytes version1 = good;
  version1[0] = 0x41;
  router.onRtcp(kSubscriberA, version1, later);
  // A PLI too short for its two SSRCs (length 1).
  router.onRtcp(kSubscriberA, switchyard::test::hex("81 CE 0001 5B5B5B5B"), later);
  // A FIR whose FCI is not a whole entry.
  router.onRtcp(kSubscriberA, switchyard::test::hex("84 CE 0003 5B5B5B5B 00000000 0000C100"), later);

  CHECK(router.counters().keyframeRequestsReceived == 0);
  CHECK(room.plis().size() == 1);
  CHECK(router.counters().rtcpMalformed >= good.size() + 2);

  // RR, SDES, NACK, REMB: no effect.
  Bytes other(256);
  switchyard::media::rtcp::RtcpCompoundBuilder builder(other);
  REQUIRE(builder.addRr(kSubscriberSsrc));
  REQUIRE(builder.addSdesCname(kSubscriberSsrc, "cname"));
  const uint16_t lost[] = {1, 2, 3};
  REQUIRE(builder.addNack(kSubscriberSsrc, 0xC100, lost));
  const uint32_t ssrcs[] = {0xC100};
  REQUIRE(builder.addRemb(kSubscriberSsrc, 1000000, ssrcs));
  other.resize(builder.size());
  router.onRtcp(kSubscriberA, other, later);
  CHECK(router.counters().keyframeRequestsReceived == 0);
  CHECK(room.plis().size() == 1);
  CHECK(room.output.rtp.empty());
}

TEST_CASE("Router: RTCP naming a removed consumer is ignored") {
  Room room;
  room.router.removeConsumer(100);
  room.router.onRtcp(kSubscriberA, pli(kSubscriberSsrc, 0xC100), kT0 + 1s);
  CHECK(room.router.counters().keyframeRequestsReceived == 0);
  room.router.removeProducer(kVideoProducer);
  room.router.onRtcp(kSubscriberB, pli(kSubscriberSsrc, 0xC200), kT0 + 1s);
  CHECK(room.router.counters().keyframeRequestsReceived == 0);
  room.router.tick(kT0 + 2s);
  CHECK(room.plis().size() == 1);
}

TEST_CASE("Router: a consumer added before its transport connects asks for a keyframe when it connects") {
  RecordingOutput output;
  Router router(output, Router::Options{std::chrono::milliseconds(500)});
  router.addProducer(videoProducer());
  router.addProducer(audioProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0, false));
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", {}), kT0, false));
  CHECK(output.rtcp.empty());                         // nothing asked while the subscriber cannot receive it
  router.requestKeyframes(kSubscriberB, kT0 + 10ms);  // another transport: nothing to ask
  CHECK(output.rtcp.empty());
  router.requestKeyframes(kSubscriberA, kT0 + 20ms);  // connected: one PLI, video only, not held back
  REQUIRE(output.rtcp.size() == 1);
  CHECK(output.rtcp[0].transport == kPublisher);
  CHECK(router.counters().keyframeRequestsSent == 1);
}

namespace rtcp = switchyard::media::rtcp;

TEST_CASE("Router: a publisher that negotiated only ccm fir gets FIRs with a new sequence number each") {
  RecordingOutput output;
  Router router(output, {});
  ProducerSpec spec = videoProducer();
  spec.pli = false;
  spec.fir = true;
  router.addProducer(spec);
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  router.onRtcp(kSubscriberA, pli(0x5B, 0xC100), kT0 + 300ms);
  std::vector<rtcp::FirEntry> firs;
  for (const SentPacket& sent : output.rtcp) {
    CHECK(sent.transport == kPublisher);
    CHECK_FALSE(decodePli(sent));
    for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
      const auto fir = rtcp::FirView::parse(packet);
      REQUIRE(fir);
      for (size_t i = 0; i < fir->entryCount(); ++i)
        firs.push_back(fir->entry(i));
    }
  }
  REQUIRE(firs.size() == 2);
  CHECK(firs[0] == rtcp::FirEntry{kVideoSsrc, 0});
  CHECK(firs[1] == rtcp::FirEntry{kVideoSsrc, 1});
  CHECK(router.counters().keyframeRequestsSent == 2);

  // Negotiating both: PLI, as before.
  RecordingOutput both;
  Router plain(both, {});
  spec.pli = true;
  plain.addProducer(spec);
  REQUIRE(plain.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0));
  REQUIRE(both.rtcp.size() == 1);
  CHECK(decodePli(both.rtcp[0]) == Pli{1, kVideoSsrc});
}
