#include "media/codec/PayloadInspector.h"

#include "media/codec/H264Descriptor.h"
#include "media/codec/Vp8Descriptor.h"
#include "media/codec/Vp9Descriptor.h"

namespace switchyard::media::codec {

std::optional<PayloadInfo> inspectPayload(CodecKind codec, std::span<const uint8_t> payload) noexcept {
  switch (codec) {
    case CodecKind::Vp8:
      if (const auto d = Vp8Descriptor::parse(payload)) return d->info();
      return std::nullopt;
    case CodecKind::Vp9:
      if (const auto d = Vp9Descriptor::parse(payload)) return d->info();
      return std::nullopt;
    case CodecKind::H264:
      if (const auto d = H264Descriptor::parse(payload)) return d->info();
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace switchyard::media::codec
