#pragma once
// Encodes a transport-wide congestion control feedback packet (PT=205, FMT=15,
// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) from a list of packets, without heap.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/util/ByteWriter.h"

namespace switchyard::media::rtcp {

struct TwccPacket {
  uint16_t seq = 0;
  std::optional<int64_t> arrivalUs;  // nullopt: not received
};

class TransportCcWriter {
 public:
  // Writes one complete RTCP packet (header included, zero padded to 32 bits, P bit clear).
  //
  // `packets` must be non-empty and in increasing sequence order (mod 2^16, each step 1..32767);
  // sequence numbers missing between two entries are reported as not received. The base
  // sequence number is packets[0].seq and the status count spans to the last entry (<= 65535).
  // Arrival times are quantised down to 250 µs ticks; the reference time is the first received
  // packet's arrival rounded down to 64 ms (low 24 bits on the wire), so the decoder reproduces
  // every quantised arrival time modulo 2^24 * 64 ms. Negative and large deltas use the 2-byte
  // form. Chunks: a run-length chunk for a run covering the rest or >= 14 packets, else a 1-bit
  // vector (14 packets) when none needs a large delta, else a run-length chunk for runs >= 7,
  // else a 2-bit vector (7 packets).
  //
  // Returns false (the writer may hold a partial packet) when the list is empty or unordered, a
  // delta between consecutive received packets does not fit 16 bits signed (±8.19 s), or the
  // buffer is too small.
  static bool write(util::ByteWriter& writer, uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t fbPktCount,
                    std::span<const TwccPacket> packets) noexcept;
};

}  // namespace switchyard::media::rtcp
