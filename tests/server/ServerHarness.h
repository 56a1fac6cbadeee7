#pragma once
// The real Server on its own thread and a blocking WebSocket client speaking its JSON protocol, for
// the server's integration tests (real sockets, Boost.Beast WebSocket client).
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <vector>

#include "server/Server.h"

namespace switchyard::test {

using nlohmann::json;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

inline config::Config testConfig() {
  config::Config config;
  config.http.port = 0;
  config.workers.count = 1;
  config.rtc.udpPort = 0;
  config.rtc.tcpPort = 0;
  config.rooms.maxPeers = 3;
  config.signaling.maxMessageBytes = 4096;
  return config;
}

// The server on its own thread for one test.
struct RunningServer {
  explicit RunningServer(const config::Config& config = testConfig()) : server(config) {
    const std::string url = server.start();
    std::smatch match;
    REQUIRE(std::regex_search(url, match, std::regex(R"(:(\d+)/)")));
    port = static_cast<unsigned short>(std::stoi(match[1]));
    running = std::async(std::launch::async, [this] { server.run(); });
  }
  ~RunningServer() {
    server.stop();
    running.wait();
  }
  server::Server server;
  unsigned short port = 0;
  std::future<void> running;
};

// A blocking WebSocket client with a read timeout.
struct Client {
  explicit Client(unsigned short port) : ws(io) {
    beast::get_lowest_layer(ws).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws.handshake("127.0.0.1", "/ws");
  }
  void sendText(const std::string& text) {
    ws.text(true);
    ws.write(asio::buffer(text));
  }
  void send(const json& message) { sendText(message.dump()); }
  // The next message, or a JSON null after the timeout or when the connection closed.
  json receive(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    beast::flat_buffer buffer;
    beast::error_code result = asio::error::timed_out;
    bool done = false;
    ws.async_read(buffer, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    io.restart();
    io.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws).cancel();
      io.restart();
      io.run();
      return nullptr;
    }
    if (result) {
      closedWith = result;
      return nullptr;
    }
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Sends a request and returns the reply with the same id (events in between are kept).
  json request(json message) {
    const int id = ++nextId;
    message["id"] = id;
    send(message);
    for (int i = 0; i < 20; ++i) {
      json reply = receive();
      if (reply.is_null()) return reply;
      if (reply.contains("id") && reply["id"] == id) return reply;
      events.push_back(std::move(reply));
    }
    return nullptr;
  }
  // The next event (already received or still to come).
  json event() {
    if (!events.empty()) {
      json e = events.front();
      events.erase(events.begin());
      return e;
    }
    return receive();
  }

  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws;
  std::vector<json> events;
  beast::error_code closedWith;
  int nextId = 0;
};

}  // namespace switchyard::test
