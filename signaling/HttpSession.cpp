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

template <class Stream>
Stream makeStream(asio::ip::tcp::socket socket, HttpServer::Shared& shared) {
  if constexpr (kIsTlsStream<Stream>) {
    return Stream(std::move(socket), *shared.tls);
  } else {
    return Stream(std::move(socket));
  }
}

// Errors of the HTTP parser (a malformed or oversized request) are answered; any other error is
// the transport's (closed, reset, timed out, a TLS failure) and leaves nothing to answer on.
bool isHttpError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}
}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
    : stream_(makeStream<Stream>(std::move(socket), *shared)), shared_(std::move(shared)) {
  shared_->openConnections.fetch_add(1, std::memory_order_relaxed);
}

template <class Stream>
HttpSession<Stream>::~HttpSession() {
  shared_->openConnections.fetch_sub(1, std::memory_order_relaxed);
}

template <class Stream>
void HttpSession<Stream>::start() {
  if constexpr (kIsTlsStream<Stream>) {
    handshake();
  } else {
    read();
  }
}

template <class Stream>
void HttpSession<Stream>::handshake() {
  if constexpr (kIsTlsStream<Stream>) {
    // A client that connects and stays silent (or speaks plain HTTP) cannot hold the connection.
    beast::get_lowest_layer(stream_).expires_after(shared_->requestTimeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                config::logEvent(*self->shared_->log, spdlog::level::debug,
                                                 "tls handshake failed", "error", ec.message());
                                return self->close();
                              }
                              self->read();
                            });
  }
}

template <class Stream>
void HttpSession<Stream>::read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  beast::get_lowest_layer(stream_).expires_after(shared_->requestTimeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t bytes) { self->onRead(ec, bytes); });
}

template <class Stream>
void HttpSession<Stream>::onRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::end_of_stream || (ec && !isHttpError(ec))) return close();
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
      std::make_shared<WebSocketSession<Stream>>(std::move(stream_), shared_)->start(parser_->release());
      return;
    }
  }
  response_ = std::make_shared<HttpRouter::Response>(shared_->router.route(parser_->get()));
  write(response_->keep_alive());
}

template <class Stream>
void HttpSession<Stream>::write(bool keepAlive) {
  beast::get_lowest_layer(stream_).expires_after(shared_->requestTimeout);
  http::async_write(stream_, *response_,
                    [self = this->shared_from_this(), keepAlive](beast::error_code ec, size_t n) {
                      self->onWrite(keepAlive, ec, n);
                    });
}

template <class Stream>
void HttpSession<Stream>::onWrite(bool keepAlive, beast::error_code ec, size_t /*bytes*/) {
  response_.reset();
  if (ec) return close();
  if (!keepAlive) return lingerAndClose();
  read();
}

template <class Stream>
void HttpSession<Stream>::lingerAndClose() {
  if constexpr (kIsTlsStream<Stream>) {
    // close_notify, then OpenSSL discards what the client still sends until its close_notify, its
    // FIN or the linger time.
    beast::get_lowest_layer(stream_).expires_after(kLingerTime);
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
  } else {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    stream_.async_read_some(asio::buffer(drain_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->close();
                              self->lingerAndClose();
                            });
  }
}

template <class Stream>
void HttpSession<Stream>::close() {
  beast::error_code ignored;
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace switchyard::signaling
