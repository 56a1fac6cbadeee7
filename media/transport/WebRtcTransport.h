#pragma once
// The server side of one peer connection: ICE-lite (controlled) + DTLS + SRTP. No sockets: the
// TransportHost routes datagrams in and sends what this transport gives it. Confined to the
// worker thread that owns the host.
#include <optional>
#include <span>
#include <string>

#include "media/ice/IceCredentials.h"
#include "media/ice/IceLiteAgent.h"
#include "media/transport/DtlsSrtpChannel.h"

namespace switchyard::media::transport {

class WebRtcTransport final : public DtlsSrtpChannel, private ice::IceLiteAgent::Listener {
 public:
  // Implemented by the TransportHost.
  class Io {
   public:
    virtual ~Io() = default;
    virtual bool sendTo(std::span<const uint8_t> datagram, const PacketPath& path) noexcept = 0;
    // A path passed an ICE check: later packets from it are routed here before any crypto.
    virtual void onPathValidated(TransportId id, const PacketPath& path) noexcept = 0;
  };

  struct Params {
    ice::IceCredentials localIce;
    std::optional<std::string> remoteUfrag;  // from the remote SDP, when known
    DtlsSrtpChannel::Settings secure;
    std::chrono::milliseconds consentTimeout{30000};
  };

  WebRtcTransport(TransportId id, dtls::DtlsContext& context, Params params, Io& io, TransportEvents& events,
                  Clock::time_point now);

  // A datagram (or ICE-TCP frame) for this transport. The host calls it for packets from a validated
  // path, and for STUN Binding requests from new paths whose USERNAME names this transport.
  void receive(std::span<uint8_t> data, const PacketPath& path, Clock::time_point now) noexcept;
  // Consent freshness and DTLS retransmissions; called by the host's tick.
  void tick(Clock::time_point now) noexcept;
  // Closes with close_notify; the owner hears onTransportClosed(kLocalClose).
  void close() noexcept;
  // The ICE-TCP connection `id` closed: if it carried the selected pair, the transport closes.
  void onTcpClosed(net::TcpConnectionId id) noexcept;

  [[nodiscard]] const ice::IceCredentials& localIce() const noexcept { return ice_.localCredentials(); }
  [[nodiscard]] const std::optional<PacketPath>& selectedPath() const noexcept { return selected_; }
  [[nodiscard]] bool iceConnected() const noexcept { return selected_.has_value(); }

 private:
  bool sendToPeer(std::span<const uint8_t> datagram) noexcept override;
  void onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) override;
  void onIceSelected(const util::SocketAddress& remote) override;
  void onIceConsentExpired() override;

  Io& io_;
  Clock::time_point now_{};  // the injected time of the current call
  ice::IceLiteAgent ice_;
  std::optional<PacketPath> selected_;   // the nominated pair
  std::optional<PacketPath> lastValid_;  // the last path a valid packet came from (before nomination)
  const PacketPath* current_ = nullptr;  // the path of the packet being handled
};

}  // namespace switchyard::media::transport
