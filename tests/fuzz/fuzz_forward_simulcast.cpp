// Fuzzes the layer switcher (media/forward/SimulcastSwitcher: simulcast stream layers, temporal and
// spatial layers) against a small model of the output stream.
//
// Input: the first byte sets start-on-any-packet (bit 0); then operations until the input ends; every
// op advances time by 1 ms.
//   op % 4 == 0: v = op >> 2: v < 24: setTargetLayer(v % 6 - 2) (-2 and 3 are invalid); v < 44:
//                setTargetTemporalLayer((v - 24) % 10 - 1); else setTargetSpatialLayer((v - 44) % 10 - 1)
//                (-1 and 8 are invalid)
//   op % 4 == 1: a packet near the layer's last one: flags byte F, then seq step (int8), then a byte
//                P: picture id += (P & 3) - 1, TL0PICIDX += ((P >> 2) & 3) - 1, frame end known = P & 16,
//                frame end = P & 32; then a layer byte L
//   op % 4 == 2: a packet anywhere: F, seq (2 bytes), timestamp (4), picture id (2), TL0PICIDX (1), P, L
//   op % 4 == 3: time advances by (op >> 2) * next byte ms, or goes back next byte ms if op >> 2 == 0
//   F: layer = F & 3 (3 is invalid), key frame = F & 4, frame start = F & 8, picture id present = F &
//      16, TL0PICIDX present = F & 32, 7-bit picture id = F & 64, new frame (timestamp + 3000) = F & 128
//   L: TID = L & 7, SID = (L >> 3) & 7, layer sync = L & 64
//
// Traps unless: invalid targets are refused and change nothing; a pause leaves the current layer;
// the current layer changes only with a switched decision, and a switch happens only for the target
// layer while it is not current, on a key frame start (or, with start-on-any-packet, the first packet
// ever forwarded) within the spatial target; forwarded packets belong to the current layer;
// needKeyframe == waitingForKeyframe() == (target set and (not current or the spatial layer below its
// target)); the current temporal layer changes only to the target or (layer sync) to the packet's TID
// at or below the target, the current spatial layer only to the target, upward only at a key frame
// start; an in-order forwarded packet is within the current spatial layer and a marked one ends a
// frame of it; sequence numbers: at a switch exactly the highest output + 1; an in-order packet d
// ahead of the segment's highest input gets exactly (next unused output) + d - 1 when forwarded, and
// a dropped one uses no number; within a segment one input has one output and one output one input;
// a dropped in-order input is never forwarded later; timestamps keep the segment's offset and are
// newer than the highest at a switch; picture ids and TL0PICIDX at a switch are the last ones + 1;
// inputSequenceFor() answers the input for every packet just forwarded, never a dropped input, nothing
// while paused.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/PayloadInfo.h"
#include "media/forward/SimulcastSwitcher.h"
#include "media/rtp/SequenceNumber.h"

namespace {

namespace forward = switchyard::media::forward;
namespace rtp = switchyard::media::rtp;
using forward::SimulcastSwitcher;
using Clock = SimulcastSwitcher::Clock;
using Width = SimulcastSwitcher::PictureIdWidth;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

class Input {
 public:
  explicit Input(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  [[nodiscard]] bool empty() const { return offset_ >= bytes_.size(); }
  uint8_t byte() { return offset_ < bytes_.size() ? bytes_[offset_++] : 0; }

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

// What the publisher last sent on one layer (the generator's state).
struct LayerState {
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint16_t pictureId = 0;
  uint8_t tl0 = 0;
};

// One segment's input <-> output sequence number maps, valid for entries of the current generation
// whose extended (unwrapped) number is the one asked about.
struct SeqMaps {
  static constexpr uint16_t kDropped = 0xffff;  // in inToOut.value with dropped = true
  struct Entry {
    uint32_t generation = 0;
    int64_t extended = 0;
    uint16_t value = 0;
    bool dropped = false;
  };
  std::array<Entry, 65536> inToOut{};
  std::array<Entry, 65536> outToIn{};
  uint32_t generation = 1;
};

struct Model {
  std::optional<uint16_t> highestOutSeq;
  uint32_t highestOutTs = 0;
  std::optional<uint16_t> lastPictureId;
  std::optional<uint8_t> lastTl0;
  bool forwardedAny = false;
  // The segment.
  uint16_t highestIn = 0;
  uint16_t nextOut = 0;      // the output a packet right after highestIn gets
  int64_t highestInExt = 0;  // highestIn and nextOut unwrapped
  int64_t nextOutExt = 0;
  uint32_t tsOffset = 0;
  std::optional<uint8_t> tl0Offset;
};

SeqMaps gMaps;
Model gModel;

// a is 1 .. 32767 ahead of b (in order; the half-way distance counts as neither way).
bool ahead(uint16_t a, uint16_t b) {
  const auto forward = static_cast<uint16_t>(a - b);
  return forward != 0 && forward < 0x8000;
}

uint16_t maskOf(Width width) {
  return width == Width::k7Bit ? uint16_t{0x7f} : uint16_t{0x7fff};
}

// `seq` unwrapped to the nearest of `reference` (an unwrapped number).
int64_t extend(int64_t reference, uint16_t seq) {
  return reference + static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(reference)));
}

bool current(const SeqMaps::Entry& e, int64_t extended) {
  return e.generation == gMaps.generation && e.extended == extended;
}

void packet(SimulcastSwitcher& switcher, bool startOnAny, int layer, uint16_t seq, uint32_t timestamp,
            const switchyard::media::codec::PayloadInfo& info, Width width, Clock::time_point now) {
  Model& model = gModel;
  const int before = switcher.currentLayer();
  const int target = switcher.targetLayer();
  const int temporalBefore = switcher.currentTemporalLayer();
  const int spatialBefore = switcher.currentSpatialLayer();
  const int targetTemporal = switcher.targetTemporalLayer();
  const int targetSpatial = switcher.targetSpatialLayer();
  const bool keyStart = info.keyFrame && info.frameStart;
  const SimulcastSwitcher::Decision d = switcher.onPacket(layer, seq, timestamp, info, width, now);
  const int after = switcher.currentLayer();

  FUZZ_REQUIRE(switcher.targetLayer() == target);
  FUZZ_REQUIRE(switcher.targetTemporalLayer() == targetTemporal);
  FUZZ_REQUIRE(switcher.targetSpatialLayer() == targetSpatial);
  FUZZ_REQUIRE(d.needKeyframe == switcher.waitingForKeyframe());
  FUZZ_REQUIRE(d.needKeyframe == (target != SimulcastSwitcher::kPaused &&
                                  (after != target || switcher.currentSpatialLayer() < targetSpatial)));
  if (after != before) FUZZ_REQUIRE(d.switched);
  const int temporalAfter = switcher.currentTemporalLayer();
  const int spatialAfter = switcher.currentSpatialLayer();
  if (temporalAfter != temporalBefore) {
    FUZZ_REQUIRE(temporalAfter == targetTemporal ||
                 (info.layerSync && temporalAfter == info.temporalLayer && temporalAfter <= targetTemporal));
  }
  if (spatialAfter != spatialBefore) FUZZ_REQUIRE(spatialAfter == targetSpatial);
  if (spatialAfter > spatialBefore) FUZZ_REQUIRE(keyStart || d.switched);
  if (d.switched) {
    FUZZ_REQUIRE(d.forward);
    FUZZ_REQUIRE(keyStart || (startOnAny && !model.forwardedAny));
    FUZZ_REQUIRE(info.spatialLayer <= targetSpatial);
    FUZZ_REQUIRE(layer == target && before != target && after == target);
  }

  const bool inOrder = !d.switched && layer == after && ahead(seq, model.highestIn);
  if (!d.forward) {
    FUZZ_REQUIRE(!d.pictureId && !d.tl0PicIdx && !d.marker);
    if (inOrder && after != SimulcastSwitcher::kPaused && layer == after) {
      // No number is used: the packets in between keep theirs.
      const auto distance = static_cast<uint16_t>(seq - model.highestIn);
      model.nextOut = static_cast<uint16_t>(model.nextOut + distance - 1U);
      model.nextOutExt += distance - 1;
      model.highestIn = seq;
      model.highestInExt += distance;
      gMaps.inToOut[seq] = {gMaps.generation, model.highestInExt, SeqMaps::kDropped, true};
    }
    return;
  }
  FUZZ_REQUIRE(layer == after);
  FUZZ_REQUIRE(d.pictureId.has_value() == info.pictureId.has_value());
  FUZZ_REQUIRE(d.tl0PicIdx.has_value() == info.tl0PicIdx.has_value());
  if (d.pictureId) FUZZ_REQUIRE(*d.pictureId <= maskOf(width));
  if (d.marker) FUZZ_REQUIRE(info.frameEnd.value_or(false));

  if (d.switched) {
    if (model.highestOutSeq) {
      FUZZ_REQUIRE(d.seq == static_cast<uint16_t>(*model.highestOutSeq + 1));
      FUZZ_REQUIRE(rtp::timestampNewer(d.timestamp, model.highestOutTs));
    }
    if (d.pictureId && model.lastPictureId)
      FUZZ_REQUIRE(*d.pictureId == ((*model.lastPictureId + 1) & maskOf(width)));
    if (d.tl0PicIdx && model.lastTl0) FUZZ_REQUIRE(*d.tl0PicIdx == static_cast<uint8_t>(*model.lastTl0 + 1));
    ++gMaps.generation;
    model.highestIn = seq;
    model.nextOut = static_cast<uint16_t>(d.seq + 1);
    model.highestInExt = (int64_t{1} << 40) + seq;  // any base with the same low 16 bits
    model.nextOutExt = (int64_t{1} << 40) + d.seq + 1;
    model.tsOffset = d.timestamp - timestamp;
    model.tl0Offset.reset();
  } else {
    FUZZ_REQUIRE(d.timestamp == timestamp + model.tsOffset);
    if (inOrder) {
      const auto distance = static_cast<uint16_t>(seq - model.highestIn);
      FUZZ_REQUIRE(d.seq == static_cast<uint16_t>(model.nextOut + distance - 1U));
      FUZZ_REQUIRE(info.spatialLayer <= spatialAfter);
      if (d.marker) FUZZ_REQUIRE(info.spatialLayer == spatialAfter);
      model.highestIn = seq;
      model.nextOut = static_cast<uint16_t>(d.seq + 1);
      model.highestInExt += distance;
      model.nextOutExt += distance;
    }
  }
  // One input, one output, within the segment; a dropped input stays dropped.
  const int64_t inExt = extend(model.highestInExt, seq);
  const int64_t outExt = extend(model.nextOutExt - 1, d.seq);
  SeqMaps::Entry& in = gMaps.inToOut[seq];
  if (current(in, inExt)) {
    FUZZ_REQUIRE(!in.dropped);
    FUZZ_REQUIRE(in.value == d.seq);
  }
  in = {gMaps.generation, inExt, d.seq, false};
  SeqMaps::Entry& out = gMaps.outToIn[d.seq];
  if (current(out, outExt)) FUZZ_REQUIRE(out.value == seq);
  out = {gMaps.generation, outExt, seq, false};

  if (d.tl0PicIdx) {
    const auto offset = static_cast<uint8_t>(*d.tl0PicIdx - *info.tl0PicIdx);
    if (!model.tl0Offset) model.tl0Offset = offset;
    FUZZ_REQUIRE(offset == *model.tl0Offset);
  }
  if (d.switched || inOrder) {
    if (d.pictureId) model.lastPictureId = *d.pictureId;
    if (d.tl0PicIdx) model.lastTl0 = *d.tl0PicIdx;
    model.highestOutSeq = d.seq;
  }
  if (!model.lastPictureId && d.pictureId) model.lastPictureId = *d.pictureId;
  if (!model.lastTl0 && d.tl0PicIdx) model.lastTl0 = *d.tl0PicIdx;
  if (!model.forwardedAny || rtp::timestampNewer(d.timestamp, model.highestOutTs))
    model.highestOutTs = d.timestamp;
  model.forwardedAny = true;
  FUZZ_REQUIRE(switcher.inputSequenceFor(d.seq) == seq);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(std::span<const uint8_t>(data, size));
  SimulcastSwitcher switcher;
  const bool startOnAny = (in.byte() & 1) != 0;
  switcher.setStartOnAnyPacket(startOnAny);
  gModel = Model{};
  ++gMaps.generation;
  std::array<LayerState, 4> layers{};
  auto now = Clock::time_point{} + std::chrono::hours(1);

  while (!in.empty()) {
    const uint8_t op = in.byte();
    now += std::chrono::milliseconds(1);
    switch (op % 4) {
      case 0: {
        const int v = op >> 2;
        const int current = switcher.currentLayer();
        const int target = switcher.targetLayer();
        const int targetTemporal = switcher.targetTemporalLayer();
        const int targetSpatial = switcher.targetSpatialLayer();
        if (v < 24) {
          const int layer = v % 6 - 2;
          const bool ok = switcher.setTargetLayer(layer);
          if (layer < SimulcastSwitcher::kPaused || layer >= SimulcastSwitcher::kLayers) {
            FUZZ_REQUIRE(!ok);
            FUZZ_REQUIRE(switcher.currentLayer() == current && switcher.targetLayer() == target);
          } else {
            FUZZ_REQUIRE(ok);
            FUZZ_REQUIRE(switcher.targetLayer() == layer);
            FUZZ_REQUIRE(switcher.currentLayer() == (layer == SimulcastSwitcher::kPaused ? layer : current));
          }
        } else {
          const bool temporal = v < 44;
          const int layer = (v - (temporal ? 24 : 44)) % 10 - 1;
          const bool ok =
              temporal ? switcher.setTargetTemporalLayer(layer) : switcher.setTargetSpatialLayer(layer);
          const bool valid = layer >= 0 && layer <= SimulcastSwitcher::kAllLayers;
          FUZZ_REQUIRE(ok == valid);
          FUZZ_REQUIRE(switcher.currentLayer() == current && switcher.targetLayer() == target);
          FUZZ_REQUIRE(switcher.targetTemporalLayer() == (temporal && valid ? layer : targetTemporal));
          FUZZ_REQUIRE(switcher.targetSpatialLayer() == (!temporal && valid ? layer : targetSpatial));
        }
        break;
      }
      case 1:
      case 2: {
        const uint8_t flags = in.byte();
        const int layer = flags & 3;
        LayerState& state = layers[static_cast<size_t>(layer)];
        uint8_t p = 0;
        if (op % 4 == 1) {
          state.seq = static_cast<uint16_t>(state.seq + static_cast<int8_t>(in.byte()));
          if ((flags & 128) != 0) state.timestamp += 3000;
          p = in.byte();
          state.pictureId = static_cast<uint16_t>(state.pictureId + (p & 3) - 1);
          state.tl0 = static_cast<uint8_t>(state.tl0 + ((p >> 2) & 3) - 1);
        } else {
          state.seq = static_cast<uint16_t>(in.byte() << 8 | in.byte());
          uint32_t ts = 0;
          for (int i = 0; i < 4; ++i)
            ts = ts << 8 | in.byte();
          state.timestamp = ts;
          state.pictureId = static_cast<uint16_t>(in.byte() << 8 | in.byte());
          state.tl0 = in.byte();
          p = in.byte();
        }
        const uint8_t l = in.byte();
        const Width width = (flags & 64) != 0 ? Width::k7Bit : Width::k15Bit;
        switchyard::media::codec::PayloadInfo info;
        info.keyFrame = (flags & 4) != 0;
        info.frameStart = (flags & 8) != 0;
        if ((flags & 16) != 0) info.pictureId = static_cast<uint16_t>(state.pictureId & maskOf(width));
        if ((flags & 32) != 0) info.tl0PicIdx = state.tl0;
        if ((p & 16) != 0) info.frameEnd = (p & 32) != 0;
        info.temporalLayer = static_cast<uint8_t>(l & 7);
        info.spatialLayer = static_cast<uint8_t>((l >> 3) & 7);
        info.layerSync = (l & 64) != 0;
        packet(switcher, startOnAny, layer, state.seq, state.timestamp, info, width, now);
        break;
      }
      default: {
        const uint8_t amount = in.byte();
        if ((op >> 2) == 0)
          now -= std::chrono::milliseconds(amount);
        else
          now += std::chrono::milliseconds((op >> 2) * amount);
        break;
      }
    }
    if (switcher.currentLayer() == SimulcastSwitcher::kPaused) {
      FUZZ_REQUIRE(!switcher.inputSequenceFor(static_cast<uint16_t>(now.time_since_epoch().count())));
    } else {
      const auto probe = static_cast<uint16_t>(op * 257 + gModel.nextOut);
      if (const auto input = switcher.inputSequenceFor(probe)) {
        const SeqMaps::Entry& e = gMaps.inToOut[*input];
        if (current(e, extend(gModel.highestInExt, *input))) {
          FUZZ_REQUIRE(!e.dropped);
          FUZZ_REQUIRE(e.value == probe);
        }
        const SeqMaps::Entry& o = gMaps.outToIn[probe];
        if (current(o, extend(gModel.nextOutExt - 1, probe))) FUZZ_REQUIRE(o.value == *input);
      }
    }
  }
  return 0;
}
