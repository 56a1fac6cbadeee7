// inspectPayload: dispatch by codec, and the common PayloadInfo it returns.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "media/codec/PayloadInspector.h"

using switchyard::media::codec::CodecKind;
using switchyard::media::codec::inspectPayload;
using Bytes = std::vector<uint8_t>;

TEST_CASE("inspectPayload dispatches by codec", "[codec]") {
  // VP8 (RFC 7741 section 4.2): 15-bit picture id 0x0123, TL0PICIDX 5, TID 1 Y=1, key frame 640x360.
  const Bytes vp8 = {0x90, 0xf0, 0x81, 0x23, 0x05, 0x6a, 0x50, 0x42,
                     0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01};
  const auto a = inspectPayload(CodecKind::Vp8, vp8);
  REQUIRE(a);
  CHECK(a->keyFrame);
  CHECK(a->frameStart);
  CHECK_FALSE(a->frameEnd);
  CHECK(a->pictureId == 0x0123);
  CHECK(a->tl0PicIdx == 5);
  CHECK(a->temporalLayer == 1);
  CHECK(a->layerSync);
  CHECK(a->spatialLayer == 0);
  CHECK(a->width == 640);
  CHECK(a->height == 360);

  // VP9 (RFC 9628 section 4.2) non-flexible: picture id 0x12, TID 2 U SID 1 D, TL0PICIDX 9, E=1.
  const Bytes vp9 = {0xec, 0x12, 0x53, 0x09, 0x55};
  const auto b = inspectPayload(CodecKind::Vp9, vp9);
  REQUIRE(b);
  CHECK_FALSE(b->keyFrame);
  CHECK(b->frameStart);
  CHECK(b->frameEnd == true);
  CHECK(b->spatialLayer == 1);
  CHECK(b->temporalLayer == 2);
  CHECK(b->layerSync);
  CHECK(b->pictureId == 0x12);
  CHECK(b->tl0PicIdx == 9);

  // H264 (RFC 6184 section 5.6) single IDR.
  const auto c = inspectPayload(CodecKind::H264, Bytes{0x65, 0x88, 0x80});
  REQUIRE(c);
  CHECK(c->keyFrame);
  CHECK(c->frameStart);
  CHECK_FALSE(c->pictureId);

  // The same bytes mean different things per codec: a VP8 descriptor that is a reserved H264 type.
  const Bytes onlyVp8 = {0x1f, 0x00};
  CHECK(inspectPayload(CodecKind::Vp8, onlyVp8));
  CHECK_FALSE(inspectPayload(CodecKind::H264, onlyVp8));
  CHECK_FALSE(inspectPayload(CodecKind::Vp8, Bytes{}));
  CHECK_FALSE(inspectPayload(CodecKind::Vp9, Bytes{}));
  CHECK_FALSE(inspectPayload(CodecKind::H264, Bytes{}));
  // Out-of-range enum value: nullopt, not a crash.
  CHECK_FALSE(inspectPayload(static_cast<CodecKind>(42), vp8));
}
