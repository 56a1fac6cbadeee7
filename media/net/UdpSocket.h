#pragma once
// A worker's UDP socket: non-blocking, bound once, read in recvmmsg batches and written in
// sendmmsg batches (the hot path of ARCHITECTURE.md: recvmmsg batch -> demux -> ... -> one
// sendmmsg per batch).
//
// Receive: start() arms async_wait(wait_read) on the io_context. On readiness the socket drains
// with recvmmsg into preallocated buffers (batchSize x kDatagramBufferSize) until EAGAIN or
// maxDatagramsPerWakeup datagrams, calling Listener::onDatagram() for each, then flush() after
// each batch (then Listener::onReceiveBatchFlushed()), then re-arms (the re-arm re-reads readiness, so after
// the budget other handlers run first and reading resumes after them). A datagram larger than
// kDatagramBufferSize is detected by MSG_TRUNC, dropped and counted as truncated.
//
// Send: send() copies the datagram into a preallocated slot of the send queue (sendQueueSlots x
// kDatagramBufferSize); flush() hands every queued datagram to the kernel with one sendmmsg
// (repeated only after a partial send); with Options::gso, the datagrams of one destination go as
// one message of segments. On EAGAIN the rest stays queued and is flushed when the
// socket becomes writable. A full queue is flushed first when Options::flushWhenFull is set (the
// default: a fan-out of one batch may exceed the queue); if it is still full the datagram is
// dropped and counted. No allocation, exception or syscall other than the batches per datagram.
//
// Thread confinement: a UdpSocket and its Listener belong to the thread running the io_context;
// every member must be called from it (checked by a debug assertion). It may be constructed on
// another thread before its first use. Pending handlers hold only a weak token, so destroying the
// socket (on its thread) with a wait in flight is safe.
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "media/net/HandlerMemory.h"
#include "media/net/ThreadChecker.h"
#include "media/util/SocketAddress.h"

namespace switchyard::media::net {

class UdpSocket {
 public:
  static constexpr size_t kDatagramBufferSize = 2048;

  class Listener {
   public:
    virtual ~Listener() = default;
    // data points into the socket's receive buffer: valid (and writable, e.g. to decrypt in
    // place) until the callback returns. The callback may call send()/flush() but must not
    // destroy the socket.
    virtual void onDatagram(std::span<uint8_t> data, const util::SocketAddress& from) noexcept = 0;
    // After each receive batch, once its flush() returned.
    virtual void onReceiveBatchFlushed() noexcept {}
    // After a flush() (of a batch, of a full queue, or any other) that sent at least one datagram and
    // emptied the queue: everything send() accepted so far is with the kernel (measuring points).
    virtual void onQueueFlushed() noexcept {}
  };

  struct Options {
    size_t receiveBatchSize = 32;        // datagrams per recvmmsg
    size_t maxDatagramsPerWakeup = 256;  // then re-arm so other work runs
    size_t sendQueueSlots = 256;         // datagrams queued for one sendmmsg
    bool flushWhenFull = true;           // send() on a full queue flushes before dropping
    // After a received datagram's onDatagram(), a queue holding at least this many datagrams is
    // flushed before the next one is handled (besides the flush at the end of each batch): a copy
    // waits for about this many sends' work, not for the whole batch's. >= sendQueueSlots: only at
    // the end of a batch (and when full).
    size_t flushAfterDatagrams = 32;
    int receiveBufferBytes = 4 << 20;  // SO_RCVBUF request (best effort), <= 0: leave default
    int sendBufferBytes = 4 << 20;     // SO_SNDBUF request (best effort), <= 0: leave default
    // SO_TIMESTAMPNS: the kernel's arrival time of each datagram, readable during onDatagram as
    // receiveTimeNs() (measuring tools: the bench's latency without its own queueing, the server's
    // added-latency histogram, workers.latency_histogram).
    bool kernelTimestamps = false;
    // UDP GSO (UDP_SEGMENT, Linux >= 4.18): a flush sends the datagrams queued for one destination
    // as one message of equal-sized segments (the last may be shorter), per-destination order kept.
    // If the kernel refuses it (no checksum offload on the route, a segment above the path MTU),
    // the socket falls back to one message per datagram for good.
    bool gso = false;
  };

  struct Counters {
    uint64_t received = 0;       // datagrams delivered to the listener
    uint64_t sent = 0;           // datagrams accepted by the kernel
    uint64_t dropped = 0;        // send queue full
    uint64_t truncated = 0;      // received datagrams larger than kDatagramBufferSize
    uint64_t sendErrors = 0;     // sendmmsg errors, oversize or wrong-family datagrams
    uint64_t receiveErrors = 0;  // recvmmsg errors other than EAGAIN/EINTR
    uint64_t sendCalls = 0;      // sendmmsg system calls
    uint64_t receiveCalls = 0;   // recvmmsg system calls
    uint64_t gsoMessages = 0;    // GSO messages of two or more datagrams accepted by the kernel
    uint64_t gsoDatagrams = 0;   // datagrams sent in them
    bool gsoRefused = false;     // the kernel refused GSO: the socket sends one message per datagram
  };

  // Creates, configures and binds the socket (control plane): IPv6 sockets are IPV6_V6ONLY, port
  // 0 picks an ephemeral port. Throws std::runtime_error naming the address and the errno text.
  UdpSocket(boost::asio::io_context& io, const util::SocketAddress& bindAddress, Listener& listener,
            const Options& options);
  UdpSocket(boost::asio::io_context& io, const util::SocketAddress& bindAddress, Listener& listener)
      : UdpSocket(io, bindAddress, listener, Options{}) {}
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Starts (or resumes) reading. Idempotent.
  void start();
  // Stops reading and cancels pending waits; queued datagrams stay queued. Idempotent.
  void stop() noexcept;

  // Queues a datagram for the next flush(). False (and counted) when the queue is full, the
  // datagram exceeds kDatagramBufferSize or `to` is not of the socket's family.
  bool send(std::span<const uint8_t> data, const util::SocketAddress& to) noexcept;
  // Sends everything queued with one sendmmsg (more only after a partial send).
  void flush() noexcept;

  [[nodiscard]] const util::SocketAddress& localAddress() const noexcept { return localAddress_; }
  // With Options::kernelTimestamps, during onDatagram: when the kernel received that datagram, on
  // CLOCK_MONOTONIC in ns (converted from the kernel's CLOCK_REALTIME stamp); 0 when unknown.
  [[nodiscard]] uint64_t receiveTimeNs() const noexcept { return receiveTimeNs_; }
  // With Options::kernelTimestamps, during onDatagram: when the recvmmsg that returned it returned
  // (CLOCK_MONOTONIC ns): from here on the packet is in user space.
  [[nodiscard]] uint64_t batchReceiveTimeNs() const noexcept { return batchReceiveTimeNs_; }
  // Effective kernel buffer sizes as reported by getsockopt (Linux doubles the request and caps
  // it at net.core.rmem_max / wmem_max unless the process may use SO_*BUFFORCE).
  [[nodiscard]] int receiveBufferBytes() const noexcept { return receiveBufferBytes_; }
  [[nodiscard]] int sendBufferBytes() const noexcept { return sendBufferBytes_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] size_t queuedDatagrams() const noexcept { return sendCount_; }
  [[nodiscard]] bool waitingForWritable() const noexcept { return waitingWritable_; }
  [[nodiscard]] int nativeHandle() noexcept { return socket_.native_handle(); }

 private:
  void armRead();
  void armWrite();
  void onReadable() noexcept;
  void onWritable() noexcept;

  boost::asio::ip::udp::socket socket_;
  Listener& listener_;
  Options options_;
  util::SocketAddress localAddress_;
  int receiveBufferBytes_ = 0;
  int sendBufferBytes_ = 0;
  Counters counters_;
  ThreadChecker thread_;
  std::shared_ptr<int> alive_;  // handlers hold a weak_ptr: they do nothing once we are gone
  std::shared_ptr<HandlerMemory> handlerMemory_ = HandlerMemory::create();  // re-arming allocates nothing
  bool reading_ = false;
  bool readArmed_ = false;
  bool waitingWritable_ = false;

  // Receive batch, wired once at construction.
  std::vector<uint8_t> receiveBuffers_;
  std::vector<iovec> receiveIov_;
  std::vector<sockaddr_storage> receiveAddrs_;
  std::vector<mmsghdr> receiveMsgs_;
  std::vector<uint8_t> receiveControl_;  // kernelTimestamps: one cmsg slot per message
  uint64_t receiveTimeNs_ = 0;
  uint64_t batchReceiveTimeNs_ = 0;

  // Send queue: slots (buffer, address) taken from a free list; queued_ holds them in queue order.
  // flush() wires sendMsgs_ in queue order, one message per datagram or, with GSO, per run.
  struct SendSlot {
    sockaddr_storage address;
    socklen_t addressLength = 0;
    size_t size = 0;
    uint64_t addressKey = 0;  // a cheap first comparison of addresses
  };
  // Wires the queued datagrams into sendMsgs_; returns the number of messages.
  size_t wireMessages() noexcept;
  // Takes the first `messages` wired messages off the queue (sent, or refused and dropped).
  void retireMessages(size_t messages) noexcept;
  [[nodiscard]] bool sameDestination(const SendSlot& a, const SendSlot& b) const noexcept;

  std::vector<uint8_t> sendBuffers_;
  std::vector<SendSlot> sendSlots_;
  std::vector<uint32_t> freeSlots_;  // [0, freeCount_): a stack of free slot indices
  size_t freeCount_ = 0;
  std::vector<uint32_t> queued_;           // [0, sendCount_): slot indices in queue order
  std::vector<uint32_t> iovQueued_;        // per wired iovec: its position in queued_
  std::vector<uint32_t> messageIovs_;      // per wired message: its number of iovecs (datagrams)
  std::vector<uint32_t> messageHead_;      // per wired message: its first datagram's position in queued_
  std::vector<uint32_t> messageFirstIov_;  // per wired message: its first iovec in sendIov_
  std::vector<uint32_t> messageFilled_;    // per wired message: iovecs placed so far (wireMessages)
  std::vector<uint32_t> messageOf_;        // per queue position: its message (wireMessages)
  std::vector<uint8_t> retired_;           // per queue position, during retireMessages
  // GSO: a destination's open run during wireMessages (open addressing on SendSlot::addressKey;
  // an entry of another generation is empty).
  static constexpr uint32_t kNoRun = UINT32_MAX;
  struct RunEntry {
    uint32_t generation = 0;
    uint32_t position = 0;      // a queued datagram to this destination (its address to compare)
    uint32_t message = kNoRun;  // the message taking this destination's next datagram, if any
  };
  std::vector<RunEntry> runTable_;
  uint32_t runGeneration_ = 0;
  std::vector<iovec> sendIov_;
  std::vector<mmsghdr> sendMsgs_;
  std::vector<uint8_t> sendControl_;  // GSO: one UDP_SEGMENT cmsg slot per message
  size_t sendCount_ = 0;
  bool gso_ = false;  // Options::gso and not refused by the kernel yet
};

}  // namespace switchyard::media::net
