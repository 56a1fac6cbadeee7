#include "bench/LoadPeer.h"

#include "bench/JanusSdp.h"

#include <algorithm>

#include "media/rtcp/FirView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/BigEndian.h"

namespace switchyard::bench {

using nlohmann::json;
namespace transport = media::transport;

namespace {
constexpr uint64_t kAudioIntervalNs = 20'000'000;

// A publisher's phase within `period`: real publishers are not in step, so neither are the bench's
// (publishers that connect within the same pacer tick would otherwise send their frames at once,
// every frame). Fixed per peer index (splitmix64), so runs are repeatable.
uint64_t phaseNs(uint32_t index, uint64_t salt, uint64_t period) noexcept {
  uint64_t z = index + salt * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return period > 0 ? z % period : 0;
}
constexpr uint16_t kLayerWidth[3] = {320, 640, 1280};
constexpr uint16_t kLayerHeight[3] = {180, 360, 720};

// Stream ids in the stamps: the publisher's global index and what it is (0 audio, 1..3 video layer).
uint32_t streamIdOf(uint32_t publisher, uint32_t kind) {
  return (publisher << 4) | kind;
}
}  // namespace

LoadPeer::LoadPeer(PeerContext context, PeerRole role, uint32_t globalIndex, uint32_t roomNumber)
    : ctx_(std::move(context)),
      role_(role),
      index_(globalIndex),
      room_("bench-" + std::to_string(roomNumber)),
      roomNumber_(roomNumber) {}

LoadPeer::~LoadPeer() {
  data_.reset();
  if (ws_) ws_->detach();
}

void LoadPeer::start(std::function<void(bool ok)> done) {
  done_ = std::move(done);
  if (ctx_.kind == PeerTransportKind::kReflector) return startReflector();
  if (ctx_.kind == PeerTransportKind::kJanus) return startJanus();
  SignalingClient::Handlers handlers;
  handlers.connected = [this] {
    const char* kind = role_ == PeerRole::kPublisher    ? "pub"
                       : role_ == PeerRole::kSubscriber ? "sub"
                                                        : "idle";
    ws_->request({{"type", "join"}, {"room", room_}, {"name", std::string(kind) + std::to_string(index_)}},
                 [this](const json& reply) {
                   if (reply.value("type", "") != "joined") {
                     return finish(false, "join: " + reply.dump());
                   }
                   ctx_.counters.joined.fetch_add(1, std::memory_order_relaxed);
                   if (role_ == PeerRole::kPublisher) return publish();
                   if (role_ == PeerRole::kIdle) {
                     // A recvonly audio section with no subscription: the server answers it inactive
                     // but still sets up the transport, as for a browser that joined and waits.
                     sections_.push_back({"0", false, false, false, 0});
                     negotiating_ = true;
                     ws_->request({{"type", "offer"},
                                   {"sdp", browserOffer(ice_, ctx_.certificate.fingerprint(), sections_,
                                                        1000 + index_, ++offers_)}},
                                  [this](const json& answer) { onAnswer(answer, 0); });
                     return;
                   }
                   if (ctx_.scenario.dataChannels) sections_.push_back({"0", false, false, false, 0, true});
                   expectedTracks_ = static_cast<size_t>(ctx_.scenario.publishers) *
                                     ((ctx_.scenario.audio ? 1U : 0U) + (ctx_.scenario.video ? 1U : 0U));
                   for (const json& t : reply.value("tracks", json::array())) {
                     tracks_.push_back({t.value("trackId", ""), t.value("kind", "") == "video", ""});
                   }
                   subscribeMore();
                 });
  };
  handlers.event = [this](const json& event) { onEvent(event); };
  handlers.closed = [this](const std::string& why) {
    if (!stopping_) finish(false, "signaling " + why);
  };
  ws_ = std::make_shared<SignalingClient>(ctx_.io, std::move(handlers));
  ws_->connect(ctx_.signaling, "127.0.0.1", "/ws");
}

void LoadPeer::onEvent(const json& event) {
  const std::string type = event.value("type", "");
  if (type == "trackPublished" && role_ == PeerRole::kSubscriber) {
    const json& t = event.value("track", json::object());
    tracks_.push_back({t.value("trackId", ""), t.value("kind", "") == "video", ""});
    subscribeMore();
  } else if (type == "encodings" && role_ == PeerRole::kPublisher) {
    const json active = event.value("active", json::object());
    for (size_t i = 0; i < layers_.size() && i < 3; ++i) {
      const auto it = active.find(kSimulcastRids[i]);
      if (it == active.end() || !it->is_boolean()) continue;
      const bool on = it->get<bool>();
      if (on && !layers_[i].active) layers_[i].keyFrameWanted = true;
      layers_[i].active = on;
    }
  }
}

void LoadPeer::publish() {
  const json tracks = preparePublisher();
  negotiating_ = true;
  ctx_.counters.negotiating.fetch_add(1, std::memory_order_relaxed);
  ws_->request(
      {{"type", "offer"},
       {"sdp", browserOffer(ice_, ctx_.certificate.fingerprint(), sections_, 1000 + index_, ++offers_)},
       {"tracks", tracks}},
      [this](const json& reply) { onAnswer(reply, sections_.size()); });
}

json LoadPeer::preparePublisher() {
  std::mt19937 random(index_ * 7919U + 17U);
  const LoadScenario& s = ctx_.scenario;
  json tracks = json::object();
  if (s.audio) {
    audioSsrc_ = static_cast<uint32_t>(random()) | 1U;
    sections_.push_back({std::to_string(sections_.size()), false, true, false, audioSsrc_});
    audioMid_ = sections_.back().mid;
    tracks[sections_.back().mid] = {{"source", "microphone"}};
  }
  if (s.video) {
    const std::vector<uint32_t> kbps = s.layerKbps();
    for (size_t i = 0; i < kbps.size(); ++i) {
      VideoLayer layer;
      layer.ssrc = static_cast<uint32_t>(random()) | 2U;
      layer.source.emplace(kbps[i], s.fps, s.packetBytes);
      const size_t size = s.simulcast ? i : 2;
      layer.width = kLayerWidth[size];
      layer.height = kLayerHeight[size];
      layer.seq = static_cast<uint16_t>(random());
      layers_.push_back(std::move(layer));
    }
    sections_.push_back({std::to_string(sections_.size()), true, true, s.simulcast, layers_.front().ssrc});
    videoMid_ = sections_.back().mid;
    tracks[sections_.back().mid] = {{"source", "camera"}};
  }
  if (s.dataChannels) sections_.push_back({std::to_string(sections_.size()), false, false, false, 0, true});
  audioSeq_ = static_cast<uint16_t>(random());
  return tracks;
}

void LoadPeer::subscribeMore() {
  if (negotiating_ || stopping_) return;
  bool added = false;
  for (RemoteTrack& t : tracks_) {
    if (!t.mid.empty()) continue;
    t.mid = std::to_string(sections_.size());
    sections_.push_back({t.mid, t.video, false, false, 0});
    added = true;
  }
  if (!added) return;
  json subscriptions = json::object();
  for (const RemoteTrack& t : tracks_)
    subscriptions[t.mid] = t.trackId;
  negotiating_ = true;
  ctx_.counters.negotiating.fetch_add(1, std::memory_order_relaxed);
  ws_->request(
      {{"type", "offer"},
       {"sdp", browserOffer(ice_, ctx_.certificate.fingerprint(), sections_, 1000 + index_, ++offers_)},
       {"subscriptions", subscriptions}},
      [this, count = sections_.size()](const json& reply) { onAnswer(reply, count); });
}

void LoadPeer::onAnswer(const json& reply, size_t sectionsOffered) {
  negotiating_ = false;
  if (role_ != PeerRole::kIdle) ctx_.counters.negotiating.fetch_sub(1, std::memory_order_relaxed);
  if (stopping_) return;
  if (reply.value("type", "") != "answer") return finish(false, "offer: " + reply.dump());
  const std::string sdp = reply.value("sdp", "");
  if (!transport_) connectTransport(sdp);
  if (finished_ && !ready_) return;
  if (role_ == PeerRole::kSubscriber) {
    const size_t before = answeredTracks_;
    answeredTracks_ = 0;
    for (const RemoteTrack& t : tracks_)
      if (!t.mid.empty() && std::stoul(t.mid) < sectionsOffered) ++answeredTracks_;
    answeredTracks_ -= std::min(answeredTracks_, reply.value("rejected", json::array()).size());
    if (ctx_.scenario.layer != "high") {
      for (size_t i = before; i < tracks_.size(); ++i) {
        if (tracks_[i].video && !tracks_[i].mid.empty() && std::stoul(tracks_[i].mid) < sectionsOffered) {
          ws_->request(
              {{"type", "setLayer"}, {"trackId", tracks_[i].trackId}, {"layer", ctx_.scenario.layer}},
              [](const json&) {});
        }
      }
    }
    if (answeredTracks_ >= expectedTracks_ && transport_ &&
        transport_->state() == transport::TransportState::kConnected)
      markReady();
    subscribeMore();
  }
}

void LoadPeer::connectTransport(const std::string& answerSdp) {
  std::string error;
  auto params =
      clientParamsFrom(answerSdp, false, ice_, *media::util::SocketAddress::parse("127.0.0.1", 0), error);
  if (!params) return finish(false, error);
  startTransport(std::move(*params));
}

void LoadPeer::startTransport(transport::ClientTransport::Params params) {
  params.tickInterval = std::chrono::milliseconds(20);
  params.kernelTimestamps = true;  // latency up to the subscriber's socket, not its thread's queue
  transport::TransportEvents& events = *this;
  transport_ =
      std::make_unique<transport::ClientTransport>(ctx_.io, ctx_.dtls, index_, std::move(params), events);
  try {
    transport_->start();
  } catch (const std::exception& e) {
    finish(false, std::string("transport: ") + e.what());
  }
}

void LoadPeer::startReflector() {
  try {
    media::net::UdpSocket::Options options;
    options.sendQueueSlots = 256;
    options.kernelTimestamps = true;
    media::net::UdpSocket::Listener& listener = *this;
    raw_ = std::make_unique<media::net::UdpSocket>(
        ctx_.io, *media::util::SocketAddress::parse("127.0.0.1", 0), listener, options);
    raw_->start();
  } catch (const std::exception& e) {
    return finish(false, std::string("socket: ") + e.what());
  }
  if (role_ == PeerRole::kPublisher) {
    std::mt19937 random(index_ * 7919U + 17U);
    audioSsrc_ = static_cast<uint32_t>(random()) | 1U;
    for (const uint32_t kbps : ctx_.scenario.layerKbps()) {
      VideoLayer layer;
      layer.ssrc = static_cast<uint32_t>(random()) | 2U;
      layer.source.emplace(kbps, ctx_.scenario.fps, ctx_.scenario.packetBytes);
      layers_.push_back(std::move(layer));
    }
    sections_.push_back({"0", false, true, false, audioSsrc_});
    sections_.push_back({"1", true, true, false, 0});
    audioMid_ = "0";
    videoMid_ = "1";
    const uint64_t now = monotonicNs();
    nextFrameNs_ = now;
    nextAudioNs_ = now;
    nextKeyFrameNs_ = now;
  } else if (role_ == PeerRole::kSubscriber) {
    std::array<uint8_t, 8> join{};
    media::util::write32(join.data(), kReflectorJoinMagic);
    media::util::write32(join.data() + 4, roomNumber_);
    for (int i = 0; i < 3; ++i)
      raw_->send(join, ctx_.reflector);
    raw_->flush();
  }
  ctx_.counters.joined.fetch_add(1, std::memory_order_relaxed);
  ctx_.counters.connected.fetch_add(1, std::memory_order_relaxed);
  markReady();
}

void LoadPeer::startJanus() {
  JanusShared& shared = *ctx_.janus;
  JanusSignaling::Options options;
  options.host = shared.serverAddress;
  janusSignaling_ = JanusSignaling::create(ctx_.io, options, [this](const std::string& error) {
    if (!stopping_) finish(false, "janus: " + error);
  });
  // Janus refuses subscriptions to a feed before its "webrtcup" (videoroom error 428), so a Janus
  // publisher is ready only once Janus says its PeerConnection is up (and our transport connected).
  janusSignaling_->setEventCallback([this](const json& event) {
    if (event.value("janus", "") != "webrtcup") return;
    janusUp_ = true;
    if (role_ == PeerRole::kPublisher && transport_ &&
        transport_->state() == transport::TransportState::kConnected)
      markReady();
  });
  janusSignaling_->connect([this, &shared] {
    ctx_.counters.joined.fetch_add(1, std::memory_order_relaxed);
    const uint64_t room = shared.roomIds.at(roomNumber_);
    if (role_ == PeerRole::kIdle) return markReady();  // a session and a handle, no media
    if (role_ == PeerRole::kPublisher) {
      janusSignaling_->joinAsPublisher(room, "pub" + std::to_string(index_), [this, &shared](uint64_t feed) {
        {
          std::lock_guard lock(shared.mutex);
          shared.feeds.at(roomNumber_).push_back(feed);
        }
        (void)preparePublisher();
        janusSignaling_->publish(
            browserOffer(ice_, ctx_.certificate.fingerprint(), sections_, 1000 + index_, ++offers_),
            [this](const std::string& answer) { connectJanus(answer, false); });
      });
      return;
    }
    uint64_t feed = 0;
    {
      std::lock_guard lock(shared.mutex);
      if (shared.feeds.at(roomNumber_).empty()) return finish(false, "janus: no publisher in the room yet");
      feed = shared.feeds[roomNumber_].front();
    }
    janusSignaling_->joinAsSubscriber(room, feed, [this](const std::string& offer) {
      std::string answer;
      try {
        answer = answerJanusOffer(offer, JanusAnswerParams{ice_, ctx_.certificate.fingerprint(), {}});
      } catch (const std::exception& e) {
        return finish(false, std::string("janus offer: ") + e.what());
      }
      connectJanus(offer, true);
      if (finished_ && !ready_) return;
      janusSignaling_->start(answer, [] {});
    });
  });
}

void LoadPeer::connectJanus(const std::string& janusSdp, bool janusOffered) {
  const auto bind = media::util::SocketAddress::parse(ctx_.janus->clientAddress, 0);
  if (!bind) return finish(false, "janus: bad client address " + ctx_.janus->clientAddress);
  std::string error;
  auto params = clientParamsFrom(janusSdp, janusOffered, ice_, *bind, error);
  if (!params) return finish(false, "janus " + error);
  startTransport(std::move(*params));
}

void LoadPeer::onDatagram(std::span<uint8_t> data, const media::util::SocketAddress&) noexcept {
  if (role_ != PeerRole::kSubscriber || data.size() < 4 + 12 + kReflectorTagBytes) return;
  const auto packet = media::rtp::RtpPacket::parse(data.subspan(4, data.size() - 4 - kReflectorTagBytes));
  if (!packet) return;
  received(packet->payload(), data.size() - 4);
}

void LoadPeer::onTransportConnected(transport::TransportId) {
  ctx_.counters.connected.fetch_add(1, std::memory_order_relaxed);
  if (ctx_.scenario.dataChannels && ctx_.sctp && role_ != PeerRole::kIdle) {
    media::sctp::DataChannelEndpoint::Listener& listener = *this;
    try {
      data_ = std::make_unique<media::sctp::DataChannelEndpoint>(
          *ctx_.sctp, listener, transport_->dtlsRole() == media::dtls::DtlsRole::kClient);
      if (!data_->start()) return finish(false, "data channels: the SCTP association did not start");
    } catch (const std::exception& e) {
      return finish(false, std::string("data channels: ") + e.what());
    }
  }
  const uint64_t now = monotonicNs();
  if (role_ == PeerRole::kPublisher) {
    nextFrameNs_ = now + phaseNs(index_, 1, 1'000'000'000ULL / std::max(1U, ctx_.scenario.fps));
    nextAudioNs_ = now + phaseNs(index_, 2, kAudioIntervalNs);
    nextKeyFrameNs_ = now;
    if (ctx_.kind != PeerTransportKind::kJanus || janusUp_) markReady();
  } else if (role_ == PeerRole::kIdle) {
    markReady();
  } else if (answeredTracks_ >= expectedTracks_) {
    markReady();
  }
}

void LoadPeer::markReady() {
  if (ready_) return;
  ready_ = true;
  ctx_.counters.ready.fetch_add(1, std::memory_order_relaxed);
  finish(true);
}

void LoadPeer::finish(bool ok, const std::string& why) {
  if (!ok) {
    if (!failed_) {
      failed_ = true;
      ctx_.counters.failed.fetch_add(1, std::memory_order_relaxed);
      if (ctx_.onError) ctx_.onError("peer " + std::to_string(index_) + " (" + room_ + "): " + why);
    }
  }
  if (finished_) return;
  finished_ = true;
  if (done_) {
    auto done = std::move(done_);
    done_ = nullptr;
    done(ok);
  }
}

void LoadPeer::stop() {
  stopping_ = true;
  if (data_) data_->abort();
  if (raw_) raw_->stop();
  if (janusSignaling_) janusSignaling_->close([] {});
  if (transport_) transport_->close();
  if (ws_) ws_->close();
}

std::pair<double, size_t> LoadPeer::jitter() const noexcept {
  double sum = 0;
  for (const StreamTracker& t : streams_)
    sum += t.jitterMs();
  return {streams_.empty() ? 0.0 : sum / static_cast<double>(streams_.size()), streams_.size()};
}

void LoadPeer::pace(uint64_t nowNs) noexcept {
  if (role_ != PeerRole::kPublisher || !ready_ || stopping_ || (!transport_ && !raw_)) return;
  const LoadScenario& s = ctx_.scenario;
  if (s.audio) {
    if (nowNs > nextAudioNs_ + 10 * kAudioIntervalNs) nextAudioNs_ = nowNs;  // stalled: do not burst
    while (nowNs >= nextAudioNs_) {
      sendAudio(nowNs);
      nextAudioNs_ += kAudioIntervalNs;
    }
  }
  if (dataStream_ && nowNs >= nextDataNs_) {
    const uint64_t intervalNs = 1'000'000'000ULL / s.dataMessagesPerSecond;
    if (nowNs > nextDataNs_ + 10 * intervalNs) nextDataNs_ = nowNs;
    while (nowNs >= nextDataNs_) {
      sendDataMessage(nowNs);
      nextDataNs_ += intervalNs;
    }
  }
  if (s.video && nowNs >= nextFrameNs_) {
    const uint64_t frameNs = 1'000'000'000ULL / s.fps;
    if (nowNs > nextFrameNs_ + 10 * frameNs) nextFrameNs_ = nowNs;
    bool periodic = false;
    if (s.keyframeIntervalMs > 0 && nowNs >= nextKeyFrameNs_) {
      periodic = true;
      nextKeyFrameNs_ = nowNs + static_cast<uint64_t>(s.keyframeIntervalMs) * 1'000'000ULL;
    }
    for (size_t i = 0; i < layers_.size(); ++i) {
      VideoLayer& layer = layers_[i];
      if (!layer.active) continue;
      const bool key = periodic || layer.keyFrameWanted;
      layer.keyFrameWanted = false;
      sendVideoFrame(layer, i, nowNs, key);
    }
    ++frameIndex_;
    nextFrameNs_ += frameNs;
  }
}

uint64_t LoadPeer::nextDueNs() const noexcept {
  if (role_ != PeerRole::kPublisher || !ready_ || stopping_ || (!transport_ && !raw_)) return UINT64_MAX;
  const LoadScenario& s = ctx_.scenario;
  uint64_t next = UINT64_MAX;
  if (s.audio) next = std::min(next, nextAudioNs_);
  if (dataStream_) next = std::min(next, nextDataNs_);
  if (s.video) next = std::min(next, nextFrameNs_);
  return next;
}

void LoadPeer::sendVideoFrame(VideoLayer& layer, size_t index, uint64_t nowNs, bool keyFrame) noexcept {
  const VideoFrameSource& source = *layer.source;
  const uint32_t frameBytes = source.frameBytes(keyFrame);
  const uint32_t packets = source.packetsFor(frameBytes);
  const uint32_t timestamp = frameIndex_ * (90000 / source.fps());
  const uint32_t streamId = streamIdOf(index_, static_cast<uint32_t>(index + 1));
  if (keyFrame) ctx_.counters.keyframes.fetch_add(1, std::memory_order_relaxed);
  uint32_t left = frameBytes;
  for (uint32_t p = 0; p < packets; ++p) {
    const uint32_t bytes = std::min(left, source.packetBytes());
    left -= bytes;
    const PayloadStamp stamp{streamId, layer.stampSeq++, monotonicNs()};
    const size_t size = VideoFrameSource::writeVp8Payload(payload_, bytes, p == 0, keyFrame && p == 0,
                                                          layer.pictureId, layer.width, layer.height, stamp);
    const char* rid = ctx_.scenario.simulcast ? kSimulcastRids[index] : nullptr;
    sendRtp(layer.ssrc, sdpid::kVp8, layer.seq++, timestamp, p + 1 == packets,
            std::span<const uint8_t>(payload_.data(), size), rid, false);
  }
  (void)nowNs;
  layer.pictureId = static_cast<uint16_t>((layer.pictureId + 1) & 0x7fff);
}

void LoadPeer::sendAudio(uint64_t nowNs) noexcept {
  (void)nowNs;
  const PayloadStamp stamp{streamIdOf(index_, 0), audioStampSeq_++, monotonicNs()};
  const size_t size = writeAudioPayload(payload_, ctx_.scenario.audioBytes, stamp);
  sendRtp(audioSsrc_, sdpid::kOpus, audioSeq_++, audioStampSeq_ * 960U, false,
          std::span<const uint8_t>(payload_.data(), size), nullptr, true);
}

void LoadPeer::sendRtp(uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t timestamp, bool marker,
                       std::span<const uint8_t> payload, const char* rid, bool audio) noexcept {
  const std::string& mid = audio ? audioMid_ : videoMid_;
  const auto* midBytes = reinterpret_cast<const uint8_t*>(mid.data());
  const uint8_t level = 0x7f;  // RFC 6464: silence (no active-speaker churn in the load)
  const std::array<uint8_t, 2> twcc{static_cast<uint8_t>(transportSeq_ >> 8),
                                    static_cast<uint8_t>(transportSeq_)};
  media::rtp::RtpPacketBuilder builder;
  builder.setPayloadType(pt).setSequenceNumber(seq).setTimestamp(timestamp).setSsrc(ssrc).setMarker(marker);
  builder.addExtension(sdpid::kMid, std::span<const uint8_t>(midBytes, mid.size()));
  if (audio) {
    builder.addExtension(sdpid::kAudioLevel, std::span<const uint8_t>(&level, 1));
  } else {
    builder.addExtension(sdpid::kTransportCc, twcc);
    ++transportSeq_;
    if (rid)
      builder.addExtension(sdpid::kRid, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(rid), 1));
  }
  builder.setPayload(payload);
  if (raw_) {
    media::util::write32(packet_.data(), roomNumber_);
    const auto size = builder.build(std::span<uint8_t>(packet_).subspan(4));
    if (!size) return;
    std::fill_n(packet_.begin() + 4 + static_cast<std::ptrdiff_t>(*size), kReflectorTagBytes, uint8_t{0});
    const size_t total = 4 + *size + kReflectorTagBytes;
    if (raw_->send(std::span<const uint8_t>(packet_.data(), total), ctx_.reflector)) {
      ctx_.meter.sentPackets.add();
      ctx_.meter.sentBytes.add(total - 4);
    }
    raw_->flush();
    return;
  }
  const auto size = builder.build(packet_);
  if (!size) return;
  if (transport_->sendRtp(packet_, *size)) {
    ctx_.meter.sentPackets.add();
    ctx_.meter.sentBytes.add(*size);
  }
}

void LoadPeer::sendDataMessage(uint64_t) noexcept {
  const size_t bytes = std::min<size_t>(ctx_.scenario.dataMessageBytes, dataBuffer_.size());
  std::fill_n(dataBuffer_.begin(), bytes, uint8_t{0x2a});
  writeStamp(std::span<uint8_t>(dataBuffer_.data(), bytes),
             {(index_ << 4) | 0x0fU, dataStampSeq_, monotonicNs()});
  const auto result = data_->send(*dataStream_, media::sctp::DataKind::kBinary,
                                  std::span<const uint8_t>(dataBuffer_.data(), bytes));
  if (result == media::sctp::DataChannelEndpoint::SendResult::kOk) {
    ++dataStampSeq_;
    ctx_.dataMeter->sentPackets.add();
    ctx_.dataMeter->sentBytes.add(bytes);
  }
}

void LoadPeer::onTransportApplicationData(transport::TransportId, std::span<const uint8_t> data) noexcept {
  if (data_) data_->receive(data);
}

void LoadPeer::onDataSend(std::span<const uint8_t> packet) {
  if (transport_) transport_->sendApplicationData(packet);
}

void LoadPeer::onDataConnected() {
  if (role_ != PeerRole::kPublisher) return;
  media::sctp::DataChannelInfo info;
  info.label = "bench";
  dataBuffer_.resize(ctx_.scenario.dataMessageBytes);
  dataStream_ = data_->open(info);
  nextDataNs_ = monotonicNs();
  if (!dataStream_) finish(false, "data channels: could not open the channel");
}

void LoadPeer::onChannelOpened(uint16_t, const media::sctp::DataChannelInfo&) {}

void LoadPeer::onChannelMessage(uint16_t, media::sctp::DataKind, std::span<const uint8_t> message) {
  if (role_ != PeerRole::kSubscriber || !ctx_.dataMeter) return;
  const auto stamp = readStamp(message);
  if (!stamp) return;
  const uint64_t kernel = transport_ ? transport_->receiveTimeNs() : 0;  // the datagram that completed it
  const uint64_t now = kernel != 0 ? kernel : monotonicNs();
  for (StreamTracker& t : dataStreams_) {
    if (t.streamId() == stamp->streamId) return t.onPacket(*stamp, now, message.size(), *ctx_.dataMeter);
  }
  if (dataStreams_.size() >= 64) return;
  dataStreams_.emplace_back().reset(stamp->streamId);
  dataStreams_.back().onPacket(*stamp, now, message.size(), *ctx_.dataMeter);
}

void LoadPeer::onChannelClosed(uint16_t) {}

void LoadPeer::onDataClosed(media::sctp::DataChannelEndpoint::CloseReason) {
  dataStream_.reset();
}

void LoadPeer::onTransportRtp(transport::TransportId, media::rtp::RtpPacket& packet) noexcept {
  if (role_ != PeerRole::kSubscriber) return;
  received(packet.payload(), packet.size());
}

void LoadPeer::received(std::span<const uint8_t> payload, size_t packetBytes) noexcept {
  const auto stamp = readStamp(payload);
  if (!stamp) return;
  // When the datagram reached the subscriber's socket (kernel timestamp), else now.
  const uint64_t kernel = transport_ ? transport_->receiveTimeNs() : raw_ ? raw_->receiveTimeNs() : 0;
  const uint64_t now = kernel != 0 ? kernel : monotonicNs();
  for (StreamTracker& t : streams_) {
    if (t.streamId() == stamp->streamId) return t.onPacket(*stamp, now, packetBytes, ctx_.meter);
  }
  if (streams_.size() >= 64) return;
  streams_.emplace_back().reset(stamp->streamId);
  streams_.back().onPacket(*stamp, now, packetBytes, ctx_.meter);
}

void LoadPeer::onTransportRtcp(transport::TransportId, std::span<uint8_t> compound) noexcept {
  if (role_ != PeerRole::kPublisher) return;
  for (auto it = media::rtcp::RtcpCompound(compound).begin(); it != std::default_sentinel; ++it) {
    const media::rtcp::RtcpPacket p = *it;
    if (const auto pli = media::rtcp::PliView::parse(p)) {
      ctx_.counters.keyframeRequests.fetch_add(1, std::memory_order_relaxed);
      for (VideoLayer& layer : layers_)
        if (layer.ssrc == pli->mediaSsrc()) layer.keyFrameWanted = true;
    } else if (media::rtcp::FirView::parse(p)) {
      ctx_.counters.keyframeRequests.fetch_add(1, std::memory_order_relaxed);
      for (VideoLayer& layer : layers_)
        layer.keyFrameWanted = true;
    }
  }
}

void LoadPeer::onTransportClosed(transport::TransportId, transport::TransportCloseReason reason,
                                 std::string_view detail) {
  if (stopping_) return;
  finish(false, "transport closed: " + std::string(toString(reason)) + " " + std::string(detail));
}

}  // namespace switchyard::bench
