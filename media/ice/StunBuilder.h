#pragma once
// Writes a STUN message into a caller-provided buffer: the header first (type from method + class,
// transaction id), then attributes, each padded to 4 bytes with zeros, the header length kept right
// after every step. MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and FINGERPRINT (§14.7) come last:
// once MESSAGE-INTEGRITY is added only FINGERPRINT may follow, and nothing after FINGERPRINT.
// A step that does not fit (or breaks those rules) returns false and poisons the builder, so
// finish() then returns nullopt; nothing is ever written outside the buffer. No heap allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/ice/StunAddress.h"
#include "media/ice/StunConstants.h"
#include "media/util/ByteWriter.h"

namespace switchyard::media::ice {

class StunBuilder {
 public:
  // method must fit in 12 bits (kStunMaxMethod); a larger one fails the build.
  StunBuilder(std::span<uint8_t> out, StunClass cls, uint16_t method, const StunTransactionId& id) noexcept;

  bool addXorMappedAddress(const StunAddress& address) noexcept;
  bool addMappedAddress(const StunAddress& address) noexcept;
  bool addUsername(std::string_view username) noexcept;
  bool addPriority(uint32_t priority) noexcept;
  bool addIceControlled(uint64_t tieBreaker) noexcept;
  bool addIceControlling(uint64_t tieBreaker) noexcept;
  bool addUseCandidate() noexcept;
  // code in 300..699 (class 3..6, number 0..99).
  bool addErrorCode(uint16_t code, std::string_view reason) noexcept;
  bool addSoftware(std::string_view software) noexcept;
  bool addUnknownAttributes(std::span<const uint16_t> types) noexcept;
  // Any other attribute, value as given (padded here). Not for MESSAGE-INTEGRITY / FINGERPRINT.
  bool addAttribute(uint16_t type, std::span<const uint8_t> value) noexcept;

  // ICE short-term credential: key = the password bytes (see StunMessage.h).
  bool addMessageIntegrity(std::span<const uint8_t> key) noexcept;
  bool addMessageIntegrity(std::string_view key) noexcept;
  bool addFingerprint() noexcept;

  // The finished message (a prefix of the buffer), or nullopt if any step failed.
  [[nodiscard]] std::optional<std::span<uint8_t>> finish() noexcept;
  // Shorthand: MESSAGE-INTEGRITY with key, then FINGERPRINT if asked, then finish().
  [[nodiscard]] std::optional<std::span<uint8_t>> finish(std::span<const uint8_t> integrityKey,
                                                         bool fingerprint) noexcept;
  [[nodiscard]] std::optional<std::span<uint8_t>> finish(std::string_view integrityKey,
                                                         bool fingerprint) noexcept;

  [[nodiscard]] bool ok() const noexcept { return ok_ && writer_.ok(); }
  [[nodiscard]] size_t size() const noexcept { return writer_.size(); }

 private:
  enum class Stage : uint8_t { kAttributes, kAfterIntegrity, kAfterFingerprint };

  // Checks room and stage, writes the attribute header and updates the message length; the caller
  // then writes exactly `length` value bytes and calls pad().
  bool begin(uint16_t type, size_t length) noexcept;
  bool pad(size_t length) noexcept;
  bool fail() noexcept {
    ok_ = false;
    return false;
  }
  void updateLength() noexcept;
  bool addAddress(uint16_t type, const StunAddress& address, bool xored) noexcept;
  bool addString(uint16_t type, std::string_view s) noexcept;

  util::ByteWriter writer_;
  Stage stage_ = Stage::kAttributes;
  bool ok_ = true;
};

}  // namespace switchyard::media::ice
