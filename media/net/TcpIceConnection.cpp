#include "media/net/TcpIceConnection.h"

#include <boost/asio/write.hpp>

#include "media/util/BigEndian.h"

namespace switchyard::media::net {

TcpIceConnection::TcpIceConnection(boost::asio::ip::tcp::socket socket, TcpConnectionId id,
                                   const util::SocketAddress& remote, const Limits& limits, Owner* owner)
    : socket_(std::move(socket)),
      id_(id),
      remote_(remote),
      limits_(limits),
      owner_(owner),
      framer_(limits.maxFrameSize) {
  pending_.reserve(4096);
  inflight_.reserve(4096);
}

void TcpIceConnection::start() {
  readSome();
}

void TcpIceConnection::readSome() {
  const std::span<uint8_t> space = framer_.writableSpace();
  socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t bytes) {
                            self->onRead(ec, bytes);
                          });
}

void TcpIceConnection::onRead(const boost::system::error_code& ec, size_t bytes) noexcept {
  if (closed_) return;
  if (ec) {
    fail(ec == boost::asio::error::eof ? CloseReason::kPeerClosed : CloseReason::kReadError);
    return;
  }
  framer_.commit(bytes);
  while (!closed_) {
    const auto frame = framer_.nextFrame();
    if (!frame) break;
    if (frame->empty()) {
      ++counters_.emptyFrames;
      continue;
    }
    ++counters_.framesReceived;
    activeSinceTick_ = true;
    if (owner_ != nullptr) owner_->onConnectionFrame(*this, *frame);
  }
  if (closed_) return;  // the owner closed us from its callback
  if (framer_.failed()) {
    fail(CloseReason::kProtocolError);
    return;
  }
  readSome();
}

bool TcpIceConnection::sendFrame(std::span<const uint8_t> frame) noexcept {
  const size_t framed = Rfc4571Framer::kHeaderSize + frame.size();
  if (closed_ || frame.size() > Rfc4571Framer::kMaxFrameSize ||
      queuedBytes() + framed > limits_.maxQueuedBytes) {
    ++counters_.sendDropped;
    return false;
  }
  // Grows (amortised, up to maxQueuedBytes) only while the peer reads slower than we write.
  const size_t offset = pending_.size();
  pending_.resize(offset + framed);
  util::write16(pending_.data() + offset, static_cast<uint16_t>(frame.size()));
  if (!frame.empty())
    std::copy(frame.begin(), frame.end(), pending_.begin() + static_cast<std::ptrdiff_t>(offset + 2));
  ++counters_.framesSent;
  if (!writing_) startWrite();
  return true;
}

void TcpIceConnection::startWrite() {
  inflight_.swap(pending_);
  pending_.clear();
  writing_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(inflight_),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t) { self->onWrite(ec); });
}

void TcpIceConnection::onWrite(const boost::system::error_code& ec) noexcept {
  writing_ = false;
  inflight_.clear();
  if (closed_) return;
  if (ec) {
    fail(CloseReason::kWriteError);
    return;
  }
  if (!pending_.empty()) startWrite();
}

void TcpIceConnection::close() noexcept {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void TcpIceConnection::fail(CloseReason reason) noexcept {
  if (closed_) return;
  close();
  if (owner_ != nullptr) owner_->onConnectionClosed(*this, reason);
}

bool TcpIceConnection::idleExpired(std::chrono::steady_clock::time_point now,
                                   std::chrono::steady_clock::duration timeout) noexcept {
  if (!clockStarted_ || activeSinceTick_) {
    clockStarted_ = true;
    activeSinceTick_ = false;
    lastActive_ = now;
    return false;
  }
  return now - lastActive_ >= timeout;
}

}  // namespace switchyard::media::net
