#include "media/rtp/SeqUnwrapper.h"

#include "media/rtp/SequenceNumber.h"

namespace switchyard::media::rtp {

int64_t SeqUnwrapper::peek(uint16_t seq) const noexcept {
  if (!last_) return seq;
  return *last_ + seqDelta(seq, static_cast<uint16_t>(*last_));
}

int64_t SeqUnwrapper::unwrap(uint16_t seq) noexcept {
  const int64_t value = peek(seq);
  last_ = value;
  return value;
}

}  // namespace switchyard::media::rtp
