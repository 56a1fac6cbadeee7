#include "media/ice/StunMessage.h"

#include <algorithm>
#include <array>

#include "media/ice/Crc32.h"
#include "media/ice/HmacSha1.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::ice {

using util::read16;
using util::read32;
using util::read64;

namespace {

bool validAddress(std::span<const uint8_t> v) noexcept {
  if (v.size() < 4) return false;
  switch (static_cast<StunAddress::Family>(v[1])) {
    case StunAddress::Family::kIpv4:
      return v.size() == 8;
    case StunAddress::Family::kIpv6:
      return v.size() == 20;
  }
  return false;
}

bool validErrorCode(std::span<const uint8_t> v) noexcept {
  if (v.size() < 4) return false;
  const unsigned cls = v[2] & 0x07u;
  return cls >= 3 && cls <= 6 && v[3] <= 99;
}

}  // namespace

StunAttribute StunMessage::AttributeIterator::operator*() const noexcept {
  return StunAttribute{read16(pos_),
                       std::span<const uint8_t>(pos_ + kStunAttributeHeaderSize, read16(pos_ + 2))};
}

StunMessage::AttributeIterator& StunMessage::AttributeIterator::operator++() noexcept {
  pos_ += kStunAttributeHeaderSize + stunPadded(read16(pos_ + 2));
  return *this;
}

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> data) noexcept {
  if (data.size() < kStunHeaderSize) return std::nullopt;
  const uint8_t* p = data.data();
  if ((p[0] & 0xC0u) != 0) return std::nullopt;
  const size_t length = read16(p + 2);
  if (length % 4 != 0) return std::nullopt;
  if (read32(p + 4) != kStunMagicCookie) return std::nullopt;
  if (kStunHeaderSize + length != data.size()) return std::nullopt;

  StunMessage msg(data);
  const size_t size = data.size();
  msg.processedEnd_ = static_cast<uint32_t>(size);
  bool afterIntegrity = false;
  bool afterFingerprint = false;
  size_t offset = kStunHeaderSize;
  while (offset < size) {
    if (size - offset < kStunAttributeHeaderSize) return std::nullopt;
    const uint16_t type = read16(p + offset);
    const size_t valueLength = read16(p + offset + 2);
    const size_t padded = stunPadded(valueLength);
    if (padded > size - offset - kStunAttributeHeaderSize) return std::nullopt;
    const size_t next = offset + kStunAttributeHeaderSize + padded;

    // RFC 8489 §14.5/§14.7: after MESSAGE-INTEGRITY only FINGERPRINT counts; after FINGERPRINT nothing.
    const bool processed = !afterFingerprint && (!afterIntegrity || type == kStunAttrFingerprint);
    if (processed) {
      if (!msg.record(type, static_cast<uint32_t>(offset),
                      data.subspan(offset + kStunAttributeHeaderSize, valueLength))) {
        return std::nullopt;
      }
      if (type == kStunAttrMessageIntegrity || type == kStunAttrFingerprint) {
        if (!afterIntegrity && !afterFingerprint) msg.processedEnd_ = static_cast<uint32_t>(next);
        if (type == kStunAttrMessageIntegrity) {
          afterIntegrity = true;
        } else {
          afterFingerprint = true;
        }
      }
    }
    offset = next;
  }
  return msg;
}

// Validates one processed attribute and remembers the first of each known type.
bool StunMessage::record(uint16_t type, uint32_t offset, std::span<const uint8_t> value) noexcept {
  const auto keep = [offset](uint32_t& slot) {
    if (slot == 0) slot = offset;
    return true;
  };
  switch (type) {
    case kStunAttrXorMappedAddress:
      return validAddress(value) && keep(xorMappedAddress_);
    case kStunAttrMappedAddress:
      return validAddress(value) && keep(mappedAddress_);
    case kStunAttrUsername:
      return keep(username_);
    case kStunAttrSoftware:
      return keep(software_);
    case kStunAttrPriority:
      return value.size() == 4 && keep(priority_);
    case kStunAttrIceControlled:
      return value.size() == 8 && keep(iceControlled_);
    case kStunAttrIceControlling:
      return value.size() == 8 && keep(iceControlling_);
    case kStunAttrUseCandidate:
      return value.empty() && keep(useCandidate_);
    case kStunAttrErrorCode:
      return validErrorCode(value) && keep(errorCode_);
    case kStunAttrUnknownAttributes:
      return value.size() % 2 == 0 && keep(unknownAttributes_);
    case kStunAttrMessageIntegrity:
      return value.size() == kStunMessageIntegritySize && keep(messageIntegrity_);
    case kStunAttrFingerprint:
      return value.size() == 4 && keep(fingerprint_);
    default:
      if (isStunComprehensionRequired(type)) ++unknownRequiredCount_;
      return true;
  }
}

uint16_t StunMessage::messageType() const noexcept {
  return read16(data_.data());
}

StunTransactionId StunMessage::transactionId() const noexcept {
  StunTransactionId id{};
  std::copy_n(data_.data() + 8, id.size(), id.begin());
  return id;
}

StunMessage::AttributeRange StunMessage::attributes() const noexcept {
  return AttributeRange(AttributeIterator(data_.data() + kStunHeaderSize),
                        AttributeIterator(data_.data() + data_.size()));
}

std::span<const uint8_t> StunMessage::valueAt(uint32_t offset) const noexcept {
  return data_.subspan(offset + kStunAttributeHeaderSize, read16(data_.data() + offset + 2));
}

std::optional<StunAddress> StunMessage::addressAt(uint32_t offset, bool xored) const noexcept {
  if (offset == 0) return std::nullopt;
  const std::span<const uint8_t> v = valueAt(offset);  // validated: 8 (IPv4) or 20 (IPv6) bytes
  StunAddress a;
  a.family = static_cast<StunAddress::Family>(v[1]);
  a.port = read16(v.data() + 2);
  const size_t n = a.addressLength();
  std::copy_n(v.data() + 4, n, a.address.begin());
  if (xored) {
    // RFC 8489 §14.2: port ^ top 16 bits of the cookie; address ^ (cookie || transaction id).
    a.port = static_cast<uint16_t>(a.port ^ (kStunMagicCookie >> 16));
    const uint8_t* mask = data_.data() + 4;
    for (size_t i = 0; i < n; ++i)
      a.address[i] = static_cast<uint8_t>(a.address[i] ^ mask[i]);
  }
  return a;
}

std::optional<StunAddress> StunMessage::xorMappedAddress() const noexcept {
  return addressAt(xorMappedAddress_, true);
}

std::optional<StunAddress> StunMessage::mappedAddress() const noexcept {
  return addressAt(mappedAddress_, false);
}

std::optional<std::string_view> StunMessage::username() const noexcept {
  if (username_ == 0) return std::nullopt;
  const auto v = valueAt(username_);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<std::string_view> StunMessage::software() const noexcept {
  if (software_ == 0) return std::nullopt;
  const auto v = valueAt(software_);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<uint32_t> StunMessage::priority() const noexcept {
  if (priority_ == 0) return std::nullopt;
  return read32(valueAt(priority_).data());
}

std::optional<uint64_t> StunMessage::iceControlled() const noexcept {
  if (iceControlled_ == 0) return std::nullopt;
  return read64(valueAt(iceControlled_).data());
}

std::optional<uint64_t> StunMessage::iceControlling() const noexcept {
  if (iceControlling_ == 0) return std::nullopt;
  return read64(valueAt(iceControlling_).data());
}

std::optional<StunErrorCode> StunMessage::errorCode() const noexcept {
  if (errorCode_ == 0) return std::nullopt;
  const auto v = valueAt(errorCode_);  // validated: >= 4 bytes, class 3..6, number 0..99
  StunErrorCode e;
  e.code = static_cast<uint16_t>((v[2] & 0x07u) * 100u + v[3]);
  e.reason = std::string_view(reinterpret_cast<const char*>(v.data() + 4), v.size() - 4);
  return e;
}

std::optional<std::span<const uint8_t, kStunMessageIntegritySize>> StunMessage::messageIntegrity()
    const noexcept {
  if (messageIntegrity_ == 0) return std::nullopt;
  return valueAt(messageIntegrity_).first<kStunMessageIntegritySize>();
}

std::optional<uint32_t> StunMessage::fingerprint() const noexcept {
  if (fingerprint_ == 0) return std::nullopt;
  return read32(valueAt(fingerprint_).data());
}

size_t StunMessage::unknownAttributes(std::span<uint16_t> out) const noexcept {
  if (unknownAttributes_ == 0) return 0;
  const auto v = valueAt(unknownAttributes_);
  const size_t count = v.size() / 2;
  for (size_t i = 0; i < count && i < out.size(); ++i)
    out[i] = read16(v.data() + 2 * i);
  return count;
}

size_t StunMessage::unknownComprehensionRequired(std::span<uint16_t> out) const noexcept {
  if (unknownRequiredCount_ == 0) return 0;
  size_t written = 0;
  for (const StunAttribute attr : attributes()) {
    if (written == out.size()) break;
    const auto start = static_cast<size_t>(attr.value.data() - data_.data()) - kStunAttributeHeaderSize;
    if (start >= processedEnd_) break;  // ignored: after MESSAGE-INTEGRITY / FINGERPRINT
    if (!isStunComprehensionRequired(attr.type) || isKnownAttribute(attr.type)) continue;
    const auto listed = out.first(written);
    if (std::find(listed.begin(), listed.end(), attr.type) == listed.end()) out[written++] = attr.type;
  }
  return written;
}

bool StunMessage::verifyMessageIntegrity(std::span<const uint8_t> key) const noexcept {
  if (messageIntegrity_ == 0) return false;
  // The HMAC input is the message up to MESSAGE-INTEGRITY, its header length rewritten to end
  // right after MESSAGE-INTEGRITY (RFC 8489 §14.5).
  std::array<uint8_t, kStunHeaderSize> header{};
  std::copy_n(data_.data(), kStunHeaderSize, header.begin());
  const size_t adjusted =
      messageIntegrity_ + kStunAttributeHeaderSize + kStunMessageIntegritySize - kStunHeaderSize;
  util::write16(header.data() + 2, static_cast<uint16_t>(adjusted));
  std::array<uint8_t, HmacSha1::kSize> mac{};
  if (!HmacSha1::compute(key, header, data_.subspan(kStunHeaderSize, messageIntegrity_ - kStunHeaderSize),
                         mac)) {
    return false;
  }
  return HmacSha1::equal(mac, valueAt(messageIntegrity_).first<kStunMessageIntegritySize>());
}

bool StunMessage::verifyMessageIntegrity(std::string_view key) const noexcept {
  return verifyMessageIntegrity(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
}

bool StunMessage::verifyFingerprint() const noexcept {
  if (fingerprint_ == 0) return false;
  if (fingerprint_ + kStunAttributeHeaderSize + 4 != data_.size()) return false;  // must be last
  const uint32_t expected = Crc32::compute(data_.first(fingerprint_)) ^ kStunFingerprintXor;
  return read32(data_.data() + fingerprint_ + kStunAttributeHeaderSize) == expected;
}

}  // namespace switchyard::media::ice
