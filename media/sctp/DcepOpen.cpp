#include "media/sctp/DcepOpen.h"

#include "media/sctp/DcepMessageType.h"
#include "media/util/BigEndian.h"
#include "media/util/ByteWriter.h"

namespace switchyard::media::sctp {

namespace {

std::span<const uint8_t> bytesOf(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()),
          s.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

std::string_view stringOf(std::span<const uint8_t> b) noexcept {
  return {reinterpret_cast<const char*>(b.data()),
          b.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

}  // namespace

std::optional<DcepOpen> DcepOpen::parse(std::span<const uint8_t> message) noexcept {
  if (message.size() < kDcepOpenHeaderSize) return std::nullopt;
  if (message[0] != static_cast<uint8_t>(DcepMessageType::kOpen)) return std::nullopt;
  const auto reliability = dcepReliabilityOf(message[1]);
  if (!reliability) return std::nullopt;
  const uint16_t labelLength = util::read16(message.data() + 8);
  const uint16_t protocolLength = util::read16(message.data() + 10);
  if (message.size() != kDcepOpenHeaderSize + size_t{labelLength} + size_t{protocolLength})
    return std::nullopt;
  return DcepOpen(message, *reliability, labelLength);
}

uint16_t DcepOpen::priority() const noexcept {
  return util::read16(data_.data() + 2);
}

uint32_t DcepOpen::rawReliabilityParameter() const noexcept {
  return util::read32(data_.data() + 4);
}

uint32_t DcepOpen::reliabilityParameter() const noexcept {
  return reliability_ == DcepReliability::kReliable ? 0 : rawReliabilityParameter();
}

std::string_view DcepOpen::label() const noexcept {
  return stringOf(data_.subspan(kDcepOpenHeaderSize, labelLength_));
}

std::string_view DcepOpen::protocol() const noexcept {
  return stringOf(data_.subspan(kDcepOpenHeaderSize + labelLength_));
}

DcepOpenParams DcepOpen::params() const noexcept {
  DcepOpenParams p;
  p.reliability = reliability_;
  p.ordered = ordered();
  p.reliabilityParameter = reliabilityParameter();
  p.priority = priority();
  p.label = label();
  p.protocol = protocol();
  return p;
}

std::optional<size_t> dcepOpenSize(const DcepOpenParams& params) noexcept {
  if (params.label.size() > kDcepMaxStringLength || params.protocol.size() > kDcepMaxStringLength)
    return std::nullopt;
  return kDcepOpenHeaderSize + params.label.size() + params.protocol.size();
}

std::optional<size_t> writeDcepOpen(std::span<uint8_t> out, const DcepOpenParams& params) noexcept {
  const auto size = dcepOpenSize(params);
  if (!size || out.size() < *size) return std::nullopt;
  const uint32_t parameter =
      params.reliability == DcepReliability::kReliable ? 0 : params.reliabilityParameter;
  util::ByteWriter w(out);
  w.u8(static_cast<uint8_t>(DcepMessageType::kOpen));
  w.u8(dcepChannelType(params.reliability, params.ordered));
  w.u16(params.priority);
  w.u32(parameter);
  w.u16(static_cast<uint16_t>(params.label.size()));
  w.u16(static_cast<uint16_t>(params.protocol.size()));
  w.bytes(bytesOf(params.label));
  w.bytes(bytesOf(params.protocol));
  if (!w.ok()) return std::nullopt;
  return w.size();
}

}  // namespace switchyard::media::sctp
