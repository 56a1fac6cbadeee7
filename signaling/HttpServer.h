#pragma once
// The HTTP front end (later also the WebSocket upgrade for signaling). Runs on the signaling
// io_context; each connection is an HttpSession kept alive by its pending operation.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "signaling/HttpRouter.h"

namespace switchyard::signaling {

namespace asio = boost::asio;

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;
    uint32_t maxConnections = 1024;
    std::chrono::milliseconds requestTimeout{10000};
  };

  HttpServer(asio::io_context& io, Options options, std::shared_ptr<spdlog::logger> log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; throws std::runtime_error naming the address on failure.
  asio::ip::tcp::endpoint start();
  void stop();

  [[nodiscard]] uint32_t openConnections() const noexcept;
  // "http://127.0.0.1:7080/" (IPv6 in brackets).
  [[nodiscard]] std::string url() const;

  struct Shared;  // state the sessions share with the server (connection count, router, options)

 private:
  void accept();

  asio::io_context& io_;
  Options options_;
  std::shared_ptr<spdlog::logger> log_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  asio::ip::tcp::endpoint bound_;
};

}  // namespace switchyard::signaling
