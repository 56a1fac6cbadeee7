// libFuzzer target for Vp9Descriptor: parse (SS included), read every accessor and every PG
// description, check the invariants, then rewrite picture id / TL0PICIDX on a copy and check the copy
// re-parses with the same layout, the new values, and no other bit changed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/codec/PayloadInspector.h"
#include "media/codec/Vp9Descriptor.h"

using switchyard::media::codec::CodecKind;
using switchyard::media::codec::inspectPayload;
using switchyard::media::codec::Vp9Descriptor;

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const auto parsed = Vp9Descriptor::parse(in);
  const auto info = inspectPayload(CodecKind::Vp9, in);
  check(parsed.has_value() == info.has_value());
  if (!parsed) return 0;
  const Vp9Descriptor& d = *parsed;

  check(d.size() >= 1 && d.size() < size);
  check(d.pictureId().has_value() == d.hasPictureId());
  check(!d.longPictureId() || d.hasPictureId());
  if (d.pictureId()) check(*d.pictureId() <= (d.longPictureId() ? 0x7fff : 0x7f));
  check(d.temporalLayer() <= 7 && d.spatialLayer() <= 7);
  check(d.tl0PicIdx().has_value() == (d.hasLayerIndices() && !d.flexibleMode()));
  if (!d.hasLayerIndices()) {
    check(d.temporalLayer() == 0 && d.spatialLayer() == 0 && !d.switchingUpPoint() &&
          !d.interLayerDependency());
  }
  check(d.numReferences() <= Vp9Descriptor::kMaxReferences);
  check(d.numReferences() == 0 || (d.flexibleMode() && d.interPicturePredicted()));
  if (d.flexibleMode() && d.interPicturePredicted()) check(d.numReferences() >= 1);
  for (size_t i = 0; i < 4; ++i)
    check(d.referenceDiff(i) <= 127 && (i < d.numReferences() || d.referenceDiff(i) == 0));
  check(d.numSpatialLayers() <= Vp9Descriptor::kMaxSpatialLayers);
  check((d.numSpatialLayers() > 0) == d.hasScalabilityStructure());
  for (size_t s = 0; s <= Vp9Descriptor::kMaxSpatialLayers; ++s) {
    if (s >= d.numSpatialLayers() || !d.hasResolutions())
      check(d.layerWidth(s) == 0 && d.layerHeight(s) == 0);
  }
  for (size_t g = 0; g < d.numPictureGroups(); ++g) {
    const auto pg = d.pictureGroup(in, g);
    check(pg.has_value());
    check(pg->temporalLayer <= 7 && pg->numReferences <= 3);
  }
  check(!d.pictureGroup(in, d.numPictureGroups()).has_value());
  check(d.numPictureGroups() == 0 || d.hasPictureGroups());
  check(d.isKeyFrame() == (!d.interPicturePredicted() && d.startOfFrame() && d.spatialLayer() == 0));
  check(!d.isKeyFrame() || d.isLayerIntraStart());
  (void)d.notUpperLayerReference();
  check(info->keyFrame == d.isKeyFrame() && info->frameStart == d.startOfFrame());
  check(info->frameEnd == d.endOfFrame() && info->spatialLayer == d.spatialLayer());
  check(info->temporalLayer == d.temporalLayer() && info->layerSync == d.switchingUpPoint());
  check(info->pictureId == d.pictureId() && info->tl0PicIdx == d.tl0PicIdx());
  check(info->width == d.layerWidth(d.spatialLayer()) && info->height == d.layerHeight(d.spatialLayer()));

  const auto newPictureId = static_cast<uint16_t>((data[size - 1] << 8) | data[size / 2]);
  const auto newTl0 = static_cast<uint8_t>(data[size - 1] ^ 0x5a);
  std::vector<uint8_t> copy(in.begin(), in.end());
  Vp9Descriptor w = d;
  check(w.setPictureId(copy, newPictureId) == d.hasPictureId());
  check(w.setTl0PicIdx(copy, newTl0) == d.tl0PicIdx().has_value());
  check(!w.setPictureId(std::span<uint8_t>(copy).first(d.size() - 1), newPictureId));
  check(!w.setTl0PicIdx(std::span<uint8_t>(copy).first(d.size() - 1), newTl0));

  const auto r = Vp9Descriptor::parse(copy);
  check(r.has_value());
  check(r->size() == d.size());
  check(r->pictureId() == w.pictureId() && r->tl0PicIdx() == w.tl0PicIdx());
  if (d.pictureId()) {
    check(*r->pictureId() == (newPictureId & (d.longPictureId() ? 0x7fff : 0x7f)));
    check(r->longPictureId() == d.longPictureId());
  }
  if (d.tl0PicIdx()) check(*r->tl0PicIdx() == newTl0);
  check(r->isKeyFrame() == d.isKeyFrame() && r->spatialLayer() == d.spatialLayer());
  check(r->temporalLayer() == d.temporalLayer() && r->numReferences() == d.numReferences());
  check(r->numSpatialLayers() == d.numSpatialLayers() && r->numPictureGroups() == d.numPictureGroups());
  for (size_t g = 0; g < d.numPictureGroups(); ++g)
    check(w.pictureGroup(copy, g).has_value());

  // Bit-exact: only the picture id bits and the TL0PICIDX octet may differ.
  check(copy[0] == data[0]);
  size_t off = 1;
  if (d.hasPictureId()) {
    check((copy[1] & 0x80) == (data[1] & 0x80));
    off += d.longPictureId() ? size_t{2} : size_t{1};
  }
  if (d.hasLayerIndices()) {
    check(copy[off] == data[off]);
    off += d.flexibleMode() ? size_t{1} : size_t{2};
  }
  for (size_t i = off; i < size; ++i)
    check(copy[i] == data[i]);
  return 0;
}
