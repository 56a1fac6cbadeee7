#include "signaling/WebSocketSession.h"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "config/Log.h"
#include "signaling/HttpServerShared.h"

namespace switchyard::signaling {

namespace websocket = beast::websocket;
using nlohmann::json;

template <class Stream>
WebSocketSession<Stream>::WebSocketSession(Stream stream, std::shared_ptr<HttpServer::Shared> shared)
    : ws_(std::move(stream)), shared_(std::move(shared)), id_(++shared_->nextClientId) {
  shared_->openConnections.fetch_add(1, std::memory_order_relaxed);
}

template <class Stream>
WebSocketSession<Stream>::~WebSocketSession() {
  shared_->openConnections.fetch_sub(1, std::memory_order_relaxed);
}

template <class Stream>
void WebSocketSession<Stream>::start(beast::http::request<beast::http::string_body> upgrade) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timeouts
  websocket::stream_base::timeout timeout =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeout.idle_timeout = shared_->websocketIdleTimeout;  // pings are sent at half of it
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::server, "switchyard"); }));
  ws_.read_message_max(shared_->maxMessageBytes);
  ws_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) {
    if (ec) return self->finish();
    config::logEvent(*self->shared_->log, spdlog::level::debug, "signaling client connected", "client",
                     self->id_);
    self->read();
  });
}

template <class Stream>
void WebSocketSession<Stream>::read() {
  ws_.async_read(buffer_,
                 [self = this->shared_from_this()](beast::error_code ec, size_t n) { self->onRead(ec, n); });
}

template <class Stream>
void WebSocketSession<Stream>::onRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      config::logEvent(*shared_->log, spdlog::level::info, "signaling client closed", "client", id_, "reason",
                       "message too big");
    }
    return finish();
  }
  if (!ws_.got_text()) {
    replyError(nullptr, "bad_request", "messages are JSON text frames");
  } else {
    const auto data = buffer_.data();
    handleText(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  buffer_.consume(buffer_.size());
  if (!closing_) read();
}

template <class Stream>
void WebSocketSession<Stream>::handleText(std::string_view text) {
  const json request = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return replyError(nullptr, "bad_request", "a message is a JSON object");
  }
  json id = nullptr;
  if (const auto it = request.find("id"); it != request.end()) {
    if (!it->is_string() && !it->is_number_integer()) {
      return replyError(nullptr, "bad_request", "\"id\" must be a string or an integer");
    }
    id = *it;
  }
  const auto type = request.find("type");
  if (type == request.end() || !type->is_string()) {
    return replyError(id, "bad_request", "a message needs a string \"type\"");
  }
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "ping") return reply(id, json{{"type", "pong"}});
  if (shared_->backend == nullptr) return replyError(id, "unavailable", "no rooms behind this front end");
  try {
    auto self = this->shared_from_this();
    shared_->backend->handle(self, name, request,
                             [self, id](json message) { self->reply(id, std::move(message)); });
  } catch (const SignalingError& e) {
    replyError(id, e.code(), e.what());
  } catch (const std::exception& e) {
    config::logEvent(*shared_->log, spdlog::level::err, "signaling request failed", "client", id_, "type",
                     name, "error", e.what());
    replyError(id, "internal", "the server could not handle the request");
  }
}

template <class Stream>
void WebSocketSession<Stream>::reply(const json& id, json message) {
  if (!id.is_null()) message["id"] = id;
  send(std::move(message));
}

template <class Stream>
void WebSocketSession<Stream>::replyError(const json& id, std::string_view code, std::string_view message) {
  json error{{"type", "error"}, {"code", code}, {"message", message}};
  reply(id, std::move(error));
}

template <class Stream>
void WebSocketSession<Stream>::send(json message) {
  std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
  boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), text = std::move(text)]() mutable {
    self->enqueue(std::move(text));
  });
}

template <class Stream>
void WebSocketSession<Stream>::enqueue(std::string text) {
  if (closing_ || finished_) return;
  if (queue_.size() >= shared_->maxQueuedMessages) {
    // A client that does not read its messages may not grow the server's memory. Its socket is
    // closed at once: a graceful close would queue behind the write it is not reading.
    config::logEvent(*shared_->log, spdlog::level::warn, "signaling client closed", "client", id_, "reason",
                     "send queue full", "limit", shared_->maxQueuedMessages);
    closing_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  queue_.push_back(std::move(text));
  write();
}

template <class Stream>
void WebSocketSession<Stream>::write() {
  if (writing_ || queue_.empty() || finished_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(queue_.front()),
                  [self = this->shared_from_this()](beast::error_code ec, size_t) {
                    self->writing_ = false;
                    self->queue_.pop_front();
                    if (ec) return self->finish();
                    if (self->closeReason_) return self->closeGracefully();
                    self->write();
                  });
}

template <class Stream>
void WebSocketSession<Stream>::close(std::string_view reason) {
  boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), reason = std::string(reason)] {
    if (self->closing_ || self->finished_) return;
    self->closing_ = true;
    self->closeReason_ = reason;
    // A close frame is a write: it waits for the write in flight (at most one at a time).
    if (!self->writing_) self->closeGracefully();
  });
}

template <class Stream>
void WebSocketSession<Stream>::closeGracefully() {
  const websocket::close_reason why(websocket::close_code::policy_error, closeReason_.value_or(""));
  closeReason_.reset();
  ws_.async_close(why, [self = this->shared_from_this()](beast::error_code) { self->finish(); });
}

template <class Stream>
void WebSocketSession<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  if (shared_->backend != nullptr) shared_->backend->disconnected(this->shared_from_this());
  config::logEvent(*shared_->log, spdlog::level::debug, "signaling client gone", "client", id_);
}

template class WebSocketSession<PlainStream>;
template class WebSocketSession<TlsStream>;

}  // namespace switchyard::signaling
