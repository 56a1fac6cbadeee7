#pragma once
// The composition root of one Switchyard process: the media workers and the signaling front end.
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include "config/Config.h"
#include "server/Worker.h"
#include "signaling/HttpServer.h"

namespace switchyard::server {

class Server {
 public:
  explicit Server(config::Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the workers and the HTTP front end; returns the URL it listens on. Throws on failure
  // (e.g. the port is taken), with a message for the user.
  std::string start();
  // Runs the signaling loop on the calling thread until stop() or SIGINT/SIGTERM.
  void run();
  // Thread-safe: asks run() to return after an orderly shutdown.
  void stop();

  [[nodiscard]] size_t workerCount() const noexcept { return workers_.size(); }

 private:
  void shutdown();

  config::Config config_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::io_context signalingIo_{1};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<signaling::HttpServer> http_;
  bool shutDown_ = false;
};

}  // namespace switchyard::server
