#pragma once
#include <memory>
#include <optional>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "signaling/HttpServer.h"

namespace switchyard::signaling {

namespace beast = boost::beast;

// One HTTP connection: read a request (bounded size, bounded time), answer it through the
// router, repeat while keep-alive. Lives as long as an async operation holds shared_from_this().
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared);
  ~HttpSession();
  void start();

 private:
  void read();
  void onRead(beast::error_code ec, size_t bytes);
  void onWrite(bool keepAlive, beast::error_code ec, size_t bytes);
  void close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpRouter::Response> response_;
  std::shared_ptr<HttpServer::Shared> shared_;
};

}  // namespace switchyard::signaling
