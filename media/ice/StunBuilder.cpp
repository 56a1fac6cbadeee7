#include "media/ice/StunBuilder.h"

#include <algorithm>
#include <array>

#include "media/ice/Crc32.h"
#include "media/ice/HmacSha1.h"
#include "media/util/AsBytes.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::ice {

namespace {

// The message length field is 16 bits and a multiple of 4.
constexpr size_t kMaxMessageSize = kStunHeaderSize + 0xFFFC;

using util::asBytes;

}  // namespace

StunBuilder::StunBuilder(std::span<uint8_t> out, StunClass cls, uint16_t method,
                         const StunTransactionId& id) noexcept
    : writer_(out) {
  if (method > kStunMaxMethod) {
    fail();
    return;
  }
  const bool written = writer_.u16(stunMessageType(cls, method)) && writer_.u16(0) &&
                       writer_.u32(kStunMagicCookie) && writer_.bytes(id);
  if (!written) fail();
}

void StunBuilder::updateLength() noexcept {
  util::write16(writer_.at(2), static_cast<uint16_t>(writer_.size() - kStunHeaderSize));
}

bool StunBuilder::begin(uint16_t type, size_t length) noexcept {
  if (!ok()) return false;
  const bool allowed =
      stage_ == Stage::kAttributes || (stage_ == Stage::kAfterIntegrity && type == kStunAttrFingerprint);
  if (!allowed) return fail();
  const size_t total = kStunAttributeHeaderSize + stunPadded(length);
  if (length > 0xFFFF || total > kMaxMessageSize - writer_.size()) return fail();
  if (!writer_.u16(type) || !writer_.u16(static_cast<uint16_t>(length))) return fail();
  return true;
}

bool StunBuilder::pad(size_t length) noexcept {
  if (!writer_.zeros(stunPadded(length) - length)) return fail();
  updateLength();
  return true;
}

bool StunBuilder::addAddress(uint16_t type, const StunAddress& address, bool xored) noexcept {
  if (address.family != StunAddress::Family::kIpv4 && address.family != StunAddress::Family::kIpv6) {
    return fail();
  }
  const size_t n = address.addressLength();
  if (!begin(type, 4 + n)) return false;
  std::array<uint8_t, 16> bytes = address.address;
  uint16_t port = address.port;
  if (xored) {
    port = static_cast<uint16_t>(port ^ (kStunMagicCookie >> 16));
    const uint8_t* mask = writer_.at(4);  // magic cookie || transaction id, already in the header
    for (size_t i = 0; i < n; ++i)
      bytes[i] = static_cast<uint8_t>(bytes[i] ^ mask[i]);
  }
  if (!writer_.u8(0) || !writer_.u8(static_cast<uint8_t>(address.family)) || !writer_.u16(port) ||
      !writer_.bytes(std::span<const uint8_t>(bytes).first(n))) {
    return fail();
  }
  return pad(4 + n);
}

bool StunBuilder::addString(uint16_t type, std::string_view s) noexcept {
  if (!begin(type, s.size())) return false;
  if (!writer_.bytes(asBytes(s))) return fail();
  return pad(s.size());
}

bool StunBuilder::addXorMappedAddress(const StunAddress& address) noexcept {
  return addAddress(kStunAttrXorMappedAddress, address, true);
}

bool StunBuilder::addMappedAddress(const StunAddress& address) noexcept {
  return addAddress(kStunAttrMappedAddress, address, false);
}

bool StunBuilder::addUsername(std::string_view username) noexcept {
  return addString(kStunAttrUsername, username);
}

bool StunBuilder::addSoftware(std::string_view software) noexcept {
  return addString(kStunAttrSoftware, software);
}

bool StunBuilder::addPriority(uint32_t priority) noexcept {
  if (!begin(kStunAttrPriority, 4)) return false;
  if (!writer_.u32(priority)) return fail();
  return pad(4);
}

bool StunBuilder::addIceControlled(uint64_t tieBreaker) noexcept {
  if (!begin(kStunAttrIceControlled, 8)) return false;
  if (!writer_.u64(tieBreaker)) return fail();
  return pad(8);
}

bool StunBuilder::addIceControlling(uint64_t tieBreaker) noexcept {
  if (!begin(kStunAttrIceControlling, 8)) return false;
  if (!writer_.u64(tieBreaker)) return fail();
  return pad(8);
}

bool StunBuilder::addUseCandidate() noexcept {
  return begin(kStunAttrUseCandidate, 0) && pad(0);
}

bool StunBuilder::addErrorCode(uint16_t code, std::string_view reason) noexcept {
  if (code < 300 || code > 699) return fail();
  const size_t length = 4 + reason.size();
  if (!begin(kStunAttrErrorCode, length)) return false;
  if (!writer_.u16(0) || !writer_.u8(static_cast<uint8_t>(code / 100)) ||
      !writer_.u8(static_cast<uint8_t>(code % 100)) || !writer_.bytes(asBytes(reason))) {
    return fail();
  }
  return pad(length);
}

bool StunBuilder::addUnknownAttributes(std::span<const uint16_t> types) noexcept {
  const size_t length = 2 * types.size();
  if (!begin(kStunAttrUnknownAttributes, length)) return false;
  for (const uint16_t t : types) {
    if (!writer_.u16(t)) return fail();
  }
  return pad(length);
}

bool StunBuilder::addAttribute(uint16_t type, std::span<const uint8_t> value) noexcept {
  if (type == kStunAttrMessageIntegrity || type == kStunAttrFingerprint) return fail();
  if (!begin(type, value.size())) return false;
  if (!writer_.bytes(value)) return fail();
  return pad(value.size());
}

bool StunBuilder::addMessageIntegrity(std::span<const uint8_t> key) noexcept {
  const size_t start = writer_.size();
  if (!begin(kStunAttrMessageIntegrity, kStunMessageIntegritySize)) return false;
  // Reserve the value first so the length covers MESSAGE-INTEGRITY, then HMAC everything before it.
  if (!writer_.zeros(kStunMessageIntegritySize)) return fail();
  updateLength();
  std::array<uint8_t, HmacSha1::kSize> mac{};
  const std::span<const uint8_t> covered = writer_.written().first(start);
  if (!HmacSha1::compute(key, covered, {}, mac)) return fail();
  std::copy(mac.begin(), mac.end(), writer_.at(start + kStunAttributeHeaderSize));
  stage_ = Stage::kAfterIntegrity;
  return true;
}

bool StunBuilder::addMessageIntegrity(std::string_view key) noexcept {
  return addMessageIntegrity(asBytes(key));
}

bool StunBuilder::addFingerprint() noexcept {
  const size_t start = writer_.size();
  if (!begin(kStunAttrFingerprint, 4)) return false;
  if (!writer_.u32(0)) return fail();
  updateLength();  // the CRC covers a header whose length already includes FINGERPRINT
  const uint32_t crc = Crc32::compute(writer_.written().first(start)) ^ kStunFingerprintXor;
  util::write32(writer_.at(start + kStunAttributeHeaderSize), crc);
  stage_ = Stage::kAfterFingerprint;
  return true;
}

std::optional<std::span<uint8_t>> StunBuilder::finish() noexcept {
  if (!ok()) return std::nullopt;
  return writer_.written();
}

std::optional<std::span<uint8_t>> StunBuilder::finish(std::span<const uint8_t> integrityKey,
                                                      bool fingerprint) noexcept {
  if (!addMessageIntegrity(integrityKey)) return std::nullopt;
  if (fingerprint && !addFingerprint()) return std::nullopt;
  return finish();
}

std::optional<std::span<uint8_t>> StunBuilder::finish(std::string_view integrityKey,
                                                      bool fingerprint) noexcept {
  return finish(asBytes(integrityKey), fingerprint);
}

}  // namespace switchyard::media::ice
