#pragma once
// One signaling client over WebSocket (upgraded from an HttpSession on /ws). Reads JSON text
// messages (bounded size), answers "ping" itself and hands every other request to the
// SignalingBackend; writes one message at a time from a bounded queue. Runs on the signaling
// thread; send()/close() from other threads are posted to it. Stream is PlainStream (ws://) or
// TlsStream (wss://, the TLS handshake already done by the HttpSession).
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "signaling/HttpServer.h"
#include "signaling/SessionStream.h"
#include "signaling/SignalingBackend.h"

namespace switchyard::signaling {

namespace beast = boost::beast;

template <class Stream>
class WebSocketSession : public SignalingClient,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Stream stream, std::shared_ptr<HttpServer::Shared> shared);
  ~WebSocketSession() override;

  // Completes the upgrade with the client's HTTP request, then starts reading.
  void start(beast::http::request<beast::http::string_body> upgrade);

  void send(nlohmann::json message) override;
  void close(std::string_view reason) override;
  [[nodiscard]] uint64_t clientId() const noexcept override { return id_; }

 private:
  void read();
  void onRead(beast::error_code ec, size_t bytes);
  void handleText(std::string_view text);
  void reply(const nlohmann::json& id, nlohmann::json message);
  void replyError(const nlohmann::json& id, std::string_view code, std::string_view message);
  void enqueue(std::string text);
  void write();
  void closeGracefully();
  void finish();

  beast::websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::shared_ptr<HttpServer::Shared> shared_;
  uint64_t id_;
  std::optional<std::string> closeReason_;  // a close frame waiting for the write in flight
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

extern template class WebSocketSession<PlainStream>;
extern template class WebSocketSession<TlsStream>;

}  // namespace switchyard::signaling
