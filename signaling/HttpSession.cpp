#include "signaling/HttpSession.h"

#include "config/Log.h"
#include "signaling/HttpServerShared.h"

namespace switchyard::signaling {

namespace {
constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;
}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
    : stream_(std::move(socket)), shared_(std::move(shared)) {
  ++shared_->openConnections;
}

HttpSession::~HttpSession() {
  --shared_->openConnections;
}

void HttpSession::start() {
  read();
}

void HttpSession::read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(shared_->requestTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t bytes) { self->onRead(ec, bytes); });
}

void HttpSession::onRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return close();
  if (ec) {
    if (ec != beast::error::timeout && ec != asio::error::connection_reset) {
      // Malformed or oversized request: answer 400 and close.
      response_ = std::make_shared<HttpRouter::Response>(http::status::bad_request, 11);
      response_->set(http::field::content_type, "application/json");
      response_->body() = R"({"error":"bad request"})";
      response_->keep_alive(false);
      response_->prepare_payload();
      config::logEvent(*shared_->log, spdlog::level::debug, "http bad request", "error", ec.message());
      http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code wec, size_t n) {
        self->onWrite(false, wec, n);
      });
      return;
    }
    return close();
  }
  response_ = std::make_shared<HttpRouter::Response>(shared_->router.route(parser_->get()));
  const bool keepAlive = response_->keep_alive();
  stream_.expires_after(shared_->requestTimeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keepAlive](beast::error_code wec, size_t n) {
                      self->onWrite(keepAlive, wec, n);
                    });
}

void HttpSession::onWrite(bool keepAlive, beast::error_code ec, size_t /*bytes*/) {
  response_.reset();
  if (ec || !keepAlive) return close();
  read();
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace switchyard::signaling
