#pragma once
// Packet and key helpers shared by the SRTP tests (not a test file itself).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "media/srtp/SrtpProfile.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/ByteWriter.h"

namespace switchyard::media::srtp::test {

inline constexpr std::array<SrtpProfile, 3> kAllProfiles{
    SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm};

inline SrtpKeySalt makeKeySalt(SrtpProfile profile, uint8_t seed) {
  SrtpKeySalt keySalt;
  keySalt.profile = profile;
  for (size_t i = 0; i < keySalt.bytes.size(); ++i)
    keySalt.bytes[i] = static_cast<uint8_t>(seed + i * 13);
  return keySalt;
}

inline uint8_t payloadByte(size_t i, uint16_t seq) {
  return static_cast<uint8_t>(i * 7 + seq);
}

// A buffer with room for the trailer; std::vector storage is suitably aligned for libsrtp.
struct PacketBuffer {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(2048);
  size_t length = 0;

  [[nodiscard]] std::span<uint8_t> span() { return std::span<uint8_t>(bytes); }
  [[nodiscard]] std::vector<uint8_t> packet() const {
    return std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
  }
};

// RTP (RFC 3550 §5.1): V=2, no padding/extension/CSRC, marker clear.
inline PacketBuffer makeRtp(uint16_t seq, uint32_t ssrc, size_t payloadSize, uint8_t payloadType = 96) {
  PacketBuffer buffer;
  util::ByteWriter writer(buffer.span());
  writer.u8(0x80);
  writer.u8(payloadType);
  writer.u16(seq);
  writer.u32(static_cast<uint32_t>(seq) * 3000U);
  writer.u32(ssrc);
  for (size_t i = 0; i < payloadSize; ++i)
    writer.u8(payloadByte(i, seq));
  buffer.length = writer.size();
  return buffer;
}

// A compound RTCP packet as a sender emits it (RFC 3550 §6.1): SR without report blocks, then
// SDES with one CNAME chunk.
inline PacketBuffer makeCompoundSrSdes(uint32_t ssrc) {
  PacketBuffer buffer;
  util::ByteWriter writer(buffer.span());
  // SR (§6.4.1): V=2 RC=0, PT=200, length 6 (28 bytes)
  writer.u8(0x80);
  writer.u8(200);
  writer.u16(6);
  writer.u32(ssrc);
  writer.u64(0xe8a3'b2c1'4000'0000ULL);  // NTP timestamp
  writer.u32(123456789);                 // RTP timestamp
  writer.u32(1000);                      // sender's packet count
  writer.u32(1'150'000);                 // sender's octet count
  // SDES (§6.5): V=2 SC=1, PT=202; chunk = SSRC, CNAME item (type 1), null item, pad to 32 bits
  constexpr std::string_view cname = "switchyard-test";  // 15 bytes: 4 + 2 + 15 + 1 -> 24
  writer.u8(0x81);
  writer.u8(202);
  writer.u16(6);
  writer.u32(ssrc);
  writer.u8(1);
  writer.u8(static_cast<uint8_t>(cname.size()));
  for (const char c : cname)
    writer.u8(static_cast<uint8_t>(c));
  writer.zeros(3);  // end of items + padding to 24
  buffer.length = writer.size();
  return buffer;
}

}  // namespace switchyard::media::srtp::test
