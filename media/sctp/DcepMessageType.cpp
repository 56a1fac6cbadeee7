#include "media/sctp/DcepMessageType.h"

namespace switchyard::media::sctp {

std::optional<DcepMessageType> dcepMessageType(std::span<const uint8_t> message) noexcept {
  if (message.empty()) return std::nullopt;
  switch (message[0]) {
    case static_cast<uint8_t>(DcepMessageType::kAck):
      return DcepMessageType::kAck;
    case static_cast<uint8_t>(DcepMessageType::kOpen):
      return DcepMessageType::kOpen;
    default:
      return std::nullopt;
  }
}

}  // namespace switchyard::media::sctp
