#pragma once
// The RTP header extensions Switchyard negotiates (RFC 8285 extmap URIs) and a per-section table of
// their negotiated ids. Shared by the SDP negotiation (which fills it from an offer) and the
// forwarder (which rewrites ids from a publisher's table to a subscriber's).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::media::rtp {

enum class RtpExtension : uint8_t {
  kMid,               // urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843)
  kRid,               // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id (RFC 8852)
  kRepairedRid,       // urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id (RFC 8852)
  kAbsSendTime,       // http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
  kTransportCc,       // transport-wide congestion control sequence number (draft-holmer-rmcat)
  kAudioLevel,        // urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464)
  kVideoOrientation,  // urn:3gpp:video-orientation (3GPP TS 26.114)
};

inline constexpr size_t kRtpExtensionCount = 7;

inline constexpr std::array<std::string_view, kRtpExtensionCount> kRtpExtensionUris = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "urn:3gpp:video-orientation",
};

[[nodiscard]] constexpr std::string_view uriOf(RtpExtension e) noexcept {
  return kRtpExtensionUris[static_cast<size_t>(e)];
}

[[nodiscard]] constexpr std::optional<RtpExtension> rtpExtensionOf(std::string_view uri) noexcept {
  for (size_t i = 0; i < kRtpExtensionCount; ++i) {
    if (kRtpExtensionUris[i] == uri) return static_cast<RtpExtension>(i);
  }
  return std::nullopt;
}

// Negotiated ids (1..255) by extension; 0 = not negotiated.
struct RtpExtensionIds {
  std::array<uint8_t, kRtpExtensionCount> ids{};

  [[nodiscard]] constexpr uint8_t operator[](RtpExtension e) const noexcept {
    return ids[static_cast<size_t>(e)];
  }
  constexpr void set(RtpExtension e, uint8_t id) noexcept { ids[static_cast<size_t>(e)] = id; }
  [[nodiscard]] constexpr bool has(RtpExtension e) const noexcept { return (*this)[e] != 0; }

  friend constexpr bool operator==(const RtpExtensionIds&, const RtpExtensionIds&) = default;
};

}  // namespace switchyard::media::rtp
