#pragma once
// One RFC 8285 header extension element as seen through an RtpPacket view: its local id and its
// data bytes (a span into the packet buffer; mutable for RtpPacket, const for RtpPacketView).
#include <cstdint>
#include <span>

namespace switchyard::media::rtp {

template <typename Byte>
struct BasicRtpExtensionElement {
  uint8_t id = 0;
  std::span<Byte> data;
};

using RtpExtensionElement = BasicRtpExtensionElement<uint8_t>;
using RtpExtensionElementView = BasicRtpExtensionElement<const uint8_t>;

}  // namespace switchyard::media::rtp
