#pragma once
// RTP retransmission payload format (RFC 4588): wraps an original RTP packet into an RTX packet
// (§4, the SFU answering a subscriber's NACK on its RTX stream) and unwraps an RTX packet back
// into the original (a publisher's repair, asked for by the SFU).
//
// An RTX packet (RFC 4588 §4) is the original packet's header (marker, timestamp, CSRCs and
// header extension kept) with the RTX payload type, SSRC and sequence number, then the 2-byte
// original sequence number (OSN, network order), then the original payload. The original's padding
// is not carried (P bit clear); an RTX packet's own padding is dropped when unwrapping.
//
//   uint8_t rtx[1500];
//   auto size = wrapRtx(original, rtx, rtxPt, rtxSsrc, rtxSeq++);    // answering a NACK
//   auto size = unwrapRtx(packet, originalPt, originalSsrc);         // in place, on receive
//
// Both are pure: nothing allocates, nothing throws, every length is checked by
// RtpPacketLayout::parse first.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::rtp {

// Size of the original sequence number field at the start of an RTX payload (RFC 4588 §4).
inline constexpr size_t kRtxOsnSize = 2;

// Writes the RTX packet for `original` at the start of `out` and returns its size
// (original header + 2 + original payload, no padding). std::nullopt (nothing written) if
// `original` is not a valid RTP packet, rtxPayloadType > 127 or `out` is too small. `out` may
// start at the same address as `original` (in place, with 2 spare bytes after it); it must not
// overlap it otherwise.
[[nodiscard]] std::optional<size_t> wrapRtx(std::span<const uint8_t> original, std::span<uint8_t> out,
                                            uint8_t rtxPayloadType, uint32_t rtxSsrc,
                                            uint16_t rtxSequenceNumber) noexcept;

// Turns the RTX packet in `packet` back into the original in place: sequence number = the OSN,
// payload type and SSRC set, payload moved 2 bytes left, padding removed (P bit clear); returns
// the new size. std::nullopt (packet untouched) if it is not a valid RTP packet, its payload has
// fewer than 2 bytes (a padding-only RTX probe: drop it) or originalPayloadType > 127.
[[nodiscard]] std::optional<size_t> unwrapRtx(std::span<uint8_t> packet, uint8_t originalPayloadType,
                                              uint32_t originalSsrc) noexcept;

}  // namespace switchyard::media::rtp
