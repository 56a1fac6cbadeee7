#pragma once
// The server side of one peer connection: ICE-lite (controlled) + DTLS + SRTP. No sockets: the
// TransportHost routes datagrams in and sends what this transport gives it. Confined to the
// worker thread that owns the host.
#include <array>
#include <optional>
#include <span>
#include <string>

#include "media/ice/IceCredentials.h"
#include "media/ice/IceLiteAgent.h"
#include "media/transport/DtlsSrtpChannel.h"

namespace switchyard::media::transport {

class WebRtcTransport final : public DtlsSrtpChannel, private ice::IceLiteAgent::Listener {
 public:
  // Paths (remote address or ICE-TCP connection) routed to one transport at most; the oldest
  // non-selected one is released when a new one is validated. Same bound as the ICE agent's list.
  static constexpr size_t kMaxRoutes = 8;

  // Implemented by the TransportHost.
  class Io {
   public:
    virtual ~Io() = default;
    virtual bool sendTo(std::span<const uint8_t> datagram, const PacketPath& path) noexcept = 0;
    // A path passed an ICE check: later packets from it are routed here before any crypto.
    virtual void onPathValidated(TransportId id, const PacketPath& path) noexcept = 0;
    // The path is no longer routed here (evicted, or the transport closed).
    virtual void onPathReleased(TransportId id, const PacketPath& path) noexcept = 0;
  };

  struct Params {
    ice::IceCredentials localIce;
    std::optional<std::string> remoteUfrag;  // from the remote SDP, when known
    DtlsSrtpChannel::Settings secure;
    // RFC 7675 consent timeout; also the time a new transport waits for its first nomination.
    std::chrono::milliseconds consentTimeout{30000};
  };

  WebRtcTransport(TransportId id, dtls::DtlsContext& context, Params params, Io& io, TransportEvents& events,
                  Clock::time_point now);

  // A datagram (or ICE-TCP frame) for this transport. The host calls it for packets from a validated
  // path, and for STUN Binding requests from new paths whose USERNAME names this transport.
  void receive(std::span<uint8_t> data, const PacketPath& path, Clock::time_point now) noexcept;
  // Consent freshness, the first-nomination deadline and DTLS retransmissions; called by the tick.
  void tick(Clock::time_point now) noexcept;
  // Closes with close_notify; the owner hears onTransportClosed(kLocalClose).
  void close() noexcept;
  // The ICE-TCP connection `id` of listener `server` closed: if it carried the selected pair, the
  // transport closes.
  void onTcpClosed(uint8_t server, net::TcpConnectionId id) noexcept;
  // Another transport proved (by ICE) that `path` is now its peer: forget it here.
  void onPathTaken(const PacketPath& path) noexcept;

  [[nodiscard]] const ice::IceCredentials& localIce() const noexcept { return ice_.localCredentials(); }
  [[nodiscard]] const std::optional<PacketPath>& selectedPath() const noexcept { return selected_; }
  [[nodiscard]] bool iceConnected() const noexcept { return selected_.has_value(); }
  [[nodiscard]] size_t routeCount() const noexcept { return routeCount_; }

 private:
  bool sendToPeer(std::span<const uint8_t> datagram) noexcept override;
  void onClosing() noexcept override;
  void onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) override;
  void onIceSelected(const util::SocketAddress& remote) override;
  void onIceConsentExpired() override;
  void addRoute(const PacketPath& path) noexcept;
  void forget(const PacketPath& path) noexcept;

  Io& io_;
  Clock::time_point now_{};  // the injected time of the current call
  Clock::time_point created_{};
  std::chrono::milliseconds connectTimeout_;
  ice::IceLiteAgent ice_;
  std::optional<PacketPath> selected_;   // the nominated pair
  std::optional<PacketPath> lastValid_;  // the last path a valid check came from (before nomination)
  const PacketPath* current_ = nullptr;  // the path of the packet being handled
  std::array<PacketPath, kMaxRoutes> routes_{};
  size_t routeCount_ = 0;
};

}  // namespace switchyard::media::transport
