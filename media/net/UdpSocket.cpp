#include "media/net/UdpSocket.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "media/net/UniqueFd.h"

namespace switchyard::media::net {
namespace {

[[noreturn]] void throwSocketError(const util::SocketAddress& address, const char* step, int error) {
  throw std::runtime_error("UDP socket " + address.toString() + ": " + step + ": " +
                           std::system_category().message(error));
}

int effectiveBufferSize(int fd, int option) noexcept {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, option, &value, &length) != 0) return 0;
  return value;
}

// One control message slot: room for a SCM_TIMESTAMPNS timespec.
constexpr size_t kControlSlot = CMSG_SPACE(sizeof(timespec));

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux >= 4.18
#endif
// One GSO control message slot: the segment size.
constexpr size_t kGsoControlSlot = CMSG_SPACE(sizeof(uint16_t));
constexpr size_t kMaxGsoSegments = 64;  // UDP_MAX_SEGMENTS of every kernel with UDP_SEGMENT
constexpr size_t kMaxGsoBytes = 65000;  // one UDP datagram's payload before segmentation

uint64_t addressKeyOf(const sockaddr_storage& address, socklen_t length) noexcept {
  // FNV-1a over the address bytes: equal addresses have equal keys (compared in full after).
  uint64_t key = 1469598103934665603ULL;
  const auto* bytes = reinterpret_cast<const uint8_t*>(&address);
  for (socklen_t i = 0; i < length; ++i)
    key = (key ^ bytes[i]) * 1099511628211ULL;
  return key;
}

bool isWouldBlock(int error) noexcept {
  return error == EAGAIN || error == EWOULDBLOCK;
}

}  // namespace

UdpSocket::UdpSocket(boost::asio::io_context& io, const util::SocketAddress& bindAddress, Listener& listener,
                     const Options& options)
    : socket_(io), listener_(listener), options_(options), alive_(std::make_shared<int>(0)) {
  options_.receiveBatchSize = std::max<size_t>(1, options_.receiveBatchSize);
  options_.maxDatagramsPerWakeup = std::max<size_t>(1, options_.maxDatagramsPerWakeup);
  options_.sendQueueSlots = std::max<size_t>(1, options_.sendQueueSlots);
  if (bindAddress.empty()) throw std::runtime_error("UDP socket: no bind address");

  const int family = bindAddress.isIpv4() ? AF_INET : AF_INET6;
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.valid()) throwSocketError(bindAddress, "socket", errno);
  if (bindAddress.isIpv6()) {
    const int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
      throwSocketError(bindAddress, "IPV6_V6ONLY", errno);
  }
  // Best effort: the kernel caps the request at net.core.{r,w}mem_max; we report what we got.
  if (options_.receiveBufferBytes > 0)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &options_.receiveBufferBytes, sizeof(int));
  if (options_.sendBufferBytes > 0)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &options_.sendBufferBytes, sizeof(int));
  if (options_.kernelTimestamps) {
    const int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0)
      throwSocketError(bindAddress, "SO_TIMESTAMPNS", errno);
  }
  receiveBufferBytes_ = effectiveBufferSize(fd.get(), SO_RCVBUF);
  sendBufferBytes_ = effectiveBufferSize(fd.get(), SO_SNDBUF);

  sockaddr_storage storage{};
  const socklen_t length = bindAddress.toSockaddr(storage);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
    throwSocketError(bindAddress, "bind", errno);
  sockaddr_storage bound{};
  socklen_t boundLength = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &boundLength) != 0)
    throwSocketError(bindAddress, "getsockname", errno);
  const auto local =
      util::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&bound), boundLength);
  if (!local) throwSocketError(bindAddress, "getsockname", EAFNOSUPPORT);
  localAddress_ = *local;

  boost::system::error_code ec;
  socket_.assign(bindAddress.isIpv4() ? boost::asio::ip::udp::v4() : boost::asio::ip::udp::v6(), fd.get(),
                 ec);
  if (ec) throwSocketError(bindAddress, "assign", ec.value());
  static_cast<void>(fd.release());  // the asio socket owns it now

  // Receive batch: every message points at its own buffer and address slot, once and for all.
  const size_t batch = options_.receiveBatchSize;
  receiveBuffers_.resize(batch * kDatagramBufferSize);
  receiveIov_.resize(batch);
  receiveAddrs_.resize(batch);
  receiveMsgs_.resize(batch);
  for (size_t i = 0; i < batch; ++i) {
    receiveIov_[i].iov_base = receiveBuffers_.data() + i * kDatagramBufferSize;
    receiveIov_[i].iov_len = kDatagramBufferSize;
    std::memset(&receiveMsgs_[i], 0, sizeof(mmsghdr));
    receiveMsgs_[i].msg_hdr.msg_name = &receiveAddrs_[i];
    receiveMsgs_[i].msg_hdr.msg_iov = &receiveIov_[i];
    receiveMsgs_[i].msg_hdr.msg_iovlen = 1;
  }
  if (options_.kernelTimestamps) receiveControl_.resize(batch * kControlSlot);

  const size_t slots = options_.sendQueueSlots;
  sendBuffers_.resize(slots * kDatagramBufferSize);
  sendSlots_.resize(slots);
  freeSlots_.resize(slots);
  for (size_t i = 0; i < slots; ++i)
    freeSlots_[i] = static_cast<uint32_t>(slots - 1 - i);  // popped from the back: slot 0 first
  freeCount_ = slots;
  queued_.resize(slots);
  iovQueued_.resize(slots);
  messageIovs_.resize(slots);
  messageHead_.resize(slots);
  messageFirstIov_.resize(slots);
  messageFilled_.resize(slots);
  messageOf_.resize(slots);
  retired_.resize(slots);
  sendIov_.resize(slots);
  sendMsgs_.resize(slots);
  for (mmsghdr& msg : sendMsgs_)
    std::memset(&msg, 0, sizeof msg);
  gso_ = options_.gso;
  if (gso_) {
    sendControl_.resize(slots * kGsoControlSlot);
    size_t tableSize = 1;
    while (tableSize < 2 * slots)
      tableSize *= 2;
    runTable_.resize(tableSize);
  }
}

UdpSocket::~UdpSocket() = default;

void UdpSocket::start() {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  reading_ = true;
  armRead();
}

void UdpSocket::stop() noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  // A pending wait stays armed; its handler sees reading_ == false and does nothing, so stop()
  // followed by start() needs no cancellation.
  reading_ = false;
}

void UdpSocket::armRead() {
  if (readArmed_ || !reading_) return;
  readArmed_ = true;
  socket_.async_wait(boost::asio::socket_base::wait_read,
                     withMemory(handlerMemory_, [this, alive = std::weak_ptr<int>(alive_)](
                                                    const boost::system::error_code& ec) {
                       if (alive.expired()) return;
                       readArmed_ = false;
                       if (ec) {
                         if (ec != boost::asio::error::operation_aborted) ++counters_.receiveErrors;
                         return;
                       }
                       onReadable();
                     }));
}

void UdpSocket::armWrite() {
  if (waitingWritable_) return;
  waitingWritable_ = true;
  socket_.async_wait(boost::asio::socket_base::wait_write,
                     withMemory(handlerMemory_, [this, alive = std::weak_ptr<int>(alive_)](
                                                    const boost::system::error_code& ec) {
                       if (alive.expired()) return;
                       waitingWritable_ = false;
                       if (ec) {
                         if (ec != boost::asio::error::operation_aborted) ++counters_.sendErrors;
                         return;
                       }
                       onWritable();
                     }));
}

void UdpSocket::onReadable() noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  const int fd = socket_.native_handle();
  size_t budget = options_.maxDatagramsPerWakeup;
  bool drained = false;
  while (reading_ && budget > 0) {
    const size_t want = std::min(options_.receiveBatchSize, budget);
    for (size_t i = 0; i < want; ++i) {
      receiveMsgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      receiveMsgs_[i].msg_hdr.msg_flags = 0;
      receiveMsgs_[i].msg_len = 0;
      if (!receiveControl_.empty()) {
        receiveMsgs_[i].msg_hdr.msg_control = receiveControl_.data() + i * kControlSlot;
        receiveMsgs_[i].msg_hdr.msg_controllen = kControlSlot;
      }
    }
    ++counters_.receiveCalls;
    const int n = ::recvmmsg(fd, receiveMsgs_.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
    if (n < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (isWouldBlock(error)) {
        drained = true;
        break;
      }
      // A pending socket error (reported once) costs one unit of budget so errors cannot spin.
      ++counters_.receiveErrors;
      --budget;
      continue;
    }
    if (n == 0) {
      drained = true;
      break;
    }
    const auto count = static_cast<size_t>(n);
    int64_t realtimeToMonotonicNs = 0;
    if (!receiveControl_.empty()) {
      timespec real{};
      timespec mono{};
      ::clock_gettime(CLOCK_REALTIME, &real);
      ::clock_gettime(CLOCK_MONOTONIC, &mono);
      realtimeToMonotonicNs =
          (static_cast<int64_t>(mono.tv_sec) - static_cast<int64_t>(real.tv_sec)) * 1000000000LL +
          (static_cast<int64_t>(mono.tv_nsec) - static_cast<int64_t>(real.tv_nsec));
      batchReceiveTimeNs_ =
          static_cast<uint64_t>(mono.tv_sec) * 1000000000ULL + static_cast<uint64_t>(mono.tv_nsec);
    }
    for (size_t i = 0; i < count && reading_; ++i) {
      const mmsghdr& msg = receiveMsgs_[i];
      receiveTimeNs_ = 0;
      if (!receiveControl_.empty()) {
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg.msg_hdr); c != nullptr;
             c = CMSG_NXTHDR(const_cast<msghdr*>(&msg.msg_hdr), c)) {
          if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
          timespec at{};
          std::memcpy(&at, CMSG_DATA(c), sizeof at);
          const int64_t ns =
              static_cast<int64_t>(at.tv_sec) * 1000000000LL + at.tv_nsec + realtimeToMonotonicNs;
          receiveTimeNs_ = ns > 0 ? static_cast<uint64_t>(ns) : 0;
        }
      }
      if ((msg.msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++counters_.truncated;
        continue;
      }
      const auto from = util::SocketAddress::fromSockaddr(
          reinterpret_cast<const sockaddr*>(&receiveAddrs_[i]), msg.msg_hdr.msg_namelen);
      if (!from) {
        ++counters_.receiveErrors;
        continue;
      }
      ++counters_.received;
      const size_t size = std::min<size_t>(msg.msg_len, kDatagramBufferSize);
      listener_.onDatagram(std::span<uint8_t>(receiveBuffers_.data() + i * kDatagramBufferSize, size), *from);
      if (sendCount_ >= options_.flushAfterDatagrams) flush();
    }
    budget -= count;
    flush();
    listener_.onReceiveBatchFlushed();
  }
  if (!reading_) return;
  if (drained) {
    armRead();
    return;
  }
  // Budget used up with data possibly still queued: continue after the handlers already queued.
  readArmed_ = true;
  boost::asio::post(socket_.get_executor(),
                    withMemory(handlerMemory_, [this, alive = std::weak_ptr<int>(alive_)] {
                      if (alive.expired()) return;
                      readArmed_ = false;
                      if (reading_) onReadable();
                    }));
}

void UdpSocket::onWritable() noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  flush();
}

bool UdpSocket::send(std::span<const uint8_t> data, const util::SocketAddress& to) noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  if (data.size() > kDatagramBufferSize || to.family() != localAddress_.family()) {
    ++counters_.sendErrors;
    return false;
  }
  if (sendCount_ == sendSlots_.size()) {
    if (options_.flushWhenFull) flush();
    if (sendCount_ == sendSlots_.size()) {
      ++counters_.dropped;
      return false;
    }
  }
  const uint32_t index = freeSlots_[--freeCount_];
  SendSlot& slot = sendSlots_[index];
  if (!data.empty()) std::memcpy(sendBuffers_.data() + index * kDatagramBufferSize, data.data(), data.size());
  slot.size = data.size();
  slot.addressLength = to.toSockaddr(slot.address);
  if (gso_) slot.addressKey = addressKeyOf(slot.address, slot.addressLength);
  queued_[sendCount_++] = index;
  return true;
}

bool UdpSocket::sameDestination(const SendSlot& a, const SendSlot& b) const noexcept {
  return a.addressKey == b.addressKey && a.addressLength == b.addressLength &&
         std::memcmp(&a.address, &b.address, a.addressLength) == 0;
}

size_t UdpSocket::wireMessages() noexcept {
  // Pass 1: each queued datagram joins its destination's open run or starts a message. A run takes
  // datagrams of its head's size; a shorter one joins and ends it; a longer one ends it and starts
  // the next message (so a destination's messages, and its datagrams within them, stay in queue
  // order). Open runs are found by destination in a small open-addressing table, cleared by
  // bumping its generation: O(queued) per flush.
  if (++runGeneration_ == 0) {
    std::fill(runTable_.begin(), runTable_.end(), RunEntry{});
    runGeneration_ = 1;
  }
  const size_t tableMask = runTable_.size() - 1;
  size_t messages = 0;
  for (size_t p = 0; p < sendCount_; ++p) {
    const SendSlot& slot = sendSlots_[queued_[p]];
    RunEntry* entry = nullptr;
    if (gso_ && slot.size > 0) {
      for (size_t h = slot.addressKey & tableMask;; h = (h + 1) & tableMask) {
        RunEntry& e = runTable_[h];
        if (e.generation != runGeneration_) {
          e = RunEntry{runGeneration_, static_cast<uint32_t>(p), kNoRun};
          entry = &e;
          break;
        }
        if (sameDestination(sendSlots_[queued_[e.position]], slot)) {
          entry = &e;
          break;
        }
      }
      if (entry->message != kNoRun) {
        const uint32_t m = entry->message;
        const size_t headSize = sendSlots_[queued_[messageHead_[m]]].size;
        const size_t maxSegments = std::min(kMaxGsoSegments, kMaxGsoBytes / headSize);
        if (slot.size <= headSize && messageIovs_[m] < maxSegments) {
          messageOf_[p] = m;
          ++messageIovs_[m];
          if (slot.size < headSize) entry->message = kNoRun;  // a shorter segment ends the run
          continue;
        }
      }
    }
    messageHead_[messages] = static_cast<uint32_t>(p);
    messageIovs_[messages] = 1;
    messageOf_[p] = static_cast<uint32_t>(messages);
    if (entry != nullptr) entry->message = static_cast<uint32_t>(messages);
    ++messages;
  }
  // Pass 2: each message's iovecs side by side, in queue order.
  size_t iovs = 0;
  for (size_t m = 0; m < messages; ++m) {
    messageFirstIov_[m] = static_cast<uint32_t>(iovs);
    iovs += messageIovs_[m];
    messageFilled_[m] = 0;
  }
  for (size_t p = 0; p < sendCount_; ++p) {
    const uint32_t m = messageOf_[p];
    const size_t iov = messageFirstIov_[m] + messageFilled_[m]++;
    const uint32_t index = queued_[p];
    sendIov_[iov].iov_base = sendBuffers_.data() + static_cast<size_t>(index) * kDatagramBufferSize;
    sendIov_[iov].iov_len = sendSlots_[index].size;
    iovQueued_[iov] = static_cast<uint32_t>(p);
  }
  for (size_t m = 0; m < messages; ++m) {
    const SendSlot& head = sendSlots_[queued_[messageHead_[m]]];
    msghdr& hdr = sendMsgs_[m].msg_hdr;
    hdr.msg_name = const_cast<sockaddr_storage*>(&head.address);
    hdr.msg_namelen = head.addressLength;
    hdr.msg_iov = &sendIov_[messageFirstIov_[m]];
    hdr.msg_iovlen = messageIovs_[m];
    if (messageIovs_[m] > 1) {
      uint8_t* control = sendControl_.data() + m * kGsoControlSlot;
      hdr.msg_control = control;
      hdr.msg_controllen = kGsoControlSlot;
      cmsghdr* cmsg = CMSG_FIRSTHDR(&hdr);
      cmsg->cmsg_level = IPPROTO_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const auto segmentSize = static_cast<uint16_t>(head.size);
      std::memcpy(CMSG_DATA(cmsg), &segmentSize, sizeof segmentSize);
    } else {
      hdr.msg_control = nullptr;
      hdr.msg_controllen = 0;
    }
  }
  return messages;
}

void UdpSocket::retireMessages(size_t messages) noexcept {
  std::memset(retired_.data(), 0, sendCount_);
  size_t iov = 0;
  for (size_t m = 0; m < messages; ++m)
    for (uint32_t i = 0; i < messageIovs_[m]; ++i)
      retired_[iovQueued_[iov++]] = 1;
  size_t kept = 0;
  for (size_t p = 0; p < sendCount_; ++p) {
    if (retired_[p] != 0) {
      freeSlots_[freeCount_++] = queued_[p];
    } else {
      queued_[kept++] = queued_[p];
    }
  }
  sendCount_ = kept;
}

void UdpSocket::flush() noexcept {
  SWITCHYARD_NET_ASSERT_OWNER(thread_);
  if (waitingWritable_) return;  // the writable handler flushes
  const int fd = socket_.native_handle();
  const uint64_t sentBefore = counters_.sent;
  while (sendCount_ > 0) {
    const size_t messages = wireMessages();
    ++counters_.sendCalls;
    const int n = ::sendmmsg(fd, sendMsgs_.data(), static_cast<unsigned>(messages), MSG_DONTWAIT);
    if (n > 0) {
      for (size_t m = 0; m < static_cast<size_t>(n); ++m) {
        counters_.sent += messageIovs_[m];
        if (messageIovs_[m] > 1) {
          ++counters_.gsoMessages;
          counters_.gsoDatagrams += messageIovs_[m];
        }
      }
      retireMessages(static_cast<size_t>(n));
      continue;  // a partial send: the rest goes in the next call
    }
    const int error = n < 0 ? errno : EIO;
    if (error == EINTR) continue;
    if (isWouldBlock(error)) {
      armWrite();
      return;
    }
    if (messageIovs_[0] > 1 &&
        (error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP)) {
      // The kernel refuses GSO on this path: one message per datagram from now on.
      gso_ = false;
      counters_.gsoRefused = true;
      continue;
    }
    // The first message was refused (unreachable network, bad address, ENOBUFS from a full device
    // queue, where waiting for writability would spin): drop its datagrams.
    counters_.sendErrors += messageIovs_[0];
    retireMessages(1);
  }
  if (counters_.sent != sentBefore && sendCount_ == 0) listener_.onQueueFlushed();
}

}  // namespace switchyard::media::net
