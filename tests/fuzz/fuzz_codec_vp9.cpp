// libFuzzer target for Vp9Descriptor: parse (SS included), read every accessor and every PG
// description, check the invariants, then rewrite picture id / TL0PICIDX on a copy and check the copy
// re-parses with the same layout, the new values, and no other bit changed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/codec/Vp9Descriptor.h"
#include "tests/fuzz/CodecFuzzCheck.h"

using namespace switchyard::fuzz;
using switchyard::media::codec::CodecKind;
using switchyard::media::codec::PayloadInfo;
using switchyard::media::codec::Vp9Descriptor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  std::optional<PayloadInfo> info;
  const auto parsed = parseAgreeing<Vp9Descriptor>(CodecKind::Vp9, in, info);
  if (!parsed) return 0;
  const Vp9Descriptor& d = *parsed;

  check(d.size() >= 1 && d.size() < size);
  checkPictureId(d);
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

  const auto [newPictureId, newTl0] = rewriteValues(data, size);
  std::vector<uint8_t> copy(in.begin(), in.end());
  Vp9Descriptor w = d;
  check(w.setPictureId(copy, newPictureId) == d.hasPictureId());
  check(w.setTl0PicIdx(copy, newTl0) == d.tl0PicIdx().has_value());
  check(!w.setPictureId(std::span<uint8_t>(copy).first(d.size() - 1), newPictureId));
  check(!w.setTl0PicIdx(std::span<uint8_t>(copy).first(d.size() - 1), newTl0));

  const auto r = Vp9Descriptor::parse(copy);
  check(r.has_value());
  check(r->size() == d.size());
  check(r->tl0PicIdx() == w.tl0PicIdx());
  checkRewrittenPictureId(d, w, *r, newPictureId);
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
