#include "media/forward/BandwidthEstimator.h"
#include "media/forward/RateWindow.h"
#include "media/forward/TransportCcRecorder.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/TransportCcView.h"
#include "tests/support/HeapCounter.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

using switchyard::media::forward::BandwidthEstimator;
using switchyard::media::forward::RateWindow;
using switchyard::media::forward::TransportCcRecorder;
using switchyard::test::heapAllocations;
namespace rtcp = switchyard::media::rtcp;
using namespace std::chrono_literals;
using Clock = BandwidthEstimator::Clock;

namespace {

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

// A bottleneck: a drop-tail queue of `queueMs` at `capacityBps`, 20 ms one way, optional random loss.
struct Link {
  double capacityBps = 1e6;
  double queueMs = 100;
  double loss = 0;
  std::mt19937 rng{7};
  int64_t busyUntilUs = 0;

  // A token bucket in front (a policer's burst): bytes earned while the link idles, up to
  // burstBytes, pass at once.
  double burstBytes = 0;
  double tokens = 0;
  int64_t lastUs = 0;

  std::optional<int64_t> send(int64_t nowUs, size_t bytes) {
    if (loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < loss) return std::nullopt;
    if (burstBytes > 0 && busyUntilUs < nowUs) {
      const int64_t idle = nowUs - std::max(lastUs, busyUntilUs);
      tokens = std::min(burstBytes, tokens + static_cast<double>(idle) * capacityBps / 8e6);
    }
    lastUs = nowUs;
    const int64_t start = std::max(nowUs, busyUntilUs);
    if (static_cast<double>(start - nowUs) > queueMs * 1000) return std::nullopt;  // queue full
    const double used = start == nowUs ? std::min(tokens, static_cast<double>(bytes)) : 0;
    tokens -= used;
    busyUntilUs = start + static_cast<int64_t>((static_cast<double>(bytes) - used) * 8e6 / capacityBps);
    return busyUntilUs + 20'000;
  }
};

int64_t us(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// A sender of 1200-byte media packets through a Link to a receiver that sends transport-cc
// feedback every 50 ms (TransportCcRecorder + RtcpCompoundBuilder, parsed back as on the wire).
// Media rate: `mediaBps`, or the estimate (capped at mediaBps) when `adaptive`. When `desiredBps`
// exceeds the estimate, it probes as the router does (1 s after a success, 3 s after a failure).
struct Simulation {
  BandwidthEstimator bwe{BandwidthEstimator::Options{}};
  Link link;
  TransportCcRecorder receiver;
  double mediaBps = 1e6;
  bool adaptive = false;
  double desiredBps = 0;
  bool probing = true;
  uint16_t seq = 0;
  Clock::time_point now = kT0;
  double credit = 0;                                  // media bytes allowed, not yet sent
  std::deque<std::pair<int64_t, uint16_t>> inFlight;  // arrival, seq
  Clock::time_point lastFeedback = kT0;
  Clock::time_point nextProbe = kT0;
  std::array<rtcp::TwccPacket, TransportCcRecorder::kMaxReported> list{};
  std::array<uint8_t, 1500> buffer{};
  RateWindow sentRate{50'000};

  void sendPacket(size_t bytes) {
    bwe.onPacketSent(seq, bytes, now);
    sentRate.add(us(now), bytes);
    if (const auto arrival = link.send(us(now), bytes)) {
      inFlight.emplace_back(*arrival, seq);
      std::sort(inFlight.begin(), inFlight.end());
    }
    ++seq;
  }

  void step() {
    now += 1ms;
    const double rate = adaptive ? std::min<double>(mediaBps, bwe.estimateBps()) : mediaBps;
    credit += rate / 8 / 1000;
    while (credit >= 1200) {
      credit -= 1200;
      sendPacket(1200);
    }
    if (probing && desiredBps > bwe.estimateBps() * 1.05 && !bwe.probing() && now >= nextProbe &&
        bwe.usage() == BandwidthEstimator::Usage::kNormal) {
      bwe.startProbe(static_cast<uint32_t>(std::min<double>(desiredBps * 1.1, 2.0 * bwe.estimateBps())), now);
    }
    const bool wasProbing = bwe.probing();
    for (size_t due = bwe.probePaddingDue(now), n = 0; due > 0 && n < 40; ++n) {
      sendPacket(300);
      due = bwe.probePaddingDue(now);
    }
    while (!inFlight.empty() && inFlight.front().first <= us(now)) {
      receiver.onPacket(inFlight.front().second,
                        Clock::time_point{} + std::chrono::microseconds(inFlight.front().first));
      inFlight.pop_front();
    }
    if (now - lastFeedback >= 50ms && receiver.pending() > 0) {
      lastFeedback = now;
      const uint8_t count = receiver.feedbackCount();
      const size_t n = receiver.take(list);
      rtcp::RtcpCompoundBuilder builder(buffer);
      REQUIRE(builder.addTransportCc(1, 2, count, std::span<const rtcp::TwccPacket>(list).first(n)));
      const rtcp::RtcpCompound compound(builder.data());
      REQUIRE(compound.valid());
      for (const rtcp::RtcpPacket& packet : compound) {
        const auto view = rtcp::TransportCcView::parse(packet);
        REQUIRE(view);
        bwe.onFeedback(*view, now);
      }
    }
    bwe.tick(now);
    if (wasProbing && !bwe.probing()) nextProbe = now + (bwe.lastProbeSucceeded() ? 1s : 3s);
  }

  void run(Clock::duration d) {
    const Clock::time_point end = now + d;
    while (now < end)
      step();
  }
};

}  // namespace

TEST_CASE("RateWindow: rate over the last second, old buckets forgotten", "[bwe]") {
  RateWindow rate(50'000);
  for (int64_t t = 0; t < 2'000'000; t += 10'000)
    rate.add(t, 1250);  // 1 Mbit/s
  CHECK(rate.bitsPerSecond(1'999'999) == Approx(1'000'000).margin(60'000));
  CHECK(rate.full(1'999'999));
  CHECK(rate.bitsPerSecond(2'500'000) == Approx(500'000).margin(60'000));  // half the window empty
  CHECK(rate.bitsPerSecond(5'000'000) == 0);
  rate.add(100, 1000);  // far older than the window: ignored
  CHECK(rate.bitsPerSecond(5'000'000) == 0);
}

TEST_CASE("BandwidthEstimator: a sender over a narrow link settles near its capacity", "[bwe]") {
  Simulation sim;
  sim.link.capacityBps = 1e6;
  sim.mediaBps = 4e6;
  sim.adaptive = true;
  sim.probing = false;
  sim.run(20s);
  const uint32_t estimate = sim.bwe.estimateBps();
  INFO("estimate " << estimate << " overuses " << sim.bwe.counters().overuses << " lost "
                   << sim.bwe.counters().packetsLost);
  CHECK(estimate >= 500'000);
  CHECK(estimate <= 1'300'000);
  CHECK(sim.bwe.counters().overuses >= 1);
  // Over the last 5 s the sender stayed close to the link rate: little queueing loss.
  const uint64_t lostBefore = sim.bwe.counters().packetsLost;
  const uint64_t reportedBefore = sim.bwe.counters().packetsReported;
  sim.run(5s);
  const double loss = static_cast<double>(sim.bwe.counters().packetsLost - lostBefore) /
                      static_cast<double>(sim.bwe.counters().packetsReported - reportedBefore);
  CHECK(loss < 0.05);
  CHECK(sim.bwe.estimateBps() <= 1'300'000);
}

TEST_CASE("BandwidthEstimator: an application-limited sender rises only by probing", "[bwe]") {
  SECTION("without probes the estimate stays near 1.5 x what is sent") {
    Simulation sim;
    sim.link.capacityBps = 10e6;
    sim.mediaBps = 300'000;
    sim.probing = false;
    sim.run(20s);
    CHECK(sim.bwe.estimateBps() <= 1'000'000);  // the initial 1 Mbit/s is not exceeded
    CHECK(sim.bwe.counters().probesStarted == 0);
  }
  SECTION("probes raise it to what is wanted within seconds") {
    Simulation sim;
    sim.link.capacityBps = 10e6;
    sim.mediaBps = 300'000;
    sim.desiredBps = 3e6;
    Clock::time_point reached{};
    for (int i = 0; i < 10'000 && reached == Clock::time_point{}; ++i) {
      sim.step();
      if (sim.bwe.estimateBps() >= 3'000'000) reached = sim.now;
    }
    INFO("probes " << sim.bwe.counters().probesStarted << " succeeded "
                   << sim.bwe.counters().probesSucceeded);
    REQUIRE(reached != Clock::time_point{});
    CHECK(reached - kT0 <= 6s);
    CHECK(sim.bwe.counters().probesSucceeded >= 1);
  }
  SECTION("probes into a narrow link do not raise it above the link") {
    Simulation sim;
    sim.link.capacityBps = 500'000;
    sim.link.queueMs = 60;
    sim.mediaBps = 200'000;
    sim.desiredBps = 3e6;
    sim.run(30s);
    INFO("estimate " << sim.bwe.estimateBps() << " probes " << sim.bwe.counters().probesStarted
                     << " succeeded " << sim.bwe.counters().probesSucceeded);
    CHECK(sim.bwe.counters().probesStarted >= 3);
    CHECK(sim.bwe.estimateBps() <= 700'000);
  }
}

TEST_CASE("BandwidthEstimator: a policer's burst does not pass for capacity", "[bwe]") {
  // 250 kbit/s with a 4800-byte bucket (three full packets at line rate after each pause): the
  // first packets of every probe arrive at once, so a probe judged by its receive rate alone would
  // see far more than the link carries.
  Simulation sim;
  sim.link.capacityBps = 250'000;
  sim.link.queueMs = 80;
  sim.link.burstBytes = 4800;
  sim.mediaBps = 120'000;
  sim.desiredBps = 3e6;
  sim.run(40s);
  INFO("estimate " << sim.bwe.estimateBps() << " probes " << sim.bwe.counters().probesStarted << " succeeded "
                   << sim.bwe.counters().probesSucceeded);
  CHECK(sim.bwe.counters().probesStarted >= 5);
  CHECK(sim.bwe.estimateBps() <= 330'000);
}

TEST_CASE("BandwidthEstimator: a capacity drop is followed within two seconds", "[bwe]") {
  Simulation sim;
  sim.link.capacityBps = 5e6;
  sim.mediaBps = 3e6;
  sim.adaptive = true;
  sim.desiredBps = 3e6;
  sim.run(15s);
  CHECK(sim.bwe.estimateBps() >= 2'500'000);
  sim.link.capacityBps = 500'000;
  sim.run(2s);
  INFO("estimate " << sim.bwe.estimateBps());
  CHECK(sim.bwe.estimateBps() <= 700'000);
  // And the capacity coming back is found again by probing.
  sim.link.capacityBps = 5e6;
  sim.run(15s);
  CHECK(sim.bwe.estimateBps() >= 2'500'000);
}

TEST_CASE("BandwidthEstimator: heavy random loss lowers the estimate, light loss does not", "[bwe]") {
  Simulation heavy;
  heavy.link.capacityBps = 50e6;
  heavy.link.loss = 0.2;
  heavy.mediaBps = 2e6;
  heavy.probing = false;
  heavy.run(10s);
  CHECK(heavy.bwe.lossRatio() > 0.1);
  CHECK(heavy.bwe.counters().lossDecreases >= 1);
  CHECK(heavy.bwe.estimateBps() < 700'000);

  Simulation light;
  light.link.capacityBps = 50e6;
  light.link.loss = 0.01;
  light.mediaBps = 2e6;
  light.probing = false;
  light.run(10s);
  CHECK(light.bwe.counters().lossDecreases == 0);
  CHECK(light.bwe.estimateBps() >= 1'000'000);
}

TEST_CASE("BandwidthEstimator: unknown, repeated and hostile feedback changes nothing", "[bwe]") {
  BandwidthEstimator bwe{BandwidthEstimator::Options{}};
  std::array<uint8_t, 1500> buffer{};
  std::array<rtcp::TwccPacket, 3> packets{rtcp::TwccPacket{100, 1'000'000},
                                          rtcp::TwccPacket{101, std::nullopt},
                                          rtcp::TwccPacket{102, 1'002'000}};
  rtcp::RtcpCompoundBuilder builder(buffer);
  REQUIRE(builder.addTransportCc(1, 2, 0, packets));
  const rtcp::RtcpCompound compound(builder.data());
  const auto view = rtcp::TransportCcView::parse(*compound.begin());
  REQUIRE(view);
  bwe.onFeedback(*view, kT0);  // nothing was sent: nothing is reported on
  CHECK(bwe.counters().packetsReported == 0);
  bwe.onPacketSent(100, 1200, kT0);
  bwe.onPacketSent(101, 1200, kT0);
  bwe.onPacketSent(102, 1200, kT0);
  const uint64_t before = heapAllocations();
  bwe.onFeedback(*view, kT0 + 10ms);
  bwe.onFeedback(*view, kT0 + 20ms);  // the same feedback again
  CHECK(heapAllocations() == before);
  CHECK(bwe.counters().packetsReported == 3);
  CHECK(bwe.counters().packetsLost == 1);
  CHECK(bwe.estimateBps() == 1'000'000);
}
