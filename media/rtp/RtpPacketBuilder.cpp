#include "media/rtp/RtpPacketBuilder.h"

#include "media/util/ByteWriter.h"
#include "media/util/Padding.h"

namespace switchyard::media::rtp {

namespace {

constexpr size_t kFixedHeaderSize = 12;
constexpr size_t kMaxExtensionBlockSize = 4 * size_t{0xFFFF};

}  // namespace

RtpPacketBuilder& RtpPacketBuilder::setMarker(bool marker) noexcept {
  marker_ = marker;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setPayloadType(uint8_t payloadType) noexcept {
  if (payloadType > 127) valid_ = false;
  payloadType_ = payloadType;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setSequenceNumber(uint16_t sequenceNumber) noexcept {
  sequenceNumber_ = sequenceNumber;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setTimestamp(uint32_t timestamp) noexcept {
  timestamp_ = timestamp;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setSsrc(uint32_t ssrc) noexcept {
  ssrc_ = ssrc;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::addCsrc(uint32_t csrc) noexcept {
  if (csrcCount_ == kMaxCsrcs) {
    valid_ = false;
    return *this;
  }
  csrcs_[csrcCount_++] = csrc;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setExtensionForm(RtpExtensionForm form, uint8_t appBits) noexcept {
  if ((form != RtpExtensionForm::kOneByte && form != RtpExtensionForm::kTwoByte) || appBits > 15 ||
      (form == RtpExtensionForm::kOneByte && appBits != 0)) {
    valid_ = false;
  }
  form_ = form;
  appBits_ = appBits;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::addExtension(uint8_t id, std::span<const uint8_t> value) noexcept {
  if (extensionCount_ == kMaxExtensions || hasRawExtension_) {
    valid_ = false;
    return *this;
  }
  extensions_[extensionCount_++] = Extension{id, value};
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setRawExtension(uint16_t profile,
                                                    std::span<const uint8_t> body) noexcept {
  if (extensionCount_ > 0 || body.size() % 4 != 0 || body.size() > kMaxExtensionBlockSize) valid_ = false;
  hasRawExtension_ = true;
  rawProfile_ = profile;
  rawBody_ = body;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setPayload(std::span<const uint8_t> payload) noexcept {
  payload_ = payload;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setPadding(uint8_t paddingSize) noexcept {
  paddingSize_ = paddingSize;
  return *this;
}

size_t RtpPacketBuilder::extensionBlockSize() const noexcept {
  if (hasRawExtension_) return rawBody_.size();
  const size_t headerBytes = form_ == RtpExtensionForm::kOneByte ? 1 : 2;
  size_t size = 0;
  for (size_t i = 0; i < extensionCount_; ++i)
    size += headerBytes + extensions_[i].value.size();
  return util::padded4(size);
}

uint16_t RtpPacketBuilder::extensionProfile() const noexcept {
  if (hasRawExtension_) return rawProfile_;
  return form_ == RtpExtensionForm::kOneByte ? kOneByteExtensionProfile
                                             : static_cast<uint16_t>(kTwoByteExtensionProfile | appBits_);
}

size_t RtpPacketBuilder::size() const noexcept {
  size_t size = kFixedHeaderSize + 4 * csrcCount_;
  if (hasExtensionBlock()) size += 4 + extensionBlockSize();
  return size + payload_.size() + paddingSize_;
}

std::optional<size_t> RtpPacketBuilder::build(std::span<uint8_t> out) const noexcept {
  if (!valid_) return std::nullopt;
  // Element ids and lengths are checked here, where the form is final.
  for (size_t i = 0; i < extensionCount_; ++i) {
    const Extension& e = extensions_[i];
    if (e.id == 0) return std::nullopt;
    if (form_ == RtpExtensionForm::kOneByte &&
        (e.id > kOneByteExtensionMaxId || e.value.empty() || e.value.size() > kOneByteExtensionMaxLength)) {
      return std::nullopt;
    }
    if (form_ == RtpExtensionForm::kTwoByte && e.value.size() > 255) return std::nullopt;
  }
  const size_t total = size();
  if (out.size() < total) return std::nullopt;

  util::ByteWriter w(out);
  w.u8(static_cast<uint8_t>((2 << 6) | (paddingSize_ > 0 ? 0x20 : 0) | (hasExtensionBlock() ? 0x10 : 0) |
                            static_cast<int>(csrcCount_)));
  w.u8(static_cast<uint8_t>((marker_ ? 0x80 : 0) | payloadType_));
  w.u16(sequenceNumber_);
  w.u32(timestamp_);
  w.u32(ssrc_);
  for (size_t i = 0; i < csrcCount_; ++i)
    w.u32(csrcs_[i]);
  if (hasExtensionBlock()) {
    const size_t blockSize = extensionBlockSize();
    w.u16(extensionProfile());
    w.u16(static_cast<uint16_t>(blockSize / 4));
    const size_t blockStart = w.size();
    if (hasRawExtension_) {
      w.bytes(rawBody_);
    } else {
      for (size_t i = 0; i < extensionCount_; ++i) {
        const Extension& e = extensions_[i];
        if (form_ == RtpExtensionForm::kOneByte) {
          w.u8(static_cast<uint8_t>((e.id << 4) | static_cast<int>(e.value.size() - 1)));
        } else {
          w.u8(e.id);
          w.u8(static_cast<uint8_t>(e.value.size()));
        }
        w.bytes(e.value);
      }
      w.zeros(blockSize - (w.size() - blockStart));
    }
  }
  w.bytes(payload_);
  if (paddingSize_ > 0) {
    w.zeros(size_t{paddingSize_} - 1);
    w.u8(paddingSize_);
  }
  if (!w.ok() || w.size() != total) return std::nullopt;
  return total;
}

}  // namespace switchyard::media::rtp
