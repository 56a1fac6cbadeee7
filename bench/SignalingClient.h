#pragma once
// An asynchronous WebSocket client speaking Switchyard's JSON signaling protocol (docs/protocol.md)
// for one bench peer: requests with ids and a reply callback, events to a handler, a write queue.
// Confined to the io_context it was made on; the owner keeps it alive until `closed` was called.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace switchyard::bench {

class SignalingClient : public std::enable_shared_from_this<SignalingClient> {
 public:
  using Json = nlohmann::json;
  using ReplyHandler = std::function<void(const Json& reply)>;  // an "error" reply is a reply too
  struct Handlers {
    std::function<void()> connected;
    std::function<void(const Json& event)> event;
    std::function<void(const std::string& why)> closed;  // once; after a failure or close()
  };

  SignalingClient(boost::asio::io_context& io, Handlers handlers);
  // host: "127.0.0.1", path: "/ws".
  void connect(const boost::asio::ip::tcp::endpoint& server, std::string host, std::string path);
  void request(Json message, ReplyHandler onReply);
  void send(const Json& message);
  void close();
  // Drops the handlers (the owner is going away; pending completions then do nothing visible).
  void detach() { handlers_ = {}; }
  [[nodiscard]] bool open() const noexcept { return open_; }

 private:
  void fail(const std::string& why);
  void read();
  void write();

  Handlers handlers_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::unordered_map<int64_t, ReplyHandler> pending_;
  int64_t nextId_ = 0;
  bool open_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace switchyard::bench
