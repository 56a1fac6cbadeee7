// Vp9Descriptor: known answers built from the RFC 9628 section 4.2 layouts (flexible and
// non-flexible mode) and the section 4.2.1 scalability structure, truncations, in-place rewrites.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "media/codec/Vp9Descriptor.h"

using switchyard::media::codec::Vp9Descriptor;
using Bytes = std::vector<uint8_t>;

namespace {

// Section 4.2, non-flexible mode: |I=1|P=1|L=1|F=0|B=1|E=0|V=0|Z=0| = 0xe8, |M=0|PICTURE ID=0x12|,
// |TID=2|U=1|SID=1|D=1| = 0x53, TL0PICIDX = 9, then one byte of frame data.
const Bytes kNonFlexible = {0xe8, 0x12, 0x53, 0x09, 0x55};

// Section 4.2, flexible mode: |I=1|P=1|L=1|F=1|B=1|E=1|V=0|Z=0| = 0xfc, |M=1|PICTURE ID=0x0539|,
// |TID=1|U=0|SID=1|D=0| = 0x22, P_DIFF 1 (N=1), P_DIFF 2 (N=1), P_DIFF 4 (N=0), frame data.
const Bytes kFlexible = {0xfc, 0x85, 0x39, 0x22, 0x03, 0x05, 0x08, 0x77};

// Key picture of a 3-layer SVC stream with an SS (section 4.2.1):
// |I=1|P=0|L=1|F=0|B=1|E=0|V=1|Z=0| = 0xaa, |M=1| PICTURE ID = 1 |, layer octet TID=0 SID=0,
// TL0PICIDX = 7, |N_S=2|Y=1|G=1|-|-|-| = 0x58, WIDTH/HEIGHT x3 (320x180, 640x360, 1280x720),
// N_G = 2, PG0 |TID=0|U=0|R=1|--| = 0x04 P_DIFF 1, PG1 |TID=1|U=1|R=2|--| = 0x38 P_DIFF 1, 2.
const Bytes kKeyWithSs = {0xaa, 0x80, 0x01, 0x00, 0x07, 0x58, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80, 0x01,
                          0x68, 0x05, 0x00, 0x02, 0xd0, 0x02, 0x04, 0x01, 0x38, 0x01, 0x02, 0xde, 0xad};

}  // namespace

TEST_CASE("VP9 non-flexible mode with TL0PICIDX", "[codec][vp9]") {
  const auto d = Vp9Descriptor::parse(kNonFlexible);
  REQUIRE(d);
  CHECK(d->size() == 4);
  CHECK(d->hasPictureId());
  CHECK_FALSE(d->longPictureId());
  CHECK(d->pictureId() == 0x12);
  CHECK(d->interPicturePredicted());
  CHECK(d->hasLayerIndices());
  CHECK_FALSE(d->flexibleMode());
  CHECK(d->startOfFrame());
  CHECK_FALSE(d->endOfFrame());
  CHECK_FALSE(d->hasScalabilityStructure());
  CHECK_FALSE(d->notUpperLayerReference());
  CHECK(d->temporalLayer() == 2);
  CHECK(d->switchingUpPoint());
  CHECK(d->spatialLayer() == 1);
  CHECK(d->interLayerDependency());
  CHECK(d->tl0PicIdx() == 9);
  CHECK(d->numReferences() == 0);
  CHECK(d->numSpatialLayers() == 0);
  CHECK_FALSE(d->isKeyFrame());
  const auto info = d->info();
  CHECK_FALSE(info.keyFrame);
  CHECK(info.frameStart);
  CHECK(info.frameEnd == false);
  CHECK(info.spatialLayer == 1);
  CHECK(info.temporalLayer == 2);
  CHECK(info.layerSync);
  CHECK(info.pictureId == 0x12);
  CHECK(info.tl0PicIdx == 9);
  CHECK(info.width == 0);
}

TEST_CASE("VP9 flexible mode with three P_DIFFs", "[codec][vp9]") {
  const auto d = Vp9Descriptor::parse(kFlexible);
  REQUIRE(d);
  CHECK(d->size() == 7);
  CHECK(d->flexibleMode());
  CHECK(d->longPictureId());
  CHECK(d->pictureId() == 0x0539);
  CHECK(d->temporalLayer() == 1);
  CHECK_FALSE(d->switchingUpPoint());
  CHECK(d->spatialLayer() == 1);
  CHECK_FALSE(d->interLayerDependency());
  CHECK_FALSE(d->tl0PicIdx());  // no TL0PICIDX in flexible mode
  REQUIRE(d->numReferences() == 3);
  CHECK(d->referenceDiff(0) == 1);
  CHECK(d->referenceDiff(1) == 2);
  CHECK(d->referenceDiff(2) == 4);
  CHECK(d->referenceDiff(3) == 0);
  CHECK(d->endOfFrame());
  CHECK(d->info().frameEnd == true);
  CHECK_FALSE(d->isKeyFrame());
}

TEST_CASE("VP9 flexible mode: one P_DIFF, and a fourth P_DIFF is rejected", "[codec][vp9]") {
  // |I=1|P=1|L=0|F=1|B=1|E=0|V=0|Z=0| = 0xd8, picture id 5, P_DIFF 3 (N=0).
  const auto one = Vp9Descriptor::parse(Bytes{0xd8, 0x05, 0x06, 0x00});
  REQUIRE(one);
  CHECK(one->numReferences() == 1);
  CHECK(one->referenceDiff(0) == 3);
  CHECK(one->spatialLayer() == 0);
  // N=1 on the third P_DIFF announces a fourth: at most 3 are allowed (section 4.2).
  CHECK_FALSE(Vp9Descriptor::parse(Bytes{0xd8, 0x05, 0x03, 0x03, 0x03, 0x02, 0x00}));
  // P=0 in flexible mode: no P_DIFF octets.
  const auto intra = Vp9Descriptor::parse(Bytes{0x98, 0x05, 0x03});
  REQUIRE(intra);
  CHECK(intra->numReferences() == 0);
  CHECK(intra->size() == 2);
  CHECK(intra->isKeyFrame());
}

TEST_CASE("VP9 key picture with SS: 3 spatial layers, resolutions and PG descriptions", "[codec][vp9]") {
  const auto d = Vp9Descriptor::parse(kKeyWithSs);
  REQUIRE(d);
  CHECK(d->size() == kKeyWithSs.size() - 2);
  CHECK(d->pictureId() == 1);
  CHECK(d->tl0PicIdx() == 7);
  CHECK(d->hasScalabilityStructure());
  REQUIRE(d->numSpatialLayers() == 3);
  CHECK(d->hasResolutions());
  CHECK(d->layerWidth(0) == 320);
  CHECK(d->layerHeight(0) == 180);
  CHECK(d->layerWidth(1) == 640);
  CHECK(d->layerHeight(1) == 360);
  CHECK(d->layerWidth(2) == 1280);
  CHECK(d->layerHeight(2) == 720);
  CHECK(d->layerWidth(3) == 0);
  CHECK(d->hasPictureGroups());
  REQUIRE(d->numPictureGroups() == 2);
  const auto pg0 = d->pictureGroup(kKeyWithSs, 0);
  REQUIRE(pg0);
  CHECK(pg0->temporalLayer == 0);
  CHECK_FALSE(pg0->switchingUp);
  CHECK(pg0->numReferences == 1);
  CHECK(pg0->referenceDiffs[0] == 1);
  const auto pg1 = d->pictureGroup(kKeyWithSs, 1);
  REQUIRE(pg1);
  CHECK(pg1->temporalLayer == 1);
  CHECK(pg1->switchingUp);
  CHECK(pg1->numReferences == 2);
  CHECK(pg1->referenceDiffs[0] == 1);
  CHECK(pg1->referenceDiffs[1] == 2);
  CHECK_FALSE(d->pictureGroup(kKeyWithSs, 2));
  CHECK(d->isKeyFrame());
  const auto info = d->info();
  CHECK(info.keyFrame);
  CHECK(info.width == 320);  // this packet's spatial layer (0)
  CHECK(info.height == 180);
}

TEST_CASE("VP9 SS without resolutions or PGs", "[codec][vp9]") {
  // |I=0|P=0|L=0|F=0|B=1|E=1|V=1|Z=0| = 0x0e, |N_S=7|Y=0|G=0| = 0xe0.
  const auto d = Vp9Descriptor::parse(Bytes{0x0e, 0xe0, 0x42});
  REQUIRE(d);
  CHECK(d->size() == 2);
  CHECK(d->numSpatialLayers() == 8);
  CHECK_FALSE(d->hasResolutions());
  CHECK(d->layerWidth(0) == 0);
  CHECK_FALSE(d->hasPictureGroups());
  CHECK(d->numPictureGroups() == 0);
  CHECK(d->isKeyFrame());
  // G=1 with N_G=0.
  const auto g0 = Vp9Descriptor::parse(Bytes{0x0e, 0x08, 0x00, 0x42});
  REQUIRE(g0);
  CHECK(g0->hasPictureGroups());
  CHECK(g0->numPictureGroups() == 0);
  CHECK(g0->size() == 3);
}

TEST_CASE("VP9 key frame rules across spatial layers", "[codec][vp9]") {
  // P=0, B=1, SID=0: key picture start. |I=0|P=0|L=1|F=0|B=1|E=0|V=0|Z=0| = 0x28.
  const auto base = Vp9Descriptor::parse(Bytes{0x28, 0x00, 0x00, 0x01});
  REQUIRE(base);
  CHECK(base->isKeyFrame());
  CHECK(base->isLayerIntraStart());
  // P=0, B=1, SID=1, D=1: upper layer of the key picture, predicted from SID 0 (not a key frame alone).
  const auto upper = Vp9Descriptor::parse(Bytes{0x28, 0x03, 0x00, 0x01});
  REQUIRE(upper);
  CHECK(upper->spatialLayer() == 1);
  CHECK(upper->interLayerDependency());
  CHECK_FALSE(upper->isKeyFrame());
  CHECK(upper->isLayerIntraStart());
  // P=0 but B=0: a later packet of the key frame.
  const auto cont = Vp9Descriptor::parse(Bytes{0x20, 0x00, 0x00, 0x01});
  REQUIRE(cont);
  CHECK_FALSE(cont->isKeyFrame());
  // No L: spatial layer 0; minimal one-octet descriptor.
  const auto minimal = Vp9Descriptor::parse(Bytes{0x0c, 0x01});
  REQUIRE(minimal);
  CHECK(minimal->size() == 1);
  CHECK(minimal->isKeyFrame());
  CHECK_FALSE(minimal->pictureId());
  CHECK_FALSE(minimal->tl0PicIdx());
  // P=1: delta.
  CHECK_FALSE(Vp9Descriptor::parse(Bytes{0x4c, 0x01})->isKeyFrame());
}

TEST_CASE("VP9 truncation at every length", "[codec][vp9]") {
  for (const auto& s : {kNonFlexible, kFlexible, kKeyWithSs}) {
    const auto full = Vp9Descriptor::parse(s);
    REQUIRE(full);
    for (size_t len = 0; len < s.size(); ++len) {
      const auto d = Vp9Descriptor::parse(std::span<const uint8_t>(s.data(), len));
      if (len <= full->size()) {
        CHECK_FALSE(d);
      } else {
        REQUIRE(d);
        CHECK(d->size() == full->size());
      }
    }
  }
}

TEST_CASE("VP9 malformed SS", "[codec][vp9]") {
  // Y=1 with N_S=2 announces 12 octets of resolutions; give 11 then the frame byte.
  Bytes res = {0x0e, 0x50};
  res.insert(res.end(), 11, 0x01);
  res.push_back(0x00);
  // 12 octets are present (11 + the would-be frame byte) but then nothing follows: rejected.
  CHECK_FALSE(Vp9Descriptor::parse(res));
  // N_G = 3 but only two PG descriptions, the second announcing 3 P_DIFFs that run off the end.
  CHECK_FALSE(Vp9Descriptor::parse(Bytes{0x0e, 0x08, 0x03, 0x00, 0x0c, 0x01, 0x02}));
  // A PG with R=3 whose P_DIFFs are all present, followed by frame data: fine.
  const auto ok = Vp9Descriptor::parse(Bytes{0x0e, 0x08, 0x01, 0x0c, 0x01, 0x02, 0x03, 0x99});
  REQUIRE(ok);
  const auto pg = ok->pictureGroup(Bytes{0x0e, 0x08, 0x01, 0x0c, 0x01, 0x02, 0x03, 0x99}, 0);
  REQUIRE(pg);
  CHECK(pg->numReferences == 3);
  CHECK(pg->referenceDiffs[2] == 3);
  CHECK_FALSE(Vp9Descriptor::parse(Bytes{}));
  CHECK_FALSE(Vp9Descriptor::parse(Bytes{0x0c}));
}

TEST_CASE("VP9 setPictureId and setTl0PicIdx change only their bits", "[codec][vp9]") {
  auto d = Vp9Descriptor::parse(kNonFlexible);
  REQUIRE(d);
  Bytes copy = kNonFlexible;
  REQUIRE(d->setPictureId(copy, 0x1ff));  // 7-bit: 0x1ff mod 128 = 0x7f
  REQUIRE(d->setTl0PicIdx(copy, 0x80));
  Bytes expected = kNonFlexible;
  expected[1] = 0x7f;
  expected[3] = 0x80;
  CHECK(copy == expected);
  const auto r = Vp9Descriptor::parse(copy);
  REQUIRE(r);
  CHECK(r->pictureId() == 0x7f);
  CHECK(r->tl0PicIdx() == 0x80);
  CHECK(r->size() == d->size());
  CHECK(r->spatialLayer() == 1);

  auto k = Vp9Descriptor::parse(kKeyWithSs);
  REQUIRE(k);
  Bytes kc = kKeyWithSs;
  REQUIRE(k->setPictureId(kc, 0xfffe));  // 15-bit: 0x7ffe
  Bytes kExpected = kKeyWithSs;
  kExpected[1] = 0xff;
  kExpected[2] = 0xfe;
  CHECK(kc == kExpected);
  const auto kr = Vp9Descriptor::parse(kc);
  REQUIRE(kr);
  CHECK(kr->pictureId() == 0x7ffe);
  CHECK(kr->numSpatialLayers() == 3);
  CHECK(kr->layerWidth(2) == 1280);
  CHECK(kr->isKeyFrame());
}

TEST_CASE("VP9 setters refuse absent fields, short buffers and other layouts", "[codec][vp9]") {
  auto flex = Vp9Descriptor::parse(kFlexible);
  REQUIRE(flex);
  Bytes copy = kFlexible;
  CHECK_FALSE(flex->setTl0PicIdx(copy, 1));  // flexible mode has none
  CHECK(copy == kFlexible);
  Bytes shortBuf(kFlexible.begin(), kFlexible.begin() + 3);
  CHECK_FALSE(flex->setPictureId(shortBuf, 1));
  Bytes other = kNonFlexible;  // different layout (F=0, 7-bit id)
  CHECK_FALSE(flex->setPictureId(other, 1));
  CHECK(other == kNonFlexible);
  auto minimal = Vp9Descriptor::parse(Bytes{0x0c, 0x01});
  REQUIRE(minimal);
  Bytes m = {0x0c, 0x01};
  CHECK_FALSE(minimal->setPictureId(m, 1));
  CHECK_FALSE(minimal->setTl0PicIdx(m, 1));
  // pictureGroup on a buffer with another layout or too short: nullopt.
  auto k = Vp9Descriptor::parse(kKeyWithSs);
  REQUIRE(k);
  CHECK_FALSE(k->pictureGroup(std::span<const uint8_t>(kKeyWithSs.data(), 10), 0));
  CHECK_FALSE(k->pictureGroup(kNonFlexible, 0));
}
