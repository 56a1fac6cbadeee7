#include "media/net/Rfc4571Framer.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

using switchyard::media::net::Rfc4571Framer;

namespace {

// RFC 4571 §2: a 16-bit big-endian LENGTH, then LENGTH bytes.
void appendFrame(std::vector<uint8_t>& out, const std::vector<uint8_t>& frame) {
  out.push_back(static_cast<uint8_t>(frame.size() >> 8));
  out.push_back(static_cast<uint8_t>(frame.size()));
  out.insert(out.end(), frame.begin(), frame.end());
}

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> v(size);
  for (size_t i = 0; i < size; ++i)
    v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// Feeds `stream` in chunks of the given sizes (cycled) and collects every frame.
std::vector<std::vector<uint8_t>> feedInChunks(Rfc4571Framer& framer, std::span<const uint8_t> stream,
                                               const std::vector<size_t>& chunks) {
  std::vector<std::vector<uint8_t>> frames;
  size_t pos = 0;
  size_t chunkIndex = 0;
  while (pos < stream.size()) {
    size_t chunk = std::min(chunks[chunkIndex++ % chunks.size()], stream.size() - pos);
    while (chunk > 0) {
      const size_t taken = framer.feed(stream.subspan(pos, chunk));
      pos += taken;
      chunk -= taken;
      while (auto frame = framer.nextFrame())
        frames.emplace_back(frame->begin(), frame->end());
      if (framer.failed()) return frames;
    }
  }
  return frames;
}

}  // namespace

TEST_CASE("Rfc4571Framer: one byte at a time") {
  const std::vector<std::vector<uint8_t>> frames = {pattern(20, 1), pattern(1, 2), pattern(300, 3)};
  std::vector<uint8_t> stream;
  for (const auto& f : frames)
    appendFrame(stream, f);
  Rfc4571Framer framer;
  CHECK(feedInChunks(framer, stream, {1}) == frames);
  CHECK(framer.buffered() == 0);
}

TEST_CASE("Rfc4571Framer: several frames in one chunk, zero-length frames") {
  const std::vector<std::vector<uint8_t>> frames = {pattern(5, 1), {}, pattern(3, 9), {}, {}};
  std::vector<uint8_t> stream;
  for (const auto& f : frames)
    appendFrame(stream, f);
  Rfc4571Framer framer;
  REQUIRE(framer.feed(stream) == stream.size());
  std::vector<std::vector<uint8_t>> out;
  while (auto frame = framer.nextFrame())
    out.emplace_back(frame->begin(), frame->end());
  CHECK(out == frames);
  CHECK_FALSE(framer.failed());
}

TEST_CASE("Rfc4571Framer: partial frame kept, split length prefix") {
  Rfc4571Framer framer;
  const std::vector<uint8_t> header1 = {0x00};
  CHECK(framer.feed(header1) == 1);
  CHECK_FALSE(framer.nextFrame().has_value());
  CHECK(framer.buffered() == 1);
  const std::vector<uint8_t> rest = {0x03, 0xaa, 0xbb};
  CHECK(framer.feed(rest) == 3);
  CHECK_FALSE(framer.nextFrame().has_value());
  CHECK(framer.buffered() == 4);
  const std::vector<uint8_t> last = {0xcc, 0x00};  // completes the frame and starts the next header
  CHECK(framer.feed(last) == 2);
  auto frame = framer.nextFrame();
  REQUIRE(frame.has_value());
  CHECK(std::vector<uint8_t>(frame->begin(), frame->end()) == std::vector<uint8_t>{0xaa, 0xbb, 0xcc});
  CHECK_FALSE(framer.nextFrame().has_value());
  CHECK(framer.buffered() == 1);
}

TEST_CASE("Rfc4571Framer: the largest frame (65535 bytes) and writable space") {
  Rfc4571Framer framer;
  const std::vector<uint8_t> big = pattern(65535, 5);
  std::vector<uint8_t> stream;
  appendFrame(stream, big);
  appendFrame(stream, pattern(10, 6));
  // Read like a socket: straight into writableSpace().
  std::vector<std::vector<uint8_t>> out;
  size_t pos = 0;
  while (pos < stream.size()) {
    const auto space = framer.writableSpace();
    REQUIRE_FALSE(space.empty());
    const size_t n = std::min<size_t>({space.size(), stream.size() - pos, 4000});
    std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(pos), n, space.begin());
    framer.commit(n);
    pos += n;
    while (auto frame = framer.nextFrame())
      out.emplace_back(frame->begin(), frame->end());
  }
  REQUIRE(out.size() == 2);
  CHECK(out[0] == big);
  CHECK(out[1] == pattern(10, 6));
}

TEST_CASE("Rfc4571Framer: frames are writable views (decrypt in place)") {
  Rfc4571Framer framer;
  const std::vector<uint8_t> stream = {0x00, 0x02, 0x10, 0x20};
  framer.feed(stream);
  auto frame = framer.nextFrame();
  REQUIRE(frame.has_value());
  (*frame)[0] = 0x99;
  CHECK((*frame)[0] == 0x99);
}

TEST_CASE("Rfc4571Framer: a LENGTH above maxFrameSize fails and stays failed") {
  Rfc4571Framer framer(100);
  CHECK(framer.maxFrameSize() == 100);
  std::vector<uint8_t> stream;
  appendFrame(stream, pattern(100, 1));  // exactly the limit: fine
  appendFrame(stream, pattern(101, 2));  // one over
  const auto frames = feedInChunks(framer, stream, {7});
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == pattern(100, 1));
  CHECK(framer.failed());
  CHECK(framer.writableSpace().empty());
  CHECK(framer.feed(stream) == 0);
  CHECK_FALSE(framer.nextFrame().has_value());
  framer.reset();
  CHECK_FALSE(framer.failed());
  CHECK(feedInChunks(framer, std::span<const uint8_t>(stream).first(102), {3}).size() == 1);

  Rfc4571Framer clamped(1'000'000);
  CHECK(clamped.maxFrameSize() == Rfc4571Framer::kMaxFrameSize);
}

TEST_CASE("Rfc4571Framer: random frames and random chunkings round-trip") {
  std::mt19937 rng(4571);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::vector<uint8_t>> frames;
    std::vector<uint8_t> stream;
    const int count = static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) {
      const size_t size = rng() % 8 == 0 ? rng() % 65536 : rng() % 1500;
      frames.push_back(pattern(size, static_cast<uint8_t>(rng())));
      appendFrame(stream, frames.back());
    }
    std::vector<size_t> chunks;
    for (int i = 0; i < 16; ++i)
      chunks.push_back(1 + rng() % (round % 2 == 0 ? 10 : 70000));
    Rfc4571Framer framer;
    REQUIRE(feedInChunks(framer, stream, chunks) == frames);
    CHECK(framer.buffered() == 0);
  }
}
