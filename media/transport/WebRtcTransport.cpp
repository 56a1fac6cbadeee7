#include "media/transport/WebRtcTransport.h"

#include <algorithm>

#include "media/ice/StunMessage.h"
#include "media/net/PacketKind.h"

namespace switchyard::media::transport {

namespace {

ice::IceLiteAgent::Options iceOptions(const WebRtcTransport::Params& params) {
  ice::IceLiteAgent::Options options;
  options.consentTimeout = params.consentTimeout;
  options.maxRemoteCandidates = WebRtcTransport::kMaxRoutes;
  return options;
}

}  // namespace

WebRtcTransport::WebRtcTransport(TransportId id, dtls::DtlsContext& context, Params params, Io& io,
                                 TransportEvents& events, Clock::time_point now)
    : DtlsSrtpChannel(id, context, params.secure, events),
      io_(io),
      now_(now),
      created_(now),
      connectTimeout_(params.consentTimeout),
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
      // handleStun is also true for an authenticated request it refused (420, 487): only a path
      // the agent now holds as valid is routed here.
      if (ice_.handleStun(*message, path.remote, now) && state() != TransportState::kClosed &&
          ice_.isValidRemote(path.remote)) {
        lastValid_ = path;
        addRoute(path);
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
  if (!selected_ && ice_.state() == ice::IceLiteAgent::State::kNew && now - created_ > connectTimeout_) {
    closeWith(TransportCloseReason::kIceFailed, "no ICE nomination within the consent timeout", false);
    return;
  }
  ice_.tick(now);
  tickDtls(now);
}

void WebRtcTransport::close() noexcept {
  closeWith(TransportCloseReason::kLocalClose, "closed by owner", true);
}

void WebRtcTransport::onTcpClosed(uint8_t server, net::TcpConnectionId id) noexcept {
  for (size_t i = 0; i < routeCount_; ++i) {
    if (routes_[i].tcp == id && routes_[i].socket == server) {
      forget(routes_[i]);
      break;
    }
  }
}

void WebRtcTransport::onPathTaken(const PacketPath& path) noexcept {
  // The host already routes `path` elsewhere: drop it without telling the host back.
  for (size_t i = 0; i < routeCount_; ++i) {
    if (routes_[i] == path) {
      routes_[i] = routes_[--routeCount_];
      break;
    }
  }
  if (lastValid_ == path) lastValid_.reset();
  if (selected_ == path) selected_.reset();  // consent now lapses unless the peer nominates again
}

void WebRtcTransport::addRoute(const PacketPath& path) noexcept {
  for (size_t i = 0; i < routeCount_; ++i) {
    if (routes_[i] == path) return;
  }
  if (routeCount_ == routes_.size()) {
    // Release the oldest route that is not the selected pair.
    for (size_t i = 0; i < routeCount_; ++i) {
      if (!(selected_ && routes_[i] == *selected_)) {
        const PacketPath released = routes_[i];
        std::move(routes_.begin() + static_cast<long>(i) + 1,
                  routes_.begin() + static_cast<long>(routeCount_), routes_.begin() + static_cast<long>(i));
        --routeCount_;
        io_.onPathReleased(id(), released);
        break;
      }
    }
  }
  routes_[routeCount_++] = path;
  io_.onPathValidated(id(), path);
}

void WebRtcTransport::forget(const PacketPath& path) noexcept {
  const bool wasSelected = selected_ == path;
  onPathTaken(path);
  io_.onPathReleased(id(), path);
  if (wasSelected) {
    closeWith(path.isTcp() ? TransportCloseReason::kTcpClosed : TransportCloseReason::kLocalClose,
              "the connection of the selected ICE pair closed", false);
  }
}

void WebRtcTransport::onClosing() noexcept {
  // Every route goes with the transport, one by one (no scan of the host's tables).
  while (routeCount_ > 0) {
    const PacketPath path = routes_[--routeCount_];
    io_.onPathReleased(id(), path);
  }
  selected_.reset();
  lastValid_.reset();
}

bool WebRtcTransport::sendToPeer(std::span<const uint8_t> datagram) noexcept {
  // Before nomination, DTLS answers the path a valid check (and so the ClientHello) came from.
  const PacketPath* path = selected_ ? &*selected_ : (lastValid_ ? &*lastValid_ : nullptr);
  return path != nullptr && io_.sendTo(datagram, *path);
}

void WebRtcTransport::onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) {
  // ICE answers only the request being handled, on the path it came from.
  if (current_ != nullptr && current_->remote == to) io_.sendTo(stun, *current_);
}

void WebRtcTransport::onIceSelected(const util::SocketAddress& remote) {
  if (current_ == nullptr || !(current_->remote == remote)) return;  // only ever called inside receive()
  selected_ = *current_;
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
