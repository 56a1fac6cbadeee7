#pragma once
// Shared by the codec fuzz targets (fuzz_codec_h264/vp8/vp9): the trap-on-violation check, the
// agreement between a descriptor's parse and inspectPayload(), and the picture id checks VP8 and
// VP9 have in common (both use the same 7/15-bit PictureID field).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/CodecKind.h"
#include "media/codec/PayloadInfo.h"
#include "media/codec/PayloadInspector.h"

namespace switchyard::fuzz {

inline void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Parses `in` with Descriptor::parse and with inspectPayload(kind); both must accept or both reject.
template <class Descriptor>
std::optional<Descriptor> parseAgreeing(media::codec::CodecKind kind, std::span<const uint8_t> in,
                                        std::optional<media::codec::PayloadInfo>& info) {
  auto parsed = Descriptor::parse(in);
  info = media::codec::inspectPayload(kind, in);
  check(parsed.has_value() == info.has_value());
  return parsed;
}

inline uint16_t pictureIdMask(bool longPictureId) {
  return longPictureId ? uint16_t{0x7fff} : uint16_t{0x7f};
}

// The PictureID accessors of a parsed VP8/VP9 descriptor agree with each other.
template <class Descriptor>
void checkPictureId(const Descriptor& d) {
  check(d.pictureId().has_value() == d.hasPictureId());
  check(!d.longPictureId() || d.hasPictureId());
  if (d.pictureId()) check(*d.pictureId() <= pictureIdMask(d.longPictureId()));
}

// `r` re-parsed from a copy on which `w` (a copy of `d`) wrote `newPictureId`: the new value, modulo
// the field width, which must not have changed.
template <class Descriptor>
void checkRewrittenPictureId(const Descriptor& d, const Descriptor& w, const Descriptor& r,
                             uint16_t newPictureId) {
  check(r.pictureId() == w.pictureId());
  if (!d.pictureId()) return;
  check(*r.pictureId() == (newPictureId & pictureIdMask(d.longPictureId())));
  check(r.longPictureId() == d.longPictureId());
}

// Replacement values derived from the input (size > 0).
struct RewriteValues {
  uint16_t pictureId;
  uint8_t tl0PicIdx;
};
inline RewriteValues rewriteValues(const uint8_t* data, size_t size) {
  return {static_cast<uint16_t>((data[size - 1] << 8) | data[size / 2]),
          static_cast<uint8_t>(data[size - 1] ^ 0x5a)};
}

}  // namespace switchyard::fuzz
