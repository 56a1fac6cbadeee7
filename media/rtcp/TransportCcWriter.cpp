#include "media/rtcp/TransportCcWriter.h"

#include <algorithm>

#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/RtcpHeaderWriter.h"

namespace switchyard::media::rtcp {

namespace {

constexpr int64_t kTickUs = 250;
constexpr int64_t kReferenceTicks = 256;
constexpr size_t kMaxRunLength = 0x1fff;
constexpr size_t kOneBitSymbols = 14;
constexpr size_t kTwoBitSymbols = 7;

constexpr int64_t floorDiv(int64_t a, int64_t b) noexcept {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Yields the status symbol of every packet from the base sequence number on, filling gaps with
// "not received". Copyable, so the chunk encoder can look ahead.
class SymbolStream {
 public:
  SymbolStream(std::span<const TwccPacket> packets, int64_t referenceTicks) noexcept
      : packets_(packets), prevTicks_(referenceTicks) {}

  uint8_t next() noexcept {
    uint8_t symbol = 0;
    if (k_ < packets_.size() && offset_ == nextOffset_) {
      const auto& arrival = packets_[k_].arrivalUs;
      if (arrival) {
        const int64_t ticks = floorDiv(*arrival, kTickUs);
        const int64_t delta = ticks - prevTicks_;
        prevTicks_ = ticks;
        symbol = (delta >= 0 && delta <= 0xff) ? 1 : 2;
      }
      ++k_;
      if (k_ < packets_.size()) {
        nextOffset_ += static_cast<uint16_t>(packets_[k_].seq - packets_[k_ - 1].seq);
      }
    }
    ++offset_;
    return symbol;
  }

 private:
  std::span<const TwccPacket> packets_;
  size_t k_ = 0;
  size_t offset_ = 0;      // status index of the next symbol
  size_t nextOffset_ = 0;  // status index of packets_[k_]
  int64_t prevTicks_;
};

}  // namespace

bool TransportCcWriter::write(util::ByteWriter& writer, uint32_t senderSsrc, uint32_t mediaSsrc,
                              uint8_t fbPktCount, std::span<const TwccPacket> packets) noexcept {
  if (packets.empty()) return false;
  // Validate order and span, find the reference time, check every delta fits 16 bits signed.
  size_t statusCount = 1;
  for (size_t k = 1; k < packets.size(); ++k) {
    const uint16_t step = static_cast<uint16_t>(packets[k].seq - packets[k - 1].seq);
    if (step == 0 || step > 0x7fff) return false;
    statusCount += step;
    if (statusCount > 0xffff) return false;
  }
  std::optional<int64_t> reference;
  int64_t prevTicks = 0;
  for (const auto& packet : packets) {
    if (!packet.arrivalUs) continue;
    const int64_t ticks = floorDiv(*packet.arrivalUs, kTickUs);
    if (!reference) {
      reference = floorDiv(ticks, kReferenceTicks);
      prevTicks = *reference * kReferenceTicks;
    }
    const int64_t delta = ticks - prevTicks;
    if (delta < INT16_MIN || delta > INT16_MAX) return false;
    prevTicks = ticks;
  }
  const int64_t referenceTime = reference.value_or(0);

  const size_t start = writer.size();
  writeRtcpHeader(writer, kFmtTransportCc, kPtRtpfb);
  writer.u32(senderSsrc);
  writer.u32(mediaSsrc);
  writer.u16(packets[0].seq);
  writer.u16(static_cast<uint16_t>(statusCount));
  writer.u24(static_cast<uint32_t>(referenceTime) & 0xffffff);
  writer.u8(fbPktCount);

  // Packet status chunks.
  SymbolStream stream(packets, referenceTime * kReferenceTicks);
  size_t done = 0;
  while (done < statusCount) {
    const size_t remaining = statusCount - done;
    SymbolStream peek = stream;
    const uint8_t first = peek.next();
    size_t run = 1;
    while (run < remaining && run < kMaxRunLength && peek.next() == first)
      ++run;

    bool useRun = run == remaining || run >= kOneBitSymbols;
    bool oneBit = false;
    if (!useRun) {
      const size_t window = std::min(kOneBitSymbols, remaining);
      SymbolStream look = stream;
      oneBit = true;
      for (size_t i = 0; i < window && oneBit; ++i)
        oneBit = look.next() <= 1;
      if (!oneBit) useRun = run >= kTwoBitSymbols;
    }
    if (useRun) {
      writer.u16(static_cast<uint16_t>((uint32_t{first} << 13) | run));
      for (size_t i = 0; i < run; ++i)
        stream.next();
      done += run;
    } else if (oneBit) {
      const size_t n = std::min(kOneBitSymbols, remaining);
      uint32_t chunk = 0x8000;
      for (size_t i = 0; i < n; ++i)
        chunk |= uint32_t{stream.next()} << (13 - i);
      writer.u16(static_cast<uint16_t>(chunk));
      done += n;
    } else {
      const size_t n = std::min(kTwoBitSymbols, remaining);
      uint32_t chunk = 0xc000;
      for (size_t i = 0; i < n; ++i)
        chunk |= uint32_t{stream.next()} << (12 - 2 * i);
      writer.u16(static_cast<uint16_t>(chunk));
      done += n;
    }
  }

  // Receive deltas.
  prevTicks = referenceTime * kReferenceTicks;
  for (const auto& packet : packets) {
    if (!packet.arrivalUs) continue;
    const int64_t ticks = floorDiv(*packet.arrivalUs, kTickUs);
    const int64_t delta = ticks - prevTicks;
    prevTicks = ticks;
    if (delta >= 0 && delta <= 0xff) {
      writer.u8(static_cast<uint8_t>(delta));
    } else {
      writer.u16(static_cast<uint16_t>(static_cast<int16_t>(delta)));
    }
  }

  return finishRtcpPacket(writer, start);
}

}  // namespace switchyard::media::rtcp
