#pragma once
// Events of a DtlsTransport (also reachable as DtlsTransport::Listener).
//
// Re-entrancy rules:
//  - onDtlsSend is called from inside OpenSSL (during start, receive, handleTimeout,
//    sendApplicationData, close). It must only hand the datagram on (copy or send it): it must not call
//    back into the same transport and must not destroy it. To connect two transports in memory, queue
//    the datagram and deliver it after the call returns.
//  - onDtlsConnected and onDtlsApplicationData may call sendApplicationData or close.
//  - onDtlsClosed is the last call a transport makes; the listener may destroy the transport from it
//    (or from any callback that leads to it, e.g. close() inside onDtlsApplicationData): the transport
//    touches none of its members after it.
#include <cstdint>
#include <span>
#include <string_view>

#include "media/dtls/DtlsCloseReason.h"
#include "media/srtp/SrtpProfile.h"

namespace switchyard::media::dtls {

class DtlsTransportListener {
 public:
  virtual ~DtlsTransportListener() = default;

  // One DTLS datagram to send to the peer (never larger than the configured MTU during the handshake).
  virtual void onDtlsSend(std::span<const uint8_t> datagram) = 0;
  // The handshake finished, the peer certificate matches the SDP fingerprint and an SRTP profile was
  // negotiated. keys.local protects what we send, keys.remote unprotects what we receive.
  virtual void onDtlsConnected(const srtp::SrtpKeys& keys) = 0;
  // One decrypted application data record (SCTP packets for data channels).
  virtual void onDtlsApplicationData(std::span<const uint8_t> data) = 0;
  virtual void onDtlsClosed(DtlsCloseReason reason, std::string_view detail) = 0;
};

}  // namespace switchyard::media::dtls
