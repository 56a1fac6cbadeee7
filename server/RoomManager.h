#pragma once
// The rooms of this node, as the signaling backend (signaling thread, control plane): join, leave,
// offer/answer negotiation (the client always offers, see docs/protocol.md), published tracks and
// subscriptions, and the peer and track events the others hear. A room is created by its first
// join, pinned to the least loaded worker (its home), and removed when its last peer leaves. Each
// peer has at most one WebRTC transport, created on its worker by its first offer; a peer's worker
// is the room's home until the room has Options::roomSpreadPeers peers, then the least loaded one.
// The forwarding state of the room lives in a Router on each worker holding peers of it, changed by
// posting RoomMediaUpdates: a track's producer on its publisher's worker (the origin), a mirror of
// it on every other worker of the room, fed by the origin through WorkerHandoff; consumers on
// their subscriber's worker. Updates to one worker are applied in the order posted, so a producer
// or mirror always precedes its consumers there.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/sdp/Negotiation.h"
#include "media/transport/TransportTypes.h"
#include "server/MediaWorkers.h"
#include "server/WorkerMedia.h"
#include "signaling/SignalingBackend.h"

namespace switchyard::server {

class RoomManager final : public signaling::SignalingBackend {
 public:
  struct Options {
    uint32_t maxPeersPerRoom = 100;
    std::string tokenSecret;  // non-empty: a join needs a token signed with it (JoinToken.h)
    media::sdp::NegotiationOptions negotiation;  // data channels on/off, max-message-size, Opus fmtp
    uint32_t roomSpreadPeers = 0;  // joiners after this many peers go to the least loaded worker (0: never)
  };

  // `media` may be null (rooms without media: offers are refused with "unavailable").
  RoomManager(Options options, MediaWorkers* media);
  ~RoomManager() override;

  void handle(const std::shared_ptr<signaling::SignalingClient>& client, const std::string& type,
              const nlohmann::json& request, Reply reply) override;
  void disconnected(const std::shared_ptr<signaling::SignalingClient>& client) override;
  // A worker reported that a transport closed by itself: its peer is removed (signaling thread).
  void transportClosed(size_t worker, media::transport::TransportId id, const std::string& reason);
  // A worker reported the room's new active speaker (its audio producer): every peer of the room
  // gets `activeSpeaker` (signaling thread).
  void activeSpeaker(RoomKey room, uint32_t producer);
  // A worker reported which simulcast layers of a producer its subscribers need (bit i = layer i of
  // the answered RIDs, lowest first): the publisher gets `encodings` with each RID on or off, unless
  // it was told the same already (signaling thread).
  // With mirrors on several workers, each reports its own set and the publisher gets their union.
  void layersNeeded(RoomKey room, uint32_t producer, uint8_t layers, size_t worker = 0);
  // The worker of a peer (tests); nullopt when unknown.
  [[nodiscard]] std::optional<size_t> peerWorker(const std::string& room, const std::string& peerId) const;

  [[nodiscard]] size_t roomCount() const noexcept { return rooms_.size(); }
  // Peers in `room` (0 when it does not exist).
  [[nodiscard]] size_t peerCount(const std::string& room) const noexcept;
  // Peers in all rooms.
  [[nodiscard]] size_t peerCount() const noexcept;
  // Published tracks in `room`.
  [[nodiscard]] size_t trackCount(const std::string& room) const noexcept;
  // The room key and producer id of a published track (nullopt when there is no such track).
  [[nodiscard]] std::optional<std::pair<RoomKey, uint32_t>> producerOf(const std::string& room,
                                                                       const std::string& trackId) const;

  // Room names: 1..64 of [A-Za-z0-9_.-]. Display names: up to 64 bytes of text.
  static constexpr size_t kMaxNameLength = 64;
  static constexpr size_t kMaxSourceLength = 32;

 private:
  struct Track {
    std::string id;
    std::string peerId;
    std::string source;
    uint32_t producerId = 0;
    media::sdp::PublishedTrack published;
    std::optional<uint8_t> layersSent;         // the layer mask last sent to the publisher (`encodings`)
    size_t worker = 0;                         // its publisher's worker (the origin of its producer)
    std::set<size_t> mirrors;                  // workers holding a mirror of its producer
    std::map<size_t, uint8_t> layersByWorker;  // layers needed, as each worker last reported
  };
  struct Subscription {
    std::string trackId;
    uint32_t consumerId = 0;
    uint32_t ssrc = 0;
    uint32_t rtxSsrc = 0;
  };
  struct Peer {
    std::string id;
    std::string name;
    std::weak_ptr<signaling::SignalingClient> client;
    size_t worker = 0;  // where its transport lives
    std::optional<media::transport::TransportId> transport;
    std::string remoteUfrag;
    media::sdp::LocalTransport local;
    uint64_t sessionId = 0;
    uint64_t sessionVersion = 0;
    bool negotiating = false;
    bool dataChannel = false;                           // its association has joined the room's relay
    std::map<std::string, int> layers;                  // simulcast layer wanted per track id (setLayer)
    std::map<std::string, int> temporalLayers;          // temporal layer wanted per track id (setLayer)
    std::map<std::string, std::string> published;       // mid -> track id
    std::map<std::string, Subscription> subscriptions;  // mid -> subscription
  };
  struct Room {
    std::string name;
    RoomKey key = 0;
    size_t worker = 0;                     // home: peers go here until the room spreads
    std::map<size_t, size_t> workerPeers;  // peers per worker (workers with none are not listed)
    std::map<std::string, Peer> peers;     // by peer id
    std::map<std::string, Track> tracks;   // by track id
    std::string activeSpeaker;             // peer id of the last announced speaker
  };
  struct Membership {
    std::string room;
    std::string peerId;
  };
  // What the client's offer message asked besides the SDP.
  struct OfferRequest {
    std::shared_ptr<const media::sdp::SessionDescription> sdp;
    std::map<std::string, std::string, std::less<>> sources;        // mid -> source label
    std::map<std::string, std::string, std::less<>> subscriptions;  // mid -> track id
  };

  nlohmann::json join(const std::shared_ptr<signaling::SignalingClient>& client,
                      const nlohmann::json& request);
  nlohmann::json leave(const std::shared_ptr<signaling::SignalingClient>& client);
  nlohmann::json setLayer(const std::shared_ptr<signaling::SignalingClient>& client,
                          const nlohmann::json& request);
  void offer(const std::shared_ptr<signaling::SignalingClient>& client, const nlohmann::json& request,
             Reply reply);
  void answer(uint64_t clientId, const std::string& peerId, const OfferRequest& request, Reply reply);
  // Finds the peer of a client still in the room it was in when a step started.
  Peer* findPeer(uint64_t clientId, const std::string& peerId, Room** room = nullptr);
  void removePeer(uint64_t clientId);
  // Drops a track from the room, with the subscriptions to it; returns the producer id.
  void dropTrack(Room& room, const std::string& trackId);
  // Removes the mirrors of a track's producer on the other workers (before dropTrack).
  void removeMirrors(const Room& room, const Track& track);
  // A worker of the room lost its last peer: its router goes, the origins stop handing off to it.
  void leaveWorker(Room& room, size_t worker);
  void broadcast(const Room& room, const std::string& except, const nlohmann::json& event);
  uint32_t newSsrc();
  [[nodiscard]] size_t leastLoadedWorker() const;
  // Whether an offer has an active application (data channel) section.
  [[nodiscard]] static bool hasDataSection(const media::sdp::SessionDescription& offer);
  // Moves a peer that has no transport yet to another worker of its room.
  void movePeer(Room& room, Peer& peer, size_t worker);

  Options options_;
  MediaWorkers* media_;
  std::unordered_map<std::string, Room> rooms_;
  std::unordered_map<uint64_t, Membership> members_;  // by SignalingClient::clientId()
  std::map<std::pair<size_t, media::transport::TransportId>, uint64_t> transports_;  // -> clientId
  std::vector<size_t> workerPeers_;
  uint64_t nextPeer_ = 0;
  uint64_t nextTrack_ = 0;
  uint64_t nextRoomKey_ = 0;
  uint32_t nextProducer_ = 0;
  uint32_t nextConsumer_ = 0;
  std::mt19937_64 random_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace switchyard::server
