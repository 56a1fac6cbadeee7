#include "signaling/HttpServer.h"

#include <stdexcept>

#include "config/Log.h"
#include "signaling/HttpServerShared.h"
#include "signaling/HttpSession.h"

namespace switchyard::signaling {

using config::logEvent;

HttpServer::HttpServer(asio::io_context& io, Options options, std::shared_ptr<spdlog::logger> log)
    : io_(io), options_(std::move(options)), log_(std::move(log)), acceptor_(io) {
  shared_ = std::make_shared<Shared>();
  shared_->log = log_;
  shared_->requestTimeout = options_.requestTimeout;
}

HttpServer::~HttpServer() {
  stop();
}

asio::ip::tcp::endpoint HttpServer::start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) throw std::runtime_error("http: '" + options_.address + "' is not an IP address");
  const asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("http: cannot listen on " + options_.address + " port " +
                             std::to_string(options_.port) + ": " + ec.message());
  }
  bound_ = acceptor_.local_endpoint();
  accept();
  return bound_;
}

void HttpServer::stop() {
  if (acceptor_.is_open()) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }
}

uint32_t HttpServer::openConnections() const noexcept {
  return shared_->openConnections;
}

std::string HttpServer::url() const {
  const auto address = bound_.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(bound_.port()) + "/";
}

void HttpServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      logEvent(*log_, spdlog::level::warn, "http accept failed", "error", ec.message());
    } else if (shared_->openConnections >= options_.maxConnections) {
      logEvent(*log_, spdlog::level::warn, "http connection refused", "reason",
               "http.max_connections reached", "limit", options_.maxConnections);
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<HttpSession>(std::move(socket), shared_)->start();
    }
    accept();
  });
}

}  // namespace switchyard::signaling
