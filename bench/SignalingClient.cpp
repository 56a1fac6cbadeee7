#include "bench/SignalingClient.h"

#include <boost/asio/connect.hpp>

namespace switchyard::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

SignalingClient::SignalingClient(boost::asio::io_context& io, Handlers handlers)
    : handlers_(std::move(handlers)), ws_(io) {}

void SignalingClient::connect(const boost::asio::ip::tcp::endpoint& server, std::string host,
                              std::string path) {
  auto self = shared_from_this();
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(15));
  beast::get_lowest_layer(ws_).async_connect(
      server, [this, self, host = std::move(host), path = std::move(path)](beast::error_code ec) {
        if (ec) return fail("connect: " + ec.message());
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.read_message_max(1 << 20);
        ws_.async_handshake(host, path, [this, self](beast::error_code hec) {
          if (hec) return fail("handshake: " + hec.message());
          open_ = true;
          read();
          write();
          if (handlers_.connected) handlers_.connected();
        });
      });
}

void SignalingClient::request(Json message, ReplyHandler onReply) {
  const int64_t id = ++nextId_;
  message["id"] = id;
  pending_[id] = std::move(onReply);
  send(message);
}

void SignalingClient::send(const Json& message) {
  if (closed_) return;
  queue_.push_back(message.dump());
  if (open_) write();
}

void SignalingClient::write() {
  if (writing_ || queue_.empty() || !open_) return;
  writing_ = true;
  ws_.text(true);
  auto self = shared_from_this();
  ws_.async_write(boost::asio::buffer(queue_.front()), [this, self](beast::error_code ec, size_t) {
    writing_ = false;
    if (ec) return fail("write: " + ec.message());
    queue_.pop_front();
    write();
  });
}

void SignalingClient::read() {
  auto self = shared_from_this();
  ws_.async_read(buffer_, [this, self](beast::error_code ec, size_t) {
    if (ec) return fail(ec == websocket::error::closed ? "closed by the server" : "read: " + ec.message());
    Json message = Json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (message.is_object()) {
      const auto id = message.find("id");
      if (id != message.end() && id->is_number_integer()) {
        const auto it = pending_.find(id->get<int64_t>());
        if (it != pending_.end()) {
          ReplyHandler handler = std::move(it->second);
          pending_.erase(it);
          if (handler) handler(message);
        }
      } else if (handlers_.event) {
        handlers_.event(message);
      }
    }
    if (!closed_) read();
  });
}

void SignalingClient::close() {
  if (closed_) return;
  if (!open_) return fail("closed before connecting");
  auto self = shared_from_this();
  open_ = false;
  ws_.async_close(websocket::close_code::normal, [this, self](beast::error_code) { fail("closed"); });
}

void SignalingClient::fail(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  open_ = false;
  pending_.clear();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (handlers_.closed) handlers_.closed(why);
}

}  // namespace switchyard::bench
