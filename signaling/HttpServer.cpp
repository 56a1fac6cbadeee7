#include "signaling/HttpServer.h"

#include <cerrno>
#include <stdexcept>

#include "config/Log.h"
#include "signaling/HttpServerShared.h"
#include "signaling/HttpSession.h"
#include "signaling/TlsServerContext.h"

namespace switchyard::signaling {

using config::logEvent;

namespace {

constexpr std::chrono::milliseconds kFirstRetryDelay{50};
constexpr std::chrono::milliseconds kMaxRetryDelay{2000};

// Accept failures that repeat until resources free up (file descriptors, buffers, memory):
// retrying at once would spin a core and flood the log.
bool isResourceExhaustion(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

void acceptNext(const std::shared_ptr<HttpServer::Shared>& shared) {
  shared->acceptor.async_accept([shared](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !shared->acceptor.is_open()) return;
    if (ec) {
      if (isResourceExhaustion(ec)) {
        // Log once per burst, then wait with a growing delay.
        if (shared->retryDelay.count() == 0) {
          logEvent(*shared->log, spdlog::level::err, "http accept failed, backing off", "error",
                   ec.message());
        }
        shared->retryDelay = std::min(kMaxRetryDelay, std::max(kFirstRetryDelay, shared->retryDelay * 2));
        shared->retryTimer.expires_after(shared->retryDelay);
        shared->retryTimer.async_wait([shared](boost::system::error_code timerError) {
          if (!timerError && shared->acceptor.is_open()) acceptNext(shared);
        });
        return;
      }
      logEvent(*shared->log, spdlog::level::warn, "http accept failed", "error", ec.message());
    } else {
      shared->retryDelay = std::chrono::milliseconds(0);
      if (shared->openConnections.load(std::memory_order_relaxed) >= shared->maxConnections) {
        logEvent(*shared->log, spdlog::level::warn, "http connection refused", "reason",
                 "http.max_connections reached", "limit", shared->maxConnections);
        boost::system::error_code ignored;
        socket.close(ignored);
      } else if (shared->tls) {
        std::make_shared<HttpSession<TlsStream>>(std::move(socket), shared)->start();
      } else {
        std::make_shared<HttpSession<PlainStream>>(std::move(socket), shared)->start();
      }
    }
    acceptNext(shared);
  });
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Options options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)), shared_(std::make_shared<Shared>(io, options_.metrics)) {
  shared_->log = std::move(log);
  shared_->requestTimeout = options_.requestTimeout;
  shared_->maxConnections = options_.maxConnections;
  shared_->backend = options_.backend;
  shared_->maxMessageBytes = options_.maxMessageBytes;
  shared_->maxQueuedMessages = options_.maxQueuedMessages;
  shared_->websocketIdleTimeout = options_.websocketIdleTimeout;
}

HttpServer::~HttpServer() {
  stop();
}

asio::ip::tcp::endpoint HttpServer::start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) throw std::runtime_error("http: '" + options_.address + "' is not an IP address");
  if (options_.tlsCertificateFile.empty() != options_.tlsPrivateKeyFile.empty()) {
    throw std::runtime_error("http: TLS needs both a certificate file and a private key file");
  }
  if (!options_.tlsCertificateFile.empty() && !shared_->tls) {
    shared_->tls = loadTlsServerContext(options_.tlsCertificateFile, options_.tlsPrivateKeyFile);
  }
  const asio::ip::tcp::endpoint endpoint(address, options_.port);
  auto& acceptor = shared_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("http: cannot listen on " + options_.address + " port " +
                             std::to_string(options_.port) + ": " + ec.message());
  }
  bound_ = acceptor.local_endpoint();
  acceptNext(shared_);
  return bound_;
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  if (shared_->acceptor.is_open()) shared_->acceptor.close(ignored);
  shared_->retryTimer.cancel();
}

uint32_t HttpServer::openConnections() const noexcept {
  return shared_->openConnections.load(std::memory_order_relaxed);
}

std::string HttpServer::url() const {
  const auto address = bound_.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return std::string(shared_->tls ? "https://" : "http://") + host + ":" + std::to_string(bound_.port()) +
         "/";
}

}  // namespace switchyard::signaling
