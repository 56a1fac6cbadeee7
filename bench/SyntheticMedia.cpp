#include "bench/SyntheticMedia.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "media/util/BigEndian.h"

namespace switchyard::bench {

namespace be = media::util;

void writeStamp(std::span<uint8_t> payload, const PayloadStamp& stamp) noexcept {
  if (payload.size() < kStampSize) return;
  uint8_t* p = payload.data() + payload.size() - kStampSize;
  be::write32(p, stamp.streamId);
  be::write32(p + 4, stamp.sequence);
  be::write64(p + 8, stamp.sentNs);
  be::write32(p + 16, kStampMagic);
}

std::optional<PayloadStamp> readStamp(std::span<const uint8_t> payload) noexcept {
  if (payload.size() < kStampSize) return std::nullopt;
  const uint8_t* p = payload.data() + payload.size() - kStampSize;
  if (be::read32(p + 16) != kStampMagic) return std::nullopt;
  PayloadStamp stamp;
  stamp.streamId = be::read32(p);
  stamp.sequence = be::read32(p + 4);
  stamp.sentNs = be::read64(p + 8);
  return stamp;
}

uint64_t monotonicNs() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

VideoFrameSource::VideoFrameSource(uint32_t kbps, uint32_t fps, uint32_t packetBytes) noexcept
    : kbps_(kbps), fps_(std::max<uint32_t>(fps, 1)), packetBytes_(std::max<uint32_t>(packetBytes, 64)) {}

uint32_t VideoFrameSource::frameBytes(bool keyFrame) const noexcept {
  const uint32_t bytes = std::max<uint32_t>(kbps_ * 1000 / 8 / fps_, 64);
  return keyFrame ? bytes * 2 : bytes;
}

uint32_t VideoFrameSource::packetsFor(uint32_t frameBytes) const noexcept {
  return std::max<uint32_t>(1, (frameBytes + packetBytes_ - 1) / packetBytes_);
}

namespace {
constexpr size_t kVp8DescriptorBytes = 4;  // X, I with a 15-bit picture id
constexpr size_t kKeyFrameHeaderBytes = 10;
}  // namespace

size_t VideoFrameSource::writeVp8Payload(std::span<uint8_t> out, size_t bytes, bool frameStart, bool keyFrame,
                                         uint16_t pictureId, uint16_t width, uint16_t height,
                                         const PayloadStamp& stamp) noexcept {
  const size_t minimum = kVp8DescriptorBytes + kKeyFrameHeaderBytes + kStampSize;
  bytes = std::min(std::max(bytes, minimum), out.size());
  if (bytes < minimum) return 0;
  std::memset(out.data(), 0, bytes);
  out[0] = static_cast<uint8_t>(0x80 | (frameStart ? 0x10 : 0x00));  // X, S, PID 0
  out[1] = 0x80;                                                     // I
  out[2] = static_cast<uint8_t>(0x80 | ((pictureId >> 8) & 0x7f));   // M: 15-bit picture id
  out[3] = static_cast<uint8_t>(pictureId & 0xff);
  if (frameStart) {
    uint8_t* vp8 = out.data() + kVp8DescriptorBytes;
    // Frame tag: P=0 for a key frame (RFC 6386 9.1), show_frame set.
    vp8[0] = static_cast<uint8_t>((keyFrame ? 0x00 : 0x01) | 0x10);
    if (keyFrame) {
      vp8[3] = 0x9d;
      vp8[4] = 0x01;
      vp8[5] = 0x2a;
      vp8[6] = static_cast<uint8_t>(width & 0xff);
      vp8[7] = static_cast<uint8_t>((width >> 8) & 0x3f);
      vp8[8] = static_cast<uint8_t>(height & 0xff);
      vp8[9] = static_cast<uint8_t>((height >> 8) & 0x3f);
    }
  }
  writeStamp(out.first(bytes), stamp);
  return bytes;
}

size_t writeAudioPayload(std::span<uint8_t> out, size_t bytes, const PayloadStamp& stamp) noexcept {
  bytes = std::min(std::max(bytes, kStampSize + 1), out.size());
  if (bytes < kStampSize + 1) return 0;
  std::memset(out.data(), 0, bytes);
  out[0] = 0x78;  // an Opus TOC byte (CELT fullband 20 ms)
  writeStamp(out.first(bytes), stamp);
  return bytes;
}

}  // namespace switchyard::bench
