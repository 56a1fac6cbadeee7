#pragma once
// The data channels of one WebRTC peer connection (RFC 8831): an SctpAssociation plus DCEP
// (RFC 8832) to open channels both ways, their messages (string, binary, empty: RFC 8831 section
// 6.6 PPIDs) and their close (outgoing stream reset, answered by the peer's, section 6.7).
//
// Stream ids: the DTLS client opens channels on even streams, the DTLS server on odd ones (RFC 8832
// section 6), so both sides can open at once without clashing. A locally opened channel may carry
// messages at once; until the peer's DATA_CHANNEL_ACK arrives they are sent ordered (section 6).
//
// Same threading and callback rules as SctpAssociation: one owner thread; the Listener is called
// when the public call that caused an event returns, may call back into this endpoint, and may
// destroy it from onDataClosed only.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/sctp/DcepChannelType.h"
#include "media/sctp/Ppid.h"
#include "media/sctp/SctpAssociation.h"

namespace switchyard::media::sctp {

// What a channel is: DATA_CHANNEL_OPEN's fields.
struct DataChannelInfo {
  std::string label;
  std::string protocol;
  DcepReliability reliability = DcepReliability::kReliable;
  bool ordered = true;
  uint32_t reliabilityParameter = 0;  // max retransmissions, or max lifetime in ms
  uint16_t priority = 256;

  [[nodiscard]] bool reliable() const noexcept { return reliability == DcepReliability::kReliable; }
  friend bool operator==(const DataChannelInfo&, const DataChannelInfo&) = default;
};

struct DataChannelEndpointConfig {
  SctpAssociationConfig sctp;
  uint16_t localPort = 5000;   // a=sctp-port of our SDP
  uint16_t remotePort = 5000;  // a=sctp-port of the peer's SDP
  // Open channels at most (both directions); further DATA_CHANNEL_OPENs are refused (stream reset).
  size_t maxChannels = 512;
};

class DataChannelEndpoint final : private SctpAssociation::Listener {
 public:
  using SendResult = SctpAssociation::SendResult;
  using CloseReason = SctpAssociation::CloseReason;
  using Config = DataChannelEndpointConfig;

  struct Counters {
    uint64_t channelsOpenedByPeer = 0;
    uint64_t channelsOpenedLocally = 0;
    uint64_t channelsRefused = 0;  // OPEN on a stream in use, or over maxChannels
    uint64_t messagesReceived = 0;
    uint64_t messagesWithoutChannel = 0;  // data on a stream no channel is open on (dropped)
    uint64_t malformedDcep = 0;           // unparsable DCEP, unknown PPIDs (dropped)
  };

  class Listener {
   public:
    // An SCTP packet to carry in DTLS application data.
    virtual void onDataSend(std::span<const uint8_t> packet) = 0;
    virtual void onDataConnected() {}
    // The peer opened a channel (DATA_CHANNEL_OPEN, already acknowledged).
    virtual void onChannelOpened(uint16_t stream, const DataChannelInfo& info) = 0;
    virtual void onChannelMessage(uint16_t stream, DataKind kind, std::span<const uint8_t> message) = 0;
    // A channel is gone: the peer closed it, or a close() completed. The stream may be reused.
    virtual void onChannelClosed(uint16_t stream) = 0;
    virtual void onDataClosed(CloseReason reason) = 0;

   protected:
    ~Listener() = default;
  };

  // dtlsClient: our DTLS role (even stream ids when true). Throws like SctpAssociation.
  DataChannelEndpoint(SctpLibrary& library, Listener& listener, bool dtlsClient, Config config = {});
  ~DataChannelEndpoint() = default;
  DataChannelEndpoint(const DataChannelEndpoint&) = delete;
  DataChannelEndpoint& operator=(const DataChannelEndpoint&) = delete;

  // Starts the association (both sides connect: RFC 8841 simultaneous open). False if refused.
  bool start() { return association_.connect(config_.localPort, config_.remotePort); }
  void receive(std::span<const uint8_t> sctpPacket) { association_.receive(sctpPacket); }
  // Opens a channel: sends DATA_CHANNEL_OPEN on a free stream of our parity. nullopt when not
  // connected, no stream is free, or the label/protocol are too long.
  std::optional<uint16_t> open(const DataChannelInfo& info);
  SendResult send(uint16_t stream, DataKind kind, std::span<const uint8_t> message);
  // Closes a channel (resets our outgoing stream; onChannelClosed follows when the peer's reset
  // arrives). Unknown streams are ignored.
  void close(uint16_t stream);
  // Graceful SHUTDOWN / immediate ABORT of the whole association.
  void shutdown() { association_.close(); }
  void abort() { association_.abort(); }

  void setReadPaused(bool paused) noexcept { association_.setReadPaused(paused); }
  [[nodiscard]] bool readPaused() const noexcept { return association_.readPaused(); }
  // Sends what timers queued, reads what waits, retries stream resets usrsctp refused while
  // another was outstanding.
  void poll();

  [[nodiscard]] const DataChannelInfo* channel(uint16_t stream) const noexcept;
  [[nodiscard]] size_t channelCount() const noexcept { return channels_.size(); }
  [[nodiscard]] bool connected() const noexcept { return association_.connected(); }
  [[nodiscard]] bool closed() const noexcept { return association_.closed(); }
  [[nodiscard]] bool drained() const noexcept { return association_.drained(); }
  [[nodiscard]] bool dtlsClient() const noexcept { return dtlsClient_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] const SctpAssociation::Counters& sctpCounters() const noexcept {
    return association_.counters();
  }

 private:
  struct Channel {
    DataChannelInfo info;
    bool acknowledged = false;  // peer-opened channels are; ours once DATA_CHANNEL_ACK arrives
    bool closing = false;       // our outgoing side is reset (or waits to be)
  };

  // SctpAssociation::Listener
  void onSctpSend(std::span<const uint8_t> packet) override { listener_.onDataSend(packet); }
  void onSctpConnected() override { listener_.onDataConnected(); }
  void onSctpMessage(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) override;
  void onSctpStreamReset(uint16_t stream) override;
  void onSctpClosed(CloseReason reason) override { listener_.onDataClosed(reason); }

  void handleDcep(uint16_t stream, std::span<const uint8_t> message);
  void resetOutgoing(uint16_t stream);
  void retryResets();

  Listener& listener_;
  bool dtlsClient_;
  Config config_;
  SctpAssociation association_;
  std::map<uint16_t, Channel> channels_;
  std::vector<uint16_t> pendingResets_;  // usrsctp allows one outstanding reset request at a time
  uint16_t nextStream_;
  Counters counters_;
};

}  // namespace switchyard::media::sctp
