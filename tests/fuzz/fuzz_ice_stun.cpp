// Fuzz target for the STUN codec (media/ice): parse; walk every attribute and accessor; verify
// MESSAGE-INTEGRITY with a fixed key and FINGERPRINT; then rebuild a message from the parsed fields
// with StunBuilder (plus MESSAGE-INTEGRITY and FINGERPRINT), re-parse it and check that every field
// survived, that both checks pass, and that the builder refuses a buffer one byte too small.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/ice/StunBuilder.h"
#include "media/ice/StunMessage.h"

using namespace switchyard::media::ice;

namespace {

constexpr std::string_view kKey = "fuzz-password-0123456789";
constexpr size_t kMaxMessage = kStunHeaderSize + 0xFFFC;
constexpr size_t kMaxTypes = 0xFFFF / 2;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Fields {
  StunClass cls{};
  uint16_t method = 0;
  StunTransactionId id{};
  std::optional<StunAddress> xorMapped;
  std::optional<StunAddress> mapped;
  std::optional<std::string_view> username;
  std::optional<uint32_t> priority;
  std::optional<uint64_t> controlled;
  std::optional<uint64_t> controlling;
  bool useCandidate = false;
  std::optional<StunErrorCode> error;
  std::optional<std::string_view> software;
  size_t unknownCount = 0;
};

Fields read(const StunMessage& m, std::span<uint16_t> unknown) {
  Fields f;
  f.cls = m.messageClass();
  f.method = m.method();
  f.id = m.transactionId();
  f.xorMapped = m.xorMappedAddress();
  f.mapped = m.mappedAddress();
  f.username = m.username();
  f.priority = m.priority();
  f.controlled = m.iceControlled();
  f.controlling = m.iceControlling();
  f.useCandidate = m.useCandidate();
  f.error = m.errorCode();
  f.software = m.software();
  f.unknownCount = m.unknownAttributes(unknown);
  return f;
}

bool sameError(const std::optional<StunErrorCode>& a, const std::optional<StunErrorCode>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->code == b->code && a->reason == b->reason);
}

bool build(StunBuilder& b, const Fields& f, std::span<const uint16_t> unknown) {
  if (f.xorMapped && !b.addXorMappedAddress(*f.xorMapped)) return false;
  if (f.mapped && !b.addMappedAddress(*f.mapped)) return false;
  if (f.username && !b.addUsername(*f.username)) return false;
  if (f.priority && !b.addPriority(*f.priority)) return false;
  if (f.controlled && !b.addIceControlled(*f.controlled)) return false;
  if (f.controlling && !b.addIceControlling(*f.controlling)) return false;
  if (f.useCandidate && !b.addUseCandidate()) return false;
  if (f.error && !b.addErrorCode(f.error->code, f.error->reason)) return false;
  if (f.software && !b.addSoftware(*f.software)) return false;
  if (f.unknownCount > 0 && !b.addUnknownAttributes(unknown.first(f.unknownCount))) return false;
  return b.addMessageIntegrity(kKey) && b.addFingerprint();
}

std::array<uint8_t, kMaxMessage> gOut;
std::array<uint16_t, kMaxTypes> gUnknown;
std::array<uint16_t, kMaxTypes> gUnknown2;
std::array<uint16_t, 16> gRequired;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto msg = StunMessage::parse(std::span<const uint8_t>(data, size));
  if (!msg) return 0;
  check(msg->size() == size && size >= kStunHeaderSize && size % 4 == 0);

  // Attribute walk: every value lies inside the message and the walk ends exactly at its end.
  size_t walked = kStunHeaderSize;
  for (const StunAttribute a : msg->attributes()) {
    check(a.value.data() == data + walked + kStunAttributeHeaderSize);
    walked += kStunAttributeHeaderSize + stunPadded(a.value.size());
    check(walked <= size);
  }
  check(walked == size);

  const Fields f = read(*msg, gUnknown);
  const size_t required = msg->unknownComprehensionRequired(gRequired);
  check(required <= gRequired.size() && (required > 0) == msg->hasUnknownComprehensionRequired());
  for (size_t i = 0; i < required; ++i) {
    check(isStunComprehensionRequired(gRequired[i]) && !StunMessage::isKnownAttribute(gRequired[i]));
  }
  if (const auto mi = msg->messageIntegrity())
    check(mi->data() >= data && mi->data() + mi->size() <= data + size);
  (void)msg->fingerprint();
  (void)msg->verifyMessageIntegrity(kKey);
  const bool fingerprintOk = msg->verifyFingerprint();
  check(!fingerprintOk || msg->hasFingerprint());

  // Rebuild from the parsed fields. Each field appears at most once and the original holds at
  // least as many bytes for it, so only the added MESSAGE-INTEGRITY + FINGERPRINT can overflow.
  StunBuilder builder(gOut, f.cls, f.method, f.id);
  const bool built =
      build(builder, f, std::span<const uint16_t>(gUnknown).first(std::min(f.unknownCount, kMaxTypes)));
  const auto out = builder.finish();
  if (size + 24 + 8 <= kMaxMessage) check(built && out.has_value());
  if (!out) return 0;

  const auto again = StunMessage::parse(*out);
  check(again.has_value());
  const Fields g = read(*again, gUnknown2);
  check(g.cls == f.cls && g.method == f.method && g.id == f.id);
  check(g.xorMapped == f.xorMapped && g.mapped == f.mapped && g.username == f.username);
  check(g.priority == f.priority && g.controlled == f.controlled && g.controlling == f.controlling);
  check(g.useCandidate == f.useCandidate && sameError(g.error, f.error) && g.software == f.software);
  check(g.unknownCount == f.unknownCount &&
        std::equal(gUnknown.begin(),
                   gUnknown.begin() + static_cast<std::ptrdiff_t>(std::min(f.unknownCount, kMaxTypes)),
                   gUnknown2.begin()));
  check(!again->hasUnknownComprehensionRequired());
  check(again->verifyMessageIntegrity(kKey) && again->verifyFingerprint());

  // The same build into a buffer one byte short must fail without writing past it.
  StunBuilder shorter(std::span<uint8_t>(gOut).first(out->size() - 1), f.cls, f.method, f.id);
  const bool shortBuilt =
      build(shorter, f, std::span<const uint16_t>(gUnknown).first(std::min(f.unknownCount, kMaxTypes)));
  check(!shortBuilt && !shorter.finish().has_value());
  return 0;
}
