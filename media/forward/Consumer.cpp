#include "media/forward/Consumer.h"

#include "media/forward/RtpHeaderRewriter.h"
#include "media/util/AsBytes.h"

namespace switchyard::media::forward {

Consumer::Consumer(const ConsumerSpec& spec, Producer& producer, uint16_t& transportSequence)
    : spec_(spec),
      producer_(&producer),
      transportSequence_(&transportSequence),
      writesMid_(spec.extensions.has(rtp::RtpExtension::kMid) &&
                 spec.mid.size() <= RtpHeaderRewriter::kMaxTwoByteLength) {}

std::optional<uint8_t> Consumer::payloadTypeFor(Producer::PayloadKind kind) const noexcept {
  switch (kind) {
    case Producer::PayloadKind::kMedia:
      return spec_.payloadType;
    case Producer::PayloadKind::kDtmf:
      return spec_.dtmfPayloadType;
    case Producer::PayloadKind::kRtx:
    case Producer::PayloadKind::kUnknown:
      break;
  }
  return std::nullopt;
}

std::span<const uint8_t> Consumer::midBytes() const noexcept {
  if (!writesMid_) return {};
  return util::asBytes(spec_.mid);
}

bool Consumer::acceptFir(uint8_t seqNr) noexcept {
  if (lastFirSeqNr_ && *lastFirSeqNr_ == seqNr) return false;
  lastFirSeqNr_ = seqNr;
  return true;
}

}  // namespace switchyard::media::forward
