#include "bench/CodecBench.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>

#include "media/codec/PayloadInspector.h"
#include "media/ice/StunBuilder.h"
#include "media/ice/StunMessage.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/TransportCcView.h"
#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtpPacketBuilder.h"

namespace switchyard::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kMaxOperations = 200'000'000;

// Keeps the optimiser from dropping a result.
inline void keep(uint64_t value) {
  asm volatile("" : : "r"(value) : "memory");
}

double measure(const std::string& name, double seconds, const std::function<uint64_t()>& op,
               uint64_t& count) {
  std::fprintf(stderr, "  %-34s ", name.c_str());
  for (int i = 0; i < 1000; ++i)
    keep(op());  // warm up
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  count = 0;
  uint64_t sink = 0;
  while (count < kMaxOperations) {
    for (int i = 0; i < 1024; ++i)
      sink += op();
    count += 1024;
    if (Clock::now() >= deadline) break;
  }
  keep(sink);
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / double(count);
  std::fprintf(stderr, "%10.1f ns/op  (%llu ops)\n", ns, static_cast<unsigned long long>(count));
  return ns;
}

}  // namespace

std::vector<CodecBenchResult> CodecBench::run(double secondsEach) {
  // A 1200-byte VP8 packet as Chromium sends it: abs-send-time (3), transport-cc (5), mid (9).
  std::array<uint8_t, 1500> packet{};
  std::array<uint8_t, 1147> payload{};
  payload[0] = 0x90;  // VP8 descriptor: X, S, PID 0
  payload[1] = 0x80;  // I: picture id present
  payload[2] = 0x81;  // M: 15-bit picture id
  payload[3] = 0x23;
  payload[4] = 0x00;  // VP8 payload header: key frame
  payload[7] = 0x9d;
  payload[8] = 0x01;
  payload[9] = 0x2a;
  const std::array<uint8_t, 3> absSendTime{1, 2, 3};
  const std::array<uint8_t, 2> transportSeq{0, 7};
  const std::array<uint8_t, 1> mid{'1'};
  const auto packetSize = media::rtp::RtpPacketBuilder()
                              .setPayloadType(96)
                              .setSequenceNumber(1000)
                              .setTimestamp(90000)
                              .setSsrc(0x11223344)
                              .addExtension(3, absSendTime)
                              .addExtension(5, transportSeq)
                              .addExtension(9, mid)
                              .setPayload(payload)
                              .build(packet);
  if (!packetSize) return {};
  const std::span<uint8_t> rtp(packet.data(), *packetSize);
  std::array<uint8_t, 1500> copy{};
  media::rtp::RtpExtensionIdMap remap = media::rtp::identityExtensionIdMap();
  remap[3] = 2;
  remap[5] = 4;
  remap[9] = 1;

  // A STUN Binding request as a browser sends it, with integrity and fingerprint.
  std::array<uint8_t, 256> stun{};
  const media::ice::StunTransactionId tid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  media::ice::StunBuilder stunBuilder(stun, media::ice::StunClass::kRequest, media::ice::kStunMethodBinding,
                                      tid);
  stunBuilder.addUsername("abcd:efgh");
  stunBuilder.addPriority(0x6e0001ff);
  stunBuilder.addIceControlling(0x932ff9b151263b36ULL);
  stunBuilder.addUseCandidate();
  const auto stunMessage = stunBuilder.finish(std::string_view("0123456789abcdefghijkl"), true);
  if (!stunMessage) return {};
  const std::span<const uint8_t> stunBytes(stunMessage->data(), stunMessage->size());

  // A receiver's RTCP: RR + transport-cc feedback for 50 packets + a NACK of 5.
  std::array<uint8_t, 1500> rtcp{};
  media::rtcp::RtcpCompoundBuilder rtcpBuilder(rtcp);
  rtcpBuilder.addRr(0x1234);
  std::array<media::rtcp::TwccPacket, 50> twcc{};
  for (size_t i = 0; i < twcc.size(); ++i) {
    twcc[i].seq = static_cast<uint16_t>(100 + i);
    if (i % 10 != 3) twcc[i].arrivalUs = static_cast<int64_t>(1'000'000 + i * 1000);
  }
  rtcpBuilder.addTransportCc(0x1234, 0x11223344, 1, twcc);
  const std::array<uint16_t, 5> lost{10, 11, 13, 40, 41};
  rtcpBuilder.addNack(0x1234, 0x11223344, lost);
  const std::span<const uint8_t> rtcpBytes(rtcpBuilder.data().data(), rtcpBuilder.size());

  std::vector<CodecBenchResult> results;
  uint64_t count = 0;
  std::fprintf(stderr, "codec micro-benchmarks (%.1f s each):\n", secondsEach);
  const double copyNs = measure(
      "copy 1200-byte packet (baseline)", secondsEach,
      [&] {
        std::memcpy(copy.data(), rtp.data(), rtp.size());
        keep(copy[100]);
        return uint64_t{copy[7]};
      },
      count);
  results.push_back({"copy 1200-byte packet (baseline)", count, copyNs, 1.0});

  auto add = [&](const std::string& name, const std::function<uint64_t()>& op) {
    const double ns = measure(name, secondsEach, op, count);
    results.push_back({name, count, ns, ns / copyNs});
  };
  add("rtp parse + read extension", [&] {
    auto view = media::rtp::RtpPacket::parse(rtp);
    return view ? uint64_t{view->sequenceNumber()} + (view->extension(5) ? 1U : 0U) : 0;
  });
  uint16_t seq = 0;
  add("rtp copy + parse + rewrite + remap", [&] {
    std::memcpy(copy.data(), rtp.data(), rtp.size());
    auto view = media::rtp::RtpPacket::parse(std::span<uint8_t>(copy.data(), rtp.size()));
    if (!view) return uint64_t{0};
    view->setSsrc(0xdeadbeef);
    view->setSequenceNumber(++seq);
    view->setTimestamp(12345);
    view->setPayloadType(100);
    return uint64_t{view->remapExtensionIds(remap)};
  });
  add("vp8 descriptor inspect", [&] {
    auto info = media::codec::inspectPayload(media::codec::CodecKind::Vp8, payload);
    return info ? uint64_t{info->keyFrame} + info->width : 0;
  });
  add("stun parse + integrity + fingerprint", [&] {
    auto message = media::ice::StunMessage::parse(stunBytes);
    return message ? uint64_t{message->verifyMessageIntegrity(std::string_view("0123456789abcdefghijkl"))} +
                         uint64_t{message->verifyFingerprint()}
                   : 0;
  });
  add("rtcp compound walk + twcc + nack decode", [&] {
    uint64_t sum = 0;
    for (const auto& item : media::rtcp::RtcpCompound(rtcpBytes)) {
      if (auto fb = media::rtcp::TransportCcView::parse(item)) {
        fb->forEachPacket([&](const auto& status) { sum += status.received ? 1 : 0; });
      } else if (auto nack = media::rtcp::NackView::parse(item)) {
        nack->forEachLostSeq([&](uint16_t s) { sum += s; });
      }
    }
    return sum;
  });
  return results;
}

}  // namespace switchyard::bench
