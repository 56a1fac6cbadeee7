#pragma once
// Helpers shared by the RTCP tests: hex literals to bytes and single-packet parsing.
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpPacket.h"
#include "tests/TestHex.h"

namespace switchyard::media::rtcp::test {

// "80 c8 00 06" -> bytes (strict: throws on a stray character or an odd digit count).
using switchyard::test::hex;

// The only packet of a buffer holding exactly one well-formed packet.
inline std::optional<RtcpPacket> single(std::span<const uint8_t> bytes) {
  const RtcpCompound compound(bytes);
  if (!compound.valid() || compound.packetCount() != 1) return std::nullopt;
  return *compound.begin();
}

}  // namespace switchyard::media::rtcp::test
