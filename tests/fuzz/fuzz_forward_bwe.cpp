// Fuzzes the send-side bandwidth estimator (media/forward/BandwidthEstimator) with any sequence of
// sent packets, transport-cc feedback (raw RTCP, or well-formed feedback about what was sent with
// fuzzed arrival times), probes and ticks.
//
// Input: operations of 1-5 bytes until the input ends:
//   op % 5 == 0: onPacketSent(next sequence number, size = 1 + next byte * 6), time += op >> 3 ms
//   op % 5 == 1: raw RTCP: the next (op >> 3) + 4 bytes go to RtcpCompound; each transport-cc
//                packet in it is fed to onFeedback
//   op % 5 == 2: well-formed feedback for the last (op >> 3) + 1 sent packets: each received unless
//                a bit of the next byte says lost, arrival = send time + next byte * 0.5 ms
//   op % 5 == 3: startProbe(next byte * 40 kbit/s), then probePaddingDue
//   op % 5 == 4: time += next byte * 8 ms; tick
// Traps unless: the estimate stays within [minBps, maxBps]; loss is in [0, 1]; packets reported
// never exceed packets sent; a probe never wants more than its rate allows over kProbeDuration.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/forward/BandwidthEstimator.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/TransportCcView.h"

namespace {

namespace forward = switchyard::media::forward;
namespace rtcp = switchyard::media::rtcp;
using forward::BandwidthEstimator;
using Clock = BandwidthEstimator::Clock;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

class Input {
 public:
  explicit Input(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  [[nodiscard]] bool empty() const { return offset_ >= bytes_.size(); }
  uint8_t byte() { return offset_ < bytes_.size() ? bytes_[offset_++] : 0; }
  std::span<const uint8_t> take(size_t n) {
    const size_t k = std::min(n, bytes_.size() - std::min(offset_, bytes_.size()));
    const auto out = bytes_.subspan(offset_, k);
    offset_ += k;
    return out;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

constexpr BandwidthEstimator::Options kOptions{300'000, 50'000, 5'000'000};

void feed(BandwidthEstimator& bwe, std::span<const uint8_t> bytes, Clock::time_point now) {
  const rtcp::RtcpCompound compound(bytes);
  if (!compound.valid()) return;
  for (auto it = compound.begin(); it != compound.end(); ++it) {
    const rtcp::RtcpPacket packet = *it;  // the iterator's reference lives in the iterator
    if (const auto view = rtcp::TransportCcView::parse(packet)) bwe.onFeedback(*view, now);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(std::span<const uint8_t>(data, size));
  BandwidthEstimator bwe(kOptions);
  Clock::time_point now = Clock::time_point{} + std::chrono::seconds(1000);
  const Clock::time_point epoch = now;
  uint16_t seq = 0;
  uint64_t sent = 0;
  std::vector<int64_t> sendUs(65536, 0);
  std::array<uint8_t, 1500> buffer{};
  while (!in.empty()) {
    const uint8_t op = in.byte();
    switch (op % 5) {
      case 0: {
        now += std::chrono::milliseconds(op >> 3);
        sendUs[seq] = std::chrono::duration_cast<std::chrono::microseconds>(now - epoch).count();
        bwe.onPacketSent(seq++, 1 + size_t{in.byte()} * 6, now);
        ++sent;
        break;
      }
      case 1:
        feed(bwe, in.take(static_cast<size_t>(op >> 3) + 4), now);
        break;
      case 2: {
        const size_t count = std::min<size_t>(static_cast<size_t>(op >> 3) + 1, seq);
        if (count == 0) break;
        std::array<rtcp::TwccPacket, 32> packets{};
        const uint8_t lost = in.byte();
        for (size_t i = 0; i < count; ++i) {
          const auto s = static_cast<uint16_t>(seq - count + i);
          packets[i].seq = s;
          if ((lost >> (i % 8) & 1) == 0) packets[i].arrivalUs = sendUs[s] + int64_t{in.byte()} * 500;
        }
        // Arrivals must not go back more than the writer can encode; the writer refuses otherwise.
        rtcp::RtcpCompoundBuilder builder(buffer);
        if (builder.addTransportCc(1, 2, op, std::span<const rtcp::TwccPacket>(packets).first(count))) {
          feed(bwe, builder.data(), now);
        }
        break;
      }
      case 3: {
        const uint32_t rate = uint32_t{in.byte()} * 40'000;
        bwe.startProbe(rate, now);
        const size_t due = bwe.probePaddingDue(now + std::chrono::milliseconds(op >> 3));
        FUZZ_REQUIRE(due <= size_t{kOptions.maxBps} / 8);
        break;
      }
      default:
        now += std::chrono::milliseconds(size_t{in.byte()} * 8);
        bwe.tick(now);
        break;
    }
    FUZZ_REQUIRE(bwe.estimateBps() >= kOptions.minBps && bwe.estimateBps() <= kOptions.maxBps);
    FUZZ_REQUIRE(bwe.lossRatio() >= 0 && bwe.lossRatio() <= 1);
    FUZZ_REQUIRE(bwe.counters().packetsReported <= sent);
    (void)bwe.ackedBps(now);
  }
  return 0;
}
