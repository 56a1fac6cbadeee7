#include "signaling/HttpSession.h"

#include "config/Log.h"
#include "signaling/HttpServerShared.h"
#include "signaling/WebSocketSession.h"

namespace switchyard::signaling {

namespace {
constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;
constexpr size_t kMaxDrainBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kLingerTime{1000};

HttpRouter::Response errorResponse(http::status status, std::string_view message) {
  HttpRouter::Response response(status, 11);
  response.set(http::field::server, "switchyard");
  response.set(http::field::content_type, "application/json");
  response.body() = R"({"error":")" + std::string(message) + R"("})";
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}
}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
    : stream_(std::move(socket)), shared_(std::move(shared)) {
  shared_->openConnections.fetch_add(1, std::memory_order_relaxed);
}

HttpSession::~HttpSession() {
  shared_->openConnections.fetch_sub(1, std::memory_order_relaxed);
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
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof) {
    return close();
  }
  if (ec) {
    // Malformed or oversized request: answer with the reason and close.
    config::logEvent(*shared_->log, spdlog::level::debug, "http request refused", "error", ec.message());
    if (ec == http::error::header_limit) {
      response_ = std::make_shared<HttpRouter::Response>(
          errorResponse(http::status::request_header_fields_too_large, "request header too large"));
    } else if (ec == http::error::body_limit) {
      response_ = std::make_shared<HttpRouter::Response>(
          errorResponse(http::status::payload_too_large, "request body too large"));
    } else {
      response_ =
          std::make_shared<HttpRouter::Response>(errorResponse(http::status::bad_request, "bad request"));
    }
    return write(false);
  }
  if (beast::websocket::is_upgrade(parser_->get()) && shared_->backend != nullptr) {
    const auto target = parser_->get().target();
    if (target == "/ws" || target.starts_with("/ws?")) {
      // The connection becomes a signaling WebSocket; this HTTP session ends here.
      std::make_shared<WebSocketSession>(std::move(stream_), shared_)->start(parser_->release());
      return;
    }
  }
  response_ = std::make_shared<HttpRouter::Response>(shared_->router.route(parser_->get()));
  write(response_->keep_alive());
}

void HttpSession::write(bool keepAlive) {
  stream_.expires_after(shared_->requestTimeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keepAlive](beast::error_code ec, size_t n) {
                      self->onWrite(keepAlive, ec, n);
                    });
}

void HttpSession::onWrite(bool keepAlive, beast::error_code ec, size_t /*bytes*/) {
  response_.reset();
  if (ec) return close();
  if (!keepAlive) return lingerAndClose();
  read();
}

void HttpSession::lingerAndClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->drained_ += n;
    if (ec || self->drained_ > kMaxDrainBytes) return self->close();
    self->lingerAndClose();
  });
}

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace switchyard::signaling
