#include "media/transport/WebRtcTransport.h"

#include "media/ice/StunMessage.h"
#include "media/net/PacketKind.h"

namespace switchyard::media::transport {

namespace {

ice::IceLiteAgent::Options iceOptions(const WebRtcTransport::Params& params) {
  ice::IceLiteAgent::Options options;
  options.consentTimeout = params.consentTimeout;
  return options;
}

}  // namespace

WebRtcTransport::WebRtcTransport(TransportId id, dtls::DtlsContext& context, Params params, Io& io,
                                 TransportEvents& events, Clock::time_point now)
    : DtlsSrtpChannel(id, context, params.secure, events),
      io_(io),
      now_(now),
      ice_(std::move(params.localIce), std::move(params.remoteUfrag), iceOptions(params), *this) {
  // A DTLS server waits for the ClientHello, which may arrive as soon as the peer's first check
  // succeeds; a DTLS client starts once ICE has selected a pair.
  if (params.secure.role == dtls::DtlsRole::kServer) startDtls(now);
}

void WebRtcTransport::receive(std::span<uint8_t> data, const PacketPath& path,
                              Clock::time_point now) noexcept {
  if (state() == TransportState::kClosed) return;
  now_ = now;
  current_ = &path;
  if (net::classifyPacket(data) == net::PacketKind::kStun) {
    ++counters_.stunReceived;
    if (const auto message = ice::StunMessage::parse(data)) {
      if (ice_.handleStun(*message, path.remote, now)) {
        lastValid_ = path;
        io_.onPathValidated(id(), path);
      }
    }
  } else if (ice_.isValidRemote(path.remote)) {
    receiveSecure(data);
  }
  current_ = nullptr;
}

void WebRtcTransport::tick(Clock::time_point now) noexcept {
  if (state() == TransportState::kClosed) return;
  now_ = now;
  ice_.tick(now);
  tickDtls(now);
}

void WebRtcTransport::close() noexcept {
  closeWith(TransportCloseReason::kLocalClose, "closed by owner", true);
}

void WebRtcTransport::onTcpClosed(net::TcpConnectionId id) noexcept {
  if (selected_ && selected_->tcp == id) {
    selected_.reset();
    closeWith(TransportCloseReason::kTcpClosed, "the ICE-TCP connection of the selected pair closed", false);
  }
  if (lastValid_ && lastValid_->tcp == id) lastValid_.reset();
}

bool WebRtcTransport::sendToPeer(std::span<const uint8_t> datagram) noexcept {
  const PacketPath* path = selected_ ? &*selected_ : (lastValid_ ? &*lastValid_ : nullptr);
  return path != nullptr && io_.sendTo(datagram, *path);
}

void WebRtcTransport::onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) {
  // ICE answers go back the way the request came (UDP address, or that TCP connection).
  if (current_ != nullptr && current_->remote == to) {
    io_.sendTo(stun, *current_);
  } else {
    io_.sendTo(stun, PacketPath{to, std::nullopt});
  }
}

void WebRtcTransport::onIceSelected(const util::SocketAddress& remote) {
  selected_ =
      (current_ != nullptr && current_->remote == remote) ? *current_ : PacketPath{remote, std::nullopt};
  if (state() == TransportState::kNew) setState(TransportState::kConnecting);
  if (dtlsRole() == dtls::DtlsRole::kClient && !dtlsStarted()) startDtls(now_);
}

void WebRtcTransport::onIceConsentExpired() {
  // RFC 7675 §5.1: without consent nothing more may be sent, not even close_notify.
  selected_.reset();
  lastValid_.reset();
  closeWith(TransportCloseReason::kConsentExpired, "no valid ICE check within the consent timeout", false);
}

}  // namespace switchyard::media::transport
