// Sender and receiver reports through the Router: a publisher's SR reaches each consumer rewritten
// for it (its SSRC, the RTP timestamp moved by its offset, its own packet and octet counts, the same
// NTP time), and a subscriber's report block echoing that SR gives the consumer's RTT.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "tests/media/forward/RouterTestKit.h"

namespace {

using namespace switchyard::media;
using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;

const Clock::time_point kT0 = at(10000000us);
constexpr uint64_t kNtp = 0xE1234567'89ABCDEFULL;

Bytes senderReport(uint32_t ssrc, uint64_t ntp, uint32_t rtpTimestamp) {
  Bytes out(128);
  rtcp::RtcpCompoundBuilder builder(out);
  rtcp::SenderInfo info;
  info.ssrc = ssrc;
  info.ntpTimestamp = ntp;
  info.rtpTimestamp = rtpTimestamp;
  info.packetCount = 999;
  info.octetCount = 99999;
  REQUIRE(builder.addSr(info));
  out.resize(builder.size());
  return out;
}

Bytes receiverReport(uint32_t senderSsrc, rtcp::ReportBlock block) {
  Bytes out(128);
  rtcp::RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addRr(senderSsrc, std::span<const rtcp::ReportBlock>(&block, 1)));
  out.resize(builder.size());
  return out;
}

}  // namespace

TEST_CASE("Router: a publisher's SR reaches every consumer rewritten for it; RTT from the echo") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());
  router.addProducer(audioProducer());
  REQUIRE(router.addConsumer(consumer(100, kVideoProducer, kSubscriberA, 0xC100, 96, "1", {}), kT0, false));
  REQUIRE(router.addConsumer(consumer(200, kVideoProducer, kSubscriberB, 0xC200, 96, "1", {}), kT0, false));
  REQUIRE(router.addConsumer(consumer(101, kAudioProducer, kSubscriberA, 0xC101, 111, "0", {}), kT0, false));
  // Three video packets of 100 payload bytes each.
  for (uint16_t seq = 1; seq <= 3; ++seq) {
    feedRtp(router, kPublisher,
            build(rtp::RtpPacketBuilder()
                      .setPayloadType(96)
                      .setSsrc(kVideoSsrc)
                      .setSequenceNumber(seq)
                      .setTimestamp(3000U * seq)
                      .setPayload(Bytes(100, 0x11))),
            kT0);
  }
  output.rtcp.clear();
  router.onRtcp(kPublisher, senderReport(kVideoSsrc, kNtp, 9000), kT0);
  REQUIRE(output.rtcp.size() == 2);  // the two video consumers, not the audio one
  for (const SentPacket& sent : output.rtcp) {
    const rtcp::RtcpCompound compound(sent.bytes);
    REQUIRE(compound.valid());
    const auto sr = rtcp::SenderReportView::parse(*compound.begin());
    REQUIRE(sr);
    CHECK(sr->senderSsrc() == (sent.transport == kSubscriberA ? 0xC100U : 0xC200U));
    CHECK(sr->ntpTimestamp() == kNtp);
    CHECK(sr->rtpTimestamp() == 9000U);  // offset 0 until layer switching moves it
    CHECK(sr->packetCount() == 3U);
    CHECK(sr->octetCount() == 300U);
  }
  CHECK(router.counters().senderReportsReceived == 1);
  CHECK(router.counters().senderReportsSent == 2);
  // An SR for an SSRC the router does not forward is ignored.
  output.rtcp.clear();
  router.onRtcp(kPublisher, senderReport(0x12345678, kNtp, 1), kT0);
  CHECK(output.rtcp.empty());

  // Subscriber A reports 40 ms later, having held the SR for 15 ms (DLSR 983/65536 s): RTT ~25 ms.
  CHECK_FALSE(router.consumerRtt(100));
  rtcp::ReportBlock block;
  block.ssrc = 0xC100;
  block.lastSr = static_cast<uint32_t>(kNtp >> 16);
  block.delaySinceLastSr = 983;
  router.onRtcp(kSubscriberA, receiverReport(0x5B5B5B5B, block), kT0 + 40ms);
  const auto rtt = router.consumerRtt(100);
  REQUIRE(rtt);
  CHECK(std::chrono::duration_cast<std::chrono::microseconds>(*rtt).count() == Approx(25000).margin(100));
  // A block echoing an unknown SR, or from another transport, changes nothing.
  block.lastSr = 0x1111;
  router.onRtcp(kSubscriberA, receiverReport(0x5B5B5B5B, block), kT0 + 80ms);
  CHECK(std::chrono::duration_cast<std::chrono::microseconds>(*router.consumerRtt(100)).count() ==
        Approx(25000).margin(100));
  CHECK_FALSE(router.consumerRtt(200));
}

TEST_CASE("Router: audio levels (RFC 6464) pick the room's active speaker, announced from tick()") {
  struct SpeakerOutput : RecordingOutput {
    std::vector<uint32_t> speakers;
    void onActiveSpeaker(const Router&, uint32_t producer) noexcept override { speakers.push_back(producer); }
  };
  SpeakerOutput output;
  Router router(output, {});
  router.addProducer(audioProducer());  // kAudioProducer, SSRC kAudioSsrc, level id kPubAudioLevel
  ProducerSpec quiet = audioProducer();
  quiet.id = 21;
  quiet.transport = kSubscriberA;  // another publisher
  quiet.ssrcs = {0xA1A1A1A1};
  router.addProducer(quiet);
  Clock::time_point now = kT0;
  uint16_t seq = 0;
  const auto audio = [&](uint32_t ssrc, uint8_t level) {
    const Bytes value = {static_cast<uint8_t>(0x80 | level)};  // voice activity + level
    const Bytes payload(20, 1);                                // the builder keeps views: no temporaries
    rtp::RtpPacketBuilder b;
    b.setPayloadType(111).setSequenceNumber(seq).setTimestamp(960U * seq).setSsrc(ssrc).setPayload(payload);
    b.addExtension(kPubAudioLevel, value);
    return build(b);
  };
  // 3 s of 50 packets/s: the first publisher at -20 dBov, the second at -50 dBov.
  for (int i = 0; i < 150; ++i, ++seq, now += 20ms) {
    feedRtp(router, kPublisher, audio(kAudioSsrc, 20), now);
    feedRtp(router, kSubscriberA, audio(0xA1A1A1A1, 50), now);
    router.tick(now);
  }
  REQUIRE(output.speakers == std::vector<uint32_t>{kAudioProducer});
  CHECK(router.counters().speakerChanges == 1);
  // The speaker's producer goes away: the other one, still talking, takes over.
  router.removeProducer(kAudioProducer);
  for (int i = 0; i < 100; ++i, ++seq, now += 20ms) {
    feedRtp(router, kSubscriberA, audio(0xA1A1A1A1, 50), now);
    router.tick(now);
  }
  CHECK(output.speakers == std::vector<uint32_t>{kAudioProducer, 21});
}

TEST_CASE("Router: publishers get transport-wide congestion control feedback every 50 ms") {
  RecordingOutput output;
  Router router(output, {});
  router.addProducer(videoProducer());  // transport-cc id kPubTransportCc
  Clock::time_point now = kT0;
  const auto withTransportSequence = [&](uint16_t seq, uint16_t transportSeq) {
    const Bytes twcc = {static_cast<uint8_t>(transportSeq >> 8), static_cast<uint8_t>(transportSeq & 0xff)};
    const Bytes payload(50, 7);
    rtp::RtpPacketBuilder b;
    b.setPayloadType(96)
        .setSequenceNumber(seq)
        .setTimestamp(seq * 3000U)
        .setSsrc(kVideoSsrc)
        .setPayload(payload);
    b.addExtension(kPubTransportCc, twcc);
    return build(b);
  };
  // Transport-wide 100, 101, 103 (102 lost), 5 ms apart.
  uint16_t seq = 1;
  for (const uint16_t t : std::initializer_list<uint16_t>{100, 101, 103}) {
    feedRtp(router, kPublisher, withTransportSequence(seq++, t), now);
    now += 5ms;
  }
  output.rtcp.clear();
  router.tick(now);  // less than 50 ms since... the first feedback goes out at once
  const auto feedbackOf = [&]() -> std::vector<std::pair<uint16_t, bool>> {
    std::vector<std::pair<uint16_t, bool>> out;
    for (const SentPacket& sent : output.rtcp) {
      for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
        const auto view = rtcp::TransportCcView::parse(packet);
        if (!view) continue;
        CHECK(sent.transport == kPublisher);
        uint16_t s = view->baseSeq();
        view->forEachPacket(
            [&](const rtcp::TwccPacketStatus& status) { out.emplace_back(s++, status.received); });
      }
    }
    return out;
  };
  const auto first = feedbackOf();
  REQUIRE(first.size() == 4);
  CHECK(first[0] == std::pair<uint16_t, bool>{100, true});
  CHECK(first[2] == std::pair<uint16_t, bool>{102, false});
  CHECK(first[3] == std::pair<uint16_t, bool>{103, true});
  // Next: 104 lost at the border, 105 and 106 arrive; reported 50 ms plus the transport's phase
  // (under 50 ms) after the first feedback, starting at 104.
  output.rtcp.clear();
  for (const uint16_t t : std::initializer_list<uint16_t>{105, 106}) {
    feedRtp(router, kPublisher, withTransportSequence(seq++, t), now);
    now += 5ms;
  }
  router.tick(now);
  CHECK(feedbackOf().empty());  // within 50 ms of the last feedback
  router.tick(now + 100ms);
  const auto second = feedbackOf();
  REQUIRE(second.size() == 3);
  CHECK(second[0] == std::pair<uint16_t, bool>{104, false});
  CHECK(second[2] == std::pair<uint16_t, bool>{106, true});
  CHECK(router.counters().transportFeedbackSent == 2);
}

TEST_CASE("Router: publishers that start together report in different ticks") {
  // 50 publishers (own transports, own SSRCs) start in the same tick and send a video packet with a
  // transport-wide sequence number every tick for 35 s; the ticks come 10 to 13 ms apart, as a
  // worker's timer does under load. Their feedback (every 50 ms) and receiver reports (every
  // second) stay spread over the ticks of a period, each on its own grid.
  RecordingOutput output;
  Router router(output, {});
  constexpr uint32_t kPublishers = 50;
  for (uint32_t p = 0; p < kPublishers; ++p) {
    ProducerSpec spec = videoProducer();
    spec.id = 1000 + p;
    spec.transport = 100 + p;
    spec.ssrcs = {0x50000000U + p};
    spec.rtxSsrcs = {0x60000000U + p};
    router.addProducer(spec);
  }
  std::vector<size_t> feedbackPerTick;
  std::vector<size_t> reportsPerTick;
  std::vector<std::vector<Clock::time_point>> feedbackTimes(kPublishers);
  uint32_t jitter = 1;
  const Bytes payload(50, 7);
  Clock::time_point now = kT0;
  for (uint16_t tick = 0; tick < 3000; ++tick) {
    for (uint32_t p = 0; p < kPublishers; ++p) {
      const Bytes twcc = {static_cast<uint8_t>(tick >> 8), static_cast<uint8_t>(tick & 0xff)};
      rtp::RtpPacketBuilder b;
      b.setPayloadType(96)
          .setSequenceNumber(static_cast<uint16_t>(tick + 1))
          .setTimestamp(tick * 900U)
          .setSsrc(0x50000000U + p)
          .setPayload(payload);  // the builder keeps a view of it
      b.addExtension(kPubTransportCc, twcc);
      feedRtp(router, 100 + p, build(b), now);
    }
    output.rtcp.clear();
    router.tick(now);
    size_t feedback = 0;
    size_t reports = 0;
    for (const SentPacket& sent : output.rtcp) {
      for (const auto& packet : rtcp::RtcpCompound(sent.bytes)) {
        if (rtcp::TransportCcView::parse(packet)) {
          ++feedback;
          feedbackTimes[sent.transport - 100].push_back(now);
        }
        if (const auto rr = rtcp::ReceiverReportView::parse(packet); rr && rr->reportCount() == 1) ++reports;
      }
    }
    feedbackPerTick.push_back(feedback);
    reportsPerTick.push_back(reports);
    jitter = jitter * 1103515245U + 12345U;
    now += 10ms + std::chrono::microseconds((jitter >> 16) % 3000);
  }
  // All start in the first tick; from then on a fraction of them in any one tick (counted from the
  // tick that sent the last one, they drift together: 37 of 50 in one tick by the end).
  CHECK(feedbackPerTick[0] == kPublishers);
  CHECK(reportsPerTick[0] == kPublishers);
  const size_t mostFeedback = *std::max_element(feedbackPerTick.begin() + 1, feedbackPerTick.end());
  const size_t mostReports = *std::max_element(reportsPerTick.begin() + 1, reportsPerTick.end());
  INFO("most feedback in one tick " << mostFeedback << ", most reports " << mostReports);
  CHECK(mostFeedback <= kPublishers / 2);
  CHECK(mostReports <= kPublishers / 10);
  // Each still gets feedback every 50 ms: within a tick of it each time, and on average.
  for (uint32_t p = 0; p < kPublishers; ++p) {
    const auto& times = feedbackTimes[p];
    REQUIRE(times.size() >= 60);
    for (size_t k = 2; k < times.size(); ++k) {
      CHECK(times[k] - times[k - 1] > 50ms - 13ms);
      CHECK(times[k] - times[k - 1] < 50ms + 13ms);
    }
    const auto average = (times.back() - times[1]) / static_cast<int>(times.size() - 2);
    CHECK(average > 49ms);
    CHECK(average < 51ms);
  }
  // Receiver reports: the first with the first tick, then one a second (about 35 s in all).
  size_t reports = 0;
  for (const size_t r : reportsPerTick)
    reports += r;
  const Clock::duration elapsed = now - kT0;
  INFO("reports " << reports << " in "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
  CHECK(reports >= (elapsed / 1s - 1) * kPublishers);
  CHECK(reports <= (elapsed / 1s + 1) * kPublishers);
}
