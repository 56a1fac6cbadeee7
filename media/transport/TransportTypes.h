#pragma once
// Small value types shared by the server and client transports.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "media/net/TcpConnectionId.h"
#include "media/rtp/RtpPacket.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::transport {

using TransportId = uint32_t;
using Clock = std::chrono::steady_clock;

// Where a packet came from, and so where an answer goes: a UDP remote address, or an ICE-TCP
// connection (whose remote address is kept for ICE's XOR-MAPPED-ADDRESS and logs).
struct PacketPath {
  util::SocketAddress remote;
  std::optional<net::TcpConnectionId> tcp;
  uint8_t socket = 0;  // which of the host's UDP sockets (or TCP listeners) it arrived on

  [[nodiscard]] bool isTcp() const noexcept { return tcp.has_value(); }
  friend bool operator==(const PacketPath& a, const PacketPath& b) noexcept {
    return a.remote == b.remote && a.tcp == b.tcp && a.socket == b.socket;
  }
};

enum class CandidateProtocol : uint8_t { kUdp, kTcp };

// A host candidate of the server (RFC 8445 §5.1.1.1; TCP ones are passive, RFC 6544).
struct IceCandidate {
  CandidateProtocol protocol = CandidateProtocol::kUdp;
  util::SocketAddress address;
};

enum class TransportState : uint8_t {
  kNew,         // waiting for ICE
  kConnecting,  // ICE done, DTLS handshake running
  kConnected,   // SRTP keys in place: media flows
  kClosed,
};

enum class TransportCloseReason : uint8_t {
  kLocalClose,           // close() by the owner
  kConsentExpired,       // no valid ICE check for the consent timeout (RFC 7675)
  kIceFailed,            // client side: every check failed
  kDtlsClosed,           // the peer sent close_notify
  kFingerprintMismatch,  // the peer's certificate is not the one its SDP announced
  kDtlsFailed,           // handshake failed or timed out, no common SRTP profile
  kSrtpFailed,           // SRTP sessions could not be created from the exported keys
  kTcpClosed,            // the ICE-TCP connection carrying the selected pair closed
};

[[nodiscard]] constexpr std::string_view toString(TransportCloseReason reason) noexcept {
  switch (reason) {
    case TransportCloseReason::kLocalClose:
      return "local-close";
    case TransportCloseReason::kConsentExpired:
      return "consent-expired";
    case TransportCloseReason::kIceFailed:
      return "ice-failed";
    case TransportCloseReason::kDtlsClosed:
      return "dtls-closed";
    case TransportCloseReason::kFingerprintMismatch:
      return "fingerprint-mismatch";
    case TransportCloseReason::kDtlsFailed:
      return "dtls-failed";
    case TransportCloseReason::kSrtpFailed:
      return "srtp-failed";
    case TransportCloseReason::kTcpClosed:
      return "tcp-closed";
  }
  return "unknown";
}

// What the owner of a transport (a room's peer, a bench client, a test) hears from it. Called on
// the transport's worker thread. onTransportClosed is the last call for a transport. The owner must
// not destroy the transport from inside a callback (the TransportHost defers it to its tick; a
// ClientTransport's owner posts its destruction).
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;
  virtual void onTransportConnected(TransportId /*id*/) {}
  // Decrypted RTP, parsed in place in the receive buffer (valid only during the call; the owner
  // may rewrite it in place).
  virtual void onTransportRtp(TransportId id, rtp::RtpPacket& packet) noexcept = 0;
  // Decrypted RTCP compound packet (valid only during the call).
  virtual void onTransportRtcp(TransportId id, std::span<uint8_t> compound) noexcept = 0;
  // DTLS application data (SCTP for data channels).
  virtual void onTransportApplicationData(TransportId /*id*/, std::span<const uint8_t> /*data*/) noexcept {}
  virtual void onTransportClosed(TransportId id, TransportCloseReason reason, std::string_view detail) = 0;
  // What was queued on the UDP sockets so far has been handed to the kernel: after a flush that
  // emptied a send queue (TransportHost flushes its other sockets first) and at the end of each UDP
  // receive batch (the owner's measuring point for the added latency).
  virtual void onSendsFlushed() noexcept {}
};

}  // namespace switchyard::media::transport
