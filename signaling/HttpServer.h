#pragma once
// The HTTP front end and the WebSocket upgrade for signaling (/ws), plain or, when a certificate is
// configured, HTTPS/WSS on the same port. Runs on the signaling io_context; each connection is an
// HttpSession (then maybe a WebSocketSession) kept alive by its pending operation. The accept
// loop holds the shared state (acceptor, counters) by shared_ptr, never the HttpServer itself, so
// a handler that runs after the HttpServer is gone touches nothing freed.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "signaling/HttpRouter.h"

namespace switchyard::signaling {

namespace asio = boost::asio;

class SignalingBackend;

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;
    uint32_t maxConnections = 1024;
    std::chrono::milliseconds requestTimeout{10000};
    // Signaling on /ws; without a backend /ws answers 404.
    SignalingBackend* backend = nullptr;
    // GET /metrics (see HttpRouter); empty: 404.
    HttpRouter::MetricsProvider metrics;
    size_t maxMessageBytes = 64 * 1024;
    size_t maxQueuedMessages = 256;
    std::chrono::milliseconds websocketIdleTimeout{30000};
    // TLS: PEM certificate chain and its private key. Both empty: plain HTTP/WS; both set: every
    // connection is HTTPS/WSS (TLS 1.2+, handshake bounded by requestTimeout).
    std::string tlsCertificateFile;
    std::string tlsPrivateKeyFile;
  };

  HttpServer(asio::io_context& io, Options options, std::shared_ptr<spdlog::logger> log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS certificate and key (if set), binds and starts accepting; throws
  // std::runtime_error naming the file or the address on failure.
  asio::ip::tcp::endpoint start();
  // Stops accepting; open sessions finish their current exchange. Call on the io_context's thread
  // or when it is not running.
  void stop();

  // Thread-safe.
  [[nodiscard]] uint32_t openConnections() const noexcept;
  // "http://127.0.0.1:7080/" ("https://…" with TLS; IPv6 in brackets). The WebSocket is at
  // ws://…/ws (wss://…/ws with TLS).
  [[nodiscard]] std::string url() const;

  struct Shared;  // what the accept loop and the sessions share (HttpServerShared.h)

 private:
  Options options_;
  std::shared_ptr<Shared> shared_;
  asio::ip::tcp::endpoint bound_;
};

}  // namespace switchyard::signaling
