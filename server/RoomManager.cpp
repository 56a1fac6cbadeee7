#include "server/RoomManager.h"

#include "config/Log.h"

namespace switchyard::server {

using nlohmann::json;
using signaling::SignalingError;

namespace {

bool validRoomName(const std::string& name) {
  if (name.empty() || name.size() > RoomManager::kMaxNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

json peerJson(const std::string& id, const std::string& name) {
  return json{{"peerId", id}, {"name", name}};
}

}  // namespace

RoomManager::RoomManager(Options options) : options_(options) {}

void RoomManager::handle(const std::shared_ptr<signaling::SignalingClient>& client, const std::string& type,
                         const json& request, Reply reply) {
  if (type == "join") return reply(join(client, request));
  if (type == "leave") return reply(leave(client));
  throw SignalingError("unknown_type", "unknown message type \"" + type + "\"");
}

json RoomManager::join(const std::shared_ptr<signaling::SignalingClient>& client, const json& request) {
  if (members_.contains(client->clientId())) {
    throw SignalingError("already_joined", "this connection is already in a room; leave first");
  }
  const auto room = request.find("room");
  if (room == request.end() || !room->is_string() || !validRoomName(room->get<std::string>())) {
    throw SignalingError("bad_request", "\"room\" must be 1 to 64 characters of A-Z a-z 0-9 _ - .");
  }
  std::string name;
  if (const auto it = request.find("name"); it != request.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxNameLength) {
      throw SignalingError("bad_request", "\"name\" must be a string of at most 64 bytes");
    }
    name = it->get<std::string>();
  }
  const std::string roomName = room->get<std::string>();
  Room& target = rooms_[roomName];
  if (target.peers.size() >= options_.maxPeersPerRoom) {
    if (target.peers.empty()) rooms_.erase(roomName);
    throw SignalingError("room_full", "room \"" + roomName + "\" has its maximum of " +
                                          std::to_string(options_.maxPeersPerRoom) + " peers");
  }
  const std::string peerId = "p" + std::to_string(++nextPeer_);
  json others = json::array();
  for (const auto& [id, peer] : target.peers)
    others.push_back(peerJson(id, peer.name));
  broadcast(target, peerId, json{{"type", "peerJoined"}, {"peer", peerJson(peerId, name)}});
  target.peers.emplace(peerId, Peer{peerId, name, client});
  members_.emplace(client->clientId(), Membership{roomName, peerId});
  config::logEvent(*config::logger("rooms"), spdlog::level::info, "peer joined", "room", roomName, "peer",
                   peerId, "peers", target.peers.size());
  return json{{"type", "joined"}, {"room", roomName}, {"peerId", peerId}, {"peers", std::move(others)}};
}

json RoomManager::leave(const std::shared_ptr<signaling::SignalingClient>& client) {
  if (!members_.contains(client->clientId()))
    throw SignalingError("not_joined", "this connection is in no room");
  removePeer(client->clientId());
  return json{{"type", "left"}};
}

void RoomManager::disconnected(const std::shared_ptr<signaling::SignalingClient>& client) {
  removePeer(client->clientId());
}

void RoomManager::removePeer(uint64_t clientId) {
  const auto member = members_.find(clientId);
  if (member == members_.end()) return;
  const Membership membership = member->second;
  members_.erase(member);
  const auto room = rooms_.find(membership.room);
  if (room == rooms_.end()) return;
  room->second.peers.erase(membership.peerId);
  config::logEvent(*config::logger("rooms"), spdlog::level::info, "peer left", "room", membership.room,
                   "peer", membership.peerId, "peers", room->second.peers.size());
  if (room->second.peers.empty()) {
    rooms_.erase(room);
    return;
  }
  broadcast(room->second, membership.peerId, json{{"type", "peerLeft"}, {"peerId", membership.peerId}});
}

void RoomManager::broadcast(const Room& room, const std::string& except, const json& event) {
  for (const auto& [id, peer] : room.peers) {
    if (id == except) continue;
    if (auto client = peer.client.lock()) client->send(event);
  }
}

size_t RoomManager::peerCount(const std::string& room) const noexcept {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.peers.size();
}

}  // namespace switchyard::server
