#include "media/transport/TransportHost.h"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "config/Log.h"
#include "media/ice/StunMessage.h"
#include "media/net/PacketKind.h"

namespace switchyard::media::transport {

using config::logEvent;

class TransportHost::UdpPort final : public net::UdpSocket::Listener {
 public:
  UdpPort(TransportHost& host, uint8_t index) : host_(host), index_(index) {}
  void onDatagram(std::span<uint8_t> data, const util::SocketAddress& from) noexcept override {
    host_.onUdp(index_, data, from);
  }
  void onReceiveBatchFlushed() noexcept override { host_.onUdpFlushed(); }
  void onQueueFlushed() noexcept override { host_.onUdpFlushed(); }

 private:
  TransportHost& host_;
  uint8_t index_;
};

class TransportHost::TcpPort final : public net::TcpIceServer::Listener {
 public:
  TcpPort(TransportHost& host, uint8_t index) : host_(host), index_(index) {}
  void onTcpFrame(net::TcpConnectionId id, std::span<uint8_t> frame,
                  const util::SocketAddress& from) noexcept override {
    host_.onTcpFrame(index_, id, frame, from);
  }
  void onTcpClosed(net::TcpConnectionId id) noexcept override { host_.onTcpClosed(index_, id); }

 private:
  TransportHost& host_;
  uint8_t index_;
};

TransportHost::TransportHost(boost::asio::io_context& io, dtls::DtlsContext& dtls, Options options,
                             TransportEvents& owner)
    : io_(io),
      dtls_(dtls),
      options_(std::move(options)),
      owner_(owner),
      addresses_(options_.maxTransports * options_.maxPathsPerTransport),
      timer_(io) {
  if (options_.udpBind.empty()) throw std::invalid_argument("TransportHost needs at least one UDP address");
  if (options_.udpBind.size() > 255 || options_.tcpBind.size() > 255) {
    throw std::invalid_argument("TransportHost: at most 255 sockets of each kind");
  }
}

TransportHost::~TransportHost() {
  stop();
}

void TransportHost::start() {
  for (size_t i = 0; i < options_.udpBind.size(); ++i) {
    udpPorts_.push_back(std::make_unique<UdpPort>(*this, static_cast<uint8_t>(i)));
    net::UdpSocket::Options socketOptions;
    socketOptions.gso = options_.udpGso;
    socketOptions.flushAfterDatagrams = options_.udpFlushDatagrams;
    socketOptions.kernelTimestamps = options_.kernelTimestamps;
    udp_.push_back(
        std::make_unique<net::UdpSocket>(io_, options_.udpBind[i], *udpPorts_.back(), socketOptions));
    udp_.back()->start();
  }
  for (size_t i = 0; i < options_.tcpBind.size(); ++i) {
    tcpPorts_.push_back(std::make_unique<TcpPort>(*this, static_cast<uint8_t>(i)));
    tcp_.push_back(std::make_unique<net::TcpIceServer>(io_, options_.tcpBind[i], *tcpPorts_.back()));
    tcp_.back()->start();
  }
  if (options_.autoTick) armTimer();
}

void TransportHost::stop() noexcept {
  timer_.cancel();
  tickIds_.clear();
  for (const auto& [id, transport] : transports_)
    tickIds_.push_back(id);
  for (const TransportId id : tickIds_) {
    if (WebRtcTransport* transport = find(id)) transport->close();
  }
  flush();
  transports_.clear();
  closed_.clear();
  for (auto& socket : udp_)
    socket->stop();
  tcp_.clear();
}

void TransportHost::armTimer() {
  timer_.expires_after(options_.tickInterval);
  timer_.async_wait(net::withMemory(
      timerMemory_, [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        tick(options_.clock());
        armTimer();
      }));
}

TransportHost::LocalParams TransportHost::createTransport(const RemoteParams& remote) {
  if (transports_.size() >= options_.maxTransports) {
    throw std::runtime_error("transport limit reached (" + std::to_string(options_.maxTransports) + ")");
  }
  ice::IceCredentials credentials = ice::IceCredentials::generate();
  while (ufrags_.contains(credentials.ufrag))
    credentials = ice::IceCredentials::generate();
  const TransportId id = nextId_++;

  WebRtcTransport::Params params;
  params.localIce = credentials;
  params.remoteUfrag = remote.iceUfrag;
  params.secure.role = remote.localDtlsRole;
  params.secure.remoteFingerprint = remote.fingerprint;
  params.secure.mtu = options_.mtu;
  params.secure.replayWindow = options_.replayWindow;
  params.consentTimeout = options_.consentTimeout;
  WebRtcTransport::Io& io = *this;
  TransportEvents& events = *this;
  transports_.emplace(
      id, std::make_unique<WebRtcTransport>(id, dtls_, std::move(params), io, events, options_.clock()));
  ufrags_.emplace(credentials.ufrag, id);
  ++counters_.transportsCreated;

  LocalParams local;
  local.id = id;
  local.ice = credentials;
  local.fingerprint = dtls_.localFingerprint();
  // Announced addresses first (what clients behind the NAT or outside the container reach), then
  // every bound address that is a real one (not 0.0.0.0 / ::).
  auto addCandidates = [&](CandidateProtocol protocol, const std::vector<util::SocketAddress>& bound) {
    for (util::SocketAddress announced : options_.announced) {
      for (const auto& address : bound) {
        if (address.family() != announced.family()) continue;
        announced.setPort(address.port());
        local.candidates.push_back({protocol, announced});
        break;
      }
    }
    for (const auto& address : bound) {
      if (!address.isWildcard()) local.candidates.push_back({protocol, address});
    }
  };
  addCandidates(CandidateProtocol::kUdp, udpAddresses());
  addCandidates(CandidateProtocol::kTcp, tcpAddresses());
  return local;
}

WebRtcTransport* TransportHost::find(TransportId id) noexcept {
  const auto it = transports_.find(id);
  return it == transports_.end() || it->second->state() == TransportState::kClosed ? nullptr
                                                                                   : it->second.get();
}

void TransportHost::closeTransport(TransportId id) noexcept {
  if (WebRtcTransport* transport = find(id)) transport->close();
  flush();
}

void TransportHost::tick(Clock::time_point now) noexcept {
  // Over a snapshot of ids: a callback (onTransportClosed) may create or close transports.
  tickIds_.clear();
  for (const auto& [id, transport] : transports_)
    tickIds_.push_back(id);
  for (const TransportId id : tickIds_) {
    if (WebRtcTransport* transport = find(id)) transport->tick(now);
  }
  for (auto& server : tcp_)
    server->tick(now);
  for (TransportId id : closed_)
    transports_.erase(id);
  closed_.clear();
  flush();
}

void TransportHost::flush() noexcept {
  for (auto& socket : udp_)
    socket->flush();
}

std::vector<util::SocketAddress> TransportHost::udpAddresses() const {
  std::vector<util::SocketAddress> out;
  for (const auto& socket : udp_)
    out.push_back(socket->localAddress());
  return out;
}

std::vector<util::SocketAddress> TransportHost::tcpAddresses() const {
  std::vector<util::SocketAddress> out;
  for (const auto& server : tcp_)
    out.push_back(server->localAddress());
  return out;
}

void TransportHost::onUdp(uint8_t socket, std::span<uint8_t> data, const util::SocketAddress& from) noexcept {
  const Clock::time_point now = options_.clock();
  const PacketPath path{from, std::nullopt, socket};
  arrivalNs_ = udp_[socket]->receiveTimeNs();
  receivedNs_ = arrivalNs_ != 0 ? udp_[socket]->batchReceiveTimeNs() : 0;
  if (const auto id = addresses_.find(from)) {
    if (WebRtcTransport* transport = routeKnown(*id, data)) {
      transport->receive(data, path, now);
      arrivalNs_ = 0;
      return;
    }
  }
  routeNew(data, path, now);
  arrivalNs_ = 0;
}

void TransportHost::onUdpFlushed() noexcept {
  if (flushingAll_) return;
  // One socket flushed; what is queued on the others goes now too (instead of after the posted
  // flush), so the owner's measuring point sees every copy handed to the kernel.
  if (udp_.size() > 1) {
    flushingAll_ = true;
    flush();
    flushingAll_ = false;
  }
  owner_.onSendsFlushed();
}

void TransportHost::onTcpFrame(uint8_t server, net::TcpConnectionId id, std::span<uint8_t> frame,
                               const util::SocketAddress& from) noexcept {
  const Clock::time_point now = options_.clock();
  const PacketPath path{from, id, server};
  if (const auto it = tcpRoutes_.find(tcpKey(server, id)); it != tcpRoutes_.end()) {
    if (WebRtcTransport* transport = routeKnown(it->second, frame)) {
      transport->receive(frame, path, now);
      return;
    }
  }
  routeNew(frame, path, now);
}

void TransportHost::onTcpClosed(uint8_t server, net::TcpConnectionId id) noexcept {
  const auto it = tcpRoutes_.find(tcpKey(server, id));
  if (it == tcpRoutes_.end()) return;
  const TransportId transportId = it->second;
  tcpRoutes_.erase(it);
  if (WebRtcTransport* transport = find(transportId)) transport->onTcpClosed(server, id);
}

WebRtcTransport* TransportHost::routeKnown(TransportId id, std::span<const uint8_t> data) noexcept {
  WebRtcTransport* transport = find(id);
  if (transport == nullptr || net::classifyPacket(data) != net::PacketKind::kStun) return transport;
  // STUN is rare (checks, consent): worth a parse to see whose ufrag it names.
  if (const auto message = ice::StunMessage::parse(data)) {
    if (const auto ufrag = ice::IceLiteAgent::localUfragOf(*message)) {
      if (*ufrag != transport->localIce().ufrag) return nullptr;  // routeNew decides
    }
  }
  return transport;
}

void TransportHost::routeNew(std::span<uint8_t> data, const PacketPath& path,
                             Clock::time_point now) noexcept {
  // Only a STUN Binding request naming a local ufrag goes further; its integrity is checked by
  // the transport's ICE agent before the path is remembered.
  if (net::classifyPacket(data) == net::PacketKind::kStun) {
    if (const auto message = ice::StunMessage::parse(data)) {
      if (const auto ufrag = ice::IceLiteAgent::localUfragOf(*message)) {
        if (const auto it = ufrags_.find(*ufrag); it != ufrags_.end()) {
          if (WebRtcTransport* transport = find(it->second)) {
            ++counters_.routedByUfrag;
            transport->receive(data, path, now);
            return;
          }
        }
      }
    }
  }
  ++counters_.droppedUnknownSource;
}

bool TransportHost::sendTo(std::span<const uint8_t> datagram, const PacketPath& path) noexcept {
  if (path.tcp) {
    return path.socket < tcp_.size() && tcp_[path.socket]->sendFrame(*path.tcp, datagram);
  }
  if (path.socket >= udp_.size() || !udp_[path.socket]->send(datagram, path.remote)) return false;
  // A socket flushes itself after its own receive batch; a send queued from another socket's batch,
  // a TCP frame or a timer is flushed once the current handler returns (one post per burst).
  if (!flushPosted_) {
    flushPosted_ = true;
    boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
      if (alive.expired()) return;
      flushPosted_ = false;
      flush();
    });
  }
  return true;
}

void TransportHost::onPathValidated(TransportId id, const PacketPath& path) noexcept {
  std::optional<TransportId> previous;
  if (path.tcp) {
    const auto [it, inserted] = tcpRoutes_.try_emplace(tcpKey(path.socket, *path.tcp), id);
    if (!inserted && it->second != id) {
      previous = it->second;
      it->second = id;
    }
  } else {
    previous = addresses_.find(path.remote);
    if (addresses_.insertOrAssign(path.remote, id) == net::AddressTable::InsertResult::kFull) {
      ++counters_.addressTableFull;
      return;
    }
  }
  // A new peer proved (by ICE) it owns a path another transport still held: that one lets go.
  if (previous && *previous != id) {
    if (WebRtcTransport* old = find(*previous)) old->onPathTaken(path);
  }
}

void TransportHost::onPathReleased(TransportId id, const PacketPath& path) noexcept {
  if (path.tcp) {
    const auto it = tcpRoutes_.find(tcpKey(path.socket, *path.tcp));
    if (it != tcpRoutes_.end() && it->second == id) tcpRoutes_.erase(it);
    return;
  }
  if (addresses_.find(path.remote) == id) addresses_.erase(path.remote);
}

void TransportHost::onTransportConnected(TransportId id) {
  if (WebRtcTransport* transport = find(id)) {
    const auto profile = transport->srtpProfile();
    logEvent(*config::logger("media"), spdlog::level::info, "transport connected", "transport", id, "remote",
             transport->selectedPath() ? transport->selectedPath()->remote.toString() : std::string("?"),
             "srtp", profile ? srtp::srtpProfileOpenSslName(*profile) : std::string_view("?"));
  }
  owner_.onTransportConnected(id);
}

void TransportHost::onTransportRtp(TransportId id, rtp::RtpPacket& packet) noexcept {
  owner_.onTransportRtp(id, packet);
}

void TransportHost::onTransportRtcp(TransportId id, std::span<uint8_t> compound) noexcept {
  owner_.onTransportRtcp(id, compound);
}

void TransportHost::onTransportApplicationData(TransportId id, std::span<const uint8_t> data) noexcept {
  owner_.onTransportApplicationData(id, data);
}

void TransportHost::onTransportClosed(TransportId id, TransportCloseReason reason, std::string_view detail) {
  // Its routes were released one by one as it closed; its ufrag goes now and the object itself at
  // the next tick, outside its own call stack.
  if (const auto it = transports_.find(id); it != transports_.end())
    ufrags_.erase(it->second->localIce().ufrag);
  closed_.push_back(id);
  ++counters_.transportsClosed;
  logEvent(*config::logger("media"), spdlog::level::info, "transport closed", "transport", id, "reason",
           toString(reason), "detail", detail);
  owner_.onTransportClosed(id, reason, detail);
}

}  // namespace switchyard::media::transport
