#pragma once
// One accepted ICE-TCP connection (RFC 6544 passive candidate) of a TcpIceServer: reads RFC 4571
// frames into its Rfc4571Framer (no copy: the socket reads into the framer's buffer) and writes
// framed packets from a bounded byte queue with one write in flight (STYLE: Beast's queue_limit).
//
// Lifetime: owned by the server's slot table through a shared_ptr, and kept alive while a read or
// write is in flight by the handler (STYLE: shared_ptr only for objects with async operations in
// flight). close() closes the socket; the aborted handlers then drop the last references.
// Thread confinement: everything runs on the io_context's thread.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "media/net/Rfc4571Framer.h"
#include "media/net/TcpConnectionId.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::net {

class TcpIceConnection : public std::enable_shared_from_this<TcpIceConnection> {
 public:
  enum class CloseReason : uint8_t { kPeerClosed, kReadError, kWriteError, kProtocolError, kIdle };

  // Implemented by the server; detached (nullptr) when the server goes away first.
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void onConnectionFrame(TcpIceConnection& connection, std::span<uint8_t> frame) noexcept = 0;
    // The connection closed itself (not through close()).
    virtual void onConnectionClosed(TcpIceConnection& connection, CloseReason reason) noexcept = 0;
  };

  struct Limits {
    size_t maxFrameSize = Rfc4571Framer::kMaxFrameSize;  // larger received LENGTH: protocol error
    size_t maxQueuedBytes = size_t{1} << 20;             // framed bytes waiting to be written
  };

  struct Counters {
    uint64_t framesReceived = 0;  // non-empty frames delivered
    uint64_t emptyFrames = 0;     // zero-length frames (valid framing, nothing to deliver)
    uint64_t framesSent = 0;      // frames queued for writing
    uint64_t sendDropped = 0;     // frames refused: queue full, too large or connection closed
  };

  TcpIceConnection(boost::asio::ip::tcp::socket socket, TcpConnectionId id, const util::SocketAddress& remote,
                   const Limits& limits, Owner* owner);
  TcpIceConnection(const TcpIceConnection&) = delete;
  TcpIceConnection& operator=(const TcpIceConnection&) = delete;

  // Starts the read loop (call once, after construction through make_shared).
  void start();
  // Queues [LENGTH][frame] for writing; false (and counted) when the frame exceeds 65535 bytes,
  // the queue would exceed maxQueuedBytes or the connection is closed.
  bool sendFrame(std::span<const uint8_t> frame) noexcept;
  // Closes the socket without calling the owner. Idempotent.
  void close() noexcept;
  // Closes because of `reason` and tells the owner. Idempotent.
  void fail(CloseReason reason) noexcept;
  void detach() noexcept { owner_ = nullptr; }

  // Idle bookkeeping at tick granularity: the clock starts at the first tick after accept and
  // restarts at each tick that follows a received non-empty frame. True when idle >= timeout.
  [[nodiscard]] bool idleExpired(std::chrono::steady_clock::time_point now,
                                 std::chrono::steady_clock::duration timeout) noexcept;

  [[nodiscard]] TcpConnectionId id() const noexcept { return id_; }
  [[nodiscard]] const util::SocketAddress& remoteAddress() const noexcept { return remote_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] size_t queuedBytes() const noexcept { return pending_.size() + inflight_.size(); }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

 private:
  void readSome();
  void onRead(const boost::system::error_code& ec, size_t bytes) noexcept;
  void startWrite();
  void onWrite(const boost::system::error_code& ec) noexcept;

  boost::asio::ip::tcp::socket socket_;
  TcpConnectionId id_;
  util::SocketAddress remote_;
  Limits limits_;
  Owner* owner_;
  Rfc4571Framer framer_;
  std::vector<uint8_t> pending_;   // framed bytes not yet handed to a write
  std::vector<uint8_t> inflight_;  // the write in flight
  Counters counters_;
  std::chrono::steady_clock::time_point lastActive_{};
  bool clockStarted_ = false;
  bool activeSinceTick_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace switchyard::media::net
