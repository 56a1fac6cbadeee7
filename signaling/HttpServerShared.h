#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <spdlog/logger.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "signaling/HttpRouter.h"
#include "signaling/HttpServer.h"
#include "signaling/SignalingBackend.h"

namespace switchyard::signaling {

// What the accept loop and every HttpSession of one HttpServer share. Touched only from the
// signaling thread, except openConnections, which is read from anywhere.
struct HttpServer::Shared {
  Shared(asio::io_context& io, HttpRouter::MetricsProvider metrics)
      : router(std::move(metrics)), acceptor(io), retryTimer(io) {}

  HttpRouter router;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::milliseconds requestTimeout{10000};
  uint32_t maxConnections = 1024;
  std::atomic<uint32_t> openConnections{0};
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer retryTimer;  // backs off when accept fails for lack of resources
  std::chrono::milliseconds retryDelay{0};
  // Signaling over WebSocket (/ws).
  SignalingBackend* backend = nullptr;
  size_t maxMessageBytes = 64 * 1024;
  size_t maxQueuedMessages = 256;
  std::chrono::milliseconds websocketIdleTimeout{30000};
  uint64_t nextClientId = 0;
  // Set when TLS is configured: every accepted connection starts with a TLS handshake.
  std::unique_ptr<asio::ssl::context> tls;
};

}  // namespace switchyard::signaling
