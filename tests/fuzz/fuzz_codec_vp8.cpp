// libFuzzer target for Vp8Descriptor: parse, read every accessor, check the invariants, then rewrite
// picture id / TL0PICIDX / KEYIDX on a copy and check the copy re-parses with the same layout, the new
// values, and no other bit changed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/codec/Vp8Descriptor.h"
#include "tests/fuzz/CodecFuzzCheck.h"

using namespace switchyard::fuzz;
using switchyard::media::codec::CodecKind;
using switchyard::media::codec::PayloadInfo;
using switchyard::media::codec::Vp8Descriptor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  std::optional<PayloadInfo> info;
  const auto parsed = parseAgreeing<Vp8Descriptor>(CodecKind::Vp8, in, info);
  if (!parsed) return 0;
  const Vp8Descriptor& d = *parsed;

  // Accessors and invariants.
  check(d.size() >= 1 && d.size() <= Vp8Descriptor::kMaxSize && d.size() < size);
  check(d.partitionIndex() <= 7);
  check(d.extended() || d.size() == 1);
  check(!d.isKeyFrame() || d.isFrameStart());
  check(d.isFrameStart() == (d.startOfPartition() && d.partitionIndex() == 0));
  check(d.width() == 0 || d.isKeyFrame());
  check(d.width() <= 0x3fff && d.height() <= 0x3fff && d.horizontalScale() <= 3 && d.verticalScale() <= 3);
  checkPictureId(d);
  if (d.temporalLayer()) check(*d.temporalLayer() <= 3);
  check(!d.layerSync() || d.temporalLayer().has_value());
  if (d.keyIdx()) check(*d.keyIdx() <= 31);
  (void)d.nonReference();
  check(info->keyFrame == d.isKeyFrame() && info->frameStart == d.isFrameStart());
  check(info->pictureId == d.pictureId() && info->tl0PicIdx == d.tl0PicIdx());
  check(info->temporalLayer == d.temporalLayer().value_or(0) && info->layerSync == d.layerSync());
  check(info->width == d.width() && info->height == d.height() && !info->frameEnd.has_value());

  // Rewrite a copy.
  const auto [newPictureId, newTl0] = rewriteValues(data, size);
  const auto newKeyIdx = static_cast<uint8_t>(data[size / 3] ^ 0xa5);
  std::vector<uint8_t> copy(in.begin(), in.end());
  Vp8Descriptor w = d;
  check(w.setPictureId(copy, newPictureId) == d.hasPictureId());
  check(w.setTl0PicIdx(copy, newTl0) == d.tl0PicIdx().has_value());
  check(w.setKeyIdx(copy, newKeyIdx) == d.keyIdx().has_value());
  // A buffer too short for the descriptor is refused.
  check(!w.setPictureId(std::span<uint8_t>(copy).first(d.size() - 1), newPictureId));
  check(!w.setTl0PicIdx(std::span<uint8_t>(copy).first(d.size() - 1), newTl0));
  check(!w.setKeyIdx(std::span<uint8_t>(copy).first(d.size() - 1), newKeyIdx));

  const auto r = Vp8Descriptor::parse(copy);
  check(r.has_value());
  check(r->size() == d.size());
  check(r->tl0PicIdx() == w.tl0PicIdx() && r->keyIdx() == w.keyIdx());
  checkRewrittenPictureId(d, w, *r, newPictureId);
  if (d.tl0PicIdx()) check(*r->tl0PicIdx() == newTl0);
  if (d.keyIdx()) check(*r->keyIdx() == (newKeyIdx & 0x1f));
  check(r->temporalLayer() == d.temporalLayer() && r->layerSync() == d.layerSync());
  check(r->isKeyFrame() == d.isKeyFrame() && r->width() == d.width() && r->height() == d.height());
  check(r->partitionIndex() == d.partitionIndex() && r->nonReference() == d.nonReference());

  // Bit-exact: only the picture id, TL0PICIDX and KEYIDX bits may differ.
  check(copy[0] == data[0]);
  if (d.extended()) check(copy[1] == data[1]);
  size_t off = d.extended() ? 2 : 1;
  if (d.hasPictureId()) {
    check((copy[off] & 0x80) == (data[off] & 0x80));
    off += d.longPictureId() ? size_t{2} : size_t{1};
  }
  if (d.tl0PicIdx()) ++off;
  if (d.temporalLayer() || d.keyIdx()) {
    check((copy[off] & 0xe0) == (data[off] & 0xe0));
    if (!d.keyIdx()) check(copy[off] == data[off]);
    ++off;
  }
  check(off == d.size());
  for (size_t i = off; i < size; ++i)
    check(copy[i] == data[i]);
  return 0;
}
