#pragma once
// Hand-built known-answer RTP packets shared by the rtp tests (and mirrored in the fuzz seeds).
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace switchyard::media::rtp::test {

using Bytes = std::vector<uint8_t>;

// A copy of a view's bytes, for comparing with ==.
inline Bytes toBytes(std::span<const uint8_t> bytes) {
  return Bytes(bytes.begin(), bytes.end());
}

// A VP8 packet shaped like Chromium's: RFC 3550 §5.1 fixed header, V=2 P=0 X=1 CC=0, M=1,
// PT=96, seq 0x1A2B, timestamp 123456, SSRC 0x12345678, then an RFC 8285 §4.2 one-byte block
// (0xBEDE, length 2 words) with abs-send-time (id 2, 3 bytes: L=2) and transport-wide-cc
// (id 3, 2 bytes: L=1) padded with one 0x00 byte to 32 bits, then a VP8 payload descriptor
// (RFC 7741 §4.2: X=1 S=1 PID=0; I=1 with a 15-bit picture id) and a key frame start code.
inline const std::vector<uint8_t> kVp8Packet = {
    0x90, 0xE0, 0x1A, 0x2B,              // V=2 X=1 | M=1 PT=96 | seq
    0x00, 0x01, 0xE2, 0x40,              // timestamp 123456
    0x12, 0x34, 0x56, 0x78,              // SSRC
    0xBE, 0xDE, 0x00, 0x02,              // one-byte profile, 2 words
    0x22, 0x12, 0x34, 0x56,              // id 2 L=2: abs-send-time 0x123456
    0x31, 0x00, 0x07, 0x00,              // id 3 L=1: transport seq 7, one padding byte
    0x90, 0x80, 0x81, 0x23,              // VP8 descriptor: X S | I | M=1 picture id 0x0123
    0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A,  // VP8 key frame header bytes
};
inline constexpr size_t kVp8HeaderSize = 24;

// RFC 8285 §4.2 figure, one-byte form with length=3: "ID L=0 data | ID L=1 data data | 0 (pad)
// 0 (pad) | ID L=3 data data data data" (ids 1, 2, 3 here), after a header with V=2 P=1 X=1 CC=2
// (two CSRCs), PT=8, seq 0xFFFF, timestamp 0xFFFFFFFF, and 4 payload bytes + 3 padding bytes.
inline const std::vector<uint8_t> kOneByteExamplePacket = {
    0xB2, 0x08, 0xFF, 0xFF,  // V=2 P=1 X=1 CC=2 | M=0 PT=8 | seq 65535
    0xFF, 0xFF, 0xFF, 0xFF,  // timestamp
    0xCA, 0xFE, 0xBA, 0xBE,  // SSRC
    0x00, 0x00, 0x00, 0x01,  // CSRC 1
    0xDE, 0xAD, 0xBE, 0xEF,  // CSRC 2
    0xBE, 0xDE, 0x00, 0x03,  // one-byte profile, 3 words
    0x10, 0xAA, 0x21, 0xBB,  // id 1 L=0 [AA] | id 2 L=1 [BB ..
    0xCC, 0x00, 0x00, 0x33,  // .. CC] | pad | pad | id 3 L=3
    0x01, 0x02, 0x03, 0x04,  // id 3 data
    0xA0, 0xA1, 0xA2, 0xA3,  // payload
    0x00, 0x00, 0x03,        // padding: 3 bytes including the count
};
inline constexpr size_t kOneByteExampleHeaderSize = 36;

// RFC 8285 §4.3 figure, two-byte form with length=3: "ID L=0 | ID L=1 data | 0 (pad) | ID L=4
// data data data data" (ids 1, 2, 3 here; appbits 0x5), PT=111, seq 0, 2 payload bytes.
inline const std::vector<uint8_t> kTwoByteExamplePacket = {
    0x90, 0x6F, 0x00, 0x00,  // V=2 X=1 | PT=111 | seq 0
    0x00, 0x00, 0x03, 0xC0,  // timestamp 960
    0x00, 0x00, 0x00, 0x2A,  // SSRC 42
    0x10, 0x05, 0x00, 0x03,  // two-byte profile 0x100 appbits 5, 3 words
    0x01, 0x00, 0x02, 0x01,  // id 1 L=0 | id 2 L=1 ..
    0x77, 0x00, 0x03, 0x04,  // .. [77] | pad | id 3 L=4
    0x0A, 0x0B, 0x0C, 0x0D,  // id 3 data
    0x55, 0x66,              // payload
};
inline constexpr size_t kTwoByteExampleHeaderSize = 28;

}  // namespace switchyard::media::rtp::test
