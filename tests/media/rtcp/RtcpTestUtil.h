#pragma once
// Helpers shared by the RTCP tests: hex literals to bytes and single-packet parsing.
#include <cctype>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp::test {

// "80 c8 00 06" -> bytes; whitespace and '|' are ignored.
inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '|') continue;
    const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

// The only packet of a buffer holding exactly one well-formed packet.
inline std::optional<RtcpPacket> single(std::span<const uint8_t> bytes) {
  const RtcpCompound compound(bytes);
  if (!compound.valid() || compound.packetCount() != 1) return std::nullopt;
  return *compound.begin();
}

}  // namespace switchyard::media::rtcp::test
