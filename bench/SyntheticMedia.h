#pragma once
// Synthetic media for the load clients: RTP payloads that look like what a browser sends (a VP8
// payload descriptor with a 15-bit picture id and a real key-frame header, or an Opus-sized audio
// frame) and end in a 20-byte stamp: the stream id, a per-stream sequence number and the sending
// time (CLOCK_MONOTONIC ns, the same clock in every bench thread), so a subscriber counts loss,
// duplicates, jitter and end-to-end latency exactly whatever the SFU rewrote in the RTP header.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::bench {

inline constexpr uint32_t kStampMagic = 0x5357424e;  // "SWBN"
inline constexpr size_t kStampSize = 20;

struct PayloadStamp {
  uint32_t streamId = 0;
  uint32_t sequence = 0;
  uint64_t sentNs = 0;
};

// Writes the stamp into the last kStampSize bytes of `payload` (which must be at least that long).
void writeStamp(std::span<uint8_t> payload, const PayloadStamp& stamp) noexcept;
// The stamp at the end of a payload, or nullopt (too short, no magic: padding, other traffic).
[[nodiscard]] std::optional<PayloadStamp> readStamp(std::span<const uint8_t> payload) noexcept;

[[nodiscard]] uint64_t monotonicNs() noexcept;

// A video stream's frames cut into packets: frame sizes from the bitrate and frame rate (key frames
// twice as large), packets of at most `packetBytes` payload bytes.
class VideoFrameSource {
 public:
  VideoFrameSource(uint32_t kbps, uint32_t fps, uint32_t packetBytes) noexcept;

  // Bytes of the next frame's payload (key frame or not).
  [[nodiscard]] uint32_t frameBytes(bool keyFrame) const noexcept;
  [[nodiscard]] uint32_t packetsFor(uint32_t frameBytes) const noexcept;
  [[nodiscard]] uint32_t packetBytes() const noexcept { return packetBytes_; }
  [[nodiscard]] uint32_t fps() const noexcept { return fps_; }

  // Fills one VP8 packet's payload: descriptor (S bit on the first packet of a frame, picture id),
  // on a frame start the VP8 frame tag (a key-frame header with start code and size when keyFrame),
  // zero filler, and the stamp. `out` is resized to `bytes` (at least the headers plus the stamp).
  static size_t writeVp8Payload(std::span<uint8_t> out, size_t bytes, bool frameStart, bool keyFrame,
                                uint16_t pictureId, uint16_t width, uint16_t height,
                                const PayloadStamp& stamp) noexcept;

 private:
  uint32_t kbps_;
  uint32_t fps_;
  uint32_t packetBytes_;
};

// Opus-sized audio: one packet per 20 ms.
inline constexpr uint32_t kAudioPacketsPerSecond = 50;
size_t writeAudioPayload(std::span<uint8_t> out, size_t bytes, const PayloadStamp& stamp) noexcept;

}  // namespace switchyard::bench
