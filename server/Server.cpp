#include "server/Server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <thread>

#include "config/Log.h"
#include "switchyard/Version.h"

namespace switchyard::server {

using config::logEvent;

Server::Server(config::Config config) : config_(std::move(config)), log_(config::logger("server")) {}

Server::~Server() {
  shutdown();
}

std::string Server::start() {
  unsigned count = config_.workers.count;
  if (count == 0) count = std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i) {
    workers_.push_back(
        std::make_unique<Worker>(i, config::logger("worker"), [this](unsigned, const std::string&) {
          boost::asio::post(signalingIo_, [this] {
            failed_ = true;
            shutdown();
          });
        }));
    workers_.back()->start();
  }
  signaling::HttpServer::Options options;
  options.address = config_.http.listenAddress;
  options.port = config_.http.port;
  options.maxConnections = config_.http.maxConnections;
  options.requestTimeout = std::chrono::milliseconds(config_.http.requestTimeoutMs);
  http_ = std::make_unique<signaling::HttpServer>(signalingIo_, options, config::logger("http"));
  http_->start();
  const std::string url = http_->url();
  logEvent(*log_, spdlog::level::info, "switchyard started", "version", kVersion, "url", url, "workers",
           count);
  return url;
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

void Server::postToWorker(size_t index, std::function<void()> task) {
  boost::asio::post(workers_.at(index)->context(), std::move(task));
}

void Server::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  if (http_) http_->stop();
  for (auto& worker : workers_)
    worker->stop();
  signalingIo_.stop();
  logEvent(*log_, spdlog::level::info, "switchyard stopped");
}

}  // namespace switchyard::server
