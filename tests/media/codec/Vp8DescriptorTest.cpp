// Vp8Descriptor: known answers built from the RFC 7741 section 4.2 / 4.3 layouts, truncations and
// in-place rewrites.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "media/codec/Vp8Descriptor.h"

using switchyard::media::codec::Vp8Descriptor;
using Bytes = std::vector<uint8_t>;

namespace {

// RFC 7741 section 4.3 / RFC 6386 section 9.1: VP8 payload header (P=0: key frame), then the key frame
// start code 9d 01 2a and 16-bit little-endian |scale(2)|size(14)| width and height: 640x360.
const Bytes kKeyFrameHeader = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, 0xaa, 0xbb};
// P=1: inter frame.
const Bytes kDeltaFrameHeader = {0x51, 0x22, 0x00, 0x11, 0x22};

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("VP8 descriptor without X: key frame with dimensions", "[codec][vp8]") {
  // Section 4.2: |X=0|R|N=0|S=1|R|PID=0| -> 0x10, then the VP8 payload.
  const Bytes pkt = concat({0x10}, kKeyFrameHeader);
  const auto d = Vp8Descriptor::parse(pkt);
  REQUIRE(d);
  CHECK(d->size() == 1);
  CHECK_FALSE(d->extended());
  CHECK_FALSE(d->nonReference());
  CHECK(d->startOfPartition());
  CHECK(d->partitionIndex() == 0);
  CHECK_FALSE(d->hasPictureId());
  CHECK_FALSE(d->pictureId());
  CHECK_FALSE(d->tl0PicIdx());
  CHECK_FALSE(d->temporalLayer());
  CHECK_FALSE(d->keyIdx());
  CHECK_FALSE(d->layerSync());
  CHECK(d->isFrameStart());
  CHECK(d->isKeyFrame());
  CHECK(d->width() == 640);
  CHECK(d->height() == 360);
  CHECK(d->horizontalScale() == 0);
  CHECK(d->verticalScale() == 0);
  const auto info = d->info();
  CHECK(info.keyFrame);
  CHECK(info.frameStart);
  CHECK_FALSE(info.frameEnd);
  CHECK(info.width == 640);
  CHECK(info.height == 360);
  CHECK_FALSE(info.pictureId);
}

TEST_CASE("VP8 key frame scale bits and 14-bit sizes", "[codec][vp8]") {
  // Width 0x4500 -> scale 1, width 0x0500 = 1280; height 0xc2d0 -> scale 3, height 0x02d0 = 720.
  const Bytes pkt = {0x10, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x45, 0xd0, 0xc2};
  const auto d = Vp8Descriptor::parse(pkt);
  REQUIRE(d);
  CHECK(d->isKeyFrame());
  CHECK(d->width() == 1280);
  CHECK(d->horizontalScale() == 1);
  CHECK(d->height() == 720);
  CHECK(d->verticalScale() == 3);
}

TEST_CASE("VP8 key frame without a complete or valid key frame header has no size", "[codec][vp8]") {
  // Short: only the 3-byte frame tag (P=0) is present.
  const auto shortPkt = Vp8Descriptor::parse(Bytes{0x10, 0x50, 0x42, 0x00});
  REQUIRE(shortPkt);
  CHECK(shortPkt->isKeyFrame());
  CHECK(shortPkt->width() == 0);
  CHECK(shortPkt->height() == 0);
  // Wrong start code.
  Bytes bad = concat({0x10}, kKeyFrameHeader);
  bad[5] = 0x02;
  const auto badPkt = Vp8Descriptor::parse(bad);
  REQUIRE(badPkt);
  CHECK(badPkt->isKeyFrame());
  CHECK(badPkt->width() == 0);
}

TEST_CASE("VP8 delta frame is not a key frame", "[codec][vp8]") {
  const auto d = Vp8Descriptor::parse(concat({0x10}, kDeltaFrameHeader));
  REQUIRE(d);
  CHECK(d->isFrameStart());
  CHECK_FALSE(d->isKeyFrame());
  CHECK(d->width() == 0);
  CHECK_FALSE(d->info().keyFrame);
}

TEST_CASE("VP8 non-first partition and continuation packets are not key frames", "[codec][vp8]") {
  // Section 4.3: the payload header is only present when S=1 and PID=0. Here S=1, PID=1 with a
  // payload byte that would read P=0.
  const auto second = Vp8Descriptor::parse(concat({0x11}, kKeyFrameHeader));
  REQUIRE(second);
  CHECK(second->partitionIndex() == 1);
  CHECK(second->startOfPartition());
  CHECK_FALSE(second->isFrameStart());
  CHECK_FALSE(second->isKeyFrame());
  CHECK(second->width() == 0);
  // S=0, PID=0: middle of partition 0.
  const auto middle = Vp8Descriptor::parse(concat({0x00}, kKeyFrameHeader));
  REQUIRE(middle);
  CHECK_FALSE(middle->startOfPartition());
  CHECK_FALSE(middle->isKeyFrame());
  // N bit and PID 7 (3-bit field).
  const auto last = Vp8Descriptor::parse(Bytes{0x37, 0x00});
  REQUIRE(last);
  CHECK(last->nonReference());
  CHECK(last->partitionIndex() == 7);
}

TEST_CASE("VP8 X with 7-bit picture id", "[codec][vp8]") {
  // |X=1|R|N|S=1|R|PID=0| = 0x90; |I=1|L=0|T=0|K=0|RSV| = 0x80; |M=0| PictureID=17 |.
  const auto d = Vp8Descriptor::parse(concat({0x90, 0x80, 0x11}, kKeyFrameHeader));
  REQUIRE(d);
  CHECK(d->extended());
  CHECK(d->size() == 3);
  CHECK(d->hasPictureId());
  CHECK_FALSE(d->longPictureId());
  CHECK(d->pictureId() == 17);
  CHECK_FALSE(d->tl0PicIdx());
  CHECK_FALSE(d->temporalLayer());
  CHECK_FALSE(d->keyIdx());
  CHECK(d->isKeyFrame());
  CHECK(d->width() == 640);
  CHECK(d->info().pictureId == 17);
}

TEST_CASE("VP8 X with 15-bit picture id, TL0PICIDX, TID/Y/KEYIDX", "[codec][vp8]") {
  // |I=1|L=1|T=1|K=1| = 0xf0; |M=1| PictureID=0x0123 | = 0x81 0x23; TL0PICIDX=5;
  // |TID=01|Y=1|KEYIDX=01010| = 0x6a.
  const auto d = Vp8Descriptor::parse(concat({0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader));
  REQUIRE(d);
  CHECK(d->size() == 6);
  CHECK(d->longPictureId());
  CHECK(d->pictureId() == 0x0123);
  CHECK(d->tl0PicIdx() == 5);
  CHECK(d->temporalLayer() == 1);
  CHECK(d->layerSync());
  CHECK(d->keyIdx() == 10);
  CHECK_FALSE(d->isKeyFrame());
  const auto info = d->info();
  CHECK(info.temporalLayer == 1);
  CHECK(info.layerSync);
  CHECK(info.tl0PicIdx == 5);
  CHECK(info.pictureId == 0x0123);
  CHECK(info.spatialLayer == 0);
}

TEST_CASE("VP8 T without K and K without T", "[codec][vp8]") {
  // T only: |I=0|L=1|T=1|K=0| = 0x60; TL0PICIDX=0xfe; |TID=3|Y=0|KEYIDX=0x1f (ignored)|.
  const auto t = Vp8Descriptor::parse(Bytes{0x80, 0x60, 0xfe, 0xdf, 0x00});
  REQUIRE(t);
  CHECK(t->size() == 4);
  CHECK(t->temporalLayer() == 3);
  CHECK_FALSE(t->layerSync());
  CHECK_FALSE(t->keyIdx());
  CHECK(t->tl0PicIdx() == 0xfe);
  CHECK_FALSE(t->pictureId());
  // K only: |K=1| = 0x10; TID and Y bits set but meaningless without T.
  const auto k = Vp8Descriptor::parse(Bytes{0x80, 0x10, 0xff, 0x00});
  REQUIRE(k);
  CHECK(k->size() == 3);
  CHECK(k->keyIdx() == 31);
  CHECK_FALSE(k->temporalLayer());
  CHECK_FALSE(k->layerSync());
  CHECK(k->info().temporalLayer == 0);
  // X set with no optional field: two octets of descriptor.
  const auto x = Vp8Descriptor::parse(Bytes{0x90, 0x00, 0x01});
  REQUIRE(x);
  CHECK(x->size() == 2);
  CHECK(x->extended());
}

TEST_CASE("VP8 truncation at every length", "[codec][vp8]") {
  const std::vector<Bytes> samples = {
      concat({0x10}, kKeyFrameHeader),
      concat({0x90, 0x80, 0x11}, kKeyFrameHeader),
      concat({0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader),
      Bytes{0x80, 0x60, 0xfe, 0xdf, 0x00},
      Bytes{0x80, 0x10, 0xff, 0x00},
  };
  for (const auto& s : samples) {
    const auto full = Vp8Descriptor::parse(s);
    REQUIRE(full);
    for (size_t len = 0; len < s.size(); ++len) {
      const auto d = Vp8Descriptor::parse(std::span<const uint8_t>(s.data(), len));
      if (len <= full->size()) {
        // Descriptor cut, or nothing after it.
        CHECK_FALSE(d);
      } else {
        REQUIRE(d);
        CHECK(d->size() == full->size());
        CHECK(d->pictureId() == full->pictureId());
        CHECK(d->isKeyFrame() == full->isKeyFrame());
        // Dimensions only when the whole 10-byte key frame header is there.
        if (len - full->size() < 10) CHECK(d->width() == 0);
      }
    }
  }
}

TEST_CASE("VP8 setPictureId 15-bit changes only the picture id bytes", "[codec][vp8]") {
  const Bytes original = concat({0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader);
  auto d = Vp8Descriptor::parse(original);
  REQUIRE(d);
  Bytes copy = original;
  REQUIRE(d->setPictureId(copy, 0x7abc));
  Bytes expected = original;
  expected[2] = 0xfa;  // M=1 kept
  expected[3] = 0xbc;
  CHECK(copy == expected);
  CHECK(d->pictureId() == 0x7abc);
  const auto r = Vp8Descriptor::parse(copy);
  REQUIRE(r);
  CHECK(r->pictureId() == 0x7abc);
  CHECK(r->size() == 6);
  CHECK(r->tl0PicIdx() == 5);
  CHECK(r->keyIdx() == 10);
  // Wraps modulo 2^15.
  REQUIRE(d->setPictureId(copy, 0x8001));
  CHECK(Vp8Descriptor::parse(copy)->pictureId() == 1);
  CHECK(copy[2] == 0x80);
  CHECK(copy[3] == 0x01);
}

TEST_CASE("VP8 setPictureId 7-bit writes modulo 128", "[codec][vp8]") {
  const Bytes original = concat({0x90, 0x80, 0x11}, kKeyFrameHeader);
  auto d = Vp8Descriptor::parse(original);
  REQUIRE(d);
  Bytes copy = original;
  REQUIRE(d->setPictureId(copy, 300));  // 300 mod 128 = 44
  Bytes expected = original;
  expected[2] = 44;
  CHECK(copy == expected);
  const auto r = Vp8Descriptor::parse(copy);
  REQUIRE(r);
  CHECK(r->pictureId() == 44);
  CHECK_FALSE(r->longPictureId());
  CHECK(r->isKeyFrame());
  CHECK(r->width() == 640);
}

TEST_CASE("VP8 setTl0PicIdx and setKeyIdx are bit-exact", "[codec][vp8]") {
  const Bytes original = concat({0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader);
  auto d = Vp8Descriptor::parse(original);
  REQUIRE(d);
  Bytes copy = original;
  REQUIRE(d->setTl0PicIdx(copy, 0xee));
  Bytes expected = original;
  expected[4] = 0xee;
  CHECK(copy == expected);
  REQUIRE(d->setKeyIdx(copy, 0xff));  // only 5 bits: 31; TID=1 and Y=1 kept
  expected[5] = 0x7f;
  CHECK(copy == expected);
  const auto r = Vp8Descriptor::parse(copy);
  REQUIRE(r);
  CHECK(r->tl0PicIdx() == 0xee);
  CHECK(r->keyIdx() == 31);
  CHECK(r->temporalLayer() == 1);
  CHECK(r->layerSync());
  CHECK(r->pictureId() == 0x0123);
  CHECK(d->tl0PicIdx() == 0xee);
  CHECK(d->keyIdx() == 31);
}

TEST_CASE("VP8 setters refuse absent fields, short buffers and other layouts", "[codec][vp8]") {
  const Bytes plain = concat({0x10}, kKeyFrameHeader);
  auto d = Vp8Descriptor::parse(plain);
  REQUIRE(d);
  Bytes copy = plain;
  CHECK_FALSE(d->setPictureId(copy, 1));
  CHECK_FALSE(d->setTl0PicIdx(copy, 1));
  CHECK_FALSE(d->setKeyIdx(copy, 1));
  CHECK(copy == plain);

  const Bytes full = concat({0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader);
  auto f = Vp8Descriptor::parse(full);
  REQUIRE(f);
  Bytes shortBuf(full.begin(), full.begin() + 5);
  CHECK_FALSE(f->setKeyIdx(shortBuf, 3));
  CHECK_FALSE(f->setPictureId(std::span<uint8_t>(), 3));
  // A buffer whose descriptor has another layout (7-bit picture id) is refused untouched.
  Bytes other = concat({0x90, 0xf0, 0x01, 0x23, 0x05, 0x6a}, kDeltaFrameHeader);
  const Bytes otherBefore = other;
  CHECK_FALSE(f->setPictureId(other, 9));
  CHECK_FALSE(f->setTl0PicIdx(other, 9));
  Bytes noX = concat({0x10, 0xf0, 0x81, 0x23, 0x05, 0x6a}, kDeltaFrameHeader);
  CHECK_FALSE(f->setTl0PicIdx(noX, 9));
  CHECK(other == otherBefore);
}

TEST_CASE("VP8 malformed descriptors", "[codec][vp8]") {
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{}));
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{0x10}));              // no payload
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{0x90}));              // X octet missing
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{0x90, 0x80}));        // picture id missing
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{0x90, 0x80, 0x81}));  // second picture id octet missing
  CHECK_FALSE(Vp8Descriptor::parse(Bytes{0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a}));  // no payload
}
