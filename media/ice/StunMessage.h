#pragma once
// Zero-copy, bounds-checked view of a STUN message (RFC 8489, RFC 5389) with the ICE attributes of
// RFC 8445 and what consent freshness (RFC 7675) needs.
//
// parse() checks the header (first two bits zero, length a multiple of 4 that matches the buffer
// exactly, magic cookie 0x2112A442) and walks every attribute once (4-byte header, value, padding to
// a multiple of 4, all inside the message). The known attributes this codec processes are validated
// then too: a malformed one (wrong length, unknown address family, error class outside 3..6...)
// makes parse() fail, so an accessor that finds its attribute always returns a well-formed value.
//
// Which attributes are "processed" (RFC 8489 §14.5, §14.7): only the first occurrence of each type;
// after MESSAGE-INTEGRITY only FINGERPRINT is considered, and after FINGERPRINT nothing. Ignored
// attributes are still bounds-checked and still returned by attributes(), but no accessor, and not
// unknownComprehensionRequired(), sees them.
//
// Integrity (ICE short-term credentials, RFC 8445 §7.2.2): the key is the password bytes as they
// are. RFC 8489 §9.1.1 runs the password through OpaqueString (RFC 8265; SASLprep in RFC 5389) first,
// but ICE passwords are ASCII ice-chars (RFC 8839 §5.4), for which that processing is the identity.
// MESSAGE-INTEGRITY-SHA256 and long-term credentials are not handled here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/ice/StunAddress.h"
#include "media/ice/StunAttribute.h"
#include "media/ice/StunConstants.h"
#include "media/ice/StunErrorCode.h"

namespace switchyard::media::ice {

class StunMessage {
 public:
  // Iterates over every attribute of a parsed message, in wire order (including ignored ones).
  class AttributeIterator {
   public:
    using value_type = StunAttribute;
    using difference_type = std::ptrdiff_t;

    AttributeIterator() noexcept = default;
    StunAttribute operator*() const noexcept;
    AttributeIterator& operator++() noexcept;
    AttributeIterator operator++(int) noexcept {
      AttributeIterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const AttributeIterator& a, const AttributeIterator& b) noexcept {
      return a.pos_ == b.pos_;
    }

   private:
    friend class StunMessage;
    explicit AttributeIterator(const uint8_t* pos) noexcept : pos_(pos) {}
    const uint8_t* pos_ = nullptr;
  };
  class AttributeRange {
   public:
    [[nodiscard]] AttributeIterator begin() const noexcept { return begin_; }
    [[nodiscard]] AttributeIterator end() const noexcept { return end_; }

   private:
    friend class StunMessage;
    AttributeRange(AttributeIterator b, AttributeIterator e) noexcept : begin_(b), end_(e) {}
    AttributeIterator begin_;
    AttributeIterator end_;
  };

  // The whole buffer must be exactly one STUN message (20-byte header + length).
  [[nodiscard]] static std::optional<StunMessage> parse(std::span<const uint8_t> data) noexcept;

  // Attribute types whose content this codec understands (the rest, if comprehension-required,
  // belong in a 420 reply's UNKNOWN-ATTRIBUTES).
  [[nodiscard]] static constexpr bool isKnownAttribute(uint16_t type) noexcept {
    switch (type) {
      case kStunAttrMappedAddress:
      case kStunAttrUsername:
      case kStunAttrMessageIntegrity:
      case kStunAttrErrorCode:
      case kStunAttrUnknownAttributes:
      case kStunAttrXorMappedAddress:
      case kStunAttrPriority:
      case kStunAttrUseCandidate:
      case kStunAttrSoftware:
      case kStunAttrFingerprint:
      case kStunAttrIceControlled:
      case kStunAttrIceControlling:
        return true;
      default:
        return false;
    }
  }

  // Header.
  [[nodiscard]] uint16_t messageType() const noexcept;
  [[nodiscard]] StunClass messageClass() const noexcept { return stunClassOf(messageType()); }
  [[nodiscard]] uint16_t method() const noexcept { return stunMethodOf(messageType()); }
  [[nodiscard]] StunTransactionId transactionId() const noexcept;
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return data_; }
  [[nodiscard]] size_t size() const noexcept { return data_.size(); }

  // All attributes in wire order.
  [[nodiscard]] AttributeRange attributes() const noexcept;

  // Processed attributes (see above); nullopt / false when absent.
  [[nodiscard]] std::optional<StunAddress> xorMappedAddress() const noexcept;
  [[nodiscard]] std::optional<StunAddress> mappedAddress() const noexcept;
  [[nodiscard]] std::optional<std::string_view> username() const noexcept;
  [[nodiscard]] std::optional<uint32_t> priority() const noexcept;
  [[nodiscard]] std::optional<uint64_t> iceControlled() const noexcept;   // tie breaker
  [[nodiscard]] std::optional<uint64_t> iceControlling() const noexcept;  // tie breaker
  [[nodiscard]] bool useCandidate() const noexcept { return useCandidate_ != 0; }
  [[nodiscard]] std::optional<StunErrorCode> errorCode() const noexcept;
  [[nodiscard]] std::optional<std::string_view> software() const noexcept;
  [[nodiscard]] std::optional<std::span<const uint8_t, kStunMessageIntegritySize>> messageIntegrity()
      const noexcept;
  [[nodiscard]] std::optional<uint32_t> fingerprint() const noexcept;
  [[nodiscard]] bool hasMessageIntegrity() const noexcept { return messageIntegrity_ != 0; }
  [[nodiscard]] bool hasFingerprint() const noexcept { return fingerprint_ != 0; }

  // Types listed in an UNKNOWN-ATTRIBUTES attribute: writes up to out.size() of them and returns
  // how many the attribute holds (0 when absent).
  size_t unknownAttributes(std::span<uint16_t> out) const noexcept;
  // Processed comprehension-required attributes that isKnownAttribute() does not cover: true on a
  // request means "reply 420 listing them in UNKNOWN-ATTRIBUTES" (RFC 8489 §6.3.1.1).
  [[nodiscard]] bool hasUnknownComprehensionRequired() const noexcept { return unknownRequiredCount_ != 0; }
  // Writes those types, each once, in wire order, up to out.size() of them; returns how many it wrote.
  size_t unknownComprehensionRequired(std::span<uint16_t> out) const noexcept;

  // RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the header length
  // covering MESSAGE-INTEGRITY (so a FINGERPRINT after it is excluded); compared in constant time.
  // False when there is no (processed) MESSAGE-INTEGRITY.
  [[nodiscard]] bool verifyMessageIntegrity(std::span<const uint8_t> key) const noexcept;
  [[nodiscard]] bool verifyMessageIntegrity(std::string_view key) const noexcept;
  // RFC 8489 §14.7: FINGERPRINT present, last, and equal to CRC-32(message before it) ^ 0x5354554E.
  [[nodiscard]] bool verifyFingerprint() const noexcept;

 private:
  explicit StunMessage(std::span<const uint8_t> data) noexcept : data_(data) {}
  [[nodiscard]] std::span<const uint8_t> valueAt(uint32_t offset) const noexcept;
  [[nodiscard]] std::optional<StunAddress> addressAt(uint32_t offset, bool xored) const noexcept;
  bool record(uint16_t type, uint32_t offset, std::span<const uint8_t> value) noexcept;

  std::span<const uint8_t> data_;
  // Offsets of the processed attributes' headers (0 = absent; attributes start at offset 20).
  uint32_t xorMappedAddress_ = 0;
  uint32_t mappedAddress_ = 0;
  uint32_t username_ = 0;
  uint32_t priority_ = 0;
  uint32_t iceControlled_ = 0;
  uint32_t iceControlling_ = 0;
  uint32_t useCandidate_ = 0;
  uint32_t errorCode_ = 0;
  uint32_t software_ = 0;
  uint32_t unknownAttributes_ = 0;
  uint32_t messageIntegrity_ = 0;
  uint32_t fingerprint_ = 0;
  uint32_t processedEnd_ = 0;  // attributes starting at or after this offset are ignored
  uint32_t unknownRequiredCount_ = 0;
};

}  // namespace switchyard::media::ice
