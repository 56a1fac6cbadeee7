#include "server/Server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <future>
#include <thread>

#include "config/Log.h"
#include "server/Metrics.h"
#include "switchyard/Version.h"

namespace switchyard::server {

using config::logEvent;

namespace {

RoomManager::Options roomOptions(const config::Config& config) {
  RoomManager::Options options;
  options.maxPeersPerRoom = config.rooms.maxPeers;
  options.tokenSecret = config.rooms.tokenSecret;
  options.negotiation.dataChannels = config.sctp.dataChannels;
  options.negotiation.maxMessageSize = config.sctp.maxMessageSize;
  options.negotiation.simulcast = config.rtc.simulcast;
  options.roomSpreadPeers = config.workers.roomSpreadPeers;
  return options;
}

}  // namespace

Server::Server(config::Config config) : config_(std::move(config)), log_(config::logger("server")) {}

Server::~Server() {
  shutdown();
}

std::string Server::start() {
  unsigned count = config_.workers.count;
  if (count == 0) count = std::max(1U, std::thread::hardware_concurrency());
  for (const auto& [key, port] :
       {std::pair{"rtc.udp_port", config_.rtc.udpPort}, std::pair{"rtc.tcp_port", config_.rtc.tcpPort}}) {
    if (port != 0 && port + count - 1 > 65535) {
      throw std::runtime_error(std::string(key) + " " + std::to_string(port) + " + " + std::to_string(count) +
                               " workers goes past port 65535");
    }
  }
  if (config_.rtc.certificateFile.empty()) {
    certificate_ = std::make_unique<media::dtls::DtlsCertificate>(media::dtls::DtlsCertificate::generate());
  } else {
    certificate_ = std::make_unique<media::dtls::DtlsCertificate>(
        media::dtls::DtlsCertificate::load(config_.rtc.certificateFile, config_.rtc.privateKeyFile));
  }
  logEvent(*log_, spdlog::level::info, "dtls certificate", "source",
           config_.rtc.certificateFile.empty() ? std::string("generated") : config_.rtc.certificateFile,
           "fingerprint", "sha-256 " + certificate_->fingerprintText());
  if (count > 1 && config_.workers.roomSpreadPeers > 0)
    handoff_ = std::make_unique<WorkerHandoff>(count, config_.workers.handoffRingPackets);
  if (config_.workers.latencyHistogram) {
    for (unsigned i = 0; i < count; ++i)
      latency_.push_back(std::make_unique<ForwardLatency>());
  }
  for (unsigned i = 0; i < count; ++i) {
    workers_.push_back(std::make_unique<Worker>(
        i, config::logger("worker"),
        [this](unsigned, const std::string&) {
          boost::asio::post(signalingIo_, [this] {
            failed_ = true;
            shutdown();
          });
        },
        static_cast<int>(config_.workers.realtimePriority)));
    workers_.back()->start();
  }
  // Each worker's media is created (sockets bound) and later destroyed on that worker's thread, the
  // only thread that touches it; a bind error comes back here and fails the start.
  media_.resize(count);
  for (unsigned i = 0; i < count; ++i) {
    std::promise<void> created;
    postToWorker(i, [this, i, &created] {
      try {
        media_[i] =
            std::make_unique<WorkerMedia>(workers_[i]->context(), i, config_, *certificate_, handoff_.get(),
                                          latency_.empty() ? nullptr : latency_[i].get());
        media_[i]->setClosedHandler([this, i](media::transport::TransportId id,
                                              media::transport::TransportCloseReason reason,
                                              const std::string&) {
          postToSignaling([this, i, id, reason] {
            if (rooms_) rooms_->transportClosed(i, id, std::string(media::transport::toString(reason)));
          });
        });
        media_[i]->setSpeakerHandler([this](RoomKey room, uint32_t producer) {
          postToSignaling([this, room, producer] {
            if (rooms_) rooms_->activeSpeaker(room, producer);
          });
        });
        media_[i]->setLayersHandler([this, i](RoomKey room, uint32_t producer, uint8_t layers) {
          postToSignaling([this, i, room, producer, layers] {
            if (rooms_) rooms_->layersNeeded(room, producer, layers, i);
          });
        });
        // A mirror's keyframe request goes straight to the origin worker (no signaling hop).
        media_[i]->setKeyframeHandler([this](RoomKey room, uint32_t producer, uint16_t origin) {
          if (origin >= workers_.size()) return;
          runOnWorker(origin,
                      [room, producer](WorkerMedia& media) { media.requestKeyframe(room, producer); });
        });
        created.set_value();
      } catch (...) {
        created.set_exception(std::current_exception());
      }
    });
    auto future = created.get_future();
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      throw std::runtime_error("worker " + std::to_string(i) + " did not set up its media");
    }
    future.get();
  }
  MediaWorkers& workers = *this;
  rooms_ = std::make_unique<RoomManager>(roomOptions(config_), &workers);
  signaling::HttpServer::Options options;
  options.backend = rooms_.get();
  options.maxMessageBytes = config_.signaling.maxMessageBytes;
  options.maxQueuedMessages = config_.signaling.maxQueuedMessages;
  options.websocketIdleTimeout = std::chrono::milliseconds(config_.signaling.idleTimeoutMs);
  options.address = config_.http.listenAddress;
  options.port = config_.http.port;
  options.maxConnections = config_.http.maxConnections;
  options.requestTimeout = std::chrono::milliseconds(config_.http.requestTimeoutMs);
  options.tlsCertificateFile = config_.http.tlsCertificateFile;
  options.tlsPrivateKeyFile = config_.http.tlsPrivateKeyFile;
  if (config_.http.metrics) options.metrics = [this] { return metricsText(); };
  http_ = std::make_unique<signaling::HttpServer>(signalingIo_, options, config::logger("http"));
  http_->start();
  const std::string url = http_->url();
  logEvent(*log_, spdlog::level::info, "switchyard started", "version", kVersion, "url", url, "workers",
           count);
  return url;
}

std::string Server::metricsText() const {
  ServerFigures figures;
  figures.version = kVersion;
  if (rooms_) {
    figures.rooms = rooms_->roomCount();
    figures.peers = rooms_->peerCount();
  }
  // media_ is filled before the HTTP server starts and emptied (on this thread) after it stopped;
  // the workers' counters and histograms are single-writer atomics, read here without a lock.
  for (size_t i = 0; i < media_.size(); ++i) {
    WorkerFigures w;
    if (media_[i]) {
      w.rtpReceived = media_[i]->rtpReceived();
      w.rtpForwarded = media_[i]->rtpForwarded();
    }
    if (i < latency_.size()) {
      w.latency = latency_[i]->added.snapshot();
      w.processing = latency_[i]->processing.snapshot();
    }
    if (handoff_ && i < handoff_->workerCount()) {
      const WorkerHandoff::Counters& c = handoff_->counters(i);
      w.handoff = WorkerFigures::Handoff{
          c.sent.load(std::memory_order_relaxed), c.received.load(std::memory_order_relaxed),
          c.poolEmpty.load(std::memory_order_relaxed) + c.ringFull.load(std::memory_order_relaxed)};
    }
    figures.workers.push_back(w);
  }
  return renderMetrics(figures);
}

void Server::run() {
  boost::asio::signal_set signals(signalingIo_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    logEvent(*log_, spdlog::level::info, "signal received, stopping", "signal", signal);
    shutdown();
  });
  signalingIo_.run();
  shutdown();
}

void Server::stop() {
  boost::asio::post(signalingIo_, [this] { shutdown(); });
}

void Server::postToSignaling(std::function<void()> task) {
  boost::asio::post(signalingIo_, std::move(task));
}

void Server::runOnWorker(size_t index, std::function<void(WorkerMedia&)> task) {
  postToWorker(index, [this, index, task = std::move(task)] {
    if (index < media_.size() && media_[index]) task(*media_[index]);
  });
}

void Server::postToWorker(size_t index, std::function<void()> task) {
  boost::asio::post(workers_.at(index)->context(), std::move(task));
}

void Server::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  if (http_) http_->stop();
  for (size_t i = 0; i < workers_.size(); ++i) {
    // The media goes on its own thread, queued before the worker's loop ends.
    if (i < media_.size() && media_[i]) postToWorker(i, [this, i] { media_[i].reset(); });
    workers_[i]->stop();
  }
  media_.clear();  // already destroyed on each worker's own thread
  if (handoff_) {
    for (size_t i = 0; i < handoff_->workerCount(); ++i) {
      const WorkerHandoff::Counters& c = handoff_->counters(i);
      logEvent(*log_, spdlog::level::info, "worker handoff", "worker", i, "sent", c.sent.load(), "received",
               c.received.load(), "pool_empty", c.poolEmpty.load(), "ring_full", c.ringFull.load(), "wakeups",
               c.wakeups.load());
    }
  }
  for (size_t i = 0; i < latency_.size(); ++i) {
    const LatencyHistogram::Snapshot s = latency_[i]->added.snapshot();
    if (s.count() == 0) continue;
    logEvent(*log_, spdlog::level::info, "worker forward latency", "worker", i, "packets", s.count(),
             "p50_us", media::util::boundToDouble(s.quantileNs(0.5)) / 1000.0, "p99_us",
             media::util::boundToDouble(s.quantileNs(0.99)) / 1000.0, "p999_us",
             media::util::boundToDouble(s.quantileNs(0.999)) / 1000.0);  // inf: 1 s or more
  }
  signalingIo_.stop();
  logEvent(*log_, spdlog::level::info, "switchyard stopped");
}

}  // namespace switchyard::server
