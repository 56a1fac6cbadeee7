#include "media/transport/ClientTransport.h"

#include <boost/asio/write.hpp>
#include <stdexcept>

#include "media/ice/StunMessage.h"
#include "media/net/PacketKind.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::transport {

namespace {

constexpr size_t kMaxTcpQueuedBytes = size_t{1} << 20;

net::UdpSocket::Options clientSocketOptions(bool kernelTimestamps) {
  net::UdpSocket::Options options;  // small buffers: a client is one peer connection
  options.kernelTimestamps = kernelTimestamps;
  options.receiveBatchSize = 8;
  options.sendQueueSlots = 16;
  options.receiveBufferBytes = 256 << 10;
  options.sendBufferBytes = 256 << 10;
  return options;
}

boost::asio::ip::tcp::endpoint toEndpoint(const util::SocketAddress& address) {
  sockaddr_storage storage{};
  const socklen_t length = address.toSockaddr(storage);
  boost::asio::ip::tcp::endpoint endpoint;
  std::memcpy(endpoint.data(), &storage, length);
  return endpoint;
}

}  // namespace

ClientTransport::ClientTransport(boost::asio::io_context& io, dtls::DtlsContext& context, TransportId id,
                                 Params params, TransportEvents& events)
    : DtlsSrtpChannel(id, context, params.secure, events),
      io_(io),
      params_(std::move(params)),
      ice_(params_.localIce, params_.remoteIce,
           params_.tieBreaker.value_or(ice::IceClientAgent::randomTieBreaker()), params_.ice, *this),
      timer_(io) {}

ClientTransport::~ClientTransport() {
  timer_.cancel();
  if (tcp_) {
    boost::system::error_code ignored;
    tcp_->close(ignored);
  }
}

std::optional<util::SocketAddress> ClientTransport::localAddress() const noexcept {
  if (udp_) return udp_->localAddress();
  if (tcp_ && tcpConnected_) {
    boost::system::error_code ec;
    const auto endpoint = tcp_->local_endpoint(ec);
    if (!ec)
      return util::SocketAddress::fromSockaddr(endpoint.data(), static_cast<socklen_t>(endpoint.size()));
  }
  return std::nullopt;
}

void ClientTransport::start() {
  now_ = params_.clock();
  if (params_.protocol == CandidateProtocol::kTcp) {
    startTcp();
  } else {
    net::UdpSocket::Listener& listener = *this;
    udp_ = std::make_unique<net::UdpSocket>(io_, params_.localBind, listener,
                                            clientSocketOptions(params_.kernelTimestamps));
    udp_->start();
    for (const IceCandidate& candidate : params_.remoteCandidates) {
      if (candidate.protocol == CandidateProtocol::kUdp &&
          candidate.address.family() == params_.localBind.family()) {
        ice_.addRemoteCandidate(candidate.address);
      }
    }
    ice_.start(now_);
    udp_->flush();
  }
  // A DTLS server must be started before the peer's ClientHello can be read.
  if (dtlsRole() == dtls::DtlsRole::kServer) startDtls(now_);
  armTimer();
}

void ClientTransport::startTcp() {
  for (const IceCandidate& candidate : params_.remoteCandidates) {
    if (candidate.protocol == CandidateProtocol::kTcp &&
        candidate.address.family() == params_.localBind.family()) {
      tcpRemote_ = candidate.address;
      break;
    }
  }
  if (tcpRemote_.empty()) throw std::runtime_error("no ICE-TCP candidate of the local address family");
  ice_.addRemoteCandidate(tcpRemote_);
  framer_ = std::make_unique<net::Rfc4571Framer>();
  tcp_ = std::make_unique<boost::asio::ip::tcp::socket>(io_);
  tcp_->async_connect(toEndpoint(tcpRemote_), [this, alive = std::weak_ptr<int>(alive_)](
                                                  const boost::system::error_code& ec) {
    if (alive.expired() || state() == TransportState::kClosed) return;
    if (ec) {
      closeWith(TransportCloseReason::kIceFailed, "ICE-TCP connect failed: " + ec.message(), false);
      return;
    }
    boost::system::error_code ignored;
    tcp_->set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    tcpConnected_ = true;
    ice_.start(params_.clock());
    readTcp();
  });
}

void ClientTransport::readTcp() {
  const std::span<uint8_t> space = framer_->writableSpace();
  tcp_->async_read_some(
      boost::asio::buffer(space.data(), space.size()),
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec, size_t n) {
        if (alive.expired() || state() == TransportState::kClosed) return;
        if (ec) {
          closeWith(TransportCloseReason::kTcpClosed, "ICE-TCP connection: " + ec.message(), false);
          return;
        }
        framer_->commit(n);
        while (auto frame = framer_->nextFrame()) {
          handle(*frame, tcpRemote_);
          if (state() == TransportState::kClosed) return;
        }
        if (framer_->failed()) {
          closeWith(TransportCloseReason::kTcpClosed, "ICE-TCP framing error", false);
          return;
        }
        readTcp();
      });
}

void ClientTransport::writeTcp() {
  if (tcpWriting_ || tcpQueue_.empty() || !tcpConnected_) return;
  tcpWriting_ = true;
  boost::asio::async_write(
      *tcp_, boost::asio::buffer(tcpQueue_.front()),
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec, size_t) {
        if (alive.expired()) return;
        tcpWriting_ = false;
        tcpQueuedBytes_ -= tcpQueue_.front().size();
        tcpQueue_.pop_front();
        if (ec) return;
        writeTcp();
      });
}

bool ClientTransport::sendRaw(std::span<const uint8_t> datagram, const util::SocketAddress& to) noexcept {
  if (udp_) return udp_->send(datagram, to);
  if (!tcpConnected_ || datagram.size() > 0xffff || tcpQueuedBytes_ + datagram.size() > kMaxTcpQueuedBytes) {
    return false;
  }
  try {
    std::vector<uint8_t> frame(datagram.size() + 2);
    util::write16(frame.data(), static_cast<uint16_t>(datagram.size()));
    std::copy(datagram.begin(), datagram.end(), frame.begin() + 2);
    tcpQueuedBytes_ += frame.size();
    tcpQueue_.push_back(std::move(frame));
  } catch (...) {
    return false;
  }
  writeTcp();
  return true;
}

bool ClientTransport::sendToPeer(std::span<const uint8_t> datagram) noexcept {
  if (!selected_) return false;
  const bool sent = sendRaw(datagram, *selected_);
  if (udp_) udp_->flush();
  return sent;
}

void ClientTransport::onClosing() noexcept {
  // The ICE agent is simply no longer ticked or fed (calling into it here could re-enter it from
  // its own callback); the timer stops.
  timer_.cancel();
}

void ClientTransport::close() noexcept {
  closeWith(TransportCloseReason::kLocalClose, "closed by owner", true);
}

void ClientTransport::armTimer() {
  timer_.expires_after(params_.tickInterval);
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired() || state() == TransportState::kClosed) return;
    tick(params_.clock());
    armTimer();
  });
}

void ClientTransport::tick(Clock::time_point now) noexcept {
  if (state() == TransportState::kClosed) return;
  now_ = now;
  ice_.tick(now);
  tickDtls(now);
  if (udp_) udp_->flush();
}

void ClientTransport::onDatagram(std::span<uint8_t> data, const util::SocketAddress& from) noexcept {
  handle(data, from);
}

void ClientTransport::handle(std::span<uint8_t> data, const util::SocketAddress& from) noexcept {
  if (state() == TransportState::kClosed) return;
  now_ = params_.clock();
  if (net::classifyPacket(data) == net::PacketKind::kStun) {
    ++counters_.stunReceived;
    if (const auto message = ice::StunMessage::parse(data)) ice_.handleStun(*message, from, now_);
    return;
  }
  // Media and DTLS only from the selected server address.
  if (selected_ && from == *selected_) receiveSecure(data);
}

void ClientTransport::onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) {
  sendRaw(stun, to);
}

void ClientTransport::onIceConnected(const util::SocketAddress& remote) {
  selected_ = remote;
  if (state() == TransportState::kNew) setState(TransportState::kConnecting);
  if (dtlsRole() == dtls::DtlsRole::kClient) startDtls(now_);
}

void ClientTransport::onIceFailed(std::string_view reason) {
  closeWith(TransportCloseReason::kIceFailed, reason, false);
}

void ClientTransport::onIceConsentExpired() {
  closeWith(TransportCloseReason::kConsentExpired, "the server stopped answering consent checks", false);
}

}  // namespace switchyard::media::transport
