#pragma once
// SCTP Payload Protocol Identifiers of WebRTC data channels (RFC 8831 section 8, RFC 8832
// section 8.1) and the empty-message mapping of RFC 8831 section 6.6: SCTP cannot carry an empty
// user message, so an empty string/binary message is sent as one 0x00 byte with PPID 56/57 and the
// receiver delivers an empty message whatever that payload holds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::sctp {

enum class Ppid : uint32_t {
  kDcep = 50,                     // WebRTC DCEP (RFC 8832 section 8.1)
  kString = 51,                   // WebRTC String
  kBinaryPartialDeprecated = 52,  // WebRTC Binary Partial (deprecated)
  kBinary = 53,                   // WebRTC Binary
  kStringPartialDeprecated = 54,  // WebRTC String Partial (deprecated)
  kStringEmpty = 56,              // WebRTC String Empty
  kBinaryEmpty = 57,              // WebRTC Binary Empty
};

[[nodiscard]] constexpr uint32_t toWire(Ppid ppid) noexcept {
  return static_cast<uint32_t>(ppid);
}

// True for the PPIDs that carry user data of a data channel (everything above except DCEP),
// including the deprecated partial ones a legacy peer may still send.
[[nodiscard]] constexpr bool isDataPpid(uint32_t ppid) noexcept {
  switch (ppid) {
    case toWire(Ppid::kString):
    case toWire(Ppid::kBinaryPartialDeprecated):
    case toWire(Ppid::kBinary):
    case toWire(Ppid::kStringPartialDeprecated):
    case toWire(Ppid::kStringEmpty):
    case toWire(Ppid::kBinaryEmpty):
      return true;
    default:
      return false;
  }
}

[[nodiscard]] constexpr bool isDcepPpid(uint32_t ppid) noexcept {
  return ppid == toWire(Ppid::kDcep);
}

[[nodiscard]] constexpr bool isEmptyPpid(uint32_t ppid) noexcept {
  return ppid == toWire(Ppid::kStringEmpty) || ppid == toWire(Ppid::kBinaryEmpty);
}

[[nodiscard]] constexpr bool isDeprecatedPpid(uint32_t ppid) noexcept {
  return ppid == toWire(Ppid::kBinaryPartialDeprecated) || ppid == toWire(Ppid::kStringPartialDeprecated);
}

enum class DataKind : uint8_t { kString, kBinary };

// The kind of message a data PPID carries; nullopt for DCEP and unknown PPIDs.
[[nodiscard]] constexpr std::optional<DataKind> dataKindOf(uint32_t ppid) noexcept {
  switch (ppid) {
    case toWire(Ppid::kString):
    case toWire(Ppid::kStringPartialDeprecated):
    case toWire(Ppid::kStringEmpty):
      return DataKind::kString;
    case toWire(Ppid::kBinary):
    case toWire(Ppid::kBinaryPartialDeprecated):
    case toWire(Ppid::kBinaryEmpty):
      return DataKind::kBinary;
    default:
      return std::nullopt;
  }
}

// The PPID to send a message of `kind` and `size` bytes with (RFC 8831 section 6.6).
[[nodiscard]] constexpr Ppid ppidForSend(DataKind kind, size_t size) noexcept {
  if (kind == DataKind::kString) return size == 0 ? Ppid::kStringEmpty : Ppid::kString;
  return size == 0 ? Ppid::kBinaryEmpty : Ppid::kBinary;
}

// The single byte sent as the SCTP payload of an empty message (RFC 8831 section 6.6).
inline constexpr uint8_t kEmptyMessageByte = 0x00;

struct OutgoingData {
  Ppid ppid;
  std::span<const uint8_t> payload;  // never empty
};

// What to hand to SCTP for a user message: the message itself, or for an empty one the static
// one-byte 0x00 payload with the Empty PPID.
[[nodiscard]] inline OutgoingData outgoingData(DataKind kind, std::span<const uint8_t> message) noexcept {
  static constexpr uint8_t kEmptyPayload[1] = {kEmptyMessageByte};
  if (message.empty()) return {ppidForSend(kind, 0), std::span<const uint8_t>(kEmptyPayload)};
  return {ppidForSend(kind, message.size()), message};
}

struct IncomingData {
  DataKind kind;
  std::span<const uint8_t> message;  // empty for PPID 56/57
};

// The user message an SCTP payload with `ppid` carries: for the Empty PPIDs an empty message (the
// payload, normally one 0x00 byte, is ignored); nullopt for DCEP and unknown PPIDs.
[[nodiscard]] constexpr std::optional<IncomingData> incomingData(uint32_t ppid,
                                                                 std::span<const uint8_t> payload) noexcept {
  const auto kind = dataKindOf(ppid);
  if (!kind) return std::nullopt;
  if (isEmptyPpid(ppid)) return IncomingData{*kind, payload.first(0)};
  return IncomingData{*kind, payload};
}

}  // namespace switchyard::media::sctp
