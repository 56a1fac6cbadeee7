#include "media/sctp/DataChannelRelay.h"

#include <algorithm>

namespace switchyard::media::sctp {

namespace {

constexpr std::string_view kFromPrefix = "from=";
constexpr std::string_view kToPrefix = "to=";

}  // namespace

class DataChannelRelay::Peer final : public DataChannelEndpoint::Listener {
 public:
  Peer(DataChannelRelay& relay, PeerKey key, PeerParams params)
      : relay_(relay), key_(key), params_(std::move(params)) {}

  void onDataSend(std::span<const uint8_t> packet) override { relay_.output_.onRelaySend(key_, packet); }
  void onDataConnected() override {
    if (!removed) relay_.onConnected(*this);
  }
  void onChannelOpened(uint16_t stream, const DataChannelInfo& info) override {
    if (!removed) relay_.onOpened(*this, stream, info);
  }
  void onChannelMessage(uint16_t stream, DataKind kind, std::span<const uint8_t> message) override {
    if (!removed) relay_.onMessage(*this, stream, kind, message);
  }
  void onChannelClosed(uint16_t stream) override {
    if (!removed) relay_.onClosed(*this, stream);
  }
  void onDataClosed(DataChannelEndpoint::CloseReason /*reason*/) override {
    if (!removed) relay_.onAssociationClosed(*this);
  }

  [[nodiscard]] PeerKey key() const noexcept { return key_; }
  [[nodiscard]] const PeerParams& params() const noexcept { return params_; }

  std::unique_ptr<DataChannelEndpoint> endpoint;
  std::map<uint16_t, SenderChannel> sent;  // channels this peer opened
  std::map<uint16_t, Origin> relayed;      // channels the relay opened at this peer
  std::optional<Held> held;
  PeerCounters counters;
  bool removed = false;

 private:
  DataChannelRelay& relay_;
  PeerKey key_;
  PeerParams params_;
};

DataChannelRelay::DataChannelRelay(SctpLibrary& library, Output& output, DataChannelEndpointConfig endpoint)
    : library_(library), output_(output), endpointConfig_(endpoint) {}

DataChannelRelay::~DataChannelRelay() {
  while (!peers_.empty()) {
    removePeer(peers_.begin()->first);
  }
}

DataChannelRelay::Peer* DataChannelRelay::find(PeerKey key) noexcept {
  const auto it = peers_.find(key);
  return it == peers_.end() || it->second->removed ? nullptr : it->second.get();
}

void DataChannelRelay::addPeer(PeerKey key, const PeerParams& params) {
  removePeer(key);
  auto peer = std::make_unique<Peer>(*this, key, params);
  DataChannelEndpointConfig config = endpointConfig_;
  config.remotePort = params.remotePort;
  // RFC 8841 section 6: without a=max-message-size the peer takes 64 KiB.
  const size_t remoteLimit = params.remoteMaxMessageSize == 0 ? 65536 : params.remoteMaxMessageSize;
  config.sctp.maxSendMessageSize = std::min(config.sctp.maxSendMessageSize, remoteLimit);
  peer->endpoint = std::make_unique<DataChannelEndpoint>(library_, *peer, params.dtlsClient, config);
  peers_[key] = std::move(peer);
}

void DataChannelRelay::start(PeerKey key) {
  if (Peer* peer = find(key)) {
    peer->endpoint->start();
  }
}

void DataChannelRelay::receive(PeerKey key, std::span<const uint8_t> packet) {
  Peer* peer = find(key);
  if (peer == nullptr) {
    return;
  }
  peer->endpoint->receive(packet);
  // A SACK from a receiver may have made room for a held message.
  if (heldCount_ > 0) {
    retryHeld();
  }
}

void DataChannelRelay::tick() {
  if (heldCount_ > 0) {
    retryHeld();
  }
  std::vector<PeerKey> keys;
  keys.reserve(peers_.size());
  for (const auto& [key, peer] : peers_) {
    keys.push_back(key);
  }
  for (const PeerKey key : keys) {
    if (Peer* peer = find(key)) {
      peer->endpoint->poll();
    }
  }
}

void DataChannelRelay::removePeer(PeerKey key) noexcept {
  const auto it = peers_.find(key);
  if (it == peers_.end()) {
    return;
  }
  Peer& peer = *it->second;
  if (!peer.removed) {
    onAssociationClosed(peer);
    peer.removed = true;
  }
  std::unique_ptr<Peer> owned = std::move(it->second);
  peers_.erase(it);
  if (owned->held) {
    --heldCount_;
  }
  // ABORT the association (packets still reach the transport if it is up).
  try {
    owned->endpoint->abort();
  } catch (...) {
  }
}

void DataChannelRelay::onAssociationClosed(Peer& peer) {
  // What it sent is closed at the others; the flows toward it stop.
  while (!peer.sent.empty()) {
    dropSenderChannel(peer, peer.sent.begin()->first);
  }
  for (const auto& [stream, origin] : peer.relayed) {
    if (Peer* sender = find(origin.sender)) {
      const auto channel = sender->sent.find(origin.stream);
      if (channel != sender->sent.end()) {
        channel->second.targets.erase(peer.key());
      }
      if (sender->held) {
        std::erase_if(sender->held->remaining,
                      [&](const auto& target) { return target.first == peer.key(); });
      }
    }
  }
  peer.relayed.clear();
}

bool DataChannelRelay::targets(const SenderChannel& channel, const Peer& receiver) noexcept {
  return !channel.to || *channel.to == receiver.params().peerId;
}

void DataChannelRelay::onConnected(Peer& peer) {
  // Channels already open elsewhere that target this newcomer.
  std::vector<std::pair<PeerKey, uint16_t>> wanted;
  for (const auto& [key, sender] : peers_) {
    if (key == peer.key() || sender->removed) {
      continue;
    }
    for (const auto& [stream, channel] : sender->sent) {
      if (targets(channel, peer) && !channel.targets.contains(peer.key())) {
        wanted.emplace_back(key, stream);
      }
    }
  }
  for (const auto& [key, stream] : wanted) {
    if (Peer* sender = find(key)) {
      openAt(peer, *sender, stream);
    }
  }
}

void DataChannelRelay::onOpened(Peer& peer, uint16_t stream, const DataChannelInfo& info) {
  SenderChannel channel;
  channel.info = info;
  std::string_view protocol = info.protocol;
  if (protocol.starts_with(kToPrefix)) {
    protocol.remove_prefix(kToPrefix.size());
    const size_t semicolon = protocol.find(';');
    channel.to = std::string(protocol.substr(0, semicolon));
    protocol = semicolon == std::string_view::npos ? std::string_view() : protocol.substr(semicolon + 1);
  }
  channel.userProtocol = std::string(protocol);
  peer.sent[stream] = std::move(channel);
  std::vector<PeerKey> receivers;
  for (const auto& [key, receiver] : peers_) {
    if (key != peer.key() && !receiver->removed && receiver->endpoint->connected() &&
        targets(peer.sent[stream], *receiver)) {
      receivers.push_back(key);
    }
  }
  for (const PeerKey key : receivers) {
    Peer* receiver = find(key);
    if (receiver != nullptr && peer.sent.contains(stream)) {
      openAt(*receiver, peer, stream);
    }
  }
}

void DataChannelRelay::openAt(Peer& receiver, Peer& sender, uint16_t senderStream) {
  const auto it = sender.sent.find(senderStream);
  if (it == sender.sent.end()) {
    return;
  }
  DataChannelInfo info = it->second.info;
  info.protocol = std::string(kFromPrefix) + sender.params().peerId;
  if (!it->second.userProtocol.empty()) {
    info.protocol += ';';
    info.protocol += it->second.userProtocol;
  }
  const auto stream = receiver.endpoint->open(info);
  if (!stream) {
    ++receiver.counters.channelsNotOpened;
    return;
  }
  // open() only hands packets over: the maps are still valid.
  it->second.targets[receiver.key()] = *stream;
  receiver.relayed[*stream] = Origin{sender.key(), senderStream};
  ++receiver.counters.channelsOpened;
}

void DataChannelRelay::onMessage(Peer& peer, uint16_t stream, DataKind kind,
                                 std::span<const uint8_t> message) {
  const auto it = peer.sent.find(stream);
  if (it == peer.sent.end()) {
    ++peer.counters.droppedReceiveOnly;
    return;
  }
  ++peer.counters.messagesIn;
  std::vector<std::pair<PeerKey, uint16_t>> targetList(it->second.targets.begin(), it->second.targets.end());
  const DataChannelInfo info = it->second.info;
  auto remaining = deliver(targetList, info, kind, message);
  if (remaining.empty()) {
    return;
  }
  // A receiver is full: hold this message and stop reading the sender until it is taken.
  Held held;
  held.stream = stream;
  held.kind = kind;
  held.data.assign(message.begin(), message.end());
  held.remaining = std::move(remaining);
  if (!peer.held) {
    ++heldCount_;
  }
  peer.held = std::move(held);
  peer.endpoint->setReadPaused(true);
  ++peer.counters.readPauses;
}

std::vector<std::pair<DataChannelRelay::PeerKey, uint16_t>> DataChannelRelay::deliver(
    const std::vector<std::pair<PeerKey, uint16_t>>& targetList, const DataChannelInfo& info, DataKind kind,
    std::span<const uint8_t> message) {
  std::vector<std::pair<PeerKey, uint16_t>> remaining;
  for (const auto& [key, stream] : targetList) {
    Peer* receiver = find(key);
    if (receiver == nullptr || !receiver->relayed.contains(stream)) {
      continue;
    }
    switch (receiver->endpoint->send(stream, kind, message)) {
      case DataChannelEndpoint::SendResult::kOk:
        ++receiver->counters.messagesOut;
        receiver->counters.bytesOut += message.size();
        break;
      case DataChannelEndpoint::SendResult::kWouldBlock:
        if (info.reliable()) {
          remaining.emplace_back(key, stream);
        } else {
          ++receiver->counters.droppedUnreliable;
        }
        break;
      case DataChannelEndpoint::SendResult::kTooLarge:
      case DataChannelEndpoint::SendResult::kClosed:
        ++receiver->counters.droppedOther;
        break;
    }
  }
  return remaining;
}

void DataChannelRelay::retryHeld() {
  std::vector<PeerKey> holders;
  for (const auto& [key, peer] : peers_) {
    if (peer->held && !peer->removed) {
      holders.push_back(key);
    }
  }
  for (const PeerKey key : holders) {
    Peer* peer = find(key);
    if (peer == nullptr || !peer->held) {
      continue;
    }
    Held held = std::move(*peer->held);
    peer->held.reset();
    --heldCount_;
    const auto channel = peer->sent.find(held.stream);
    const DataChannelInfo info = channel != peer->sent.end() ? channel->second.info : DataChannelInfo{};
    auto remaining = deliver(held.remaining, info, held.kind, held.data);
    if (!remaining.empty()) {
      held.remaining = std::move(remaining);
      peer->held = std::move(held);
      ++heldCount_;
      continue;
    }
    peer->endpoint->setReadPaused(false);
    peer->endpoint->poll();  // read what waited (it may pause again)
  }
}

void DataChannelRelay::onClosed(Peer& peer, uint16_t stream) {
  if (peer.sent.contains(stream)) {
    dropSenderChannel(peer, stream);
    return;
  }
  const auto it = peer.relayed.find(stream);
  if (it == peer.relayed.end()) {
    return;
  }
  const Origin origin = it->second;
  peer.relayed.erase(it);
  if (Peer* sender = find(origin.sender)) {
    const auto channel = sender->sent.find(origin.stream);
    if (channel != sender->sent.end()) {
      channel->second.targets.erase(peer.key());
    }
    if (sender->held) {
      std::erase_if(sender->held->remaining, [&](const auto& target) { return target.first == peer.key(); });
    }
  }
}

void DataChannelRelay::dropSenderChannel(Peer& sender, uint16_t stream) {
  const auto it = sender.sent.find(stream);
  if (it == sender.sent.end()) {
    return;
  }
  const std::map<PeerKey, uint16_t> targetMap = std::move(it->second.targets);
  sender.sent.erase(it);
  if (sender.held && sender.held->stream == stream) {
    sender.held.reset();
    --heldCount_;
    sender.endpoint->setReadPaused(false);
  }
  for (const auto& [key, receiverStream] : targetMap) {
    forgetTarget(key, sender.key(), stream, receiverStream);
  }
}

void DataChannelRelay::forgetTarget(PeerKey receiverKey, PeerKey sender, uint16_t senderStream,
                                    uint16_t receiverStream) {
  Peer* receiver = find(receiverKey);
  if (receiver == nullptr) {
    return;
  }
  const auto it = receiver->relayed.find(receiverStream);
  if (it == receiver->relayed.end() || it->second.sender != sender || it->second.stream != senderStream) {
    return;
  }
  receiver->relayed.erase(it);
  receiver->endpoint->close(receiverStream);
}

const DataChannelRelay::PeerCounters* DataChannelRelay::counters(PeerKey key) const noexcept {
  const auto it = peers_.find(key);
  return it == peers_.end() ? nullptr : &it->second->counters;
}

const DataChannelEndpoint* DataChannelRelay::endpoint(PeerKey key) const noexcept {
  const auto it = peers_.find(key);
  return it == peers_.end() ? nullptr : it->second->endpoint.get();
}

size_t DataChannelRelay::heldBytes() const noexcept {
  size_t total = 0;
  for (const auto& [key, peer] : peers_) {
    if (peer->held) {
      total += peer->held->data.size();
    }
  }
  return total;
}

}  // namespace switchyard::media::sctp
