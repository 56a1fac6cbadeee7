// Fuzzes the simulcast layer switcher (media/forward/SimulcastSwitcher) against a small model of
// the output stream.
//
// Input: operations until the input ends; every op advances time by 1 ms.
//   op % 4 == 0: setTargetLayer((op >> 2) % 6 - 2)              (-2 and 3 are invalid)
//   op % 4 == 1: a packet near the layer's last one: flags byte F, then seq step (int8), then a byte
//                P: picture id += (P & 3) - 1, TL0PICIDX += ((P >> 2) & 3) - 1
//   op % 4 == 2: a packet anywhere: F, seq (2 bytes), timestamp (4), picture id (2), TL0PICIDX (1)
//   op % 4 == 3: time advances by (op >> 2) * next byte ms, or goes back next byte ms if op >> 2 == 0
//   F: layer = F & 3 (3 is invalid), key frame = F & 4, frame start = F & 8, picture id present = F &
//      16, TL0PICIDX present = F & 32, 7-bit picture id = F & 64, new frame (timestamp + 3000) = F & 128
//
// Traps unless: invalid layers are refused and change nothing; a pause leaves the current layer;
// the current layer changes only with a switched decision, and a switch happens only on a key frame
// start of the target layer while it is not current; forwarded packets belong to the current layer;
// needKeyframe == (target set and not current); at a switch the output seq is exactly the highest
// output seq + 1, the output timestamp is newer than the highest output timestamp, the picture id and
// TL0PICIDX are the last ones + 1 (modulo their width); within a segment the seq, timestamp, picture
// id and TL0PICIDX offsets stay the same (so duplicates map to the same output), an input newer than
// the segment's highest gives an output newer than the highest output, and no output goes back before
// the segment's first one; inputSequenceFor() inverts the segment's offset and answers for every
// packet just forwarded, nothing while paused.
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

struct Segment {
  uint16_t startOut = 0;
  uint16_t highestIn = 0;
  uint32_t progress = 0;  // forward distance from the switch point to highestIn
  uint16_t seqOffset = 0;
  uint32_t tsOffset = 0;
  std::optional<uint16_t> pictureIdOffset;  // (out - in) of the first packet with a picture id
  Width pictureIdWidth = Width::k15Bit;
  std::optional<uint8_t> tl0Offset;
};

struct Model {
  std::optional<uint16_t> highestOutSeq;
  uint32_t highestOutTs = 0;
  std::optional<uint16_t> lastPictureId;
  std::optional<uint8_t> lastTl0;
  Segment segment;
};

// a is 1 .. 32767 ahead of b (in order; the half-way distance counts as neither way).
bool ahead(uint16_t a, uint16_t b) {
  const auto forward = static_cast<uint16_t>(a - b);
  return forward != 0 && forward < 0x8000;
}

uint16_t maskOf(Width width) {
  return width == Width::k7Bit ? uint16_t{0x7f} : uint16_t{0x7fff};
}

void packet(SimulcastSwitcher& switcher, Model& model, int layer, uint16_t seq, uint32_t timestamp,
            const switchyard::media::codec::PayloadInfo& info, Width width, Clock::time_point now) {
  const int before = switcher.currentLayer();
  const int target = switcher.targetLayer();
  const SimulcastSwitcher::Decision d = switcher.onPacket(layer, seq, timestamp, info, width, now);
  const int after = switcher.currentLayer();

  FUZZ_REQUIRE(switcher.targetLayer() == target);
  FUZZ_REQUIRE(d.needKeyframe == (target != SimulcastSwitcher::kPaused && after != target));
  FUZZ_REQUIRE(d.needKeyframe == switcher.waitingForKeyframe());
  if (after != before) FUZZ_REQUIRE(d.switched);
  if (d.switched) {
    FUZZ_REQUIRE(d.forward);
    FUZZ_REQUIRE(info.keyFrame && info.frameStart);
    FUZZ_REQUIRE(layer == target && before != target && after == target);
  }
  if (!d.forward) {
    FUZZ_REQUIRE(!d.pictureId && !d.tl0PicIdx);
    return;
  }
  FUZZ_REQUIRE(layer == after);
  FUZZ_REQUIRE(d.pictureId.has_value() == info.pictureId.has_value());
  FUZZ_REQUIRE(d.tl0PicIdx.has_value() == info.tl0PicIdx.has_value());
  if (d.pictureId) FUZZ_REQUIRE(*d.pictureId <= maskOf(width));

  Segment& s = model.segment;
  bool inOrder = false;
  if (d.switched) {
    if (model.highestOutSeq) {
      FUZZ_REQUIRE(d.seq == static_cast<uint16_t>(*model.highestOutSeq + 1));
      FUZZ_REQUIRE(rtp::timestampNewer(d.timestamp, model.highestOutTs));
    }
    if (d.pictureId && model.lastPictureId)
      FUZZ_REQUIRE(*d.pictureId == ((*model.lastPictureId + 1) & maskOf(width)));
    if (d.tl0PicIdx && model.lastTl0) FUZZ_REQUIRE(*d.tl0PicIdx == static_cast<uint8_t>(*model.lastTl0 + 1));
    s = Segment{};
    s.startOut = d.seq;
    s.highestIn = seq;
    s.seqOffset = static_cast<uint16_t>(d.seq - seq);
    s.tsOffset = d.timestamp - timestamp;
    inOrder = true;
  } else {
    FUZZ_REQUIRE(d.seq == static_cast<uint16_t>(seq + s.seqOffset));
    FUZZ_REQUIRE(d.timestamp == timestamp + s.tsOffset);
    if (ahead(seq, s.highestIn)) {
      FUZZ_REQUIRE(model.highestOutSeq && ahead(d.seq, *model.highestOutSeq));
      s.progress += static_cast<uint16_t>(seq - s.highestIn);
      s.highestIn = seq;
      inOrder = true;
    }
    if (s.progress < 0x7fff) FUZZ_REQUIRE(static_cast<uint16_t>(d.seq - s.startOut) <= s.progress);
  }
  if (d.pictureId) {
    const auto offset = static_cast<uint16_t>((*d.pictureId - *info.pictureId) & 0x7fff);
    if (!s.pictureIdOffset) {
      s.pictureIdOffset = offset;
      s.pictureIdWidth = width;
    } else if (s.pictureIdWidth == width) {
      FUZZ_REQUIRE((offset & maskOf(width)) == (*s.pictureIdOffset & maskOf(width)));
    }
    if (inOrder || !model.lastPictureId) model.lastPictureId = *d.pictureId;
  }
  if (d.tl0PicIdx) {
    const auto offset = static_cast<uint8_t>(*d.tl0PicIdx - *info.tl0PicIdx);
    if (!s.tl0Offset) s.tl0Offset = offset;
    FUZZ_REQUIRE(offset == *s.tl0Offset);
    if (inOrder || !model.lastTl0) model.lastTl0 = *d.tl0PicIdx;
  }
  if (!model.highestOutSeq || ahead(d.seq, *model.highestOutSeq)) model.highestOutSeq = d.seq;
  if (d.switched || rtp::timestampNewer(d.timestamp, model.highestOutTs)) model.highestOutTs = d.timestamp;
  FUZZ_REQUIRE(switcher.inputSequenceFor(d.seq) == seq);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(std::span<const uint8_t>(data, size));
  SimulcastSwitcher switcher;
  Model model;
  std::array<LayerState, 4> layers{};
  auto now = Clock::time_point{} + std::chrono::hours(1);

  while (!in.empty()) {
    const uint8_t op = in.byte();
    now += std::chrono::milliseconds(1);
    switch (op % 4) {
      case 0: {
        const int layer = (op >> 2) % 6 - 2;
        const int current = switcher.currentLayer();
        const int target = switcher.targetLayer();
        const bool ok = switcher.setTargetLayer(layer);
        if (layer < SimulcastSwitcher::kPaused || layer >= SimulcastSwitcher::kLayers) {
          FUZZ_REQUIRE(!ok);
          FUZZ_REQUIRE(switcher.currentLayer() == current && switcher.targetLayer() == target);
        } else {
          FUZZ_REQUIRE(ok);
          FUZZ_REQUIRE(switcher.targetLayer() == layer);
          FUZZ_REQUIRE(switcher.currentLayer() == (layer == SimulcastSwitcher::kPaused ? layer : current));
        }
        break;
      }
      case 1:
      case 2: {
        const uint8_t flags = in.byte();
        const int layer = flags & 3;
        LayerState& state = layers[static_cast<size_t>(layer)];
        if (op % 4 == 1) {
          state.seq = static_cast<uint16_t>(state.seq + static_cast<int8_t>(in.byte()));
          if ((flags & 128) != 0) state.timestamp += 3000;
          const uint8_t steps = in.byte();
          state.pictureId = static_cast<uint16_t>(state.pictureId + (steps & 3) - 1);
          state.tl0 = static_cast<uint8_t>(state.tl0 + ((steps >> 2) & 3) - 1);
        } else {
          state.seq = static_cast<uint16_t>(in.byte() << 8 | in.byte());
          uint32_t ts = 0;
          for (int i = 0; i < 4; ++i)
            ts = ts << 8 | in.byte();
          state.timestamp = ts;
          state.pictureId = static_cast<uint16_t>(in.byte() << 8 | in.byte());
          state.tl0 = in.byte();
        }
        const Width width = (flags & 64) != 0 ? Width::k7Bit : Width::k15Bit;
        switchyard::media::codec::PayloadInfo info;
        info.keyFrame = (flags & 4) != 0;
        info.frameStart = (flags & 8) != 0;
        if ((flags & 16) != 0) info.pictureId = static_cast<uint16_t>(state.pictureId & maskOf(width));
        if ((flags & 32) != 0) info.tl0PicIdx = state.tl0;
        packet(switcher, model, layer, state.seq, state.timestamp, info, width, now);
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
      const auto probe = static_cast<uint16_t>(op * 257 + model.segment.startOut);
      if (const auto input = switcher.inputSequenceFor(probe))
        FUZZ_REQUIRE(static_cast<uint16_t>(probe - *input) == model.segment.seqOffset);
    }
  }
  return 0;
}
