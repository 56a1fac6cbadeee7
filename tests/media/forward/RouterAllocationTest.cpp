// Proves the data plane allocates nothing in steady state: this runner's global operator new is
// replaced by one that counts calls (tests/support/HeapCounter.cpp).
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "tests/media/forward/RouterTestKit.h"
#include "tests/support/HeapCounter.h"

using switchyard::test::heapAllocations;

namespace {

using namespace switchyard::media::forward;
using namespace switchyard::media::forward::test;
using switchyard::media::rtp::RtpPacket;
using switchyard::media::rtp::RtpPacketBuilder;

// Counts what it is given, stores nothing.
class CountingOutput : public Router::Output {
 public:
  bool sendRtp(TransportId, std::span<uint8_t>, size_t length) noexcept override {
    ++rtp;
    bytes += length;
    return true;
  }
  bool sendRtcp(TransportId, std::span<uint8_t>, size_t) noexcept override {
    ++rtcp;
    return true;
  }
  uint64_t rtp = 0;
  uint64_t rtcp = 0;
  uint64_t bytes = 0;
};

}  // namespace

TEST_CASE("Router: onRtp, onRtcp and tick allocate nothing after warm-up", "[allocation]") {
  CountingOutput output;
  Router router(output, {});
  ProducerSpec video = videoProducer();
  video.ssrcs.clear();  // learned by mid on the first packet
  router.addProducer(video);
  router.addProducer(audioProducer());
  const auto all = ids({{RtpExtension::kMid, 1},
                        {RtpExtension::kAbsSendTime, 2},
                        {RtpExtension::kTransportCc, 3},
                        {RtpExtension::kAudioLevel, 4},
                        {RtpExtension::kVideoOrientation, 200}});
  for (uint32_t i = 0; i < 20; ++i) {
    REQUIRE(router.addConsumer(consumer(100 + i, kVideoProducer, 10 + i, 0xC000 + i, 96, "1", all), at(0us)));
    REQUIRE(
        router.addConsumer(consumer(200 + i, kAudioProducer, 10 + i, 0xD000 + i, 111, "0", all), at(0us)));
  }

  const Bytes payload(1000, 0x33);
  const Bytes mid = textBytes("1");
  const Bytes audioMid = textBytes("0");
  const Bytes level = {0x85};
  const Bytes orientation = {0x01};
  RtpPacketBuilder videoBuilder;
  videoBuilder.setPayloadType(96).setSsrc(kVideoSsrc).setPayload(payload);
  videoBuilder.addExtension(kPubMid, mid).addExtension(kPubVideoOrientation, orientation);
  RtpPacketBuilder audioBuilder;
  audioBuilder.setPayloadType(111).setSsrc(kAudioSsrc).setPayload(payload);
  audioBuilder.addExtension(kPubMid, audioMid).addExtension(kPubAudioLevel, level);
  Bytes videoBytes = build(videoBuilder);
  Bytes audioBytes = build(audioBuilder);
  const Bytes pliBytes = pli(0x5B, 0xC005);
  const Bytes firBytes = fir(0x5B, 0xC006, 1);
  const Bytes garbage = {0x81, 0xCE, 0x00, 0x09, 1, 2, 3};

  auto videoPacket = RtpPacket::parse(videoBytes);
  auto audioPacket = RtpPacket::parse(audioBytes);
  REQUIRE(videoPacket);
  REQUIRE(audioPacket);
  // Subscriber transport 10's transport-cc feedback for round i: its two packets of the round
  // (transport-wide sequence numbers 2i and 2i+1), built before the measurement.
  std::vector<Bytes> feedback;
  for (int i = 0; i <= 500; ++i) {
    const std::array<switchyard::media::rtcp::TwccPacket, 2> packets{
        switchyard::media::rtcp::TwccPacket{static_cast<uint16_t>(2 * i), int64_t{1000000} + i * 10000},
        switchyard::media::rtcp::TwccPacket{static_cast<uint16_t>(2 * i + 1),
                                            int64_t{1000000} + i * 10000 + 500}};
    Bytes bytes(200);
    switchyard::media::rtcp::RtcpCompoundBuilder builder(bytes);
    REQUIRE(builder.addTransportCc(0x5B, 0xC000, static_cast<uint8_t>(i), packets));
    bytes.resize(builder.size());
    feedback.push_back(std::move(bytes));
  }

  auto round = [&](int i) {
    const Clock::time_point now = at(std::chrono::microseconds(1000000 + i * 10000));
    videoPacket->setSequenceNumber(static_cast<uint16_t>(i));
    router.onRtp(kPublisher, *videoPacket, now);
    router.onRtp(kPublisher, *audioPacket, now);
    router.onRtp(99, *audioPacket, now);  // unknown transport
    router.onRtcp(15, pliBytes, now);
    router.onRtcp(16, firBytes, now);
    router.onRtcp(17, garbage, now);
    router.onRtcp(10, feedback[static_cast<size_t>(i)], now);
    router.tick(now);
  };
  round(0);  // warm-up (the SSRC is learned here)

  const uint64_t before = heapAllocations();
  for (int i = 1; i <= 500; ++i)
    round(i);
  const uint64_t allocations = heapAllocations() - before;
  CHECK(allocations == 0);
  CHECK(output.rtp == 501 * 40);
  CHECK(output.rtcp >= 2);
  CHECK(router.counters().rtpForwarded == 501 * 40);
  CHECK(router.counters().transportFeedbackReceived == 501);
  CHECK(router.subscriberEstimate(10).has_value());
}

TEST_CASE("the allocation counter sees allocations", "[allocation]") {
  const uint64_t before = heapAllocations();
  static std::vector<char>* volatile block = nullptr;  // volatile: the new/delete pair cannot be elided
  block = new std::vector<char>(100);
  delete block;
  CHECK(heapAllocations() - before >= 2);
}

TEST_CASE("Router: loss recovery, reports and the speaker detector allocate nothing after warm-up",
          "[allocation]") {
  CountingOutput output;
  Router router(output, {});
  ProducerSpec video = videoProducer();
  video.nack = true;
  router.addProducer(video);
  router.addProducer(audioProducer());
  for (uint32_t i = 0; i < 10; ++i) {
    ConsumerSpec spec = consumer(100 + i, kVideoProducer, 10 + i, 0xC000 + i, 96, "1", {});
    spec.rtxSsrc = 0xE000 + i;
    spec.rtxPayloadType = 97;
    REQUIRE(router.addConsumer(spec, at(0us)));
    REQUIRE(router.addConsumer(consumer(200 + i, kAudioProducer, 10 + i, 0xD000 + i, 111, "0", {}), at(0us)));
  }
  const Bytes payload(1000, 0x33);
  const Bytes level = {0x85};
  RtpPacketBuilder videoBuilder;
  videoBuilder.setPayloadType(96).setSsrc(kVideoSsrc).setPayload(payload);
  RtpPacketBuilder audioBuilder;
  audioBuilder.setPayloadType(111).setSsrc(kAudioSsrc).setPayload(payload);
  audioBuilder.addExtension(kPubAudioLevel, level);
  Bytes videoBytes = build(videoBuilder);
  Bytes audioBytes = build(audioBuilder);
  auto videoPacket = RtpPacket::parse(videoBytes);
  auto audioPacket = RtpPacket::parse(audioBytes);
  REQUIRE(videoPacket);
  REQUIRE(audioPacket);
  // Subscriber transport 10's transport-cc feedback for round i: its two packets of the round
  // (transport-wide sequence numbers 2i and 2i+1), built before the measurement.
  std::vector<Bytes> feedback;
  for (int i = 0; i <= 500; ++i) {
    const std::array<switchyard::media::rtcp::TwccPacket, 2> packets{
        switchyard::media::rtcp::TwccPacket{static_cast<uint16_t>(2 * i), int64_t{1000000} + i * 10000},
        switchyard::media::rtcp::TwccPacket{static_cast<uint16_t>(2 * i + 1),
                                            int64_t{1000000} + i * 10000 + 500}};
    Bytes bytes(200);
    switchyard::media::rtcp::RtcpCompoundBuilder builder(bytes);
    REQUIRE(builder.addTransportCc(0x5B, 0xC000, static_cast<uint8_t>(i), packets));
    bytes.resize(builder.size());
    feedback.push_back(std::move(bytes));
  }
  // An RTX repair (OSN then payload), refreshed each round.
  Bytes rtxPayload(1002, 0x44);
  RtpPacketBuilder rtxBuilder;
  rtxBuilder.setPayloadType(97).setSsrc(kVideoRtxSsrc).setPayload(rtxPayload);
  const Bytes rtxTemplate = build(rtxBuilder);
  Bytes rtxBytes = rtxTemplate;

  // Subscriber NACKs, publisher SRs and subscriber RRs, prebuilt.
  std::vector<Bytes> nacks;
  for (uint32_t i = 0; i < 10; ++i) {
    Bytes out(64);
    switchyard::media::rtcp::RtcpCompoundBuilder builder(out);
    const uint16_t seqs[] = {5, 6, 7};
    REQUIRE(builder.addNack(0x5B, 0xC000 + i, seqs));
    out.resize(builder.size());
    nacks.push_back(out);
  }
  Bytes srBytes(64);
  {
    switchyard::media::rtcp::RtcpCompoundBuilder builder(srBytes);
    switchyard::media::rtcp::SenderInfo info;
    info.ssrc = kVideoSsrc;
    info.ntpTimestamp = 0xE0000000'00000000ULL;
    REQUIRE(builder.addSr(info));
    srBytes.resize(builder.size());
  }
  Bytes rrBytes(64);
  {
    switchyard::media::rtcp::RtcpCompoundBuilder builder(rrBytes);
    switchyard::media::rtcp::ReportBlock block;
    block.ssrc = 0xC003;
    block.lastSr = 0xE0000000U >> 16;
    REQUIRE(builder.addRr(0x5B, std::span<const switchyard::media::rtcp::ReportBlock>(&block, 1)));
    rrBytes.resize(builder.size());
  }

  uint16_t seq = 0;
  auto round = [&](int i) {
    const Clock::time_point now = at(std::chrono::microseconds(1000000 + i * 10000));
    // Every 10th video packet is lost on the way in: NACKed, then repaired by RTX.
    if (i % 10 != 3) {
      videoPacket->setSequenceNumber(seq);
      router.onRtp(kPublisher, *videoPacket, now);
    }
    if (i % 10 == 8) {
      rtxBytes = rtxTemplate;
      const uint16_t lost = static_cast<uint16_t>(seq - 5);
      rtxBytes[12] = static_cast<uint8_t>(lost >> 8);
      rtxBytes[13] = static_cast<uint8_t>(lost & 0xff);
      auto rtx = RtpPacket::parse(rtxBytes);
      router.onRtp(kPublisher, *rtx, now);
    }
    ++seq;
    audioPacket->setSequenceNumber(static_cast<uint16_t>(i));
    router.onRtp(kPublisher, *audioPacket, now);
    router.onRtcp(static_cast<TransportId>(10 + i % 10), nacks[static_cast<size_t>(i % 10)], now);
    if (i % 50 == 0) router.onRtcp(kPublisher, srBytes, now);
    router.onRtcp(13, rrBytes, now);
    router.tick(now);
  };
  for (int i = 0; i < 20; ++i)
    round(i);  // warm-up

  const uint64_t before = heapAllocations();
  for (int i = 20; i < 1020; ++i)
    round(i);
  CHECK(heapAllocations() - before == 0);
  CHECK(router.counters().nacksSent > 0);
  CHECK(router.counters().rtxRepaired > 0);
  CHECK(router.counters().retransmissionsSent > 0);
  CHECK(router.counters().senderReportsSent > 0);
  CHECK(router.counters().receiverReportsSent > 0);
}
