#include "media/forward/SimulcastSwitcher.h"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "media/codec/PayloadInfo.h"
#include "media/rtp/SequenceNumber.h"
#include "tests/support/HeapCounter.h"

using switchyard::media::codec::PayloadInfo;
using switchyard::media::forward::SimulcastSwitcher;
using namespace std::chrono_literals;
using Clock = SimulcastSwitcher::Clock;
using Decision = SimulcastSwitcher::Decision;
using Width = SimulcastSwitcher::PictureIdWidth;

using switchyard::test::heapAllocations;

namespace {

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

PayloadInfo payload(bool keyFrame, bool frameStart, std::optional<uint16_t> pictureId = std::nullopt,
                    std::optional<uint8_t> tl0PicIdx = std::nullopt) {
  PayloadInfo info;
  info.keyFrame = keyFrame;
  info.frameStart = frameStart;
  info.pictureId = pictureId;
  info.tl0PicIdx = tl0PicIdx;
  return info;
}

PayloadInfo key(std::optional<uint16_t> pictureId = std::nullopt, std::optional<uint8_t> tl0 = std::nullopt) {
  return payload(true, true, pictureId, tl0);
}
PayloadInfo delta(std::optional<uint16_t> pictureId = std::nullopt,
                  std::optional<uint8_t> tl0 = std::nullopt) {
  return payload(false, true, pictureId, tl0);
}
PayloadInfo middle(std::optional<uint16_t> pictureId = std::nullopt,
                   std::optional<uint8_t> tl0 = std::nullopt) {
  return payload(false, false, pictureId, tl0);
}

// One simulcast encoding as a publisher sends it: its own seq, timestamp, picture id and TL0PICIDX.
struct Encoding {
  uint16_t seq;
  uint32_t timestamp;
  uint16_t pictureId;
  uint8_t tl0;
  Width width;
  int packetsPerFrame;
  bool keyFrameNext = false;
};

// Three encodings at 30 frames per second; every frame is a TL0 frame. Feeds each frame of layer 0,
// then 1, then 2 to the switcher and checks that the output is one continuous stream: consecutive
// sequence numbers, timestamps equal within a frame and newer between frames, picture ids and
// TL0PICIDX + 1 per frame (modulo the width of the layer being sent).
class Simulation {
 public:
  explicit Simulation(std::array<Encoding, 3> encodings) : encodings_(encodings) {}

  // Sends `frames` frames of every layer; a layer whose key frame the switcher asked for sends one
  // in the next frame.
  void run(int frames) {
    for (int f = 0; f < frames; ++f) {
      for (int layer = 0; layer < 3; ++layer)
        sendFrame(layer);
      now_ += 33ms;
    }
  }

  void sendFrame(int layer) {
    Encoding& e = encodings_[static_cast<size_t>(layer)];
    const bool keyFrame = e.keyFrameNext;
    e.keyFrameNext = false;
    for (int p = 0; p < e.packetsPerFrame; ++p) {
      const PayloadInfo info = payload(keyFrame && p == 0, p == 0, e.pictureId, e.tl0);
      const Decision d = switcher.onPacket(layer, e.seq, e.timestamp, info, e.width, now_);
      if (d.needKeyframe) encodings_[static_cast<size_t>(switcher.targetLayer())].keyFrameNext = true;
      if (d.switched) ++switches;
      if (d.forward) check(layer, d, p == 0);
      e.seq = static_cast<uint16_t>(e.seq + 1);
    }
    e.timestamp += 3000;
    e.pictureId = static_cast<uint16_t>((e.pictureId + 1) & (e.width == Width::k7Bit ? 0x7f : 0x7fff));
    e.tl0 = static_cast<uint8_t>(e.tl0 + 1);
  }

  SimulcastSwitcher switcher;
  int switches = 0;
  size_t forwarded = 0;
  std::vector<int> layersSent;
  bool sawSeqWrap = false;
  bool sawPictureIdWrap = false;

 private:
  void check(int layer, const Decision& d, bool frameStart) {
    REQUIRE(d.pictureId.has_value());
    REQUIRE(d.tl0PicIdx.has_value());
    if (forwarded > 0) {
      CHECK(d.seq == static_cast<uint16_t>(lastSeq_ + 1));
      if (d.seq == 0) sawSeqWrap = true;
      const uint16_t mask = encodings_[static_cast<size_t>(layer)].width == Width::k7Bit ? 0x7f : 0x7fff;
      if (frameStart) {
        CHECK(switchyard::media::rtp::timestampNewer(d.timestamp, lastTs_));
        CHECK(*d.pictureId == ((lastPictureId_ + 1) & mask));
        CHECK(*d.tl0PicIdx == static_cast<uint8_t>(lastTl0_ + 1));
        if (*d.pictureId == 0) sawPictureIdWrap = true;
      } else {
        CHECK(d.timestamp == lastTs_);
        CHECK(*d.pictureId == lastPictureId_);
        CHECK(*d.tl0PicIdx == lastTl0_);
      }
    }
    if (layersSent.empty() || layersSent.back() != layer) layersSent.push_back(layer);
    lastSeq_ = d.seq;
    lastTs_ = d.timestamp;
    lastPictureId_ = *d.pictureId;
    lastTl0_ = *d.tl0PicIdx;
    ++forwarded;
  }

  std::array<Encoding, 3> encodings_;
  Clock::time_point now_ = kT0;
  uint16_t lastSeq_ = 0;
  uint32_t lastTs_ = 0;
  uint16_t lastPictureId_ = 0;
  uint8_t lastTl0_ = 0;
};

}  // namespace

TEST_CASE("SimulcastSwitcher: nothing is forwarded before a key frame start of the target layer") {
  SimulcastSwitcher s;
  CHECK(s.targetLayer() == SimulcastSwitcher::kPaused);
  CHECK(s.currentLayer() == SimulcastSwitcher::kPaused);
  // Paused from the start: nothing goes out and no key frame is wanted.
  Decision d = s.onPacket(0, 100, 1000, key(), Width::k15Bit, kT0);
  CHECK_FALSE(d.forward);
  CHECK_FALSE(d.needKeyframe);

  REQUIRE(s.setTargetLayer(1));
  CHECK(s.waitingForKeyframe());
  d = s.onPacket(1, 200, 5000, delta(7, 3), Width::k15Bit, kT0);
  CHECK_FALSE(d.forward);
  CHECK(d.needKeyframe);
  d = s.onPacket(0, 101, 1000, key(), Width::k15Bit, kT0);  // key frame of another layer
  CHECK_FALSE(d.forward);
  CHECK(d.needKeyframe);
  d = s.onPacket(1, 201, 8000, payload(true, false), Width::k15Bit, kT0);  // not the frame start
  CHECK_FALSE(d.forward);
  CHECK(d.needKeyframe);
  CHECK(s.currentLayer() == SimulcastSwitcher::kPaused);

  d = s.onPacket(1, 202, 8000, key(9, 4), Width::k15Bit, kT0 + 10ms);
  CHECK(d.forward);
  CHECK(d.switched);
  CHECK_FALSE(d.needKeyframe);
  // The first segment passes everything through.
  CHECK(d.seq == 202);
  CHECK(d.timestamp == 8000);
  CHECK(d.pictureId == uint16_t{9});
  CHECK(d.tl0PicIdx == uint8_t{4});
  CHECK(s.currentLayer() == 1);
  CHECK_FALSE(s.waitingForKeyframe());
  CHECK(s.switches() == 1);

  d = s.onPacket(1, 203, 8000, middle(9, 4), Width::k15Bit, kT0 + 11ms);
  CHECK(d.forward);
  CHECK_FALSE(d.switched);
  CHECK(d.seq == 203);
}

TEST_CASE("SimulcastSwitcher: invalid layers are refused") {
  SimulcastSwitcher s;
  CHECK_FALSE(s.setTargetLayer(3));
  CHECK_FALSE(s.setTargetLayer(-2));
  CHECK(s.targetLayer() == SimulcastSwitcher::kPaused);
  REQUIRE(s.setTargetLayer(2));
  CHECK_FALSE(s.onPacket(3, 1, 1, key(), Width::k15Bit, kT0).forward);
  CHECK_FALSE(s.onPacket(-1, 1, 1, key(), Width::k15Bit, kT0).forward);
  CHECK(s.currentLayer() == SimulcastSwitcher::kPaused);
}

TEST_CASE("SimulcastSwitcher: steady forwarding applies fixed offsets; up-switch only at a key frame") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.onPacket(0, 1000, 50000, key(300, 20), Width::k15Bit, kT0).switched);
  REQUIRE(s.onPacket(0, 1001, 53000, delta(301, 21), Width::k15Bit, kT0 + 33ms).forward);

  REQUIRE(s.setTargetLayer(2));
  CHECK(s.currentLayer() == 0);
  // Delta frames of the target are not used; the current layer keeps going out.
  Decision d = s.onPacket(2, 40000, 900000, delta(5000, 200), Width::k15Bit, kT0 + 66ms);
  CHECK_FALSE(d.forward);
  CHECK(d.needKeyframe);
  d = s.onPacket(0, 1002, 56000, delta(302, 22), Width::k15Bit, kT0 + 66ms);
  CHECK(d.forward);
  CHECK(d.needKeyframe);
  CHECK(d.seq == 1002);
  // A key frame of a layer that is not the target does not switch either.
  d = s.onPacket(1, 7, 123, key(1, 1), Width::k15Bit, kT0 + 70ms);
  CHECK_FALSE(d.forward);
  CHECK(s.currentLayer() == 0);

  // Key frame of layer 2, 34 ms after the last output timestamp was first sent.
  d = s.onPacket(2, 40001, 903000, key(5001, 201), Width::k15Bit, kT0 + 100ms);
  CHECK(d.forward);
  CHECK(d.switched);
  CHECK_FALSE(d.needKeyframe);
  CHECK(d.seq == 1003);
  CHECK(d.timestamp == 56000 + 34 * 90);
  CHECK(d.pictureId == uint16_t{303});
  CHECK(d.tl0PicIdx == uint8_t{23});
  CHECK(s.currentLayer() == 2);

  // Steady on layer 2: input + the new offsets.
  for (uint16_t i = 1; i < 20; ++i) {
    const auto frame = static_cast<uint16_t>(i / 2);
    const bool start = i % 2 == 0;
    d = s.onPacket(
        2, static_cast<uint16_t>(40001 + i), 903000 + 3000U * frame,
        payload(false, start, static_cast<uint16_t>(5001 + frame), static_cast<uint8_t>(201 + frame)),
        Width::k15Bit, kT0 + 100ms + 33ms * frame);
    REQUIRE(d.forward);
    CHECK(d.seq == static_cast<uint16_t>(1003 + i));
    CHECK(d.timestamp == 56000 + 34 * 90 + 3000U * frame);
    CHECK(d.pictureId == static_cast<uint16_t>(303 + frame));
    CHECK(d.tl0PicIdx == static_cast<uint8_t>(23 + frame));
  }
  // Late packets of the old layer are dropped.
  CHECK_FALSE(s.onPacket(0, 1003, 59000, delta(303, 23), Width::k15Bit, kT0 + 200ms).forward);
}

TEST_CASE("SimulcastSwitcher: down-switch") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(2));
  REQUIRE(s.onPacket(2, 65000, 4000000000U, key(32000, 255), Width::k15Bit, kT0).switched);
  REQUIRE(s.onPacket(2, 65001, 4000000000U, middle(32000, 255), Width::k15Bit, kT0 + 1ms).forward);
  REQUIRE(s.setTargetLayer(0));
  CHECK_FALSE(s.onPacket(0, 17, 99, delta(40, 9), Width::k7Bit, kT0 + 10ms).forward);
  // The key frame of layer 0 arrives earlier than the elapsed time would say: still at least 1 tick.
  Decision d = s.onPacket(0, 18, 100, key(41, 10), Width::k7Bit, kT0 - 5ms);
  CHECK(d.switched);
  CHECK(d.seq == 65002);
  CHECK(d.timestamp == 4000000001U);
  // 7-bit picture ids stay 7 bits wide: (32000 + 1) mod 128.
  CHECK(d.pictureId == uint16_t{(32000 + 1) % 128});
  CHECK(d.tl0PicIdx == uint8_t{0});
  CHECK(s.currentLayer() == 0);
  // Packets of the layer left are dropped, including key frames.
  CHECK_FALSE(s.onPacket(2, 65002, 4000003000U, key(32001, 0), Width::k15Bit, kT0 + 40ms).forward);
}

TEST_CASE("SimulcastSwitcher: continuity over many switches, with sequence and picture id wrap-around") {
  // Layer 0: 7-bit picture ids near the wrap; layers 1 and 2: 15-bit near the wrap; sequence numbers
  // and timestamps near their wraps, all different.
  Simulation sim({Encoding{65500, 0xfffff000U, 120, 250, Width::k7Bit, 1, false},
                  Encoding{30000, 123456789U, 32760, 7, Width::k15Bit, 2, false},
                  Encoding{65530, 0x7ffffff0U, 32700, 128, Width::k15Bit, 3, false}});
  const std::array<int, 9> targets{0, 2, 1, 0, 2, 0, 1, 2, 1};
  for (const int target : targets) {
    REQUIRE(sim.switcher.setTargetLayer(target));
    sim.run(40);
    CHECK(sim.switcher.currentLayer() == target);
  }
  CHECK(sim.switches == static_cast<int>(targets.size()));
  CHECK(sim.layersSent == std::vector<int>(targets.begin(), targets.end()));
  CHECK(sim.sawSeqWrap);
  CHECK(sim.sawPictureIdWrap);
  CHECK(sim.forwarded > 500);
}

TEST_CASE("SimulcastSwitcher: pause forwards nothing; resume continues at a key frame") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(1));
  REQUIRE(s.onPacket(1, 500, 10000, key(100, 5), Width::k15Bit, kT0).switched);
  REQUIRE(s.onPacket(1, 501, 13000, delta(101, 6), Width::k15Bit, kT0 + 33ms).forward);

  REQUIRE(s.setTargetLayer(SimulcastSwitcher::kPaused));
  CHECK(s.currentLayer() == SimulcastSwitcher::kPaused);
  CHECK_FALSE(s.waitingForKeyframe());
  for (uint16_t i = 0; i < 10; ++i) {
    const Decision d = s.onPacket(1, static_cast<uint16_t>(502 + i), 16000 + 3000U * i,
                                  i == 3 ? key(102 + i, 7) : delta(102 + i, 7), Width::k15Bit, kT0 + 66ms);
    CHECK_FALSE(d.forward);
    CHECK_FALSE(d.needKeyframe);
  }
  CHECK(s.inputSequenceFor(501) == std::nullopt);

  // Resume on the same layer 2 s later: a delta frame does not do, the key frame does.
  REQUIRE(s.setTargetLayer(1));
  Decision d = s.onPacket(1, 600, 200000, delta(200, 50), Width::k15Bit, kT0 + 33ms + 2s);
  CHECK_FALSE(d.forward);
  CHECK(d.needKeyframe);
  d = s.onPacket(1, 601, 203000, key(201, 51), Width::k15Bit, kT0 + 33ms + 2s);
  CHECK(d.forward);
  CHECK(d.switched);
  CHECK(d.seq == 502);
  CHECK(d.timestamp == 13000 + 2 * 90000);
  CHECK(d.pictureId == uint16_t{102});
  CHECK(d.tl0PicIdx == uint8_t{7});
  CHECK(s.switches() == 2);
}

TEST_CASE("SimulcastSwitcher: reordering, duplicates and packets from before the switch point") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.onPacket(0, 100, 1000, key(10, 1), Width::k15Bit, kT0).forward);
  REQUIRE(s.onPacket(0, 101, 1000, middle(10, 1), Width::k15Bit, kT0).forward);
  REQUIRE(s.setTargetLayer(1));
  REQUIRE(s.onPacket(1, 65534, 777, key(4000, 90), Width::k15Bit, kT0 + 10ms).switched);  // out 102
  // 65534, 1, 65535, 0 (wrap, reordered): relative order is kept, nothing is renumbered.
  Decision d = s.onPacket(1, 1, 3777, delta(4001, 91), Width::k15Bit, kT0 + 40ms);
  CHECK(d.seq == 105);
  CHECK(d.pictureId == uint16_t{12});
  d = s.onPacket(1, 65535, 777, middle(4000, 90), Width::k15Bit, kT0 + 41ms);
  CHECK(d.forward);
  CHECK(d.seq == 103);
  CHECK(d.timestamp == 1000 + 10 * 90);
  CHECK(d.pictureId == uint16_t{11});
  CHECK(d.tl0PicIdx == uint8_t{2});
  d = s.onPacket(1, 0, 777, middle(4000, 90), Width::k15Bit, kT0 + 42ms);
  CHECK(d.seq == 104);
  // A retransmission or duplicate maps to the same output as its original.
  d = s.onPacket(1, 65535, 777, middle(4000, 90), Width::k15Bit, kT0 + 60ms);
  CHECK(d.forward);
  CHECK(d.seq == 103);
  d = s.onPacket(1, 1, 3777, delta(4001, 91), Width::k15Bit, kT0 + 60ms);
  CHECK(d.seq == 105);
  // A packet of the new layer from before its switch point would collide with the old layer's output.
  CHECK_FALSE(s.onPacket(1, 65533, 777U - 3000U, delta(3999, 89), Width::k15Bit, kT0 + 61ms).forward);
  // The highest output is unchanged by the late packets: the next one continues at 106.
  d = s.onPacket(1, 2, 6777, delta(4002, 92), Width::k15Bit, kT0 + 70ms);
  CHECK(d.seq == 106);
  CHECK(d.pictureId == uint16_t{13});
  CHECK(d.tl0PicIdx == uint8_t{4});
}

TEST_CASE("SimulcastSwitcher: a jump of half the sequence space is not taken as in order") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.onPacket(0, 100, 0, key(), Width::k15Bit, kT0).forward);
  CHECK_FALSE(s.onPacket(0, 100 + 32768, 0, delta(), Width::k15Bit, kT0).forward);
  CHECK(s.onPacket(0, 101, 0, delta(), Width::k15Bit, kT0).seq == 101);
  REQUIRE(s.setTargetLayer(1));
  CHECK(s.onPacket(1, 5, 0, key(), Width::k15Bit, kT0).seq == 102);
}

TEST_CASE("SimulcastSwitcher: inputSequenceFor maps the current segment only") {
  SimulcastSwitcher s;
  CHECK(s.inputSequenceFor(0) == std::nullopt);
  REQUIRE(s.setTargetLayer(2));
  REQUIRE(s.onPacket(2, 65530, 0, key(), Width::k15Bit, kT0).forward);
  for (uint16_t i = 1; i <= 9; ++i)
    REQUIRE(s.onPacket(2, static_cast<uint16_t>(65530 + i), 0, middle(), Width::k15Bit, kT0).forward);
  CHECK(s.inputSequenceFor(65530) == uint16_t{65530});
  CHECK(s.inputSequenceFor(3) == uint16_t{3});
  CHECK(s.inputSequenceFor(4) == std::nullopt);      // not sent yet
  CHECK(s.inputSequenceFor(65529) == std::nullopt);  // before the segment

  REQUIRE(s.setTargetLayer(0));
  CHECK(s.inputSequenceFor(3) == uint16_t{3});  // still on layer 2 until its key frame
  REQUIRE(s.onPacket(0, 1000, 0, key(), Width::k15Bit, kT0 + 1ms).switched);    // out 4
  REQUIRE(s.onPacket(0, 1001, 0, middle(), Width::k15Bit, kT0 + 1ms).forward);  // out 5
  CHECK(s.inputSequenceFor(4) == uint16_t{1000});
  CHECK(s.inputSequenceFor(5) == uint16_t{1001});
  CHECK(s.inputSequenceFor(3) == std::nullopt);  // from before the switch
  CHECK(s.inputSequenceFor(65530) == std::nullopt);
  CHECK(s.inputSequenceFor(6) == std::nullopt);
}

TEST_CASE("SimulcastSwitcher: needKeyframe stays set until the target's key frame arrives") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.onPacket(0, 1, 0, key(), Width::k15Bit, kT0).switched);
  CHECK_FALSE(s.onPacket(0, 2, 0, middle(), Width::k15Bit, kT0).needKeyframe);
  REQUIRE(s.setTargetLayer(1));
  for (uint16_t i = 0; i < 5; ++i) {
    CHECK(s.onPacket(0, static_cast<uint16_t>(3 + i), 0, delta(), Width::k15Bit, kT0).needKeyframe);
    CHECK(s.onPacket(1, static_cast<uint16_t>(90 + i), 0, delta(), Width::k15Bit, kT0).needKeyframe);
    CHECK(s.onPacket(2, static_cast<uint16_t>(70 + i), 0, key(), Width::k15Bit, kT0).needKeyframe);
  }
  // Going back to the current layer cancels the wait.
  REQUIRE(s.setTargetLayer(0));
  CHECK_FALSE(s.onPacket(1, 95, 0, key(), Width::k15Bit, kT0).needKeyframe);
  CHECK(s.currentLayer() == 0);
  REQUIRE(s.setTargetLayer(1));
  CHECK(s.onPacket(0, 8, 0, delta(), Width::k15Bit, kT0).needKeyframe);
  CHECK_FALSE(s.onPacket(1, 96, 0, key(), Width::k15Bit, kT0).needKeyframe);
  CHECK(s.currentLayer() == 1);
}

TEST_CASE("SimulcastSwitcher: the timestamp advance at a switch is clamped after a very long pause") {
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.onPacket(0, 1, 1000, key(), Width::k15Bit, kT0).switched);
  REQUIRE(s.setTargetLayer(1));
  const Decision d = s.onPacket(1, 9, 5, key(), Width::k15Bit, kT0 + 24h);
  CHECK(d.switched);
  CHECK(d.timestamp == 1000 + SimulcastSwitcher::kMaxTimestampAdvance);
  CHECK(switchyard::media::rtp::timestampNewer(d.timestamp, 1000));
}

TEST_CASE("SimulcastSwitcher: no allocation") {
  SimulcastSwitcher s;
  const uint64_t allocationsBefore = heapAllocations();
  auto now = kT0;
  uint64_t forwarded = 0;
  for (uint32_t i = 0; i < 30000; ++i) {
    now += 1ms;
    if (i % 997 == 0) (void)s.setTargetLayer(static_cast<int>(i / 997 % 4) - 1);
    const int layer = static_cast<int>(i % 3);
    const auto seq = static_cast<uint16_t>(i / 3 + static_cast<uint32_t>(layer) * 20000);
    const PayloadInfo info =
        payload(i % 90 < 3, i % 6 < 3, static_cast<uint16_t>(i / 18), static_cast<uint8_t>(i / 18));
    const Decision d = s.onPacket(layer, seq, i * 30U, info, layer == 0 ? Width::k7Bit : Width::k15Bit, now);
    if (d.forward) ++forwarded;
    (void)s.inputSequenceFor(d.seq);
  }
  CHECK(heapAllocations() - allocationsBefore == 0);
  CHECK(forwarded > 1000);
  CHECK(s.switches() > 5);
}
