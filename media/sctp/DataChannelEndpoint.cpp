#include "media/sctp/DataChannelEndpoint.h"

#include <algorithm>
#include <array>

#include "media/sctp/DcepAck.h"
#include "media/sctp/DcepMessageType.h"
#include "media/sctp/DcepOpen.h"

namespace switchyard::media::sctp {

namespace {

SctpReliability sctpReliability(const DataChannelInfo& info) noexcept {
  switch (info.reliability) {
    case DcepReliability::kMaxRetransmits:
      return {SctpReliability::Kind::kMaxRetransmits, info.reliabilityParameter};
    case DcepReliability::kMaxPacketLifetime:
      return {SctpReliability::Kind::kMaxLifetimeMs, info.reliabilityParameter};
    case DcepReliability::kReliable:
      break;
  }
  return {};
}

}  // namespace

DataChannelEndpoint::DataChannelEndpoint(SctpLibrary& library, Listener& listener, bool dtlsClient,
                                         Config config)
    : listener_(listener),
      dtlsClient_(dtlsClient),
      config_(config),
      association_(library, *this, config.sctp),
      nextStream_(dtlsClient ? 0 : 1) {}

std::optional<uint16_t> DataChannelEndpoint::open(const DataChannelInfo& info) {
  if (!association_.connected() || channels_.size() >= config_.maxChannels) {
    return std::nullopt;
  }
  // The next free stream of our parity, wrapping within the streams the association offers.
  const uint16_t streams = config_.sctp.streams;
  std::optional<uint16_t> stream;
  for (uint32_t tries = 0; tries < streams / 2U + 1U; ++tries) {
    uint16_t candidate = nextStream_;
    nextStream_ = static_cast<uint16_t>(nextStream_ + 2U);
    if (nextStream_ >= streams) {
      nextStream_ = dtlsClient_ ? 0 : 1;
    }
    if (candidate < streams && !channels_.contains(candidate) &&
        std::find(pendingResets_.begin(), pendingResets_.end(), candidate) == pendingResets_.end()) {
      stream = candidate;
      break;
    }
  }
  if (!stream) {
    return std::nullopt;
  }
  DcepOpenParams params;
  params.reliability = info.reliability;
  params.ordered = info.ordered;
  params.reliabilityParameter = info.reliable() ? 0 : info.reliabilityParameter;
  params.priority = info.priority;
  params.label = info.label;
  params.protocol = info.protocol;
  const auto size = dcepOpenSize(params);
  if (!size) {
    return std::nullopt;
  }
  std::vector<uint8_t> message(*size);
  if (!writeDcepOpen(message, params)) {
    return std::nullopt;
  }
  Channel& channel = channels_[*stream];
  channel.info = info;
  if (association_.send(*stream, toWire(Ppid::kDcep), message) != SendResult::kOk) {
    channels_.erase(*stream);
    return std::nullopt;
  }
  ++counters_.channelsOpenedLocally;
  return stream;
}

DataChannelEndpoint::SendResult DataChannelEndpoint::send(uint16_t stream, DataKind kind,
                                                          std::span<const uint8_t> message) {
  const auto it = channels_.find(stream);
  if (it == channels_.end() || it->second.closing) {
    return SendResult::kClosed;
  }
  const Channel& channel = it->second;
  const OutgoingData out = outgoingData(kind, message);
  // RFC 8832 section 6: ordered until the peer acknowledged the open.
  const bool ordered = channel.info.ordered || !channel.acknowledged;
  return association_.send(stream, toWire(out.ppid), out.payload, ordered, sctpReliability(channel.info));
}

void DataChannelEndpoint::close(uint16_t stream) {
  const auto it = channels_.find(stream);
  if (it == channels_.end() || it->second.closing) {
    return;
  }
  it->second.closing = true;
  resetOutgoing(stream);
}

void DataChannelEndpoint::poll() {
  retryResets();
  association_.poll();
}

const DataChannelInfo* DataChannelEndpoint::channel(uint16_t stream) const noexcept {
  const auto it = channels_.find(stream);
  return it == channels_.end() ? nullptr : &it->second.info;
}

void DataChannelEndpoint::resetOutgoing(uint16_t stream) {
  if (std::find(pendingResets_.begin(), pendingResets_.end(), stream) != pendingResets_.end()) {
    return;
  }
  if (!pendingResets_.empty() || !association_.resetStream(stream)) {
    pendingResets_.push_back(stream);  // another reset is outstanding: retried from poll()
  }
}

void DataChannelEndpoint::retryResets() {
  while (!pendingResets_.empty() && association_.connected()) {
    if (!association_.resetStream(pendingResets_.front())) {
      return;
    }
    pendingResets_.erase(pendingResets_.begin());
  }
}

void DataChannelEndpoint::onSctpMessage(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) {
  if (isDcepPpid(ppid)) {
    handleDcep(stream, data);
    return;
  }
  const auto incoming = incomingData(ppid, data);
  if (!incoming) {
    ++counters_.malformedDcep;
    return;
  }
  const auto it = channels_.find(stream);
  if (it == channels_.end()) {
    ++counters_.messagesWithoutChannel;
    return;
  }
  // Data on a channel we opened implies the peer saw our OPEN (RFC 8832 section 6).
  it->second.acknowledged = true;
  ++counters_.messagesReceived;
  listener_.onChannelMessage(stream, incoming->kind, incoming->message);
}

void DataChannelEndpoint::handleDcep(uint16_t stream, std::span<const uint8_t> message) {
  const auto type = dcepMessageType(message);
  if (type == DcepMessageType::kAck) {
    const auto it = channels_.find(stream);
    if (DcepAck::parse(message) && it != channels_.end()) {
      it->second.acknowledged = true;
    } else {
      ++counters_.malformedDcep;
    }
    return;
  }
  const auto open = type == DcepMessageType::kOpen ? DcepOpen::parse(message) : std::nullopt;
  if (!open) {
    ++counters_.malformedDcep;
    return;
  }
  if (channels_.contains(stream) || channels_.size() >= config_.maxChannels) {
    // A stream already in use (or one channel too many): refuse by resetting it.
    ++counters_.channelsRefused;
    if (!channels_.contains(stream)) {
      resetOutgoing(stream);
    }
    return;
  }
  Channel& channel = channels_[stream];
  channel.info.label = std::string(open->label());
  channel.info.protocol = std::string(open->protocol());
  channel.info.reliability = open->reliability();
  channel.info.ordered = open->ordered();
  channel.info.reliabilityParameter = open->reliabilityParameter();
  channel.info.priority = open->priority();
  channel.acknowledged = true;
  std::array<uint8_t, kDcepAckSize> ack{};
  if (writeDcepAck(ack)) {
    association_.send(stream, toWire(Ppid::kDcep), ack);
  }
  ++counters_.channelsOpenedByPeer;
  const DataChannelInfo info = channel.info;  // the listener may close or reuse the stream
  listener_.onChannelOpened(stream, info);
}

void DataChannelEndpoint::onSctpStreamReset(uint16_t stream) {
  // The peer reset its outgoing side of `stream`: it closed the channel, or answered our close.
  const auto it = channels_.find(stream);
  if (it == channels_.end()) {
    return;
  }
  if (!it->second.closing) {
    resetOutgoing(stream);  // complete the close from our side (RFC 8831 section 6.7)
  }
  channels_.erase(it);
  retryResets();
  listener_.onChannelClosed(stream);
}

}  // namespace switchyard::media::sctp
