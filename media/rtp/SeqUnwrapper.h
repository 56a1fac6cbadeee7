#pragma once
// Extends 16-bit RTP sequence numbers to 64 bits across wrap-arounds. Each value is placed at the
// signed distance seqDelta() from the previous one, so reordering and backward steps of up to half
// the space are handled. The first value unwraps to itself; a value older than the first one gives
// a negative result. The low 16 bits of a result always equal the input.
#include <cstdint>
#include <optional>

namespace switchyard::media::rtp {

class SeqUnwrapper {
 public:
  // Unwraps seq and remembers it as the reference for the next call.
  int64_t unwrap(uint16_t seq) noexcept;
  // What unwrap(seq) would return, without changing state.
  [[nodiscard]] int64_t peek(uint16_t seq) const noexcept;
  // The last unwrapped value, if any.
  [[nodiscard]] std::optional<int64_t> last() const noexcept { return last_; }
  void reset() noexcept { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

}  // namespace switchyard::media::rtp
