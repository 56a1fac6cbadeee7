#pragma once
// The video codecs whose RTP payload descriptors Switchyard inspects for keyframes and layers.
#include <cstdint>

namespace switchyard::media::codec {

enum class CodecKind : uint8_t { Vp8, Vp9, H264 };

}  // namespace switchyard::media::codec
