#pragma once
// The <media> field of an m= line (RFC 8866 section 5.14).
#include <cstdint>
#include <string_view>

namespace switchyard::media::sdp {

enum class MediaKind : uint8_t { kAudio, kVideo, kApplication, kOther };

[[nodiscard]] constexpr MediaKind mediaKindOf(std::string_view media) noexcept {
  if (media == "audio") return MediaKind::kAudio;
  if (media == "video") return MediaKind::kVideo;
  if (media == "application") return MediaKind::kApplication;
  return MediaKind::kOther;
}

}  // namespace switchyard::media::sdp
