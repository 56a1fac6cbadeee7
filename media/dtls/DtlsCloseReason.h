#pragma once
// Why a DtlsTransport ended (DtlsTransportListener::onDtlsClosed).
#include <cstdint>
#include <string_view>

namespace switchyard::media::dtls {

enum class DtlsCloseReason : uint8_t {
  kCloseNotify,          // the peer sent close_notify
  kFingerprintMismatch,  // the peer certificate does not match the SDP fingerprint
  kHandshakeFailed,      // a fatal alert or protocol error (also after the handshake: detail says which)
  kTimeout,              // the handshake did not finish in time, or retransmissions were exhausted
  kNoSrtpProfile,        // the handshake finished without a common SRTP profile (RFC 5764 §4.1.2)
  kLocalClose,           // close() was called
};

[[nodiscard]] constexpr std::string_view toString(DtlsCloseReason reason) noexcept {
  switch (reason) {
    case DtlsCloseReason::kCloseNotify:
      return "close-notify";
    case DtlsCloseReason::kFingerprintMismatch:
      return "fingerprint-mismatch";
    case DtlsCloseReason::kHandshakeFailed:
      return "handshake-failed";
    case DtlsCloseReason::kTimeout:
      return "timeout";
    case DtlsCloseReason::kNoSrtpProfile:
      return "no-srtp-profile";
    case DtlsCloseReason::kLocalClose:
      return "local-close";
  }
  return "unknown";
}

}  // namespace switchyard::media::dtls
