#pragma once
// Passive ICE-TCP candidates (RFC 6544 §4.1: the server only accepts) with RFC 4571 framing: a
// listening socket, up to maxConnections TcpIceConnections addressed by small TcpConnectionIds,
// and idle closing driven by tick(now) (injected time: tests never sleep).
//
// Framing decision: frames of any RFC 4571 length 0..65535 are accepted by default (maxFrameSize
// may lower it; a larger LENGTH closes the connection: a byte stream cannot resynchronise).
// Zero-length frames are skipped. Each connection buffers at most 2 + maxFrameSize received
// bytes and maxQueuedBytes of framed output; a full output queue drops the frame and counts.
//
// Events: onTcpAccepted when a connection is accepted, onTcpFrame for each non-empty frame,
// onTcpClosed when a connection ends by itself (peer close, error, protocol error, idle) - not
// after close(id) or when the server is destroyed. Callbacks may call sendFrame() and close() for
// any id, but must not destroy the server.
//
// Idle: a connection that delivers no non-empty frame for idleTimeout is closed (measured at tick
// granularity: its clock starts at the first tick() after accept). A duration of zero disables it.
//
// Thread confinement: the server, its connections and its Listener live on the thread running
// the io_context (debug-asserted). Pending handlers hold only weak tokens or the connection, so
// destroying the server on that thread with operations in flight is safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "media/net/TcpConnectionId.h"
#include "media/net/TcpIceConnection.h"
#include "media/net/ThreadChecker.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::net {

class TcpIceServer : private TcpIceConnection::Owner {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTcpAccepted(TcpConnectionId /*id*/, const util::SocketAddress& /*from*/) noexcept {}
    // frame points into the connection's receive buffer, writable, valid until the call returns.
    virtual void onTcpFrame(TcpConnectionId id, std::span<uint8_t> frame,
                            const util::SocketAddress& from) noexcept = 0;
    virtual void onTcpClosed(TcpConnectionId id) noexcept = 0;
  };

  struct Options {
    size_t maxConnections = 1024;  // more are accepted and closed at once (at most 65535)
    size_t maxFrameSize = Rfc4571Framer::kMaxFrameSize;
    size_t maxQueuedBytes = size_t{1} << 20;  // per connection
    std::chrono::steady_clock::duration idleTimeout = std::chrono::seconds(10);
    int backlog = 128;
  };

  struct Counters {
    uint64_t accepted = 0;
    uint64_t rejected = 0;        // over maxConnections
    uint64_t acceptErrors = 0;    // accept failed (fd exhaustion pauses accepting until tick())
    uint64_t closedByPeer = 0;    // EOF
    uint64_t closedOnError = 0;   // read/write error
    uint64_t protocolErrors = 0;  // frame LENGTH above maxFrameSize
    uint64_t closedIdle = 0;
    uint64_t framesReceived = 0;  // over all connections, live and closed
    uint64_t emptyFrames = 0;
    uint64_t framesSent = 0;
    uint64_t sendDropped = 0;  // queue full, too large, unknown id
  };

  // Opens, binds (IPv6: IPV6_V6ONLY; port 0: ephemeral) and listens (control plane). Throws
  // std::runtime_error naming the address and the error text.
  TcpIceServer(boost::asio::io_context& io, const util::SocketAddress& bindAddress, Listener& listener,
               const Options& options);
  TcpIceServer(boost::asio::io_context& io, const util::SocketAddress& bindAddress, Listener& listener)
      : TcpIceServer(io, bindAddress, listener, Options{}) {}
  ~TcpIceServer() override;
  TcpIceServer(const TcpIceServer&) = delete;
  TcpIceServer& operator=(const TcpIceServer&) = delete;

  // Starts accepting. Idempotent.
  void start();

  // Queues one framed packet; false (and counted) for an unknown id, a frame over 65535 bytes or a
  // full queue.
  bool sendFrame(TcpConnectionId id, std::span<const uint8_t> frame) noexcept;
  // Closes a connection without an onTcpClosed callback; false for an unknown id.
  bool close(TcpConnectionId id) noexcept;
  // Closes idle connections (onTcpClosed) and resumes accepting after fd exhaustion.
  void tick(std::chrono::steady_clock::time_point now) noexcept;

  [[nodiscard]] const util::SocketAddress& localAddress() const noexcept { return localAddress_; }
  [[nodiscard]] size_t connectionCount() const noexcept { return connectionCount_; }
  [[nodiscard]] bool contains(TcpConnectionId id) const noexcept { return find(id) != nullptr; }
  [[nodiscard]] std::optional<util::SocketAddress> remoteAddress(TcpConnectionId id) const noexcept;
  [[nodiscard]] Counters counters() const noexcept;

 private:
  void accept();
  void onAccepted(const boost::system::error_code& ec, boost::asio::ip::tcp::socket peer);
  [[nodiscard]] TcpIceConnection* find(TcpConnectionId id) const noexcept;
  void release(TcpIceConnection& connection) noexcept;
  void onConnectionFrame(TcpIceConnection& connection, std::span<uint8_t> frame) noexcept override;
  void onConnectionClosed(TcpIceConnection& connection,
                          TcpIceConnection::CloseReason reason) noexcept override;

  boost::asio::ip::tcp::acceptor acceptor_;
  Listener& listener_;
  Options options_;
  util::SocketAddress localAddress_;
  ThreadChecker thread_;
  std::shared_ptr<int> alive_;  // accept handlers hold a weak_ptr
  std::vector<std::shared_ptr<TcpIceConnection>> slots_;
  std::vector<uint16_t> generations_;
  size_t connectionCount_ = 0;
  size_t nextSlot_ = 0;  // round-robin start of the free-slot search, so ids are not reused at once
  bool accepting_ = false;
  bool acceptArmed_ = false;
  Counters counters_;  // connection counters are added on release
};

}  // namespace switchyard::media::net
