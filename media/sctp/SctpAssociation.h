#pragma once
// One SCTP association of a WebRTC data-channel transport (RFC 8831), run by usrsctp over AF_CONN:
// usrsctp never touches a network socket; the packets it produces are handed to the Listener
// (onSctpSend, to be carried by DTLS) and the packets DTLS decrypts are fed to receive().
//
// Threading and timers: usrsctp runs without threads (SctpLibrary). An association belongs to the
// thread that created it (its worker) and is used only from there. All associations of the process
// share usrsctp's single timer wheel (retransmission, delayed SACK, heartbeat, shutdown); it
// advances only through tick(now) (each worker, every tick: the wall-clock time since the last
// call by any thread is handed to usrsctp once) or handleTimers(elapsedMs) (tests). A timer may
// fire on another worker's thread: the packet it produces is put in the owning association's
// mailbox (under a lock) and sent when the owner next calls poll() (tick() polls every association
// of the calling thread).
//
// Receiving: the socket is read (usrsctp_recvv, no receive callback) while reading is not paused.
// setReadPaused(true) leaves messages in usrsctp's receive buffer, so the advertised window closes
// and the peer stops sending: flow control for a relay whose receivers are full.
//
// Callbacks: the Listener is never called from inside usrsctp. Packets to send, messages and
// notifications are delivered when the public call that caused them returns (connect, receive,
// close, poll, tick, handleTimers); send() and resetStream() only hand over the packets they
// produced (onSctpSend), never messages, so a relay may send from inside onSctpMessage. A listener may call
// any method of this or another association from a callback, and may destroy this association from one
// (delivery stops there).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "media/sctp/SctpLibrary.h"

struct socket;

namespace switchyard::media::sctp {

// Partial reliability of one message (RFC 3758 PR-SCTP policies used by RFC 8831).
struct SctpReliability {
  enum class Kind : uint8_t { kReliable, kMaxRetransmits, kMaxLifetimeMs };
  Kind kind = Kind::kReliable;
  uint32_t param = 0;  // retransmissions, or lifetime in milliseconds
};
// Bytes kept free below the DTLS MTU for the DTLS record around each SCTP packet.
inline constexpr uint32_t kDtlsRecordOverhead = 100;

// Per-association settings.
struct SctpAssociationConfig {
  // Messages received larger than this are dropped and counted (RFC 8841 a=max-message-size;
  // docs/protocol.md: at least 256 KiB).
  size_t maxReceiveMessageSize = 256 * 1024;
  // send() of a larger message returns kTooLarge.
  size_t maxSendMessageSize = 256 * 1024;
  // Socket buffers (SO_SNDBUF / SO_RCVBUF). A send that does not fit in what is left of the send
  // buffer returns kWouldBlock: the bound on what waits for one peer.
  uint32_t sendBufferSize = 1024 * 1024;
  uint32_t receiveBufferSize = 1024 * 1024;
  // Streams offered in INIT (both directions).
  uint16_t streams = 1024;
  // Messages larger than this are handed over by usrsctp in pieces (partial delivery) and
  // reassembled here; 0 keeps usrsctp's default (half the receive buffer).
  uint32_t partialDeliveryPoint = 64 * 1024;
  // Path MTU used by usrsctp (discovery off): each SCTP packet becomes one DTLS record, which must
  // fit in the DTLS MTU (1200 by default) with its header, explicit IV/nonce, MAC or tag and padding
  // (37 bytes for AES-GCM, up to 93 for CBC with SHA-384): kDtlsRecordOverhead below the DTLS MTU.
  uint32_t mtu = 1200 - 100;
};

class SctpAssociation {
 public:
  enum class CloseReason : uint8_t {
    kLocalClose,      // close() completed (SHUTDOWN exchange done)
    kRemoteShutdown,  // the peer shut the association down
    kCommLost,        // the peer aborted, or retransmissions gave up
    kConnectFailed,   // the INIT handshake did not complete
  };
  enum class SendResult : uint8_t {
    kOk,
    kWouldBlock,  // the send buffer cannot take the message now: retry later (after poll())
    kTooLarge,    // above Config::maxSendMessageSize (or what usrsctp accepts)
    kClosed,      // not connected (yet or any more), or another usrsctp error
  };
  using Reliability = SctpReliability;
  using Config = SctpAssociationConfig;
  struct Counters {
    uint64_t messagesReceived = 0;
    uint64_t oversizedMessagesDropped = 0;
    uint64_t partialDeliveries = 0;  // pieces received without end of record
    uint64_t packetsReceived = 0;
    uint64_t malformedPacketsDropped = 0;  // failed the structural check before usrsctp
    uint64_t packetsSent = 0;
  };

  class Listener {
   public:
    virtual void onSctpSend(std::span<const uint8_t> packet) = 0;
    virtual void onSctpConnected() = 0;
    // A complete user message (partial deliveries reassembled). An empty message (PPID 56/57,
    // RFC 8831 section 6.6) is delivered with an empty span.
    virtual void onSctpMessage(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) = 0;
    // The peer reset its outgoing stream (channel closed, RFC 8831 section 6.7). The owner should
    // reset its own outgoing side with resetStream(stream) to complete the close.
    virtual void onSctpStreamReset(uint16_t stream) = 0;
    virtual void onSctpClosed(CloseReason reason) = 0;

   protected:
    ~Listener() = default;
  };

  // Creates the usrsctp socket (non-blocking, AF_CONN). Throws std::runtime_error if usrsctp
  // refuses, std::logic_error without a live SctpLibrary.
  SctpAssociation(SctpLibrary& library, Listener& listener, Config config = {});
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;
  SctpAssociation(SctpAssociation&&) = delete;
  SctpAssociation& operator=(SctpAssociation&&) = delete;

  // Binds localPort and sends INIT to remotePort. WebRTC peers both connect (simultaneous open,
  // RFC 8841 section 5 / RFC 8831 section 6.2); onSctpConnected() follows. False if already
  // connecting or usrsctp refuses.
  bool connect(uint16_t localPort = 5000, uint16_t remotePort = 5000);
  // An SCTP packet from the peer (decrypted DTLS application data). Any bytes are safe.
  void receive(std::span<const uint8_t> sctpPacket);
  // Sends one user message. An empty `data` is sent as one 0x00 byte (use PPID 56/57).
  SendResult send(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data, bool ordered = true,
                  Reliability reliability = {});
  // Resets the outgoing side of `stream` (RFC 6525 outgoing SSN reset). False if refused.
  bool resetStream(uint16_t stream);
  // Whether everything sent has been acknowledged (SCTP_SENDER_DRY_EVENT since the last send).
  [[nodiscard]] bool drained() const noexcept { return drained_; }
  // Stops (true) or resumes (false) reading the socket; see the header comment. Resuming reads what
  // waits at the next poll().
  void setReadPaused(bool paused) noexcept { readPaused_ = paused; }
  [[nodiscard]] bool readPaused() const noexcept { return readPaused_; }
  // Sends what timers queued and reads what waits (unless paused). Owner thread only.
  void poll();
  // Starts a graceful SHUTDOWN; onSctpClosed(kLocalClose) follows when it completes.
  void close();
  // Aborts at once: sends ABORT (delivered through onSctpSend) and frees usrsctp's socket;
  // onSctpClosed(kLocalClose) follows. Afterwards only destruction is useful.
  void abort();

  [[nodiscard]] bool connected() const noexcept { return connected_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

  // Advances usrsctp's (process-wide) timers by the time since the last tick() of any thread, then
  // polls every association of the calling thread. Each worker calls it every tick.
  static void tick(std::chrono::steady_clock::time_point now);
  // Advances usrsctp's timers by elapsedMs, then polls every association of the calling thread
  // (tests, with virtual time; do not mix with tick()).
  static void handleTimers(uint32_t elapsedMs);

 private:
  friend class SctpLibrary;

  struct Event {
    enum class Type : uint8_t { kConnected, kMessage, kStreamReset, kClosed };
    Type type = Type::kMessage;
    uint16_t stream = 0;
    uint32_t ppid = 0;
    CloseReason reason = CloseReason::kLocalClose;
    std::vector<uint8_t> data;
  };

  static void pollThread();
  // From usrsctp's conn_output, on any thread, with the registry locked.
  void queueOutgoing(std::span<const uint8_t> packet);
  // Reads the socket until it is empty or reading is paused; true if anything was read.
  bool readSocket();
  void handleData(std::span<const uint8_t> data, uint16_t stream, uint32_t ppid, bool endOfRecord);
  void handleNotification(std::span<const uint8_t> data);
  void closedWith(CloseReason reason);
  // Hands the mailbox's packets to the listener (no reading, no other events).
  void sendQueued();
  // Delivers queued events to the listener; stops if a callback destroyed this association.
  void flush();
  void configureSocket();

  Listener& listener_;
  Config config_;
  std::mutex outgoingMutex_;
  std::vector<std::vector<uint8_t>> outgoing_;  // the mailbox (any thread -> owner)
  std::vector<std::vector<uint8_t>> sending_;   // swapped out of the mailbox by flush()
  uintptr_t id_ = 0;
  struct socket* socket_ = nullptr;
  std::deque<Event> events_;
  std::vector<uint8_t> partial_;
  bool partialOversized_ = false;
  bool connecting_ = false;
  bool closing_ = false;
  bool connected_ = false;
  bool closed_ = false;
  bool drained_ = true;
  bool readPaused_ = false;
  bool flushing_ = false;
  Counters counters_;
};

}  // namespace switchyard::media::sctp
