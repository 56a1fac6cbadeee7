#pragma once
// One picture group (PG) description of a VP9 scalability structure (RFC 9628 section 4.2.1):
//   |  TID  |U| R |-|-|  followed by R P_DIFF octets.
#include <array>
#include <cstdint>

namespace switchyard::media::codec {

struct Vp9PictureGroup {
  uint8_t temporalLayer = 0;                // TID (3 bits)
  bool switchingUp = false;                 // U
  uint8_t numReferences = 0;                // R (0..3)
  std::array<uint8_t, 3> referenceDiffs{};  // P_DIFF[0..R-1], the rest 0
};

}  // namespace switchyard::media::codec
