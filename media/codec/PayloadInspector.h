#pragma once
// One entry point for the forwarder: the codec-independent view of a video RTP payload.
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/CodecKind.h"
#include "media/codec/PayloadInfo.h"

namespace switchyard::media::codec {

// Parses `payload` (the RTP payload, after the RTP header and without padding) with the descriptor
// parser of `codec`; nullopt when that parser rejects it. H264 packetizations that are recognised
// but not inspected (STAP-B, MTAP, FU-B) give a PayloadInfo with nothing set.
[[nodiscard]] std::optional<PayloadInfo> inspectPayload(CodecKind codec,
                                                        std::span<const uint8_t> payload) noexcept;

}  // namespace switchyard::media::codec
