// Temporal (VP8/VP9 TID) and spatial (VP9 SID) layer selection in the SimulcastSwitcher, with
// synthetic publisher streams: a VP8 stream with three temporal layers in the usual 0-2-1-2 pattern,
// and VP9 L3T3 pictures (three spatial layers per picture, each ending with the E bit).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "media/codec/PayloadInfo.h"
#include "media/forward/SimulcastSwitcher.h"
#include "tests/support/HeapCounter.h"

using switchyard::media::codec::PayloadInfo;
using switchyard::media::forward::SimulcastSwitcher;
using namespace std::chrono_literals;
using Clock = SimulcastSwitcher::Clock;
using Decision = SimulcastSwitcher::Decision;
using Width = SimulcastSwitcher::PictureIdWidth;

namespace {

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

struct Packet {
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  PayloadInfo info;
};

// The packets of one publisher stream; temporal pattern 0-2-1-2, `packetsPerFrame` per layer frame.
class Publisher {
 public:
  Publisher(uint16_t seq, uint16_t pictureId, uint8_t tl0, int spatialLayers, bool vp9)
      : seq_(seq), pictureId_(pictureId), tl0_(tl0), spatialLayers_(spatialLayers), vp9_(vp9) {}

  // The next picture: TID from the pattern (or 0 for a key picture), `sync` sets Y/U.
  std::vector<Packet> picture(bool key, bool sync, int packetsPerFrame = 2) {
    static constexpr uint8_t kPattern[4] = {0, 2, 1, 2};
    const uint8_t tid = key ? 0 : kPattern[index_ % 4];
    if (key) index_ = 0;
    if (tid == 0 && !first_) ++tl0_;
    first_ = false;
    std::vector<Packet> out;
    for (int sid = 0; sid < spatialLayers_; ++sid) {
      for (int p = 0; p < packetsPerFrame; ++p) {
        Packet packet;
        packet.seq = seq_++;
        packet.timestamp = timestamp_;
        PayloadInfo& info = packet.info;
        info.frameStart = p == 0;
        info.keyFrame = key && sid == 0 && p == 0;
        if (vp9_) info.frameEnd = p == packetsPerFrame - 1;
        info.spatialLayer = static_cast<uint8_t>(sid);
        info.temporalLayer = tid;
        info.layerSync = sync;
        info.pictureId = pictureId_;
        info.tl0PicIdx = tl0_;
        out.push_back(packet);
      }
    }
    ++index_;
    timestamp_ += 3000;
    pictureId_ = static_cast<uint16_t>((pictureId_ + 1) & 0x7fff);
    return out;
  }

 private:
  uint16_t seq_;
  uint32_t timestamp_ = 90000;
  uint16_t pictureId_;
  uint8_t tl0_;
  int spatialLayers_;
  bool vp9_;
  unsigned index_ = 0;
  bool first_ = true;
};

// Feeds packets and checks the output is one continuous stream: consecutive sequence numbers, picture
// id + 1 per forwarded picture, TL0PICIDX + 0 or 1, timestamps equal within a picture.
struct Subscriber {
  SimulcastSwitcher switcher;
  std::vector<Decision> sent;
  std::vector<Packet> sentInputs;
  std::vector<Packet> dropped;
  Clock::time_point now = kT0;

  Subscriber() { switcher.setStartOnAnyPacket(true); }

  void feed(const std::vector<Packet>& packets) {
    for (const Packet& p : packets) {
      const Decision d = switcher.onPacket(0, p.seq, p.timestamp, p.info, Width::k15Bit, now);
      if (!d.forward) {
        dropped.push_back(p);
        continue;
      }
      if (!sent.empty()) {
        const Decision& last = sent.back();
        CHECK(d.seq == static_cast<uint16_t>(last.seq + 1));
        if (d.timestamp == last.timestamp) {
          CHECK(d.pictureId == last.pictureId);
        } else {
          CHECK(*d.pictureId == ((*last.pictureId + 1) & 0x7fff));
          CHECK(static_cast<uint8_t>(*d.tl0PicIdx - *last.tl0PicIdx) <= 1);
        }
      }
      sent.push_back(d);
      sentInputs.push_back(p);
    }
    now += 33ms;
  }
};

}  // namespace

TEST_CASE("SimulcastSwitcher layers: VP8 at temporal target 0 forwards only TL0 frames, continuously") {
  Publisher vp8(1000, 300, 50, 1, false);
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  REQUIRE(sub.switcher.setTargetTemporalLayer(0));
  sub.feed(vp8.picture(true, false));
  for (int i = 0; i < 40; ++i)
    sub.feed(vp8.picture(false, i < 3));
  REQUIRE(sub.sent.size() == 2 * 11);  // the key frame and 10 more TL0 frames
  for (const Packet& p : sub.sentInputs)
    CHECK(p.info.temporalLayer == 0);
  CHECK(sub.dropped.size() == 2 * 30);
  // TL0PICIDX goes up by one per forwarded (TL0) frame.
  CHECK(*sub.sent.back().tl0PicIdx == static_cast<uint8_t>(*sub.sent.front().tl0PicIdx + 10));
  CHECK(*sub.sent.back().pictureId == 300 + 10);
  CHECK_FALSE(sub.switcher.waitingForKeyframe());  // no key frame is wanted for temporal layers
}

TEST_CASE("SimulcastSwitcher layers: temporal up-switch at a sync frame, down-switch at the next frame") {
  Publisher vp8(60000, 32760, 250, 1, false);  // sequence numbers, picture ids and TL0PICIDX wrap
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  REQUIRE(sub.switcher.setTargetTemporalLayer(0));
  sub.feed(vp8.picture(true, false));
  for (int i = 0; i < 4; ++i)
    sub.feed(vp8.picture(false, false));
  CHECK(sub.switcher.currentTemporalLayer() == 0);

  REQUIRE(sub.switcher.setTargetTemporalLayer(2));
  sub.feed(vp8.picture(false, false));  // TL2 without Y: not decodable, dropped
  CHECK(sub.switcher.currentTemporalLayer() == 0);
  sub.feed(vp8.picture(false, true));  // TL1 with Y: the switch point
  CHECK(sub.switcher.currentTemporalLayer() == 1);
  CHECK(sub.sentInputs.back().info.temporalLayer == 1);
  sub.feed(vp8.picture(false, false));  // TL2 without Y: still not
  CHECK(sub.switcher.currentTemporalLayer() == 1);
  sub.feed(vp8.picture(false, false));  // TL0
  sub.feed(vp8.picture(false, true));   // TL2 with Y
  CHECK(sub.switcher.currentTemporalLayer() == 2);
  const size_t before = sub.sent.size();
  for (int i = 0; i < 4; ++i)
    sub.feed(vp8.picture(false, false));
  CHECK(sub.sent.size() == before + 8);  // every frame

  // Down: the very next frame above the target is dropped.
  REQUIRE(sub.switcher.setTargetTemporalLayer(1));
  sub.feed(vp8.picture(false, false));  // TL1: forwarded
  CHECK(sub.sentInputs.back().info.temporalLayer == 1);
  sub.feed(vp8.picture(false, false));  // TL2: dropped
  CHECK(sub.switcher.currentTemporalLayer() == 1);
  CHECK(sub.dropped.back().info.temporalLayer == 2);
  sub.feed(vp8.picture(false, false));  // TL0
  CHECK(sub.sentInputs.back().info.temporalLayer == 0);

  // A key frame takes the target at once.
  REQUIRE(sub.switcher.setTargetTemporalLayer(2));
  sub.feed(vp8.picture(true, false));
  CHECK(sub.switcher.currentTemporalLayer() == 2);
  sub.feed(vp8.picture(false, false));  // TL2 without Y
  CHECK(sub.sentInputs.back().info.temporalLayer == 2);
}

TEST_CASE("SimulcastSwitcher layers: reordered and repeated packets, NACK mapping of dropped packets") {
  Publisher vp8(100, 10, 1, 1, false);
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  REQUIRE(sub.switcher.setTargetTemporalLayer(0));
  SimulcastSwitcher& s = sub.switcher;
  const auto key = vp8.picture(true, false);    // seq 100, 101
  const auto tl2 = vp8.picture(false, false);   // 102, 103 (dropped)
  const auto tl1 = vp8.picture(false, false);   // 104, 105 (dropped)
  const auto tl2b = vp8.picture(false, false);  // 106, 107 (dropped)
  const auto tl0 = vp8.picture(false, false);   // 108, 109
  sub.feed(key);
  // 103 before 102, 105 lost for now, 108 before 107.
  const Clock::time_point now = sub.now;
  auto feedOne = [&](const Packet& p) {
    return s.onPacket(0, p.seq, p.timestamp, p.info, Width::k15Bit, now);
  };
  CHECK_FALSE(feedOne(tl2[1]).forward);
  CHECK_FALSE(feedOne(tl2[0]).forward);
  CHECK_FALSE(feedOne(tl1[0]).forward);
  CHECK_FALSE(feedOne(tl2b[0]).forward);
  // 108: the places of 105 and 107 (missing, maybe reordered) are kept: 103 and 104 (102 is 102's,
  // which came late and was dropped).
  Decision d = feedOne(tl0[0]);
  REQUIRE(d.forward);
  CHECK(d.seq == 105);
  CHECK(d.pictureId == uint16_t{11});  // the three dropped pictures' ids are not used
  CHECK(d.tl0PicIdx == uint8_t{2});
  CHECK_FALSE(feedOne(tl2b[1]).forward);  // 107 late, dropped: its number (104) stays unused
  CHECK_FALSE(feedOne(tl1[1]).forward);   // 105 late, dropped: 103 stays unused
  d = feedOne(tl0[1]);
  CHECK(d.seq == 106);
  // A repeat of a forwarded packet maps to the same output.
  d = feedOne(tl0[0]);
  CHECK(d.forward);
  CHECK(d.seq == 105);
  CHECK(d.pictureId == uint16_t{11});
  // A repeat of a dropped packet is dropped again.
  CHECK_FALSE(feedOne(tl1[0]).forward);
  // The next frames continue without a hole.
  const auto tl2c = vp8.picture(false, false);  // 110, 111 (dropped)
  const auto tl1b = vp8.picture(false, false);  // 112, 113 (dropped)
  const auto tl2d = vp8.picture(false, false);  // 114, 115 (dropped)
  const auto tl0b = vp8.picture(false, false);  // 116, 117
  for (const auto* picture : {&tl2c, &tl1b, &tl2d}) {
    for (const Packet& p : *picture)
      CHECK_FALSE(feedOne(p).forward);
  }
  d = feedOne(tl0b[0]);
  CHECK(d.seq == 107);
  CHECK(d.pictureId == uint16_t{12});
  // NACK mapping: outputs to inputs; the unused numbers stand for nothing.
  CHECK(s.inputSequenceFor(100) == uint16_t{100});
  CHECK(s.inputSequenceFor(101) == uint16_t{101});
  CHECK(s.inputSequenceFor(102) == std::nullopt);  // 102's place, dropped late
  CHECK(s.inputSequenceFor(103) == std::nullopt);  // 105's
  CHECK(s.inputSequenceFor(104) == std::nullopt);  // 107's
  CHECK(s.inputSequenceFor(105) == uint16_t{108});
  CHECK(s.inputSequenceFor(106) == uint16_t{109});
  CHECK(s.inputSequenceFor(107) == uint16_t{116});
  CHECK(s.inputSequenceFor(108) == std::nullopt);  // not sent yet
  // No output maps to an input that was dropped.
  for (uint16_t out = 90; out < 110; ++out) {
    if (const auto in = s.inputSequenceFor(out)) {
      CHECK((*in == 100 || *in == 101 || *in == 108 || *in == 109 || *in == 116));
    }
  }
}

TEST_CASE("SimulcastSwitcher layers: VP9 L3T3 at spatial 0 forwards SID 0 only, each picture marked") {
  Publisher vp9(5000, 700, 9, 3, true);
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  REQUIRE(sub.switcher.setTargetSpatialLayer(0));
  sub.feed(vp9.picture(true, true));
  for (int i = 0; i < 8; ++i)
    sub.feed(vp9.picture(false, true));
  REQUIRE(sub.sent.size() == 9 * 2);
  for (size_t i = 0; i < sub.sent.size(); ++i) {
    CHECK(sub.sentInputs[i].info.spatialLayer == 0);
    CHECK(sub.sent[i].marker == (i % 2 == 1));  // the end of the SID 0 frame ends the picture
  }
  CHECK(*sub.sent.back().pictureId == 708);  // spatial drops keep every picture

  // Up to SID 2: only at a key picture; a key frame is wanted meanwhile.
  REQUIRE(sub.switcher.setTargetSpatialLayer(2));
  CHECK(sub.switcher.waitingForKeyframe());
  sub.feed(vp9.picture(false, true));
  CHECK(sub.sentInputs.back().info.spatialLayer == 0);
  CHECK(sub.switcher.currentSpatialLayer() == 0);
  size_t before = sub.sent.size();
  sub.feed(vp9.picture(true, true));
  CHECK_FALSE(sub.switcher.waitingForKeyframe());
  CHECK(sub.switcher.currentSpatialLayer() == 2);
  REQUIRE(sub.sent.size() == before + 6);
  for (size_t i = before; i < sub.sent.size(); ++i)
    CHECK(sub.sent[i].marker == (i == before + 5));  // the top layer's end: target 2 is the top

  // Down to SID 1 at the next picture: the SID 1 frame's end gets the marker.
  REQUIRE(sub.switcher.setTargetSpatialLayer(1));
  before = sub.sent.size();
  sub.feed(vp9.picture(false, true));
  REQUIRE(sub.sent.size() == before + 4);
  CHECK(sub.sentInputs.back().info.spatialLayer == 1);
  CHECK(sub.sent.back().marker);
  CHECK_FALSE(sub.sent[before + 1].marker);

  // Temporal and spatial together: TL0 pictures only, SID <= 1.
  REQUIRE(sub.switcher.setTargetTemporalLayer(0));
  before = sub.sent.size();
  for (int i = 0; i < 8; ++i)
    sub.feed(vp9.picture(false, true));
  for (size_t i = before; i < sub.sent.size(); ++i) {
    CHECK(sub.sentInputs[i].info.temporalLayer == 0);
    CHECK(sub.sentInputs[i].info.spatialLayer <= 1);
  }
  CHECK(sub.sent.size() - before == 2 * 4);  // two TL0 pictures of the eight, two layers of two packets
}

TEST_CASE("SimulcastSwitcher layers: VP9 keeps the picture ids of dropped pictures (holes)") {
  Publisher vp9(300, 32766, 1, 2, true);
  SimulcastSwitcher s;
  s.setStartOnAnyPacket(true);
  s.setKeepPictureIdHoles(true);
  REQUIRE(s.setTargetLayer(0));
  REQUIRE(s.setTargetTemporalLayer(0));
  std::vector<uint16_t> ids;
  std::vector<uint16_t> seqs;
  for (int i = 0; i < 9; ++i) {
    for (const Packet& p : vp9.picture(i == 0, false)) {
      const Decision d = s.onPacket(0, p.seq, p.timestamp, p.info, Width::k15Bit, kT0);
      if (!d.forward) continue;
      seqs.push_back(d.seq);
      if (p.info.spatialLayer == 0 && p.info.frameStart) ids.push_back(*d.pictureId);
    }
  }
  CHECK(ids == std::vector<uint16_t>{32766, 2, 6});  // every fourth picture, with its own id (wrapping)
  REQUIRE(seqs.size() == 3 * 4);
  for (size_t i = 1; i < seqs.size(); ++i)
    CHECK(seqs[i] == static_cast<uint16_t>(seqs[i - 1] + 1));  // sequence numbers have no holes
}

TEST_CASE("SimulcastSwitcher layers: all layers is the simulcast behaviour, no marker override") {
  Publisher vp9(10, 1, 1, 3, true);
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  sub.feed(vp9.picture(true, true));
  for (int i = 0; i < 6; ++i)
    sub.feed(vp9.picture(false, false));
  CHECK(sub.dropped.empty());
  for (const Decision& d : sub.sent)
    CHECK_FALSE(d.marker);
  CHECK(sub.sent.front().seq == 10);  // passed through
  CHECK(sub.sent.back().seq == 10 + 7 * 6 - 1);
  CHECK_FALSE(sub.switcher.setTargetTemporalLayer(8));
  CHECK_FALSE(sub.switcher.setTargetSpatialLayer(-1));
}

TEST_CASE("SimulcastSwitcher layers: without start on any packet, the stream waits for a key frame") {
  Publisher vp8(1, 1, 1, 1, false);
  SimulcastSwitcher s;
  REQUIRE(s.setTargetLayer(0));
  const auto delta = vp8.picture(false, false);
  CHECK_FALSE(s.onPacket(0, delta[0].seq, delta[0].timestamp, delta[0].info, Width::k15Bit, kT0).forward);
  Subscriber sub;
  REQUIRE(sub.switcher.setTargetLayer(0));
  REQUIRE(sub.switcher.setTargetTemporalLayer(0));
  sub.feed(vp8.picture(false, false));  // TL2: not within the target, not a start
  CHECK(sub.sent.empty());
  sub.feed(vp8.picture(false, false));  // TL1
  CHECK(sub.sent.empty());
  sub.feed(vp8.picture(false, false));  // TL2
  sub.feed(vp8.picture(false, false));  // TL0: the stream starts
  CHECK(sub.sent.size() == 2);
  CHECK(sub.switcher.currentLayer() == 0);
}

TEST_CASE("SimulcastSwitcher layers: no allocation") {
  Publisher vp9(1, 1, 1, 3, true);
  std::vector<std::vector<Packet>> pictures;
  for (int i = 0; i < 64; ++i)
    pictures.push_back(vp9.picture(i % 16 == 0, true));
  SimulcastSwitcher s;
  s.setStartOnAnyPacket(true);
  const uint64_t before = switchyard::test::heapAllocations();
  s.setTargetLayer(0);
  s.setTargetSpatialLayer(1);
  s.setTargetTemporalLayer(1);
  size_t forwarded = 0;
  for (const auto& picture : pictures) {
    for (const Packet& p : picture) {
      const Decision d = s.onPacket(0, p.seq, p.timestamp, p.info, Width::k15Bit, kT0);
      if (d.forward) {
        ++forwarded;
        (void)s.inputSequenceFor(d.seq);
      }
    }
  }
  CHECK(switchyard::test::heapAllocations() == before);
  CHECK(forwarded > 0);
}
