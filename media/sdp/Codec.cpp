#include "media/sdp/Codec.h"

#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp {

std::optional<std::string_view> Codec::parameter(std::string_view key) const noexcept {
  for (const auto& p : parameters) {
    if (detail::equalsIgnoreCase(p.name, key))
      return p.value ? std::string_view(*p.value) : std::string_view();
  }
  return std::nullopt;
}

bool Codec::hasFeedback(std::string_view type, std::string_view subtype) const noexcept {
  for (const auto& fb : feedback) {
    if (fb.type != type) continue;
    if (subtype.empty() ? !fb.subtype.has_value() : (fb.subtype && *fb.subtype == subtype)) return true;
  }
  return false;
}

std::optional<uint8_t> Codec::rtxApt() const noexcept {
  if (!detail::equalsIgnoreCase(name, "rtx")) return std::nullopt;
  const auto apt = parameter("apt");
  if (!apt) return std::nullopt;
  return detail::parsePayloadType(*apt);
}

}  // namespace switchyard::media::sdp
