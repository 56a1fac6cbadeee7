// Fuzzes RFC 4571 frame reassembly (media/net/Rfc4571Framer) under arbitrary chunkings.
// Input: byte 0 picks the frame size limit, byte 1 seeds the chunk sizes, the rest is used twice:
//  1. as a raw TCP byte stream: the framer, fed in random chunks (through feed() and through
//     writableSpace()/commit() like a socket read), must return exactly the frames a one-shot
//     reference parse finds, fail exactly when the reference meets a LENGTH above the limit, and
//     keep exactly the unparsed tail buffered;
//  2. as a list of packets ([len][bytes], len 255 = a large pattern-filled packet whose size is
//     read from the next two bytes), framed and concatenated: the frames that come out must be
//     the packets that went in, byte for byte.
// Traps on any difference.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "media/net/Rfc4571Framer.h"

namespace {

using switchyard::media::net::Rfc4571Framer;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

struct Reference {
  std::vector<std::vector<uint8_t>> frames;
  bool failed = false;
  size_t tail = 0;  // bytes of an incomplete frame at the end
};

Reference referenceParse(std::span<const uint8_t> stream, size_t maxFrame) {
  Reference ref;
  size_t pos = 0;
  while (stream.size() - pos >= 2) {
    const size_t length = (size_t{stream[pos]} << 8) | stream[pos + 1];
    if (length > maxFrame) {
      ref.failed = true;
      return ref;
    }
    if (stream.size() - pos - 2 < length) break;
    ref.frames.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(pos + 2),
                            stream.begin() + static_cast<std::ptrdiff_t>(pos + 2 + length));
    pos += 2 + length;
  }
  ref.tail = stream.size() - pos;
  return ref;
}

// Small deterministic PRNG for chunk sizes.
struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

size_t chunkSize(Rng& rng) {
  switch (rng.next() % 4) {
    case 0:
      return 1;
    case 1:
      return 1 + rng.next() % 4;
    case 2:
      return 1 + rng.next() % 300;
    default:
      return 1 + rng.next() % 70000;
  }
}

struct Result {
  std::vector<std::vector<uint8_t>> frames;
  bool failed = false;
  size_t buffered = 0;
};

Result run(Rfc4571Framer& framer, std::span<const uint8_t> stream, Rng rng, bool socketStyle) {
  Result result;
  size_t pos = 0;
  while (pos < stream.size() && !framer.failed()) {
    const size_t want = std::min(chunkSize(rng), stream.size() - pos);
    size_t taken = 0;
    if (socketStyle) {
      const std::span<uint8_t> space = framer.writableSpace();
      FUZZ_REQUIRE(!space.empty());
      taken = std::min(want, space.size());
      std::memcpy(space.data(), stream.data() + pos, taken);
      framer.commit(taken);
    } else {
      taken = framer.feed(stream.subspan(pos, want));
      FUZZ_REQUIRE(taken > 0);
    }
    pos += taken;
    while (auto frame = framer.nextFrame()) {
      FUZZ_REQUIRE(frame->size() <= framer.maxFrameSize());
      result.frames.emplace_back(frame->begin(), frame->end());
      // The view is writable (consumers decrypt in place) and stays valid across nextFrame().
      if (!frame->empty()) (*frame)[0] ^= 0xff;
    }
    FUZZ_REQUIRE(framer.buffered() <= 2 + framer.maxFrameSize());
  }
  result.failed = framer.failed();
  result.buffered = framer.buffered();
  if (result.failed) {
    FUZZ_REQUIRE(framer.writableSpace().empty());
    FUZZ_REQUIRE(framer.feed(stream) == 0);
    FUZZ_REQUIRE(!framer.nextFrame().has_value());
  }
  return result;
}

// One framer per limit, reused across inputs (reset() must fully restore it).
Rfc4571Framer& framerFor(size_t maxFrame) {
  static std::deque<std::pair<size_t, Rfc4571Framer>> framers;  // stable references
  for (auto& [limit, framer] : framers) {
    if (limit == maxFrame) {
      framer.reset();
      return framer;
    }
  }
  framers.emplace_back(maxFrame, Rfc4571Framer(maxFrame));
  return framers.back().second;
}

void checkRawStream(std::span<const uint8_t> stream, size_t maxFrame, uint32_t seed) {
  const Reference ref = referenceParse(stream, maxFrame);
  for (const bool socketStyle : {false, true}) {
    Rfc4571Framer& framer = framerFor(maxFrame);
    const Result got = run(framer, stream, Rng{seed | 1u}, socketStyle);
    FUZZ_REQUIRE(got.failed == ref.failed);
    FUZZ_REQUIRE(got.frames == ref.frames);
    if (!ref.failed) FUZZ_REQUIRE(got.buffered == ref.tail);
    // After reset() the same framer works again from scratch.
    framer.reset();
    const Result again = run(framer, stream, Rng{seed * 2654435761u | 1u}, socketStyle);
    FUZZ_REQUIRE(again.frames == ref.frames);
    FUZZ_REQUIRE(again.failed == ref.failed);
  }
}

void checkFramedPackets(std::span<const uint8_t> input, uint32_t seed) {
  std::vector<std::vector<uint8_t>> packets;
  size_t pos = 0;
  size_t total = 0;  // keep a run fast: at most ~256 KiB of framed packets
  while (pos < input.size() && packets.size() < 64 && total < (size_t{1} << 18)) {
    size_t length = input[pos++];
    std::vector<uint8_t> packet;
    if (length == 255 && input.size() - pos >= 2) {
      length = (size_t{input[pos]} << 8) | input[pos + 1];
      pos += 2;
      packet.resize(length);
      for (size_t i = 0; i < length; ++i)
        packet[i] = static_cast<uint8_t>(i * 31 + length);
    } else {
      length = std::min(length, input.size() - pos);
      packet.assign(input.begin() + static_cast<std::ptrdiff_t>(pos),
                    input.begin() + static_cast<std::ptrdiff_t>(pos + length));
      pos += length;
    }
    total += 2 + packet.size();
    packets.push_back(std::move(packet));
  }
  std::vector<uint8_t> stream;
  for (const auto& packet : packets) {
    stream.push_back(static_cast<uint8_t>(packet.size() >> 8));
    stream.push_back(static_cast<uint8_t>(packet.size()));
    stream.insert(stream.end(), packet.begin(), packet.end());
  }
  Rfc4571Framer& framer = framerFor(Rfc4571Framer::kMaxFrameSize);
  const Result got = run(framer, stream, Rng{seed ^ 0x9e3779b9u}, (seed & 1u) != 0);
  FUZZ_REQUIRE(!got.failed);
  FUZZ_REQUIRE(got.frames == packets);
  FUZZ_REQUIRE(got.buffered == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr size_t kLimits[] = {0, 1, 2, 100, 1500, 2048, 65534, 65535};
  const size_t maxFrame = kLimits[data[0] % 8];
  const uint32_t seed = 0x01000193u * (uint32_t{data[1]} + 1u) ^ static_cast<uint32_t>(size);
  const std::span<const uint8_t> rest(data + 2, size - 2);
  checkRawStream(rest, maxFrame, seed);
  checkFramedPackets(rest, seed);
  return 0;
}
