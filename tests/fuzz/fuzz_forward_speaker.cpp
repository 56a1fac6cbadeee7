// Fuzzes the ActiveSpeakerDetector (media/forward) with arbitrary sequences of control and data
// operations over eight producer ids (0, 1, 2, 3, 1000, 65535, 0x7fffffff, 0xffffffff) and custom
// options. The first 4 bytes choose the options (silence level, switch margin, switch interval and
// hold time in 100 ms steps); then each operation is 2 bytes [op, arg]:
//   op bits 0-2: producer id index
//   op bits 3-4: 0 = onLevel (arg = level, all 256 values; op bit 7 = V flag), 1 = evaluate,
//                2 = addStream, 3 = removeStream
//   op bits 5-6: time advance before the operation: 0 = none, 1 = arg ms / 4 (onLevel) or arg ms,
//                2 = 20 ms, 3 = arg * 100 ms (jumps over whole windows)
// Invariants (trap otherwise): evaluate only returns an added id, different from the speaker
// before the call, which current() then reports; when it returns nothing, current() is unchanged;
// current() is always an added id or empty; removing the speaker clears current().
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "media/forward/ActiveSpeakerDetector.h"

namespace {

using switchyard::media::forward::ActiveSpeakerDetector;
using Clock = ActiveSpeakerDetector::Clock;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

constexpr std::array<uint32_t, 8> kIds = {0, 1, 2, 3, 1000, 65535, 0x7fffffff, 0xffffffff};

struct Model {
  std::array<bool, kIds.size()> added{};

  [[nodiscard]] bool isAdded(uint32_t id) const {
    for (size_t i = 0; i < kIds.size(); ++i)
      if (kIds[i] == id) return added[i];
    return false;
  }
  [[nodiscard]] size_t count() const {
    size_t n = 0;
    for (bool a : added)
      n += a ? 1 : 0;
    return n;
  }
};

void checkCurrent(const ActiveSpeakerDetector& detector, const Model& model) {
  const auto current = detector.current();
  FUZZ_REQUIRE(!current || model.isAdded(*current));
  FUZZ_REQUIRE(detector.streamCount() == model.count());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  ActiveSpeakerDetector::Options options;
  options.silenceLevel = data[0];  // values above 127 are clamped by the detector
  options.switchMargin = static_cast<uint8_t>(data[1] % 32);
  options.minSwitchInterval = std::chrono::milliseconds(100 * (data[2] % 16));
  options.minHoldTime = std::chrono::milliseconds(100 * (data[3] % 32));
  ActiveSpeakerDetector detector(options);
  Model model;
  Clock::time_point now = Clock::time_point(std::chrono::hours(1));

  for (size_t i = 4; i + 1 < size; i += 2) {
    const uint8_t op = data[i];
    const uint8_t arg = data[i + 1];
    const size_t index = op & 0x07u;
    const uint32_t id = kIds[index];
    const unsigned kind = (op >> 3) & 0x03u;
    switch ((op >> 5) & 0x03u) {
      case 1:
        now += kind == 0 ? std::chrono::microseconds(arg * 250) : std::chrono::milliseconds(arg);
        break;
      case 2:
        now += std::chrono::milliseconds(20);
        break;
      case 3:
        now += std::chrono::milliseconds(100 * arg);
        break;
      default:
        break;
    }
    switch (kind) {
      case 0:
        detector.onLevel(id, arg, (op & 0x80u) != 0, now);
        break;
      case 1: {
        const auto before = detector.current();
        const auto result = detector.evaluate(now);
        if (result) {
          FUZZ_REQUIRE(model.isAdded(*result));
          FUZZ_REQUIRE(before != result);
          FUZZ_REQUIRE(detector.current() == result);
        } else {
          FUZZ_REQUIRE(detector.current() == before);
        }
        break;
      }
      case 2:
        detector.addStream(id);
        model.added[index] = true;
        break;
      default: {
        const bool wasCurrent = detector.current() == id;
        detector.removeStream(id);
        model.added[index] = false;
        if (wasCurrent) FUZZ_REQUIRE(!detector.current());
        break;
      }
    }
    checkCurrent(detector, model);
  }
  return 0;
}
