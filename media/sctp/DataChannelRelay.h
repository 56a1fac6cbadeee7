#pragma once
// The data-channel relay of one room (docs/protocol.md "Data channels"): one DataChannelEndpoint
// per peer, and per-sender channels without an envelope.
//   - A peer opens a channel with label L and protocol P. At every other peer the relay opens a
//     channel with the same label, ordering and reliability and the protocol `from=<senderPeerId>`
//     (`;P` appended when P is not empty); the sender's messages are sent on those as they came
//     (string, binary, empty). A protocol `to=<peerId>[;P]` makes the channel directed: only that
//     peer gets a channel and the messages.
//   - Peers that connect later get channels for every open sender channel that targets them.
//   - Channels the relay opened are receive-only: what a peer sends on them is dropped and counted.
//   - Closing a sender channel closes the relayed ones; a receiver closing a relayed channel stops
//     that flow only; removing a peer closes what it sent everywhere.
// Back-pressure: a send that does not fit in a receiver's SCTP send buffer (its size is the
// per-peer limit) is dropped and counted for unordered/partially reliable channels; for reliable
// channels the message is kept (one per sender) and the sender's association stops being read
// until every receiver took it, so the sender's window closes instead of the server's memory
// growing. Confined to the thread of the room's worker.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/sctp/DataChannelEndpoint.h"

namespace switchyard::media::sctp {

class DataChannelRelay {
 public:
  using PeerKey = uint32_t;  // the peer's transport id

  class Output {
   public:
    // An SCTP packet for `peer`'s DTLS application data.
    virtual void onRelaySend(PeerKey peer, std::span<const uint8_t> packet) noexcept = 0;

   protected:
    ~Output() = default;
  };

  struct PeerCounters {
    uint64_t messagesIn = 0;   // messages this peer sent on its own channels
    uint64_t messagesOut = 0;  // messages relayed to this peer
    uint64_t bytesOut = 0;
    uint64_t droppedUnreliable = 0;   // to this peer, unreliable channel, send buffer full
    uint64_t droppedOther = 0;        // to this peer: too large for it, or its channel was closing
    uint64_t droppedReceiveOnly = 0;  // from this peer, on a channel the relay opened
    uint64_t readPauses = 0;          // times this peer's reading stopped for a full receiver
    uint64_t channelsOpened = 0;      // channels the relay opened at this peer
    uint64_t channelsNotOpened = 0;   // could not be opened at this peer (channel limit, no free stream)
  };

  struct PeerParams {
    std::string peerId;
    bool dtlsClient = false;          // our DTLS role toward this peer
    uint16_t remotePort = 5000;       // the peer's a=sctp-port
    size_t remoteMaxMessageSize = 0;  // the peer's a=max-message-size (0: 65536, RFC 8841)
  };

  // `endpoint` configures every peer's endpoint; its sctp.sendBufferSize is the per-peer limit.
  DataChannelRelay(SctpLibrary& library, Output& output, DataChannelEndpointConfig endpoint);
  ~DataChannelRelay();
  DataChannelRelay(const DataChannelRelay&) = delete;
  DataChannelRelay& operator=(const DataChannelRelay&) = delete;

  // Adds a peer (its association waits for start()). Throws if usrsctp refuses a socket. A key
  // already present is replaced.
  void addPeer(PeerKey key, const PeerParams& params);
  // The peer's DTLS is up: its association connects.
  void start(PeerKey key);
  // An SCTP packet from the peer (its DTLS application data).
  void receive(PeerKey key, std::span<const uint8_t> packet);
  // Aborts the peer's association and closes what it sent at the others.
  void removePeer(PeerKey key) noexcept;
  // Retries held messages and polls every endpoint. Call every worker tick (after
  // SctpAssociation::tick).
  void tick();

  [[nodiscard]] bool hasPeer(PeerKey key) const noexcept { return peers_.contains(key); }
  [[nodiscard]] size_t peerCount() const noexcept { return peers_.size(); }
  [[nodiscard]] const PeerCounters* counters(PeerKey key) const noexcept;
  [[nodiscard]] const DataChannelEndpoint* endpoint(PeerKey key) const noexcept;
  // Bytes held for back-pressure (at most one message per sender).
  [[nodiscard]] size_t heldBytes() const noexcept;

 private:
  class Peer;
  struct SenderChannel {
    DataChannelInfo info;
    std::string userProtocol;             // P, without a to= prefix
    std::optional<std::string> to;        // directed to this peer id
    std::map<PeerKey, uint16_t> targets;  // receiver -> the stream the relay opened there
  };
  struct Origin {
    PeerKey sender = 0;
    uint16_t stream = 0;
  };
  struct Held {
    uint16_t stream = 0;
    DataKind kind = DataKind::kString;
    std::vector<uint8_t> data;
    std::vector<std::pair<PeerKey, uint16_t>> remaining;
  };

  Peer* find(PeerKey key) noexcept;
  void onConnected(Peer& peer);
  void onOpened(Peer& peer, uint16_t stream, const DataChannelInfo& info);
  void onMessage(Peer& peer, uint16_t stream, DataKind kind, std::span<const uint8_t> message);
  void onClosed(Peer& peer, uint16_t stream);
  void onAssociationClosed(Peer& peer);
  void openAt(Peer& receiver, Peer& sender, uint16_t senderStream);
  // Sends to targets; returns the receivers that could not take a reliable message now.
  std::vector<std::pair<PeerKey, uint16_t>> deliver(const std::vector<std::pair<PeerKey, uint16_t>>& targets,
                                                    const DataChannelInfo& info, DataKind kind,
                                                    std::span<const uint8_t> message);
  void retryHeld();
  void dropSenderChannel(Peer& sender, uint16_t stream);
  void forgetTarget(PeerKey receiver, PeerKey sender, uint16_t senderStream, uint16_t receiverStream);
  static bool targets(const SenderChannel& channel, const Peer& receiver) noexcept;

  SctpLibrary& library_;
  Output& output_;
  DataChannelEndpointConfig endpointConfig_;
  std::map<PeerKey, std::unique_ptr<Peer>> peers_;
  size_t heldCount_ = 0;
};

}  // namespace switchyard::media::sctp
