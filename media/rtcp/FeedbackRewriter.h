#pragma once
// In-place SSRC rewriting for feedback an SFU forwards from a subscriber to a publisher: the
// subscriber names the SSRCs the SFU sent it, the publisher must see its own SSRCs (and usually
// the SFU's sender SSRC). Works on the bytes of one RTCP packet (header included, e.g. the span
// of an RtcpPacket taken from a mutable buffer) or on a whole compound. Never changes a length,
// never reads or writes out of bounds; malformed input is left untouched.
//
// Media SSRC fields that are mapped:
//   RTPFB FMT=1  (NACK)   and FMT=15 (transport-cc): the header's media source SSRC
//   PSFB  FMT=1  (PLI):                                the header's media source SSRC
//   PSFB  FMT=4  (FIR):   the SSRC of every FCI entry (the header's media SSRC stays 0)
//   PSFB  FMT=15 (REMB):  every SSRC of the feedback list (the header's media SSRC stays 0)
// Other packet types and FMTs are not touched.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::rtcp {

class FeedbackRewriter {
 public:
  using SsrcMapFn = uint32_t (*)(void* context, uint32_t ssrc) noexcept;

  // Sets the sender SSRC (offset 4) of an SR, RR, RTPFB or PSFB packet. False for other types or
  // a malformed packet.
  static bool setSenderSsrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept;

  // Replaces each media SSRC field listed above by map(old). Returns how many fields were
  // visited (0 for packets without such fields or malformed ones).
  static size_t mapMediaSsrcs(std::span<uint8_t> packet, SsrcMapFn map, void* context) noexcept;
  template <typename F>
  static size_t mapMediaSsrcs(std::span<uint8_t> packet, F&& map) noexcept {
    auto call = [&map](uint32_t ssrc) noexcept -> uint32_t { return map(ssrc); };
    return mapMediaSsrcs(packet, &trampoline<decltype(call)>, static_cast<void*>(&call));
  }
  // Sets every media SSRC field listed above to one value.
  static size_t setMediaSsrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept;

  // Applies the two rewrites to every packet of a compound: setSenderSsrc (when senderSsrc has
  // a value) and mapMediaSsrcs. A malformed compound is left untouched and gives false.
  static bool rewriteCompound(std::span<uint8_t> compound, std::optional<uint32_t> senderSsrc, SsrcMapFn map,
                              void* context) noexcept;
  template <typename F>
  static bool rewriteCompound(std::span<uint8_t> compound, std::optional<uint32_t> senderSsrc,
                              F&& map) noexcept {
    auto call = [&map](uint32_t ssrc) noexcept -> uint32_t { return map(ssrc); };
    return rewriteCompound(compound, senderSsrc, &trampoline<decltype(call)>, static_cast<void*>(&call));
  }

 private:
  template <typename F>
  static uint32_t trampoline(void* context, uint32_t ssrc) noexcept {
    return (*static_cast<F*>(context))(ssrc);
  }
};

}  // namespace switchyard::media::rtcp
