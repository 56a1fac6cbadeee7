#pragma once
#include <array>
#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "signaling/HttpServer.h"
#include "signaling/SessionStream.h"

namespace switchyard::signaling {

namespace beast = boost::beast;

// One HTTP connection: (with TLS: complete the handshake in bounded time), read a request (bounded
// size, bounded time), answer it through the router, repeat while keep-alive. Lives as long as an
// async operation holds shared_from_this(). Stream is PlainStream or TlsStream.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared);
  ~HttpSession();
  void start();

 private:
  void handshake();
  void read();
  void onRead(beast::error_code ec, size_t bytes);
  void write(bool keepAlive);
  void onWrite(bool keepAlive, beast::error_code ec, size_t bytes);
  // After refusing a request: stop sending, read and discard what the client still sends (for a
  // short time), then close, so the kernel does not answer unread data with a reset that could
  // destroy the error response before the client reads it. With TLS: send close_notify and wait
  // (as briefly) for the client's.
  void lingerAndClose();
  void close();

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpRouter::Response> response_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::array<char, 4096> drain_{};
  size_t drained_ = 0;
};

extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

}  // namespace switchyard::signaling
