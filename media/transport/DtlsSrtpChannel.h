#pragma once
// The secure half of a WebRTC transport, shared by the server (WebRtcTransport) and the client
// (ClientTransport): DTLS over the ICE-selected path, SRTP sessions keyed from it, and the
// decrypt -> parse -> deliver step for RTP and RTCP. Subclasses supply ICE and the packet path.
#include <optional>
#include <span>
#include <string_view>

#include "media/dtls/DtlsTransport.h"
#include "media/srtp/SrtpSession.h"
#include "media/transport/TransportCounters.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::transport {

class DtlsSrtpChannel : protected dtls::DtlsTransportListener {
 public:
  struct Settings {
    dtls::DtlsRole role = dtls::DtlsRole::kServer;
    dtls::Fingerprint remoteFingerprint;
    uint32_t mtu = 1200;
    uint32_t replayWindow = srtp::kSrtpDefaultReplayWindow;
    std::chrono::milliseconds handshakeTimeout{30000};
  };

  DtlsSrtpChannel(TransportId id, dtls::DtlsContext& context, const Settings& settings,
                  TransportEvents& events);
  ~DtlsSrtpChannel() override = default;
  DtlsSrtpChannel(const DtlsSrtpChannel&) = delete;
  DtlsSrtpChannel& operator=(const DtlsSrtpChannel&) = delete;

  // Protects RTP (or RTCP) in place and sends it on the selected path. `buffer` holds the packet in
  // its first `length` bytes and must have srtp::kSrtpMaxTrailer (kSrtcpMaxTrailer) spare bytes.
  bool sendRtp(std::span<uint8_t> buffer, size_t length) noexcept;
  bool sendRtcp(std::span<uint8_t> buffer, size_t length) noexcept;
  // DTLS application data (SCTP).
  bool sendApplicationData(std::span<const uint8_t> data) noexcept;

  [[nodiscard]] TransportId id() const noexcept { return id_; }
  [[nodiscard]] TransportState state() const noexcept { return state_; }
  [[nodiscard]] const TransportCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] std::optional<srtp::SrtpProfile> srtpProfile() const noexcept {
    return dtls_.selectedProfile();
  }
  [[nodiscard]] dtls::DtlsRole dtlsRole() const noexcept { return dtls_.role(); }

 protected:
  // Sends one datagram (DTLS, SRTP, or an ICE message) on the current path.
  virtual bool sendToPeer(std::span<const uint8_t> datagram) noexcept = 0;
  // Called once when the transport closes, before the owner hears of it.
  virtual void onClosing() noexcept {}

  // DTLS or SRTP/SRTCP from a validated path.
  void receiveSecure(std::span<uint8_t> data) noexcept;
  void startDtls(Clock::time_point now) noexcept;
  void tickDtls(Clock::time_point now) noexcept;
  // Closes once: stops DTLS (close_notify unless the path is gone), tells the owner.
  void closeWith(TransportCloseReason reason, std::string_view detail, bool notifyPeer) noexcept;
  [[nodiscard]] bool dtlsStarted() const noexcept {
    return dtls_.state() != dtls::DtlsTransport::State::kNew;
  }

  void setState(TransportState state) noexcept { state_ = state; }
  TransportCounters counters_;

 private:
  void onDtlsSend(std::span<const uint8_t> datagram) override;
  void onDtlsConnected(const srtp::SrtpKeys& keys) override;
  void onDtlsApplicationData(std::span<const uint8_t> data) override;
  void onDtlsClosed(dtls::DtlsCloseReason reason, std::string_view detail) override;
  bool protectAndSend(std::span<uint8_t> buffer, size_t length, bool rtcp) noexcept;

  TransportId id_;
  TransportEvents& events_;
  uint32_t replayWindow_;
  dtls::DtlsTransport dtls_;
  std::optional<srtp::SrtpSession> inbound_;
  std::optional<srtp::SrtpSession> outbound_;
  TransportState state_ = TransportState::kNew;
  bool closing_ = false;
};

}  // namespace switchyard::media::transport
