#include "media/sctp/SctpAssociation.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <usrsctp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "media/sctp/Ppid.h"
#include "media/util/BigEndian.h"

namespace switchyard::media::sctp {

namespace {

template <typename T>
bool setOption(struct socket* sock, int level, int name, const T& value) {
  return usrsctp_setsockopt(sock, level, name, &value, static_cast<socklen_t>(sizeof(T))) == 0;
}

sockaddr_conn connAddress(uintptr_t id, uint16_t port) {
  sockaddr_conn address{};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = reinterpret_cast<void*>(id);
  return address;
}

// Whether `params` is exactly a sequence of TLV parameters, each at least its 4-byte header and
// within the chunk (RFC 4960 section 3.2.1).
bool parametersWellFormed(std::span<const uint8_t> params) noexcept {
  size_t offset = 0;
  while (params.size() - offset >= 4) {
    const size_t length = util::read16(params.data() + offset + 2);
    if (length < 4 || length > params.size() - offset) {
      return false;
    }
    offset += std::min<size_t>((length + 3U) & ~size_t{3}, params.size() - offset);
  }
  // No stray bytes after the last parameter (usrsctp would read a parameter header there that
  // overlaps the chunk padding).
  return offset == params.size();
}

// Structural check of an SCTP packet before usrsctp sees it: the common header, every chunk's
// length (RFC 4960 section 3.2) and the parameters of the chunks made of parameters. usrsctp 0.9.5
// loops forever on an INIT whose parameter list ends in a parameter of length 0, inside the chunk or
// in its padding (found by fuzz_sctp_association), so such packets never reach it.
bool packetWellFormed(std::span<const uint8_t> packet) noexcept {
  constexpr size_t kCommonHeader = 12;
  if (packet.size() < kCommonHeader + 4) {
    return false;
  }
  size_t offset = kCommonHeader;
  while (packet.size() - offset >= 4) {
    const uint8_t type = packet[offset];
    const size_t length = util::read16(packet.data() + offset + 2);
    if (length < 4 || length > packet.size() - offset) {
      return false;
    }
    const std::span<const uint8_t> chunk = packet.subspan(offset, length);
    size_t fixed = 0;  // bytes between the chunk header and the parameters; 0: no parameters
    switch (type) {
      case 1:  // INIT
      case 2:  // INIT ACK
        fixed = 16;
        break;
      case 4:    // HEARTBEAT
      case 5:    // HEARTBEAT ACK
      case 130:  // RE-CONFIG (RFC 6525)
        fixed = 0;
        break;
      case 0xc1:  // ASCONF (RFC 5061)
      case 0x80:  // ASCONF ACK
        fixed = 4;
        break;
      default:
        fixed = SIZE_MAX;
        break;
    }
    // INIT and INIT ACK are never bundled (RFC 4960 section 6.10).
    if ((type == 1 || type == 2) &&
        (offset != kCommonHeader || ((length + 3U) & ~size_t{3}) < packet.size() - offset)) {
      return false;
    }
    if (fixed != SIZE_MAX) {
      if (chunk.size() < 4 + fixed || !parametersWellFormed(chunk.subspan(4 + fixed))) {
        return false;
      }
    }
    offset += std::min<size_t>((length + 3U) & ~size_t{3}, packet.size() - offset);
  }
  return offset == packet.size();
}

}  // namespace

SctpAssociation::SctpAssociation(SctpLibrary& /*library*/, Listener& listener, Config config)
    : listener_(listener), config_(config) {
  id_ = SctpLibrary::add(this);
  usrsctp_register_address(reinterpret_cast<void*>(id_));
  // No receive callback: the owner reads with usrsctp_recvv (poll), so it can stop reading.
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
  if (socket_ == nullptr) {
    const int error = errno;
    usrsctp_deregister_address(reinterpret_cast<void*>(id_));
    SctpLibrary::remove(id_);
    throw std::runtime_error("usrsctp_socket failed: errno " + std::to_string(error));
  }
  try {
    configureSocket();
  } catch (...) {
    usrsctp_close(socket_);
    usrsctp_deregister_address(reinterpret_cast<void*>(id_));
    SctpLibrary::remove(id_);
    throw;
  }
}

void SctpAssociation::configureSocket() {
  auto require = [](bool ok, const char* what) {
    if (!ok) {
      throw std::runtime_error(std::string("usrsctp_setsockopt ") + what + " failed: errno " +
                               std::to_string(errno));
    }
  };
  require(usrsctp_set_non_blocking(socket_, 1) == 0, "non-blocking");
  // Closing aborts at once (ABORT, no lingering SHUTDOWN); close() uses usrsctp_shutdown instead.
  linger lingerOption{};
  lingerOption.l_onoff = 1;
  lingerOption.l_linger = 0;
  require(setOption(socket_, SOL_SOCKET, SO_LINGER, lingerOption), "SO_LINGER");
  const auto sndbuf = static_cast<int>(config_.sendBufferSize);
  const auto rcvbuf = static_cast<int>(config_.receiveBufferSize);
  require(setOption(socket_, SOL_SOCKET, SO_SNDBUF, sndbuf), "SO_SNDBUF");
  require(setOption(socket_, SOL_SOCKET, SO_RCVBUF, rcvbuf), "SO_RCVBUF");

  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_ALL_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  require(setOption(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset), "SCTP_ENABLE_STREAM_RESET");
  const int on = 1;
  const int off = 0;
  require(setOption(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on), "SCTP_RECVRCVINFO");
  require(setOption(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, off), "SCTP_EXPLICIT_EOR");
  require(setOption(socket_, IPPROTO_SCTP, SCTP_NODELAY, on), "SCTP_NODELAY");

  const uint16_t events[] = {SCTP_ASSOC_CHANGE,       SCTP_PEER_ADDR_CHANGE,      SCTP_REMOTE_ERROR,
                             SCTP_SHUTDOWN_EVENT,     SCTP_ADAPTATION_INDICATION, SCTP_PARTIAL_DELIVERY_EVENT,
                             SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT,      SCTP_STREAM_CHANGE_EVENT};
  for (const uint16_t type : events) {
    sctp_event event{};
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    require(setOption(socket_, IPPROTO_SCTP, SCTP_EVENT, event), "SCTP_EVENT");
  }

  if (config_.partialDeliveryPoint != 0) {
    require(setOption(socket_, IPPROTO_SCTP, SCTP_PARTIAL_DELIVERY_POINT, config_.partialDeliveryPoint),
            "SCTP_PARTIAL_DELIVERY_POINT");
  }

  sctp_initmsg init{};
  init.sinit_num_ostreams = config_.streams;
  init.sinit_max_instreams = config_.streams;
  require(setOption(socket_, IPPROTO_SCTP, SCTP_INITMSG, init), "SCTP_INITMSG");

  // A fixed MTU that fits in one DTLS record over UDP; path MTU discovery off (usrsctp cannot probe
  // through DTLS). Heartbeats stay on (consent is ICE's job, but SCTP still detects a dead peer).
  sctp_paddrparams params{};
  params.spp_assoc_id = SCTP_FUTURE_ASSOC;
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = config_.mtu;
  require(setOption(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, params), "SCTP_PEER_ADDR_PARAMS");
}

SctpAssociation::~SctpAssociation() {
  // Unregister first: whatever usrsctp emits while closing (the ABORT) or later finds no one.
  SctpLibrary::remove(id_);
  if (socket_ != nullptr) {
    usrsctp_close(socket_);
  }
  usrsctp_deregister_address(reinterpret_cast<void*>(id_));
}

bool SctpAssociation::connect(uint16_t localPort, uint16_t remotePort) {
  if (connecting_ || closed_ || socket_ == nullptr) {
    return false;
  }
  sockaddr_conn local = connAddress(id_, localPort);
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), static_cast<socklen_t>(sizeof(local))) !=
      0) {
    return false;
  }
  sockaddr_conn remote = connAddress(id_, remotePort);
  const int result =
      usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), static_cast<socklen_t>(sizeof(remote)));
  if (result != 0 && errno != EINPROGRESS) {
    return false;
  }
  connecting_ = true;
  flush();
  return true;
}

void SctpAssociation::receive(std::span<const uint8_t> sctpPacket) {
  if (sctpPacket.empty() || socket_ == nullptr) {
    return;
  }
  ++counters_.packetsReceived;
  if (!packetWellFormed(sctpPacket)) {
    ++counters_.malformedPacketsDropped;
    return;
  }
  // usrsctp_conninput copies the packet into an mbuf chain; it does not keep the pointer.
  usrsctp_conninput(reinterpret_cast<void*>(id_), sctpPacket.data(), sctpPacket.size(), 0);
  flush();
}

SctpAssociation::SendResult SctpAssociation::send(uint16_t stream, uint32_t ppid,
                                                  std::span<const uint8_t> data, bool ordered,
                                                  Reliability reliability) {
  if (!connected_ || closed_) {
    return SendResult::kClosed;
  }
  if (data.size() > config_.maxSendMessageSize) {
    return SendResult::kTooLarge;
  }
  // RFC 8831 section 6.6: SCTP cannot carry an empty user message; send one 0x00 byte instead.
  static constexpr uint8_t kEmptyPayload[1] = {0};
  if (data.empty()) {
    data = std::span<const uint8_t>(kEmptyPayload);
  }
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = stream;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  spa.sendv_sndinfo.snd_flags = static_cast<uint16_t>(SCTP_EOR | (ordered ? 0 : SCTP_UNORDERED));
  switch (reliability.kind) {
    case Reliability::Kind::kReliable:
      break;
    case Reliability::Kind::kMaxRetransmits:
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
      spa.sendv_prinfo.pr_value = reliability.param;
      break;
    case Reliability::Kind::kMaxLifetimeMs:
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
      spa.sendv_prinfo.pr_value = reliability.param;
      break;
  }
  const ssize_t sent = usrsctp_sendv(socket_, data.data(), data.size(), nullptr, 0, &spa,
                                     static_cast<socklen_t>(sizeof(spa)), SCTP_SENDV_SPA, 0);
  const int error = errno;
  SendResult result = SendResult::kOk;
  if (sent < 0) {
    if (error == EWOULDBLOCK || error == EAGAIN) {
      result = SendResult::kWouldBlock;
    } else if (error == EMSGSIZE) {
      result = SendResult::kTooLarge;
    } else {
      result = SendResult::kClosed;
    }
  } else {
    drained_ = false;
  }
  sendQueued();
  return result;
}

bool SctpAssociation::resetStream(uint16_t stream) {
  if (!connected_ || closed_) {
    return false;
  }
  // struct sctp_reset_streams ends in a flexible array of stream ids: room for one.
  alignas(sctp_reset_streams) uint8_t buffer[sizeof(sctp_reset_streams) + sizeof(uint16_t)] = {};
  auto* request = reinterpret_cast<sctp_reset_streams*>(buffer);
  request->srs_assoc_id = SCTP_ALL_ASSOC;
  request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  request->srs_number_streams = 1;
  request->srs_stream_list[0] = stream;
  const bool ok = usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer,
                                     static_cast<socklen_t>(sizeof(buffer))) == 0;
  sendQueued();
  return ok;
}

void SctpAssociation::close() {
  if (closed_) {
    return;
  }
  if (!connecting_) {
    closedWith(CloseReason::kLocalClose);
  } else {
    closing_ = true;
    // SHUT_WR, not SHUT_RDWR: the read side stays open so the SHUTDOWN_COMP notification arrives.
    if (usrsctp_shutdown(socket_, SHUT_WR) != 0) {
      closedWith(CloseReason::kLocalClose);
    }
  }
  flush();
}

void SctpAssociation::abort() {
  if (socket_ == nullptr) {
    return;
  }
  // SO_LINGER 0 (configureSocket): usrsctp_close sends ABORT and frees the association now; the
  // ABORT goes out through connOutput while this id is still registered.
  usrsctp_close(socket_);
  socket_ = nullptr;
  closedWith(CloseReason::kLocalClose);
  flush();
}

void SctpAssociation::poll() {
  flush();
}

void SctpAssociation::tick(std::chrono::steady_clock::time_point now) {
  // One process-wide clock: each millisecond is handed to usrsctp once, whichever worker ticks.
  static std::atomic<int64_t> last{-1};
  const int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  int64_t previous = last.load(std::memory_order_relaxed);
  while (previous < nowMs && !last.compare_exchange_weak(previous, nowMs, std::memory_order_relaxed)) {
  }
  if (previous >= 0 && previous < nowMs) {
    usrsctp_handle_timers(static_cast<uint32_t>(std::min<int64_t>(nowMs - previous, 1000)));
  }
  pollThread();
}

void SctpAssociation::handleTimers(uint32_t elapsedMs) {
  usrsctp_handle_timers(elapsedMs);
  pollThread();
}

void SctpAssociation::pollThread() {
  for (const uintptr_t id : SctpLibrary::idsOfThisThread()) {
    // Only this thread destroys its associations: the pointer stays valid until flush() (which a
    // callback of an earlier one may have destroyed: find() says so).
    if (SctpAssociation* association = SctpLibrary::find(id)) {
      association->flush();
    }
  }
}

void SctpAssociation::sendQueued() {
  if (flushing_) {
    return;  // inside flush(): its loop sends them
  }
  flushing_ = true;
  const uintptr_t id = id_;
  {
    const std::lock_guard lock(outgoingMutex_);
    sending_.swap(outgoing_);
  }
  for (size_t i = 0; i < sending_.size(); ++i) {
    ++counters_.packetsSent;
    listener_.onSctpSend(sending_[i]);
    if (SctpLibrary::find(id) != this) {
      return;
    }
  }
  sending_.clear();
  flushing_ = false;
}

void SctpAssociation::queueOutgoing(std::span<const uint8_t> packet) {
  const std::lock_guard lock(outgoingMutex_);
  outgoing_.emplace_back(packet.begin(), packet.end());
}

bool SctpAssociation::readSocket() {
  // One receive buffer per thread; a message larger than it arrives in pieces (no MSG_EOR).
  thread_local std::vector<uint8_t> buffer(64 * 1024);
  bool any = false;
  while (!readPaused_ && socket_ != nullptr && !closed_) {
    sockaddr_conn from{};
    auto fromLength = static_cast<socklen_t>(sizeof(from));
    sctp_rcvinfo info{};
    auto infoLength = static_cast<socklen_t>(sizeof(info));
    unsigned int infoType = 0;
    int flags = 0;
    const ssize_t length =
        usrsctp_recvv(socket_, buffer.data(), buffer.size(), reinterpret_cast<sockaddr*>(&from), &fromLength,
                      &info, &infoLength, &infoType, &flags);
    if (length <= 0) {
      break;  // EWOULDBLOCK (nothing waits), end of stream, or an error
    }
    any = true;
    const std::span<const uint8_t> bytes(buffer.data(), static_cast<size_t>(length));
    if ((flags & MSG_NOTIFICATION) != 0) {
      handleNotification(bytes);
    } else if (infoType == SCTP_RECVV_RCVINFO) {
      handleData(bytes, info.rcv_sid, ntohl(info.rcv_ppid), (flags & MSG_EOR) != 0);
    }
    if (!events_.empty()) {
      break;  // deliver before reading on: a callback may pause reading or destroy us
    }
  }
  return any;
}

void SctpAssociation::handleData(std::span<const uint8_t> data, uint16_t stream, uint32_t ppid,
                                 bool endOfRecord) {
  // Partial delivery (a message larger than usrsctp's partial delivery point arrives in pieces
  // without MSG_EOR): reassemble up to maxReceiveMessageSize, drop and count anything larger.
  if (!partialOversized_) {
    if (partial_.size() + data.size() > config_.maxReceiveMessageSize) {
      partialOversized_ = true;
      partial_.clear();
      partial_.shrink_to_fit();
    } else {
      partial_.insert(partial_.end(), data.begin(), data.end());
    }
  }
  if (!endOfRecord) {
    ++counters_.partialDeliveries;
    return;
  }
  if (partialOversized_) {
    ++counters_.oversizedMessagesDropped;
  } else {
    ++counters_.messagesReceived;
    Event event;
    event.type = Event::Type::kMessage;
    event.stream = stream;
    event.ppid = ppid;
    if (!isEmptyPpid(ppid)) {
      event.data = std::move(partial_);
    }
    events_.push_back(std::move(event));
  }
  partial_.clear();
  partialOversized_ = false;
}

void SctpAssociation::handleNotification(std::span<const uint8_t> data) {
  // Every notification starts with sn_type (u16), sn_flags (u16), sn_length (u32).
  sctp_notification notification{};
  if (data.size() < sizeof(notification.sn_header)) {
    return;
  }
  std::memcpy(&notification, data.data(), std::min(data.size(), sizeof(notification)));
  switch (notification.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      if (data.size() < sizeof(sctp_assoc_change)) {
        return;
      }
      switch (notification.sn_assoc_change.sac_state) {
        case SCTP_COMM_UP:
          if (!connected_ && !closed_) {
            connected_ = true;
            events_.push_back(Event{Event::Type::kConnected, 0, 0, CloseReason::kLocalClose, {}});
          }
          break;
        case SCTP_COMM_LOST:
          closedWith(CloseReason::kCommLost);
          break;
        case SCTP_SHUTDOWN_COMP:
          closedWith(closing_ ? CloseReason::kLocalClose : CloseReason::kRemoteShutdown);
          break;
        case SCTP_CANT_STR_ASSOC:
          closedWith(CloseReason::kConnectFailed);
          break;
        default:
          break;
      }
      break;
    }
    case SCTP_SENDER_DRY_EVENT:
      drained_ = true;
      break;
    case SCTP_SHUTDOWN_EVENT:
      // The peer sent SHUTDOWN (or answered ours): no more data either way.
      closedWith(closing_ ? CloseReason::kLocalClose : CloseReason::kRemoteShutdown);
      break;
    case SCTP_STREAM_RESET_EVENT: {
      const auto& reset = notification.sn_strreset_event;
      if (data.size() < sizeof(sctp_stream_reset_event)) {
        return;
      }
      if ((reset.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0 ||
          (reset.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0) {
        return;
      }
      const size_t length = std::min<size_t>(reset.strreset_length, data.size());
      if (length < sizeof(sctp_stream_reset_event)) {
        return;
      }
      const size_t count = (length - sizeof(sctp_stream_reset_event)) / sizeof(uint16_t);
      for (size_t i = 0; i < count; ++i) {
        uint16_t stream = 0;
        std::memcpy(&stream, data.data() + sizeof(sctp_stream_reset_event) + i * sizeof(uint16_t),
                    sizeof(stream));
        events_.push_back(Event{Event::Type::kStreamReset, stream, 0, CloseReason::kLocalClose, {}});
      }
      break;
    }
    default:
      break;
  }
}

void SctpAssociation::closedWith(CloseReason reason) {
  if (closed_) {
    return;
  }
  closed_ = true;
  connected_ = false;
  events_.push_back(Event{Event::Type::kClosed, 0, 0, reason, {}});
}

void SctpAssociation::flush() {
  if (flushing_) {
    return;  // a callback called back into us: the loop below picks up what it caused
  }
  flushing_ = true;
  // Callbacks may destroy this association: keep what is needed in locals and re-resolve the id
  // after each callback.
  const uintptr_t id = id_;
  Listener& listener = listener_;
  auto alive = [&] { return SctpLibrary::find(id) == this; };
  for (int round = 0; round < 1 << 16; ++round) {
    bool progress = false;
    {
      const std::lock_guard lock(outgoingMutex_);
      sending_.swap(outgoing_);
    }
    for (size_t i = 0; i < sending_.size(); ++i) {
      progress = true;
      ++counters_.packetsSent;
      listener.onSctpSend(sending_[i]);
      if (!alive()) {
        return;
      }
    }
    sending_.clear();
    if (events_.empty()) {
      progress = readSocket() || progress;
    }
    while (!events_.empty()) {
      progress = true;
      Event event = std::move(events_.front());
      events_.pop_front();
      switch (event.type) {
        case Event::Type::kConnected:
          listener.onSctpConnected();
          break;
        case Event::Type::kMessage:
          listener.onSctpMessage(event.stream, event.ppid, event.data);
          break;
        case Event::Type::kStreamReset:
          listener.onSctpStreamReset(event.stream);
          break;
        case Event::Type::kClosed:
          listener.onSctpClosed(event.reason);
          break;
      }
      if (!alive()) {
        return;
      }
    }
    if (!progress) {
      break;
    }
  }
  flushing_ = false;
}

}  // namespace switchyard::media::sctp
