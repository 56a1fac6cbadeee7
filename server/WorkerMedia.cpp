#include "server/WorkerMedia.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <boost/asio/post.hpp>

#include "config/Log.h"

namespace switchyard::server {

using namespace media;

namespace {

// The worker is the only writer: a relaxed load and store, no locked read-modify-write per packet.
void bump(std::atomic<uint64_t>& counter) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

util::SocketAddress address(const std::string& ip, uint32_t basePort, unsigned index) {
  const auto parsed =
      util::SocketAddress::parse(ip, basePort == 0 ? 0 : static_cast<uint16_t>(basePort + index));
  if (!parsed) throw std::runtime_error("'" + ip + "' is not an IP address");
  return *parsed;
}

}  // namespace

WorkerMedia::WorkerMedia(boost::asio::io_context& io, unsigned index, const config::Config& config,
                         const dtls::DtlsCertificate& certificate, WorkerHandoff* handoff,
                         ForwardLatency* latency)
    : index_(index),
      dtls_(certificate),
      timer_(io),
      tickSlice_(config.workers.tickSliceUs),
      handoff_(handoff),
      latency_(latency) {
  routerOptions_.keyframeRequestInterval = std::chrono::milliseconds(config.rtc.keyframeRequestIntervalMs);
  routerOptions_.retransmissionBufferPackets = config.rtc.retransmissionBufferPackets;
  routerOptions_.bandwidthEstimation = config.rtc.bandwidthEstimation;
  routerOptions_.estimator.initialBps = config.rtc.bweInitialKbps * 1000;
  routerOptions_.estimator.minBps = config.rtc.bweMinKbps * 1000;
  routerOptions_.estimator.maxBps = config.rtc.bweMaxKbps * 1000;
  routerOptions_.layerOffDelay = std::chrono::milliseconds(config.rtc.simulcastLayerOffDelayMs);
  if (config.sctp.dataChannels) {
    sctp_.emplace();
    dataChannelConfig_.sctp.maxReceiveMessageSize = config.sctp.maxMessageSize;
    dataChannelConfig_.sctp.maxSendMessageSize = config.sctp.maxMessageSize;
    dataChannelConfig_.sctp.sendBufferSize = config.sctp.maxBufferedBytesPerPeer;
    dataChannelConfig_.sctp.receiveBufferSize = config.sctp.receiveBufferBytes;
    dataChannelConfig_.sctp.mtu = config.rtc.dtlsMtu - sctp::kDtlsRecordOverhead;
    dataChannelConfig_.maxChannels = config.sctp.maxChannelsPerPeer;
  }
  transport::TransportHost::Options options;
  for (const std::string& ip : config.rtc.listenAddresses) {
    options.udpBind.push_back(address(ip, config.rtc.udpPort, index));
    if (config.rtc.iceTcp) options.tcpBind.push_back(address(ip, config.rtc.tcpPort, index));
  }
  for (const std::string& ip : config.rtc.announcedAddresses)
    options.announced.push_back(address(ip, 0, 0));
  options.consentTimeout = std::chrono::milliseconds(config.rtc.consentTimeoutMs);
  options.mtu = config.rtc.dtlsMtu;
  options.udpGso = config.rtc.udpGso;
  options.udpFlushDatagrams = config.rtc.udpFlushDatagrams;
  options.replayWindow = config.rtc.srtpReplayWindow;
  options.kernelTimestamps = latency_ != nullptr;
  TransportEvents& events = *this;
  host_ = std::make_unique<transport::TransportHost>(io, dtls_, options, events);
  host_->start();
  auto join = [](const std::vector<util::SocketAddress>& addresses) {
    std::string text;
    for (const auto& a : addresses) {
      if (!text.empty()) text.push_back(',');
      text.append(a.toString());
    }
    return text;
  };
  if (handoff_ != nullptr) {
    const int fd = ::dup(handoff_->wakeFd(index_));
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "dup eventfd");
    wake_.emplace(io, fd);
    armWake();
  }
  const std::string udp = join(host_->udpAddresses());
  const std::string tcp = join(host_->tcpAddresses());
  config::logEvent(*config::logger("media"), spdlog::level::info, "worker media listening", "worker", index,
                   "udp", udp, "tcp", tcp.empty() ? std::string("off") : tcp);
}

WorkerMedia::~WorkerMedia() {
  closedHandler_ = nullptr;  // shutting down: nobody to tell
  speakerHandler_ = nullptr;
  layersHandler_ = nullptr;
  keyframeHandler_ = nullptr;
  timer_.cancel();
  wake_.reset();
  transportRelays_.clear();
  relays_.clear();  // aborts the associations while their transports can still carry the ABORT
  for (size_t i = 0; i < host_->udpAddresses().size(); ++i) {
    const net::UdpSocket::Counters& c = host_->udpCounters(i);
    config::logEvent(*config::logger("media"), spdlog::level::info, "udp socket totals", "worker", index_,
                     "socket", i, "received", c.received, "sent", c.sent, "send_calls", c.sendCalls,
                     "gso_messages", c.gsoMessages, "gso_datagrams", c.gsoDatagrams, "gso_refused",
                     c.gsoRefused, "dropped", c.dropped, "send_errors", c.sendErrors, "truncated",
                     c.truncated);
  }
  host_->stop();
  transportRouters_.clear();
  transportRooms_.clear();
  routers_.clear();
}

transport::TransportHost::LocalParams WorkerMedia::createTransport(
    RoomKey room, const transport::TransportHost::RemoteParams& remote) {
  forward::Router& router = routerFor(room);
  transport::TransportHost::LocalParams local = host_->createTransport(remote);
  transportRooms_[local.id] = room;
  transportRouters_[local.id] = &router;
  return local;
}

forward::Router& WorkerMedia::routerFor(RoomKey room) {
  auto& slot = routers_[room];
  if (!slot) {
    forward::Router::Output& output = *this;
    slot = std::make_unique<forward::Router>(output, routerOptions_, room);
    if (routers_.size() == 1) armTick();
  }
  return *slot;
}

media::sctp::DataChannelRelay& WorkerMedia::relayFor(RoomKey room) {
  auto& slot = relays_[room];
  if (!slot) {
    sctp::DataChannelRelay::Output& output = *this;
    slot = std::make_unique<sctp::DataChannelRelay>(*sctp_, output, dataChannelConfig_);
  }
  return *slot;
}

void WorkerMedia::leaveRelay(transport::TransportId id) noexcept {
  const auto it = transportRelays_.find(id);
  if (it == transportRelays_.end()) return;
  if (const auto* counters = it->second->counters(id)) {
    config::logEvent(*config::logger("media"), spdlog::level::info, "data channels closed", "worker", index_,
                     "transport", id, "messages_in", counters->messagesIn, "messages_out",
                     counters->messagesOut, "bytes_out", counters->bytesOut, "dropped_unreliable",
                     counters->droppedUnreliable, "dropped_other", counters->droppedOther,
                     "dropped_receive_only", counters->droppedReceiveOnly, "read_pauses",
                     counters->readPauses);
  }
  it->second->removePeer(id);
  transportRelays_.erase(it);
}

const sctp::DataChannelRelay* WorkerMedia::relay(RoomKey room) const noexcept {
  const auto it = relays_.find(room);
  return it == relays_.end() ? nullptr : it->second.get();
}

void WorkerMedia::apply(const RoomMediaUpdate& update) {
  forward::Router& router = routerFor(update.room);
  if (update.addDataChannel && sctp_ && !transportRelays_.contains(update.addDataChannel->transport)) {
    const auto& spec = *update.addDataChannel;
    transport::WebRtcTransport* t = host_->find(spec.transport);
    if (t != nullptr) {
      sctp::DataChannelRelay& relay = relayFor(update.room);
      sctp::DataChannelRelay::PeerParams params;
      params.peerId = spec.peerId;
      params.dtlsClient = t->dtlsRole() == dtls::DtlsRole::kClient;
      params.remotePort = spec.remotePort;
      params.remoteMaxMessageSize = spec.remoteMaxMessageSize == 0
                                        ? dataChannelConfig_.sctp.maxSendMessageSize
                                        : spec.remoteMaxMessageSize;
      try {
        relay.addPeer(spec.transport, params);
        transportRelays_[spec.transport] = &relay;
        if (t->state() == transport::TransportState::kConnected) relay.start(spec.transport);
      } catch (const std::exception& e) {
        config::logEvent(*config::logger("media"), spdlog::level::err, "data channels unavailable", "worker",
                         index_, "transport", spec.transport, "error", e.what());
      }
    }
  }
  for (uint32_t id : update.removeConsumers)
    router.removeConsumer(id);
  for (uint32_t id : update.removeProducers)
    router.removeProducer(id);
  for (const uint16_t worker : update.removeHandoffWorkers)
    router.removeHandoffs(worker);
  for (const forward::ProducerSpec& spec : update.addProducers)
    router.addProducer(spec);
  for (const auto& [producer, worker] : update.addHandoffs) {
    if (handoff_ == nullptr) break;
    handoff_->ensureLane(index_, worker);
    router.addHandoff(producer, worker);
  }
  const auto now = transport::Clock::now();
  for (const forward::ConsumerSpec& spec : update.addConsumers) {
    const transport::WebRtcTransport* subscriber = host_->find(spec.transport);
    router.addConsumer(spec, now,
                       subscriber != nullptr && subscriber->state() == transport::TransportState::kConnected);
  }
  host_->flush();  // keyframe requests of new consumers
}

void WorkerMedia::logEstimate(const forward::Router& router, transport::TransportId id) noexcept {
  if (const std::optional<uint32_t> estimate = router.subscriberEstimate(id)) {
    config::logEvent(*config::logger("media"), spdlog::level::info, "subscriber bandwidth", "worker", index_,
                     "transport", id, "estimate_kbps", *estimate / 1000);
  }
}

void WorkerMedia::closeTransport(transport::TransportId id) noexcept {
  leaveRelay(id);
  const auto it = transportRouters_.find(id);
  if (it != transportRouters_.end()) {
    logEstimate(*it->second, id);
    it->second->removeTransport(id);
    transportRouters_.erase(it);
  }
  transportRooms_.erase(id);
  host_->closeTransport(id);
}

void WorkerMedia::removeRoom(RoomKey room) noexcept {
  const auto it = routers_.find(room);
  if (it == routers_.end()) return;
  const forward::Router::Counters& c = it->second->counters();
  config::logEvent(
      *config::logger("media"), spdlog::level::info, "room media closed", "worker", index_, "room", room,
      "rtp_received", c.rtpReceived, "rtp_forwarded", c.rtpForwarded, "nacks_sent", c.nacksSent,
      "rtx_repaired", c.rtxRepaired, "retransmissions_requested", c.retransmissionsRequested,
      "retransmissions_sent", c.retransmissionsSent, "retransmissions_missed", c.retransmissionsMissed,
      "keyframe_requests_sent", c.keyframeRequestsSent, "receiver_reports_sent", c.receiverReportsSent,
      "sender_reports_sent", c.senderReportsSent, "speaker_changes", c.speakerChanges, "layer_switches",
      c.layerSwitches, "transport_feedback_received", c.transportFeedbackReceived, "probes", c.probes,
      "padding_sent", c.paddingSent, "layer_reports", c.layerReports, "send_failed", c.sendFailed,
      "rtp_handed_off", c.rtpHandedOff, "rtp_mirrored", c.rtpMirrored, "rtp_mirror_dropped",
      c.rtpMirrorDropped, "keyframe_requests_forwarded", c.keyframeRequestsForwarded);
  for (auto t = transportRooms_.begin(); t != transportRooms_.end();) {
    if (t->second == room) {
      leaveRelay(t->first);
      transportRouters_.erase(t->first);
      host_->closeTransport(t->first);
      t = transportRooms_.erase(t);
    } else {
      ++t;
    }
  }
  relays_.erase(room);
  routers_.erase(it);
}

void WorkerMedia::setConsumerLayer(RoomKey room, uint32_t consumer, int layer) noexcept {
  const auto it = routers_.find(room);
  if (it == routers_.end()) return;
  it->second->setConsumerLayer(consumer, layer, transport::Clock::now());
  host_->flush();  // the keyframe request
}

void WorkerMedia::setConsumerTemporalLayer(RoomKey room, uint32_t consumer, int temporalLayer) noexcept {
  const auto it = routers_.find(room);
  if (it != routers_.end()) it->second->setConsumerTemporalLayer(consumer, temporalLayer);
}

const forward::Router* WorkerMedia::router(RoomKey room) const noexcept {
  const auto it = routers_.find(room);
  return it == routers_.end() ? nullptr : it->second.get();
}

void WorkerMedia::armTick() {
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait(media::net::withMemory(timerMemory_, [this](const boost::system::error_code& ec) {
    if (ec || routers_.empty() || ticking_) return;
    tick();
  }));
}

void WorkerMedia::requestKeyframe(RoomKey room, uint32_t producer) noexcept {
  const auto it = routers_.find(room);
  if (it == routers_.end()) return;
  it->second->requestKeyframe(producer, transport::Clock::now());
  host_->flush();
}

void WorkerMedia::armWake() {
  wake_->async_read_some(
      boost::asio::buffer(&wakeValue_, sizeof wakeValue_),
      media::net::withMemory(wakeMemory_, [this](const boost::system::error_code& ec, size_t) {
        if (ec) return;  // closing (the tick still drains otherwise)
        drainHandoff();
        armWake();
      }));
}

void WorkerMedia::drainHandoff() noexcept {
  if (handoff_ == nullptr) return;
  // Bounded: a worker flooded by others still gets to its own sockets; the rest waits for the
  // next wake-up or tick (the sources are not told to wake it while it is not asleep).
  constexpr size_t kMaxRounds = 8;
  constexpr size_t kRoundPackets = 1024;
  const auto now = transport::Clock::now();
  for (size_t round = 0; round < kMaxRounds; ++round) {
    handoff_->drain(
        index_,
        [this, now](const forward::HandoffPacket& packet) {
          const auto it = routers_.find(packet.room);
          if (it == routers_.end()) return;  // the room left this worker meanwhile
          if (packet.type == forward::HandoffPacket::Type::kRtp) {
            const uint64_t forwarded = rtpForwarded_.load(std::memory_order_relaxed);
            it->second->onMirroredRtp(packet.producer, packet.layer, packet.bytes(), now);
            if (latency_ != nullptr && packet.arrivalNs != 0 &&
                rtpForwarded_.load(std::memory_order_relaxed) != forwarded) {
              addPendingLatency(packet.arrivalNs, 0);
            }
          } else {
            it->second->onMirroredSenderReport(packet.producer, packet.layer, packet.bytes(), now);
          }
        },
        kRoundPackets);
    host_->flush();
    recordLatencies();
    if (handoff_->sleepIfIdle(index_)) break;
  }
}

void WorkerMedia::tick() noexcept {
  drainHandoff();
  tickRooms_.clear();  // keeps its capacity: allocates only when the worker has more rooms than ever
  for (const auto& [key, router] : routers_)
    tickRooms_.push_back(key);
  tickNext_ = 0;
  ticking_ = true;
  tickSlice();
}

void WorkerMedia::tickSlice() noexcept {
  ++tickSlices_;
  const auto start = transport::Clock::now();
  auto now = start;
  while (tickNext_ < tickRooms_.size()) {
    // A room may have closed since the round began (its key is then gone, or reused by a new one,
    // whose tick is merely early).
    if (const auto it = routers_.find(tickRooms_[tickNext_++]); it != routers_.end()) it->second->tick(now);
    now = transport::Clock::now();
    if (tickNext_ < tickRooms_.size() && now - start >= tickSlice_) {
      host_->flush();
      boost::asio::post(timer_.get_executor(),
                        media::net::withMemory(sliceMemory_, [this, alive = std::weak_ptr<int>(alive_)] {
                          if (!alive.expired()) tickSlice();
                        }));
      return;
    }
  }
  if (!relays_.empty()) {
    sctp::SctpAssociation::tick(now);
    for (auto& [key, relay] : relays_)
      relay->tick();
  }
  host_->flush();
  ticking_ = false;
  if (!routers_.empty()) armTick();
}

void WorkerMedia::onTransportConnected(transport::TransportId id) {
  if (const auto relay = transportRelays_.find(id); relay != transportRelays_.end()) relay->second->start(id);
  // A subscriber can decode from the next keyframe on: ask its publishers for one now.
  if (const auto it = transportRouters_.find(id); it != transportRouters_.end()) {
    it->second->requestKeyframes(id, transport::Clock::now());
  }
  config::logEvent(*config::logger("media"), spdlog::level::debug, "transport connected", "worker", index_,
                   "transport", id);
}

void WorkerMedia::onTransportRtp(transport::TransportId id, rtp::RtpPacket& packet) noexcept {
  bump(rtpReceived_);
  const auto it = transportRouters_.find(id);
  if (it == transportRouters_.end()) return;
  if (latency_ == nullptr) {
    it->second->onRtp(id, packet, transport::Clock::now());
    return;
  }
  // Measured when at least one copy went out from this worker (mirrors on other workers measure
  // their own copies from the same arrival, carried with the handed-off packet).
  const uint64_t arrival = host_->arrivalNs();
  const uint64_t forwarded = rtpForwarded_.load(std::memory_order_relaxed);
  handoffArrivalNs_ = arrival;
  it->second->onRtp(id, packet, transport::Clock::now());
  handoffArrivalNs_ = 0;
  if (arrival != 0 && rtpForwarded_.load(std::memory_order_relaxed) != forwarded)
    addPendingLatency(arrival, host_->receivedNs());
}

void WorkerMedia::addPendingLatency(uint64_t arrivalNs, uint64_t receivedNs) noexcept {
  if (pendingLatencyCount_ == pendingLatencies_.size()) {
    // More packets than a batch: send what is queued and record them now.
    host_->flush();
    recordLatencies();
  }
  pendingLatencies_[pendingLatencyCount_++] = PendingLatency{arrivalNs, receivedNs};
}

void WorkerMedia::recordLatencies() noexcept {
  if (pendingLatencyCount_ == 0 || latency_ == nullptr) return;
  // The arrival stamps are CLOCK_REALTIME from the kernel, converted by the socket to
  // CLOCK_MONOTONIC once per recvmmsg: read the same clock.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
  for (size_t i = 0; i < pendingLatencyCount_; ++i) {
    const PendingLatency& p = pendingLatencies_[i];
    latency_->added.record(now > p.arrivalNs ? now - p.arrivalNs : 0);
    if (p.receivedNs != 0) latency_->processing.record(now > p.receivedNs ? now - p.receivedNs : 0);
  }
  pendingLatencyCount_ = 0;
}

void WorkerMedia::onTransportRtcp(transport::TransportId id, std::span<uint8_t> compound) noexcept {
  const auto it = transportRouters_.find(id);
  if (it == transportRouters_.end()) return;
  it->second->onRtcp(id, compound, transport::Clock::now());
}

void WorkerMedia::onTransportApplicationData(transport::TransportId id,
                                             std::span<const uint8_t> data) noexcept {
  const auto it = transportRelays_.find(id);
  if (it == transportRelays_.end()) return;
  try {
    it->second->receive(id, data);
  } catch (const std::exception& e) {
    // Only allocation can throw on this path; the packet is lost, SCTP retransmits it.
    config::logEvent(*config::logger("media"), spdlog::level::warn, "data channel packet dropped",
                     "transport", id, "error", e.what());
  }
}

void WorkerMedia::onRelaySend(sctp::DataChannelRelay::PeerKey peer,
                              std::span<const uint8_t> packet) noexcept {
  if (transport::WebRtcTransport* t = host_->find(peer)) t->sendApplicationData(packet);
}

void WorkerMedia::onTransportClosed(transport::TransportId id, transport::TransportCloseReason reason,
                                    std::string_view detail) {
  leaveRelay(id);
  const auto it = transportRouters_.find(id);
  if (it == transportRouters_.end()) return;  // closed by closeTransport(): already forgotten
  logEstimate(*it->second, id);
  it->second->removeTransport(id);
  transportRouters_.erase(it);
  transportRooms_.erase(id);
  if (closedHandler_) closedHandler_(id, reason, std::string(detail));
}

bool WorkerMedia::sendRtp(transport::TransportId id, std::span<uint8_t> buffer, size_t length) noexcept {
  transport::WebRtcTransport* t = host_->find(id);
  if (t == nullptr || !t->sendRtp(buffer, length)) return false;
  bump(rtpForwarded_);
  return true;
}

bool WorkerMedia::sendRtcp(transport::TransportId id, std::span<uint8_t> buffer, size_t length) noexcept {
  transport::WebRtcTransport* t = host_->find(id);
  return t != nullptr && t->sendRtcp(buffer, length);
}

std::optional<RoomKey> WorkerMedia::roomOf(const forward::Router& router) const noexcept {
  for (const auto& [key, owned] : routers_) {
    if (owned.get() == &router) return key;
  }
  return std::nullopt;
}

void WorkerMedia::onActiveSpeaker(const forward::Router& router, uint32_t producer) noexcept {
  if (!speakerHandler_) return;
  const std::optional<RoomKey> key = roomOf(router);
  if (!key) return;
  try {
    speakerHandler_(*key, producer);
  } catch (const std::exception& e) {
    config::logEvent(*config::logger("media"), spdlog::level::warn, "active speaker not reported", "error",
                     e.what());
  }
}

void WorkerMedia::handOff(const forward::Router& router, uint32_t producer, std::span<const uint16_t> workers,
                          forward::HandoffPacket::Type type, int layer,
                          std::span<const uint8_t> packet) noexcept {
  if (handoff_ != nullptr) {
    handoff_->send(index_, workers, router.tag(), producer, type, layer, packet,
                   type == forward::HandoffPacket::Type::kRtp ? handoffArrivalNs_ : 0);
  }
}

void WorkerMedia::requestOriginKeyframe(const forward::Router& router, uint32_t producer,
                                        uint16_t originWorker) noexcept {
  if (!keyframeHandler_) return;
  try {
    keyframeHandler_(router.tag(), producer, originWorker);
  } catch (const std::exception& e) {
    config::logEvent(*config::logger("media"), spdlog::level::warn, "keyframe request not passed on", "error",
                     e.what());
  }
}

void WorkerMedia::onLayersNeeded(const forward::Router& router, uint32_t producer, uint8_t layers) noexcept {
  if (!layersHandler_) return;
  const std::optional<RoomKey> key = roomOf(router);
  if (!key) return;
  try {
    layersHandler_(*key, producer, layers);
  } catch (const std::exception& e) {
    config::logEvent(*config::logger("media"), spdlog::level::warn, "layers needed not reported", "error",
                     e.what());
  }
}

}  // namespace switchyard::server
