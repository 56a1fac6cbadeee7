#pragma once
// RTP payload structures of H.264 (RFC 6184 section 5.2), told apart by the type of the first octet.
#include <cstdint>

namespace switchyard::media::codec {

enum class H264Packetization : uint8_t {
  SingleNal,  // types 1-23 (section 5.6)
  StapA,      // 24 (section 5.7.1)
  StapB,      // 25, recognised, not inspected
  Mtap16,     // 26, recognised, not inspected
  Mtap24,     // 27, recognised, not inspected
  FuA,        // 28 (section 5.8)
  FuB,        // 29, recognised, not inspected
};

}  // namespace switchyard::media::codec
