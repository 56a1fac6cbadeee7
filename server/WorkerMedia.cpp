#include "server/WorkerMedia.h"

#include <stdexcept>

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
                         const dtls::DtlsCertificate& certificate)
    : index_(index), dtls_(certificate), timer_(io) {
  routerOptions_.keyframeRequestInterval = std::chrono::milliseconds(config.rtc.keyframeRequestIntervalMs);
  transport::TransportHost::Options options;
  for (const std::string& ip : config.rtc.listenAddresses) {
    options.udpBind.push_back(address(ip, config.rtc.udpPort, index));
    if (config.rtc.iceTcp) options.tcpBind.push_back(address(ip, config.rtc.tcpPort, index));
  }
  for (const std::string& ip : config.rtc.announcedAddresses)
    options.announced.push_back(address(ip, 0, 0));
  options.consentTimeout = std::chrono::milliseconds(config.rtc.consentTimeoutMs);
  options.mtu = config.rtc.dtlsMtu;
  options.replayWindow = config.rtc.srtpReplayWindow;
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
  const std::string udp = join(host_->udpAddresses());
  const std::string tcp = join(host_->tcpAddresses());
  config::logEvent(*config::logger("media"), spdlog::level::info, "worker media listening", "worker", index,
                   "udp", udp, "tcp", tcp.empty() ? std::string("off") : tcp);
}

WorkerMedia::~WorkerMedia() {
  closedHandler_ = nullptr;  // shutting down: nobody to tell
  timer_.cancel();
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
    slot = std::make_unique<forward::Router>(output, routerOptions_);
    if (routers_.size() == 1) armTick();
  }
  return *slot;
}

void WorkerMedia::apply(const RoomMediaUpdate& update) {
  forward::Router& router = routerFor(update.room);
  for (uint32_t id : update.removeConsumers)
    router.removeConsumer(id);
  for (uint32_t id : update.removeProducers)
    router.removeProducer(id);
  for (const forward::ProducerSpec& spec : update.addProducers)
    router.addProducer(spec);
  const auto now = transport::Clock::now();
  for (const forward::ConsumerSpec& spec : update.addConsumers) {
    const transport::WebRtcTransport* subscriber = host_->find(spec.transport);
    router.addConsumer(spec, now,
                       subscriber != nullptr && subscriber->state() == transport::TransportState::kConnected);
  }
  host_->flush();  // keyframe requests of new consumers
}

void WorkerMedia::closeTransport(transport::TransportId id) noexcept {
  const auto it = transportRouters_.find(id);
  if (it != transportRouters_.end()) {
    it->second->removeTransport(id);
    transportRouters_.erase(it);
  }
  transportRooms_.erase(id);
  host_->closeTransport(id);
}

void WorkerMedia::removeRoom(RoomKey room) noexcept {
  const auto it = routers_.find(room);
  if (it == routers_.end()) return;
  for (auto t = transportRooms_.begin(); t != transportRooms_.end();) {
    if (t->second == room) {
      transportRouters_.erase(t->first);
      host_->closeTransport(t->first);
      t = transportRooms_.erase(t);
    } else {
      ++t;
    }
  }
  routers_.erase(it);
}

const forward::Router* WorkerMedia::router(RoomKey room) const noexcept {
  const auto it = routers_.find(room);
  return it == routers_.end() ? nullptr : it->second.get();
}

void WorkerMedia::armTick() {
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || routers_.empty()) return;
    tick();
    armTick();
  });
}

void WorkerMedia::tick() noexcept {
  const auto now = transport::Clock::now();
  for (auto& [key, router] : routers_)
    router->tick(now);
  host_->flush();
}

void WorkerMedia::onTransportConnected(transport::TransportId id) {
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
  it->second->onRtp(id, packet, transport::Clock::now());
}

void WorkerMedia::onTransportRtcp(transport::TransportId id, std::span<uint8_t> compound) noexcept {
  const auto it = transportRouters_.find(id);
  if (it == transportRouters_.end()) return;
  it->second->onRtcp(id, compound, transport::Clock::now());
}

void WorkerMedia::onTransportClosed(transport::TransportId id, transport::TransportCloseReason reason,
                                    std::string_view detail) {
  const auto it = transportRouters_.find(id);
  if (it == transportRouters_.end()) return;  // closed by closeTransport(): already forgotten
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

}  // namespace switchyard::server
