#include "server/RoomManager.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "config/Log.h"
#include "media/sdp/Sdp.h"
#include "server/JoinToken.h"
#include "server/PeerMedia.h"

namespace switchyard::server {

using nlohmann::json;
using signaling::SignalingError;
namespace sdp = media::sdp;
namespace transport = media::transport;

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

json errorReply(std::string_view code, std::string_view message) {
  return json{{"type", "error"}, {"code", code}, {"message", message}};
}

std::shared_ptr<spdlog::logger> roomsLog() {
  return config::logger("rooms");
}

}  // namespace

RoomManager::RoomManager(Options options, MediaWorkers* media)
    : options_(options), media_(media), random_(std::random_device{}()) {
  workerPeers_.assign(media_ ? std::max<size_t>(media_->mediaWorkerCount(), 1) : 1, 0);
}

RoomManager::~RoomManager() {
  *alive_ = false;
}

void RoomManager::handle(const std::shared_ptr<signaling::SignalingClient>& client, const std::string& type,
                         const json& request, Reply reply) {
  if (type == "join") return reply(join(client, request));
  if (type == "leave") return reply(leave(client));
  if (type == "offer") return offer(client, request, std::move(reply));
  if (type == "setLayer") return reply(setLayer(client, request));
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
  const auto token = request.find("token");
  if (token != request.end() && !token->is_string())
    throw SignalingError("bad_request", "\"token\" must be a string");
  const std::string roomName = room->get<std::string>();
  if (!options_.tokenSecret.empty()) {
    if (token == request.end()) throw SignalingError("unauthorized", "this server needs a join token");
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::string error;
    const std::optional<JoinGrant> grant =
        verifyJoinToken(options_.tokenSecret, token->get_ref<const std::string&>(), roomName, now, error);
    if (!grant) throw SignalingError("unauthorized", error);
    if (grant->name) name = grant->name->substr(0, kMaxNameLength);
  }
  auto [slot, created] = rooms_.try_emplace(roomName);
  Room& target = slot->second;
  if (created) {
    target.name = roomName;
    target.key = ++nextRoomKey_;
    target.worker = leastLoadedWorker();
    config::logEvent(*roomsLog(), spdlog::level::info, "room created", "room", roomName, "worker",
                     target.worker);
  }
  if (target.peers.size() >= options_.maxPeersPerRoom) {
    if (target.peers.empty()) rooms_.erase(slot);
    throw SignalingError("room_full", "room \"" + roomName + "\" has its maximum of " +
                                          std::to_string(options_.maxPeersPerRoom) + " peers");
  }
  const std::string peerId = "p" + std::to_string(++nextPeer_);
  json others = json::array();
  for (const auto& [id, peer] : target.peers)
    others.push_back(peerJson(id, peer.name));
  json tracks = json::array();
  for (const auto& [id, track] : target.tracks)
    tracks.push_back(trackJson(track.id, track.peerId, track.published.kind, track.source));
  broadcast(target, peerId, json{{"type", "peerJoined"}, {"peer", peerJson(peerId, name)}});
  Peer peer;
  peer.id = peerId;
  peer.name = name;
  peer.client = client;
  peer.sessionId = random_() >> 2;  // o= sess-id: a positive 62-bit number (RFC 8866 5.2)
  // A big room spreads: its later joiners go where there is room.
  const bool spread = options_.roomSpreadPeers > 0 && target.peers.size() >= options_.roomSpreadPeers;
  peer.worker = spread ? leastLoadedWorker() : target.worker;
  ++workerPeers_[peer.worker];
  ++target.workerPeers[peer.worker];
  target.peers.emplace(peerId, std::move(peer));
  members_.emplace(client->clientId(), Membership{roomName, peerId});
  config::logEvent(*roomsLog(), spdlog::level::info, "peer joined", "room", roomName, "peer", peerId, "peers",
                   target.peers.size());
  json joined{{"type", "joined"},
              {"room", roomName},
              {"peerId", peerId},
              {"peers", std::move(others)},
              {"tracks", std::move(tracks)}};
  if (!target.activeSpeaker.empty()) joined["activeSpeaker"] = target.activeSpeaker;
  return joined;
}

json RoomManager::setLayer(const std::shared_ptr<signaling::SignalingClient>& client, const json& request) {
  const auto member = members_.find(client->clientId());
  if (member == members_.end()) throw SignalingError("not_joined", "join a room first");
  const auto trackId = request.find("trackId");
  const auto layer = request.find("layer");
  static const std::map<std::string, int> kLayers = {{"off", -1}, {"low", 0}, {"medium", 1}, {"high", 2}};
  if (trackId == request.end() || !trackId->is_string() || layer == request.end() || !layer->is_string() ||
      !kLayers.contains(layer->get<std::string>())) {
    throw SignalingError("bad_request",
                         "setLayer needs \"trackId\" and \"layer\": \"low\", \"medium\", "
                         "\"high\" or \"off\"");
  }
  Room& room = rooms_.at(member->second.room);
  Peer& peer = room.peers.at(member->second.peerId);
  const std::string track = trackId->get<std::string>();
  if (!room.tracks.contains(track))
    throw SignalingError("unknown_track", "no track \"" + track + "\" in this room");
  // Optional: the highest temporal layer (VP8/VP9 TID 0..7; 7 or absent: all).
  std::optional<int> temporal;
  if (const auto t = request.find("temporalLayer"); t != request.end()) {
    if (!t->is_number_integer() || t->get<int64_t>() < 0 || t->get<int64_t>() > 7)
      throw SignalingError("bad_request", "setLayer: \"temporalLayer\" must be an integer 0..7");
    temporal = t->get<int>();
  }
  const int value = kLayers.at(layer->get<std::string>());
  peer.layers[track] = value;
  if (temporal) peer.temporalLayers[track] = *temporal;
  for (const auto& [mid, sub] : peer.subscriptions) {
    if (sub.trackId != track || sub.consumerId == 0 || media_ == nullptr) continue;
    const RoomKey key = room.key;
    const uint32_t consumerId = sub.consumerId;
    media_->runOnWorker(peer.worker, [key, consumerId, value, temporal](WorkerMedia& media) {
      media.setConsumerLayer(key, consumerId, value);
      if (temporal) media.setConsumerTemporalLayer(key, consumerId, *temporal);
    });
  }
  json reply{{"type", "layerSet"}, {"trackId", track}, {"layer", layer->get<std::string>()}};
  if (temporal) reply["temporalLayer"] = *temporal;
  return reply;
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

void RoomManager::offer(const std::shared_ptr<signaling::SignalingClient>& client, const json& request,
                        Reply reply) {
  const auto member = members_.find(client->clientId());
  if (member == members_.end()) throw SignalingError("not_joined", "join a room before offering");
  Room& room = rooms_.at(member->second.room);
  Peer& peer = room.peers.at(member->second.peerId);
  if (media_ == nullptr) throw SignalingError("unavailable", "this server has no media workers");
  if (peer.negotiating) {
    throw SignalingError("negotiation_busy",
                         "the previous offer is still being answered; offer one at a time");
  }
  const auto sdpField = request.find("sdp");
  if (sdpField == request.end() || !sdpField->is_string()) {
    throw SignalingError("bad_request", "\"sdp\" must be the offer's SDP text");
  }
  OfferRequest offer;
  if (const auto it = request.find("tracks"); it != request.end()) {
    if (!it->is_object()) throw SignalingError("bad_request", "\"tracks\" must map mids to {\"source\": …}");
    for (const auto& [mid, info] : it->items()) {
      const auto source = info.is_object() ? info.find("source") : info.end();
      if (source == info.end()) continue;
      if (!source->is_string() || source->get_ref<const std::string&>().size() > kMaxSourceLength) {
        throw SignalingError("bad_request", "a track's \"source\" must be a string of at most 32 bytes");
      }
      offer.sources.emplace(mid, source->get<std::string>());
    }
  }
  if (const auto it = request.find("subscriptions"); it != request.end()) {
    if (!it->is_object()) throw SignalingError("bad_request", "\"subscriptions\" must map mids to track ids");
    for (const auto& [mid, trackId] : it->items()) {
      if (!trackId.is_string())
        throw SignalingError("bad_request", "a subscription's value must be a track id");
      offer.subscriptions.emplace(mid, trackId.get<std::string>());
    }
  }
  sdp::ParseResult parsed = sdp::parse(sdpField->get_ref<const std::string&>());
  if (!parsed) {
    throw SignalingError("negotiation_failed", "the offer is not valid SDP (line " +
                                                   std::to_string(parsed.line) + "): " + parsed.error);
  }
  offer.sdp = std::make_shared<const sdp::SessionDescription>(std::move(*parsed.description));
  sdp::RemoteTransport remote;
  try {
    remote = sdp::remoteTransport(*offer.sdp);
  } catch (const sdp::NegotiationError& e) {
    throw SignalingError("negotiation_failed", e.what());
  }
  const uint64_t clientId = client->clientId();
  const std::string peerId = peer.id;
  if (peer.transport) {
    if (remote.iceUfrag != peer.remoteUfrag) {
      throw SignalingError("negotiation_failed", "ICE restarts are not supported; join again");
    }
    peer.negotiating = true;
    return answer(clientId, peerId, offer, std::move(reply));
  }
  const std::optional<transport::TransportHost::RemoteParams> params = remoteParams(remote);
  if (!params)
    throw SignalingError("negotiation_failed", "only sha-256 certificate fingerprints are supported");
  // Data channels are relayed per worker (one DataChannelRelay per room on a worker), so in a room
  // spread over workers a peer that negotiates them goes to the room's home worker, where every
  // other such peer is: its channels then reach them all. It has no transport yet, so it moves freely.
  if (peer.worker != room.worker && hasDataSection(*offer.sdp)) movePeer(room, peer, room.worker);
  peer.negotiating = true;
  peer.remoteUfrag = remote.iceUfrag;
  const size_t worker = peer.worker;
  const RoomKey key = room.key;
  std::weak_ptr<bool> alive = alive_;
  MediaWorkers* workers = media_;
  media_->runOnWorker(worker, [this, workers, alive, worker, key, clientId, peerId, offer, params = *params,
                               reply = std::move(reply)](WorkerMedia& media) mutable {
    std::optional<transport::TransportHost::LocalParams> local;
    std::string error;
    try {
      local = media.createTransport(key, params);
    } catch (const std::exception& e) {
      error = e.what();
    }
    workers->runOnSignaling([this, alive, worker, clientId, peerId, offer = std::move(offer),
                             local = std::move(local), error = std::move(error),
                             reply = std::move(reply)]() mutable {
      if (alive.expired()) return;
      Peer* current = findPeer(clientId, peerId);
      if (current == nullptr) {
        // Left while its transport was being made.
        if (local) media_->runOnWorker(worker, [id = local->id](WorkerMedia& m) { m.closeTransport(id); });
        return reply(errorReply("not_joined", "left the room during the negotiation"));
      }
      if (!local) {
        current->negotiating = false;
        config::logEvent(*roomsLog(), spdlog::level::warn, "transport not created", "peer", peerId, "error",
                         error);
        return reply(errorReply("unavailable", "the media worker cannot take another peer: " + error));
      }
      current->transport = local->id;
      current->local = localTransport(*local);
      transports_[{worker, local->id}] = clientId;
      answer(clientId, peerId, offer, std::move(reply));
    });
  });
}

void RoomManager::answer(uint64_t clientId, const std::string& peerId, const OfferRequest& request,
                         Reply reply) {
  Room* room = nullptr;
  Peer* peer = findPeer(clientId, peerId, &room);
  if (peer == nullptr) return reply(errorReply("not_joined", "left the room during the negotiation"));

  // Subscriptions the answer may use: the same mid and track keep their SSRCs.
  std::map<std::string, Subscription, std::less<>> planned;
  const auto lookup = [&](std::string_view mid) -> std::optional<sdp::SubscriptionSource> {
    const auto wanted = request.subscriptions.find(mid);
    if (wanted == request.subscriptions.end()) return std::nullopt;
    const auto track = room->tracks.find(wanted->second);
    if (track == room->tracks.end() || track->second.peerId == peer->id) return std::nullopt;
    Subscription sub;
    sub.trackId = track->first;
    const auto existing = peer->subscriptions.find(std::string(mid));
    if (existing != peer->subscriptions.end() && existing->second.trackId == sub.trackId) {
      sub = existing->second;
    } else {
      sub.ssrc = newSsrc();
      sub.rtxSsrc = newSsrc();
    }
    planned[std::string(mid)] = sub;
    return sdp::SubscriptionSource{&track->second.published, sub.ssrc,     sub.rtxSsrc,
                                   track->second.peerId,     track->first, "switchyard"};
  };
  sdp::Answer answer;
  try {
    answer = sdp::answerOffer(*request.sdp, peer->local, lookup, peer->sessionId, ++peer->sessionVersion,
                              options_.negotiation);
  } catch (const sdp::NegotiationError& e) {
    peer->negotiating = false;
    return reply(errorReply("negotiation_failed", e.what()));
  }

  RoomMediaUpdate update;
  update.room = room->key;
  const transport::TransportId transportId = peer->transport.value_or(0);
  std::vector<std::string> added;
  std::vector<std::string> removed;
  json rejected = json::array();

  // Publications: a mid that stays published keeps its track id.
  std::map<std::string, std::string> published;
  for (const sdp::MediaAnswer& media : answer.media) {
    if (media.role == sdp::MediaAnswer::Role::kRejected || media.role == sdp::MediaAnswer::Role::kInactive) {
      if (!media.mid.empty()) rejected.push_back(json{{"mid", media.mid}, {"reason", media.reason}});
      continue;
    }
    if (media.role != sdp::MediaAnswer::Role::kPublish || !media.published) continue;
    const auto old = peer->published.find(media.mid);
    Track* track = nullptr;
    if (old != peer->published.end()) {
      const auto it = room->tracks.find(old->second);
      if (it != room->tracks.end()) track = &it->second;
    }
    if (track == nullptr) {
      Track fresh;
      fresh.id = "t" + std::to_string(++nextTrack_);
      fresh.peerId = peer->id;
      fresh.producerId = ++nextProducer_;
      const auto source = request.sources.find(media.mid);
      fresh.source = source != request.sources.end()
                         ? source->second
                         : (media.kind == sdp::MediaKind::kAudio ? "microphone" : "camera");
      track = &room->tracks.emplace(fresh.id, fresh).first->second;
      added.push_back(track->id);
    }
    track->published = *media.published;
    update.addProducers.push_back(producerSpec(track->producerId, transportId, track->published));
    published[media.mid] = track->id;
  }
  for (const auto& [mid, trackId] : peer->published) {
    if (published.contains(mid)) continue;
    const auto it = room->tracks.find(trackId);
    if (it != room->tracks.end()) {
      update.removeProducers.push_back(it->second.producerId);
      removeMirrors(*room, it->second);
    }
    dropTrack(*room, trackId);
    removed.push_back(trackId);
  }
  peer->published = std::move(published);

  // A room on several workers: the peer's tracks get a mirror on each other worker of the room, and
  // its worker gets a mirror of every track published elsewhere (before its consumers of them).
  std::map<size_t, RoomMediaUpdate> others;
  const auto updateFor = [&](size_t worker) -> RoomMediaUpdate& {
    if (worker == peer->worker) return update;
    RoomMediaUpdate& other = others[worker];
    other.room = room->key;
    return other;
  };
  const auto mirrorSpec = [](const Track& track) {
    media::forward::ProducerSpec spec = producerSpec(track.producerId, 0, track.published);
    spec.originWorker = static_cast<uint16_t>(track.worker);
    return spec;
  };
  for (const auto& [mid, trackId] : peer->published) {
    Track& track = room->tracks.at(trackId);
    track.worker = peer->worker;
    for (const auto& [worker, count] : room->workerPeers) {
      if (worker == peer->worker) continue;
      updateFor(worker).addProducers.push_back(mirrorSpec(track));
      track.mirrors.insert(worker);
      update.addHandoffs.emplace_back(track.producerId, static_cast<uint16_t>(worker));
    }
  }
  for (auto& [trackId, track] : room->tracks) {
    if (track.peerId == peer->id || track.worker == peer->worker || track.mirrors.contains(peer->worker))
      continue;
    update.addProducers.push_back(mirrorSpec(track));
    track.mirrors.insert(peer->worker);
    updateFor(track.worker).addHandoffs.emplace_back(track.producerId, static_cast<uint16_t>(peer->worker));
  }

  // Data channels: the first answered application section joins the peer to the room's relay (its
  // association then lives as long as its transport).
  for (const sdp::MediaAnswer& media : answer.media) {
    if (media.role != sdp::MediaAnswer::Role::kDataChannel || !media.dataChannel || peer->dataChannel)
      continue;
    peer->dataChannel = true;
    update.addDataChannel = RoomMediaUpdate::DataChannel{transportId, peer->id, media.dataChannel->remotePort,
                                                         media.dataChannel->remoteMaxMessageSize};
  }

  // Subscriptions.
  std::map<std::string, Subscription> subscriptions;
  for (const sdp::MediaAnswer& media : answer.media) {
    if (media.role != sdp::MediaAnswer::Role::kSubscribe || !media.subscribed) continue;
    const auto plan = planned.find(media.mid);
    if (plan == planned.end()) continue;
    Subscription sub = plan->second;
    const Track& track = room->tracks.at(sub.trackId);
    const auto existing = peer->subscriptions.find(media.mid);
    const bool same = existing != peer->subscriptions.end() && existing->second.trackId == sub.trackId &&
                      existing->second.consumerId != 0;
    if (!same) {
      sub.consumerId = ++nextConsumer_;
      update.addConsumers.push_back(
          consumerSpec(sub.consumerId, track.producerId, transportId, *media.subscribed));
      if (const auto layer = peer->layers.find(sub.trackId); layer != peer->layers.end()) {
        update.addConsumers.back().layer = layer->second;
      }
      if (const auto t = peer->temporalLayers.find(sub.trackId); t != peer->temporalLayers.end()) {
        update.addConsumers.back().temporalLayer = t->second;
      }
    }
    subscriptions[media.mid] = sub;
  }
  for (const auto& [mid, sub] : peer->subscriptions) {
    const auto kept = subscriptions.find(mid);
    if (kept == subscriptions.end() || kept->second.consumerId != sub.consumerId) {
      if (sub.consumerId != 0) update.removeConsumers.push_back(sub.consumerId);
    }
  }
  peer->subscriptions = std::move(subscriptions);

  json publishedJson = json::array();
  for (const auto& [mid, trackId] : peer->published) {
    const Track& track = room->tracks.at(trackId);
    json item = trackJson(track.id, track.peerId, track.published.kind, track.source);
    item["mid"] = mid;
    publishedJson.push_back(std::move(item));
  }
  json message{{"type", "answer"},
               {"sdp", sdp::write(answer.description)},
               {"published", std::move(publishedJson)},
               {"rejected", std::move(rejected)}};
  std::vector<json> events;
  for (const std::string& trackId : removed)
    events.push_back(json{{"type", "trackUnpublished"}, {"trackId", trackId}, {"peerId", peer->id}});
  for (const std::string& trackId : added) {
    const Track& track = room->tracks.at(trackId);
    events.push_back(json{{"type", "trackPublished"},
                          {"track", trackJson(track.id, track.peerId, track.published.kind, track.source)}});
  }
  config::logEvent(*roomsLog(), spdlog::level::info, "negotiated", "room", room->name, "peer", peer->id,
                   "published", peer->published.size(), "subscribed", peer->subscriptions.size(), "rejected",
                   message["rejected"].size());

  for (auto& [worker, other] : others)
    media_->runOnWorker(worker, [other = std::move(other)](WorkerMedia& media) { media.apply(other); });
  std::weak_ptr<bool> alive = alive_;
  MediaWorkers* workers = media_;
  media_->runOnWorker(peer->worker, [this, workers, alive, clientId, peerId, update = std::move(update),
                                     message = std::move(message), events = std::move(events),
                                     reply = std::move(reply)](WorkerMedia& media) mutable {
    media.apply(update);
    workers->runOnSignaling([this, alive, clientId, peerId, message = std::move(message),
                             events = std::move(events), reply = std::move(reply)]() mutable {
      if (alive.expired()) return;
      Room* where = nullptr;
      Peer* current = findPeer(clientId, peerId, &where);
      if (current == nullptr) return reply(errorReply("not_joined", "left the room during the negotiation"));
      current->negotiating = false;
      reply(std::move(message));
      for (const json& event : events)
        broadcast(*where, peerId, event);
    });
  });
}

RoomManager::Peer* RoomManager::findPeer(uint64_t clientId, const std::string& peerId, Room** room) {
  const auto member = members_.find(clientId);
  if (member == members_.end() || member->second.peerId != peerId) return nullptr;
  const auto it = rooms_.find(member->second.room);
  if (it == rooms_.end()) return nullptr;
  const auto peer = it->second.peers.find(peerId);
  if (peer == it->second.peers.end()) return nullptr;
  if (room != nullptr) *room = &it->second;
  return &peer->second;
}

void RoomManager::dropTrack(Room& room, const std::string& trackId) {
  room.tracks.erase(trackId);
  // Its consumers go with its producer in the router; forget the subscriptions here.
  for (auto& [id, peer] : room.peers) {
    for (auto it = peer.subscriptions.begin(); it != peer.subscriptions.end();) {
      it = it->second.trackId == trackId ? peer.subscriptions.erase(it) : std::next(it);
    }
  }
}

void RoomManager::removePeer(uint64_t clientId) {
  const auto member = members_.find(clientId);
  if (member == members_.end()) return;
  const Membership membership = member->second;
  members_.erase(member);
  const auto roomIt = rooms_.find(membership.room);
  if (roomIt == rooms_.end()) return;
  Room& room = roomIt->second;
  const auto peerIt = room.peers.find(membership.peerId);
  if (peerIt == room.peers.end()) return;
  Peer peer = std::move(peerIt->second);
  room.peers.erase(peerIt);
  if (room.activeSpeaker == membership.peerId) room.activeSpeaker.clear();
  if (workerPeers_[peer.worker] > 0) --workerPeers_[peer.worker];
  for (const auto& [mid, trackId] : peer.published) {
    if (const auto track = room.tracks.find(trackId); track != room.tracks.end())
      removeMirrors(room, track->second);
    dropTrack(room, trackId);
    broadcast(room, peer.id, json{{"type", "trackUnpublished"}, {"trackId", trackId}, {"peerId", peer.id}});
  }
  if (peer.transport) {
    transports_.erase({peer.worker, *peer.transport});
    if (media_ != nullptr) {
      media_->runOnWorker(peer.worker,
                          [id = *peer.transport](WorkerMedia& media) { media.closeTransport(id); });
    }
  }
  if (const auto count = room.workerPeers.find(peer.worker); count != room.workerPeers.end()) {
    if (count->second > 1) {
      --count->second;
    } else {
      leaveWorker(room, peer.worker);
    }
  }
  config::logEvent(*roomsLog(), spdlog::level::info, "peer left", "room", membership.room, "peer",
                   membership.peerId, "peers", room.peers.size());
  if (room.peers.empty()) {
    config::logEvent(*roomsLog(), spdlog::level::info, "room removed", "room", membership.room);
    rooms_.erase(roomIt);
    return;
  }
  broadcast(room, membership.peerId, json{{"type", "peerLeft"}, {"peerId", membership.peerId}});
}

void RoomManager::removeMirrors(const Room& room, const Track& track) {
  if (media_ == nullptr) return;
  for (const size_t worker : track.mirrors) {
    RoomMediaUpdate update;
    update.room = room.key;
    update.removeProducers.push_back(track.producerId);
    media_->runOnWorker(worker, [update = std::move(update)](WorkerMedia& media) { media.apply(update); });
  }
}

bool RoomManager::hasDataSection(const sdp::SessionDescription& offer) {
  for (const auto& m : offer.media)
    if (m.port != 0 && m.kind() == sdp::MediaKind::kApplication) return true;
  return false;
}

void RoomManager::movePeer(Room& room, Peer& peer, size_t worker) {
  const size_t from = peer.worker;
  if (workerPeers_[from] > 0) --workerPeers_[from];
  ++workerPeers_[worker];
  ++room.workerPeers[worker];
  peer.worker = worker;
  if (const auto count = room.workerPeers.find(from); count != room.workerPeers.end()) {
    if (count->second > 1) {
      --count->second;
    } else {
      leaveWorker(room, from);
    }
  }
  config::logEvent(*roomsLog(), spdlog::level::info, "peer moved to the room's home worker", "room",
                   room.name, "peer", peer.id, "from", from, "to", worker, "reason", "data channels");
}

void RoomManager::leaveWorker(Room& room, size_t worker) {
  room.workerPeers.erase(worker);
  for (auto& [trackId, track] : room.tracks) {
    track.mirrors.erase(worker);
    track.layersByWorker.erase(worker);
  }
  if (media_ == nullptr) return;
  media_->runOnWorker(worker, [key = room.key](WorkerMedia& media) { media.removeRoom(key); });
  for (const auto& [other, count] : room.workerPeers) {
    RoomMediaUpdate update;
    update.room = room.key;
    update.removeHandoffWorkers.push_back(static_cast<uint16_t>(worker));
    media_->runOnWorker(other, [update = std::move(update)](WorkerMedia& media) { media.apply(update); });
  }
}

std::optional<size_t> RoomManager::peerWorker(const std::string& roomName, const std::string& peerId) const {
  const auto room = rooms_.find(roomName);
  if (room == rooms_.end()) return std::nullopt;
  const auto peer = room->second.peers.find(peerId);
  if (peer == room->second.peers.end()) return std::nullopt;
  return peer->second.worker;
}

void RoomManager::transportClosed(size_t worker, transport::TransportId id, const std::string& reason) {
  const auto it = transports_.find({worker, id});
  if (it == transports_.end()) return;
  const uint64_t clientId = it->second;
  transports_.erase(it);
  const auto member = members_.find(clientId);
  std::shared_ptr<signaling::SignalingClient> client;
  if (member != members_.end()) {
    const auto room = rooms_.find(member->second.room);
    if (room != rooms_.end()) {
      const auto peer = room->second.peers.find(member->second.peerId);
      if (peer != room->second.peers.end()) {
        peer->second.transport.reset();  // already closed on the worker
        client = peer->second.client.lock();
      }
    }
  }
  config::logEvent(*roomsLog(), spdlog::level::info, "peer transport closed", "transport", id, "reason",
                   reason);
  removePeer(clientId);
  if (client) client->close("transport closed");
}

void RoomManager::activeSpeaker(RoomKey key, uint32_t producer) {
  for (auto& [name, room] : rooms_) {
    if (room.key != key) continue;
    for (const auto& [trackId, track] : room.tracks) {
      if (track.producerId != producer) continue;
      if (room.activeSpeaker == track.peerId) return;
      room.activeSpeaker = track.peerId;
      config::logEvent(*roomsLog(), spdlog::level::debug, "active speaker", "room", name, "peer",
                       track.peerId);
      broadcast(room, "", json{{"type", "activeSpeaker"}, {"peerId", track.peerId}, {"trackId", trackId}});
      return;
    }
    return;
  }
}

std::optional<std::pair<RoomKey, uint32_t>> RoomManager::producerOf(const std::string& roomName,
                                                                    const std::string& trackId) const {
  const auto room = rooms_.find(roomName);
  if (room == rooms_.end()) return std::nullopt;
  const auto track = room->second.tracks.find(trackId);
  if (track == room->second.tracks.end()) return std::nullopt;
  return std::pair{room->second.key, track->second.producerId};
}

void RoomManager::layersNeeded(RoomKey key, uint32_t producer, uint8_t layers, size_t worker) {
  for (auto& [name, room] : rooms_) {
    if (room.key != key) continue;
    for (auto& [trackId, track] : room.tracks) {
      if (track.producerId != producer) continue;
      const std::vector<std::string>& rids = track.published.simulcastRids;
      if (rids.size() < 2) return;
      // Each worker of the room reports for its own subscribers (the origin and the mirrors); one
      // that has not reported yet still needs every layer (a router starts with all of them on).
      track.layersByWorker[worker] = layers;
      const std::map<size_t, uint8_t>& byWorker = track.layersByWorker;  // clang 14: no binding captures
      const auto reported = [&byWorker](size_t from) {
        const auto it = byWorker.find(from);
        return it == byWorker.end() ? uint8_t{0xff} : it->second;
      };
      layers = reported(track.worker);
      for (const size_t mirror : track.mirrors)
        layers = static_cast<uint8_t>(layers | reported(mirror));
      layers = static_cast<uint8_t>(layers | 1U);  // the lowest layer always stays on
      if (track.layersSent == layers) return;
      const auto peer = room.peers.find(track.peerId);
      if (peer == room.peers.end()) return;
      const auto client = peer->second.client.lock();
      if (!client) return;
      json active = json::object();
      for (size_t i = 0; i < rids.size(); ++i)
        active[rids[i]] = i < 8 && (layers & (1U << i)) != 0;
      track.layersSent = layers;
      config::logEvent(*roomsLog(), spdlog::level::debug, "simulcast layers", "room", name, "peer",
                       track.peerId, "track", trackId, "active", active.dump());
      client->send(json{{"type", "encodings"}, {"trackId", trackId}, {"active", std::move(active)}});
      return;
    }
    return;
  }
}

void RoomManager::broadcast(const Room& room, const std::string& except, const json& event) {
  for (const auto& [id, peer] : room.peers) {
    if (id == except) continue;
    if (auto client = peer.client.lock()) client->send(event);
  }
}

uint32_t RoomManager::newSsrc() {
  for (;;) {
    const auto ssrc = static_cast<uint32_t>(random_());
    if (ssrc > 1) return ssrc;  // 0 and the router's own PLI sender SSRC (1) are avoided
  }
}

size_t RoomManager::leastLoadedWorker() const {
  return static_cast<size_t>(std::min_element(workerPeers_.begin(), workerPeers_.end()) -
                             workerPeers_.begin());
}

size_t RoomManager::peerCount(const std::string& room) const noexcept {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.peers.size();
}

size_t RoomManager::peerCount() const noexcept {
  size_t n = 0;
  for (const auto& [name, room] : rooms_)
    n += room.peers.size();
  return n;
}

size_t RoomManager::trackCount(const std::string& room) const noexcept {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.tracks.size();
}

}  // namespace switchyard::server
