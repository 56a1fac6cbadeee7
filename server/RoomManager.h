#pragma once
// The rooms of this node, as the signaling backend: join, leave, and the peer events the others
// hear. Runs on the signaling thread (control plane). A room is created by its first join and
// removed when its last peer leaves. Media (transports, tracks, forwarding on the room's worker)
// attaches here with the next layer.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "signaling/SignalingBackend.h"

namespace switchyard::server {

class RoomManager final : public signaling::SignalingBackend {
 public:
  struct Options {
    uint32_t maxPeersPerRoom = 100;
  };

  explicit RoomManager(Options options);

  void handle(const std::shared_ptr<signaling::SignalingClient>& client, const std::string& type,
              const nlohmann::json& request, Reply reply) override;
  void disconnected(const std::shared_ptr<signaling::SignalingClient>& client) override;

  [[nodiscard]] size_t roomCount() const noexcept { return rooms_.size(); }
  // Peers in `room` (0 when it does not exist).
  [[nodiscard]] size_t peerCount(const std::string& room) const noexcept;

  // Room names: 1..64 of [A-Za-z0-9_.-]. Display names: up to 64 bytes of text.
  static constexpr size_t kMaxNameLength = 64;

 private:
  struct Peer {
    std::string id;
    std::string name;
    std::weak_ptr<signaling::SignalingClient> client;
  };
  struct Room {
    std::map<std::string, Peer> peers;  // by peer id, in join order of ids
  };
  struct Membership {
    std::string room;
    std::string peerId;
  };

  nlohmann::json join(const std::shared_ptr<signaling::SignalingClient>& client,
                      const nlohmann::json& request);
  nlohmann::json leave(const std::shared_ptr<signaling::SignalingClient>& client);
  void removePeer(uint64_t clientId);
  void broadcast(const Room& room, const std::string& except, const nlohmann::json& event);

  Options options_;
  std::unordered_map<std::string, Room> rooms_;
  std::unordered_map<uint64_t, Membership> members_;  // by SignalingClient::clientId()
  uint64_t nextPeer_ = 0;
};

}  // namespace switchyard::server
