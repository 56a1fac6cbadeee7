// The bench's synthetic media: stamps survive, and the VP8 payloads are what the SFU's own payload
// inspection sees in a browser's (key frames with their size, frame starts, picture ids).
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "bench/SyntheticMedia.h"
#include "media/codec/Vp8Descriptor.h"

using namespace switchyard;
using namespace switchyard::bench;

TEST_CASE("A stamp written at the end of a payload reads back and anything else reads as none") {
  std::array<uint8_t, 64> payload{};
  const PayloadStamp stamp{0x12345678, 0xfffffff0, 0x0123456789abcdefULL};
  writeStamp(payload, stamp);
  const auto read = readStamp(payload);
  REQUIRE(read);
  CHECK(read->streamId == stamp.streamId);
  CHECK(read->sequence == stamp.sequence);
  CHECK(read->sentNs == stamp.sentNs);
  payload.back() ^= 1;  // magic broken
  CHECK_FALSE(readStamp(payload));
  CHECK_FALSE(readStamp(std::span<const uint8_t>(payload.data(), kStampSize - 1)));
}

TEST_CASE("Synthetic VP8 key frames and delta frames parse as such") {
  std::array<uint8_t, 1500> out{};
  const size_t key = VideoFrameSource::writeVp8Payload(out, 1000, true, true, 0x1234, 1280, 720, {1, 2, 3});
  REQUIRE(key == 1000);
  auto d = media::codec::Vp8Descriptor::parse(std::span<const uint8_t>(out.data(), key));
  REQUIRE(d);
  CHECK(d->isKeyFrame());
  CHECK(d->isFrameStart());
  CHECK(d->pictureId() == 0x1234);
  CHECK(d->width() == 1280);
  CHECK(d->height() == 720);
  CHECK(readStamp(std::span<const uint8_t>(out.data(), key))->sentNs == 3);

  const size_t delta = VideoFrameSource::writeVp8Payload(out, 500, true, false, 7, 0, 0, {1, 3, 4});
  d = media::codec::Vp8Descriptor::parse(std::span<const uint8_t>(out.data(), delta));
  REQUIRE(d);
  CHECK_FALSE(d->isKeyFrame());
  CHECK(d->isFrameStart());

  const size_t middle = VideoFrameSource::writeVp8Payload(out, 500, false, false, 7, 0, 0, {1, 4, 5});
  d = media::codec::Vp8Descriptor::parse(std::span<const uint8_t>(out.data(), middle));
  REQUIRE(d);
  CHECK_FALSE(d->isFrameStart());
  CHECK_FALSE(d->isKeyFrame());
}

TEST_CASE("Frames are cut into packets from the bitrate and frame rate") {
  const VideoFrameSource source(1000, 25, 1000);  // 5000 bytes per frame
  CHECK(source.frameBytes(false) == 5000);
  CHECK(source.frameBytes(true) == 10000);
  CHECK(source.packetsFor(5000) == 5);
  CHECK(source.packetsFor(5001) == 6);
  const VideoFrameSource tiny(10, 60, 1000);
  CHECK(tiny.frameBytes(false) == 64);  // never empty
  CHECK(tiny.packetsFor(64) == 1);
}

TEST_CASE("Audio payloads carry a TOC byte and the stamp") {
  std::array<uint8_t, 200> out{};
  const size_t n = writeAudioPayload(out, 100, {9, 1, 2});
  CHECK(n == 100);
  CHECK(out[0] == 0x78);
  CHECK(readStamp(std::span<const uint8_t>(out.data(), n))->streamId == 9);
  CHECK(writeAudioPayload(std::span<uint8_t>(out.data(), 10), 100, {}) == 0);
}
