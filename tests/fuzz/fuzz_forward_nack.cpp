// Fuzzes the receive-side NACK generator (media/forward/NackGenerator) against a small model.
//
// Input: 5 option bytes, then operations of 1-3 bytes until the input ends:
//   options: maxMissing = 1 + b0, maxGap = 1 + (b1 << 8 | b2) (the generator clamps it),
//            maxRetries = b3 % 16, reorderDelay = (b4 % 32) ms
//   op % 4 == 0: onPacket(highest + int8 next byte)     (near the front: holes, reorders, duplicates)
//   op % 4 == 1: onPacket(next two bytes)                (anywhere: wrap-around, resets)
//   op % 4 == 2: time advances by next byte * (1 + ((op >> 2) & 15)) ms
//   op % 4 == 3: collect(now, rtt = (next byte - 16) * 4 ms, out of (op >> 2) entries)
// Every op also advances time by 1 ms.
//
// The model knows which 16-bit sequence numbers count as received: a kInOrder packet is received
// and the holes it opens are not; kRecovered and kDuplicate packets are received; kReset forgets
// everything but the new packet. Traps unless: results agree with the distance to the highest
// sequence number and maxGap; kRecovered is never a received packet; collect() writes at most
// out.size() numbers, ascending (wrap-aware), all older than the highest, none received, each
// counted in nacksRequested; recovered + givenUp + missingCount() == packetsMissing; missingCount()
// <= maxMissing.
#include <array>
#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/forward/NackGenerator.h"
#include "media/rtp/SequenceNumber.h"

namespace {

namespace forward = switchyard::media::forward;
namespace rtp = switchyard::media::rtp;
using forward::NackGenerator;
using Clock = NackGenerator::Clock;
using Result = NackGenerator::Result;

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

struct Model {
  std::bitset<65536> received;
  std::optional<uint16_t> highest;
};

void checkBalance(const NackGenerator& nack) {
  const auto& c = nack.counters();
  FUZZ_REQUIRE(c.recovered + c.givenUp + nack.missingCount() == c.packetsMissing);
  FUZZ_REQUIRE(nack.missingCount() <= nack.options().maxMissing);
}

void packet(NackGenerator& nack, Model& model, uint16_t seq, Clock::time_point now) {
  const bool wasReceived = model.received.test(seq);
  const Result result = nack.onPacket(seq, now);
  if (!model.highest) {
    FUZZ_REQUIRE(result == Result::kInOrder);
    model.highest = seq;
    model.received.set(seq);
    return;
  }
  const int32_t delta = rtp::seqDelta(seq, *model.highest);
  const int32_t maxGap = nack.options().maxGap;
  if (delta > maxGap || delta < -maxGap) {
    FUZZ_REQUIRE(result == Result::kReset);
    model.received.reset();
    model.received.set(seq);
    model.highest = seq;
    return;
  }
  if (delta > 0) {
    FUZZ_REQUIRE(result == Result::kInOrder);
    for (int32_t i = 1; i < delta; ++i)
      model.received.reset(static_cast<uint16_t>(*model.highest + i));
    model.received.set(seq);
    model.highest = seq;
    return;
  }
  FUZZ_REQUIRE(result == Result::kRecovered || result == Result::kDuplicate);
  if (wasReceived) FUZZ_REQUIRE(result == Result::kDuplicate);
  if (delta == 0) FUZZ_REQUIRE(result == Result::kDuplicate);
  model.received.set(seq);
}

void collect(NackGenerator& nack, const Model& model, Clock::time_point now, Clock::duration rtt,
             size_t room) {
  constexpr uint16_t kCanary = 0xbeef;
  std::array<uint16_t, 64> out{};
  out.fill(kCanary);
  const uint64_t before = nack.counters().nacksRequested;
  const size_t n = nack.collect(now, rtt, std::span(out).first(room));
  FUZZ_REQUIRE(n <= room);
  for (size_t i = room; i < out.size(); ++i)
    FUZZ_REQUIRE(out[i] == kCanary);
  FUZZ_REQUIRE(nack.counters().nacksRequested == before + n);
  for (size_t i = 0; i < n; ++i) {
    FUZZ_REQUIRE(model.highest.has_value());
    FUZZ_REQUIRE(!model.received.test(out[i]));
    FUZZ_REQUIRE(rtp::seqNewer(*model.highest, out[i]));
    if (i > 0) FUZZ_REQUIRE(rtp::seqNewer(out[i], out[i - 1]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(std::span<const uint8_t>(data, size));
  NackGenerator::Options options;
  options.maxMissing = size_t{1} + in.byte();
  const int gapHi = in.byte();
  const int gapLo = in.byte();
  options.maxGap = static_cast<uint16_t>(1 + ((gapHi << 8 | gapLo) & 0x7ffe));
  options.maxRetries = in.byte() % 16u;
  options.reorderDelay = std::chrono::milliseconds(in.byte() % 32);
  NackGenerator nack(options);
  Model model;

  auto now = Clock::time_point{} + std::chrono::hours(1);
  while (!in.empty()) {
    const uint8_t op = in.byte();
    now += std::chrono::milliseconds(1);
    switch (op % 4) {
      case 0: {
        const auto step = static_cast<int8_t>(in.byte());
        packet(nack, model, static_cast<uint16_t>(model.highest.value_or(0) + step), now);
        break;
      }
      case 1: {
        const int hi = in.byte();
        const int lo = in.byte();
        packet(nack, model, static_cast<uint16_t>(hi << 8 | lo), now);
        break;
      }
      case 2:
        now += std::chrono::milliseconds(in.byte() * (1 + ((op >> 2) & 15)));
        break;
      default:
        collect(nack, model, now, std::chrono::milliseconds((in.byte() - 16) * 4), size_t{op} >> 2);
        break;
    }
    checkBalance(nack);
  }
  return 0;
}
