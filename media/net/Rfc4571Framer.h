#pragma once
// Reassembles RFC 4571 §2 frames from a TCP byte stream (as used for ICE-TCP candidates, RFC 6544
// §3): every packet is preceded by a 16-bit big-endian LENGTH, so frames are 0..65535 bytes.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   -----------------------------------------------------------------
//   |             LENGTH            |  RTP or RTCP packet ...       |
//   -----------------------------------------------------------------
//
// The framer owns one fixed buffer of 2 + maxFrameSize bytes (allocated once at construction), so
// the socket can read straight into it (writableSpace() + commit()) and frames are handed out as
// mutable views into it (the consumer may decrypt in place). A partial frame is kept until it
// completes; a LENGTH above maxFrameSize is a protocol error that cannot be resynchronised (the
// stream has no markers), so the framer latches failed() and the connection must be closed.
// Zero-length frames are valid framing and are returned as empty views; what to do with them is
// the caller's choice (TcpIceConnection skips them).
//
// Pull style, no callbacks:  auto space = f.writableSpace(); n = read(space); f.commit(n);
//                            while (auto frame = f.nextFrame()) use(*frame);
// Views returned by nextFrame() stay valid until the next writableSpace(), commit(), feed() or
// reset(). Nothing here allocates after construction or throws.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace switchyard::media::net {

class Rfc4571Framer {
 public:
  static constexpr size_t kHeaderSize = 2;
  static constexpr size_t kMaxFrameSize = 65535;

  // maxFrameSize is clamped to kMaxFrameSize.
  explicit Rfc4571Framer(size_t maxFrameSize = kMaxFrameSize);

  // Free space at the end of the buffer (never empty unless failed()); moves a pending partial
  // frame to the front first.
  [[nodiscard]] std::span<uint8_t> writableSpace() noexcept;
  // Marks n bytes written at the start of writableSpace() (n is clamped to its size).
  void commit(size_t n) noexcept;
  // Copies as much of data as fits (like a socket read), returns how many bytes were taken. The
  // caller drains nextFrame() and feeds the rest.
  size_t feed(std::span<const uint8_t> data) noexcept;
  // The next complete frame, or nullopt when more bytes are needed (or failed()).
  [[nodiscard]] std::optional<std::span<uint8_t>> nextFrame() noexcept;

  [[nodiscard]] bool failed() const noexcept { return failed_; }
  // Bytes of an incomplete frame (header included) waiting for more data.
  [[nodiscard]] size_t buffered() const noexcept { return end_ - begin_; }
  [[nodiscard]] size_t maxFrameSize() const noexcept { return maxFrameSize_; }
  void reset() noexcept;

 private:
  std::vector<uint8_t> buffer_;
  size_t maxFrameSize_;
  size_t begin_ = 0;  // first byte not yet returned as part of a frame
  size_t end_ = 0;    // end of the valid bytes
  bool failed_ = false;
};

}  // namespace switchyard::media::net
