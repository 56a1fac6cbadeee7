#include "media/net/TcpIceServer.h"

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>
#include <cerrno>
#include <stdexcept>
#include <string>

namespace switchyard::media::net {
namespace {

boost::asio::ip::tcp::endpoint toEndpoint(const util::SocketAddress& address) {
  if (address.isIpv4()) {
    boost::asio::ip::address_v4::bytes_type bytes{};
    std::copy_n(address.ipBytes(), bytes.size(), bytes.begin());
    return {boost::asio::ip::address_v4(bytes), address.port()};
  }
  boost::asio::ip::address_v6::bytes_type bytes{};
  std::copy_n(address.ipBytes(), bytes.size(), bytes.begin());
  return {boost::asio::ip::address_v6(bytes), address.port()};
}

util::SocketAddress fromEndpoint(const boost::asio::ip::tcp::endpoint& endpoint) noexcept {
  const boost::asio::ip::address address = endpoint.address();
  if (address.is_v4()) return util::SocketAddress::ipv4(address.to_v4().to_bytes(), endpoint.port());
  return util::SocketAddress::ipv6(address.to_v6().to_bytes(), endpoint.port());
}

[[noreturn]] void throwServerError(const util::SocketAddress& address, const char* step,
                                   const boost::system::error_code& ec) {
  throw std::runtime_error("ICE-TCP server " + address.toString() + ": " + step + ": " + ec.message());
}

bool isResourceExhaustion(const boost::system::error_code& ec) noexcept {
  const int value = ec.value();
  return ec.category() == boost::system::system_category() &&
         (value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM);
}

}  // namespace

TcpIceServer::TcpIceServer(boost::asio::io_context& io, const util::SocketAddress& bindAddress,
                           Listener& listener, const Options& options)
    : acceptor_(io), listener_(listener), options_(options), alive_(std::make_shared<int>(0)) {
  options_.maxConnections = std::min<size_t>(options_.maxConnections, 0xffff);
  options_.maxFrameSize = std::min(options_.maxFrameSize, Rfc4571Framer::kMaxFrameSize);
  if (bindAddress.empty()) throw std::runtime_error("ICE-TCP server: no bind address");

  const boost::asio::ip::tcp::endpoint endpoint = toEndpoint(bindAddress);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) throwServerError(bindAddress, "socket", ec);
  if (bindAddress.isIpv6()) {
    acceptor_.set_option(boost::asio::ip::v6_only(true), ec);
    if (ec) throwServerError(bindAddress, "IPV6_V6ONLY", ec);
  }
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (ec) throwServerError(bindAddress, "SO_REUSEADDR", ec);
  acceptor_.bind(endpoint, ec);
  if (ec) throwServerError(bindAddress, "bind", ec);
  acceptor_.listen(options_.backlog, ec);
  if (ec) throwServerError(bindAddress, "listen", ec);
  const boost::asio::ip::tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) throwServerError(bindAddress, "getsockname", ec);
  localAddress_ = fromEndpoint(local);

  slots_.resize(options_.maxConnections);
  generations_.resize(options_.maxConnections, 0);
}

TcpIceServer::~TcpIceServer() {
  alive_.reset();
  for (auto& connection : slots_) {
    if (!connection) continue;
    connection->detach();
    connection->close();
    connection.reset();
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void TcpIceServer::start() {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  accepting_ = true;
  accept();
}

void TcpIceServer::accept() {
  if (!accepting_ || acceptArmed_) return;
  acceptArmed_ = true;
  acceptor_.async_accept([this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec,
                                                                    boost::asio::ip::tcp::socket peer) {
    if (alive.expired()) return;
    onAccepted(ec, std::move(peer));
  });
}

void TcpIceServer::onAccepted(const boost::system::error_code& ec, boost::asio::ip::tcp::socket peer) {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  acceptArmed_ = false;
  if (ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    ++counters_.acceptErrors;
    // Out of descriptors: the pending connection keeps the acceptor readable, so re-arming now
    // would spin. tick() resumes accepting.
    if (!isResourceExhaustion(ec)) accept();
    return;
  }
  boost::system::error_code ignored;
  if (connectionCount_ >= slots_.size()) {
    ++counters_.rejected;
    peer.close(ignored);
    accept();
    return;
  }
  boost::system::error_code endpointError;
  const boost::asio::ip::tcp::endpoint remoteEndpoint = peer.remote_endpoint(endpointError);
  if (endpointError) {  // already reset by the peer
    ++counters_.acceptErrors;
    peer.close(ignored);
    accept();
    return;
  }
  peer.set_option(boost::asio::ip::tcp::no_delay(true), ignored);

  // Round-robin search from nextSlot_, so a just-freed slot is not reused at once.
  size_t slot = nextSlot_;
  while (slots_[slot])
    slot = (slot + 1) % slots_.size();
  nextSlot_ = (slot + 1) % slots_.size();
  uint16_t& generation = generations_[slot];
  generation = static_cast<uint16_t>(generation + 1);
  if (generation == 0) generation = 1;
  const TcpConnectionId id = TcpConnectionId::make(static_cast<uint16_t>(slot), generation);
  const util::SocketAddress remote = fromEndpoint(remoteEndpoint);

  TcpIceConnection::Limits limits;
  limits.maxFrameSize = options_.maxFrameSize;
  limits.maxQueuedBytes = options_.maxQueuedBytes;
  auto connection = std::make_shared<TcpIceConnection>(std::move(peer), id, remote, limits,
                                                       static_cast<TcpIceConnection::Owner*>(this));
  slots_[slot] = connection;
  ++connectionCount_;
  ++counters_.accepted;
  connection->start();
  listener_.onTcpAccepted(id, remote);
  accept();
}

TcpIceConnection* TcpIceServer::find(TcpConnectionId id) const noexcept {
  if (!id.valid() || id.slot() >= slots_.size()) return nullptr;
  TcpIceConnection* connection = slots_[id.slot()].get();
  return connection != nullptr && connection->id() == id ? connection : nullptr;
}

std::optional<util::SocketAddress> TcpIceServer::remoteAddress(TcpConnectionId id) const noexcept {
  const TcpIceConnection* connection = find(id);
  if (connection == nullptr) return std::nullopt;
  return connection->remoteAddress();
}

bool TcpIceServer::sendFrame(TcpConnectionId id, std::span<const uint8_t> frame) noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  TcpIceConnection* connection = find(id);
  if (connection == nullptr) {
    ++counters_.sendDropped;
    return false;
  }
  return connection->sendFrame(frame);
}

bool TcpIceServer::close(TcpConnectionId id) noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  TcpIceConnection* connection = find(id);
  if (connection == nullptr) return false;
  const std::shared_ptr<TcpIceConnection> keep = slots_[id.slot()];
  keep->close();
  release(*keep);
  return true;
}

void TcpIceServer::tick(std::chrono::steady_clock::time_point now) noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  if (accepting_ && !acceptArmed_) {
    try {
      accept();
    } catch (...) {  // bad_alloc starting the operation: retry at the next tick
      acceptArmed_ = false;
    }
  }
  if (options_.idleTimeout <= std::chrono::steady_clock::duration::zero()) return;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i]) continue;
    const std::shared_ptr<TcpIceConnection> connection = slots_[i];  // callbacks may free the slot
    if (connection->idleExpired(now, options_.idleTimeout))
      connection->fail(TcpIceConnection::CloseReason::kIdle);
  }
}

void TcpIceServer::release(TcpIceConnection& connection) noexcept {
  const size_t slot = connection.id().slot();
  if (slot >= slots_.size() || slots_[slot].get() != &connection) return;
  const TcpIceConnection::Counters& c = connection.counters();
  counters_.framesReceived += c.framesReceived;
  counters_.emptyFrames += c.emptyFrames;
  counters_.framesSent += c.framesSent;
  counters_.sendDropped += c.sendDropped;
  connection.detach();  // its late frames and closes are no longer ours
  slots_[slot].reset();
  --connectionCount_;
}

TcpIceServer::Counters TcpIceServer::counters() const noexcept {
  Counters total = counters_;
  for (const auto& connection : slots_) {
    if (!connection) continue;
    const TcpIceConnection::Counters& c = connection->counters();
    total.framesReceived += c.framesReceived;
    total.emptyFrames += c.emptyFrames;
    total.framesSent += c.framesSent;
    total.sendDropped += c.sendDropped;
  }
  return total;
}

void TcpIceServer::onConnectionFrame(TcpIceConnection& connection, std::span<uint8_t> frame) noexcept {
  listener_.onTcpFrame(connection.id(), frame, connection.remoteAddress());
}

void TcpIceServer::onConnectionClosed(TcpIceConnection& connection,
                                      TcpIceConnection::CloseReason reason) noexcept {
  switch (reason) {
    case TcpIceConnection::CloseReason::kPeerClosed:
      ++counters_.closedByPeer;
      break;
    case TcpIceConnection::CloseReason::kReadError:
    case TcpIceConnection::CloseReason::kWriteError:
      ++counters_.closedOnError;
      break;
    case TcpIceConnection::CloseReason::kProtocolError:
      ++counters_.protocolErrors;
      break;
    case TcpIceConnection::CloseReason::kIdle:
      ++counters_.closedIdle;
      break;
  }
  const TcpConnectionId id = connection.id();
  release(connection);
  listener_.onTcpClosed(id);
}

}  // namespace switchyard::media::net
