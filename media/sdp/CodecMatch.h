#pragma once
// Codec rules of the answer builder (media/sdp/Negotiation.h): which offered codecs the server can
// receive from a publisher, and whether a subscriber's offered codec can carry a published stream
// unchanged (the SFU forwards the publisher's bitstream as is, so both ends must agree on it).
#include <optional>
#include <string>
#include <string_view>

#include "media/sdp/Codec.h"
#include "media/sdp/MediaKind.h"

namespace switchyard::media::sdp {

struct NegotiatedCodec;

// Audio: opus/48000/2 (RFC 7587 section 7), PCMU/8000, PCMA/8000. Video: VP8/90000, VP9/90000
// (any profile-id), H264/90000 with packetization-mode=1 (RFC 6184 section 8.1), AV1/90000 (also
// written "AV1X" by older Chromium). Names are compared case-insensitively (RFC 4855 section 3).
[[nodiscard]] bool isSupportedCodec(MediaKind kind, const Codec& codec) noexcept;

// Same name (AV1 = AV1X), clock rate and channel count (1 when absent); H264: both
// packetization-mode=1 and the same profile (h264Profile()); VP9: same profile-id; AV1: same profile
// (absent = 0 for both).
[[nodiscard]] bool codecsMatch(const NegotiatedCodec& source, const Codec& offered);

// RFC 6184 section 8.1: profile-level-id is profile_idc, profile-iop and level_idc as 6 hex digits;
// the profile is its first 4 digits, lower-cased. Absent means "42000a" (Baseline, level 1.0), so
// "4200".
[[nodiscard]] std::string h264Profile(std::optional<std::string_view> profileLevelId);

// RFC 4588 rtx, RFC 4733 telephone-event: the encoding names compared case-insensitively.
[[nodiscard]] bool isRtx(const Codec& codec) noexcept;
[[nodiscard]] bool isTelephoneEvent(const Codec& codec) noexcept;

}  // namespace switchyard::media::sdp
