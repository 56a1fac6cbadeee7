#include "media/sctp/DcepAck.h"

#include "media/sctp/DcepMessageType.h"

namespace switchyard::media::sctp {

std::optional<DcepAck> DcepAck::parse(std::span<const uint8_t> message) noexcept {
  if (message.size() != kDcepAckSize || message[0] != static_cast<uint8_t>(DcepMessageType::kAck))
    return std::nullopt;
  return DcepAck{};
}

std::optional<size_t> writeDcepAck(std::span<uint8_t> out) noexcept {
  if (out.size() < kDcepAckSize) return std::nullopt;
  out[0] = static_cast<uint8_t>(DcepMessageType::kAck);
  return kDcepAckSize;
}

}  // namespace switchyard::media::sctp
