// Signaling over WebSocket against the real Server and its RoomManager: join, peer events, leave,
// disconnects, typed errors for bad input, limits. Real sockets (Boost.Beast WebSocket client).
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <regex>

#include "server/Server.h"

using namespace switchyard;
using nlohmann::json;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

namespace {

config::Config testConfig() {
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
  RunningServer() : server(testConfig()) {
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

}  // namespace

TEST_CASE("peers join a room, see each other arrive and leave", "[signaling]") {
  RunningServer running;
  Client alice(running.port), bob(running.port);

  const json aliceJoined = alice.request({{"type", "join"}, {"room", "team-1"}, {"name", "Alice"}});
  REQUIRE(aliceJoined["type"] == "joined");
  CHECK(aliceJoined["room"] == "team-1");
  CHECK(aliceJoined["peers"].empty());
  const std::string aliceId = aliceJoined["peerId"];

  const json bobJoined = bob.request({{"type", "join"}, {"room", "team-1"}, {"name", "Bob"}});
  REQUIRE(bobJoined["type"] == "joined");
  REQUIRE(bobJoined["peers"].size() == 1);
  CHECK(bobJoined["peers"][0]["peerId"] == aliceId);
  CHECK(bobJoined["peers"][0]["name"] == "Alice");
  const std::string bobId = bobJoined["peerId"];
  CHECK(bobId != aliceId);

  const json arrived = alice.event();
  CHECK(arrived["type"] == "peerJoined");
  CHECK(arrived["peer"]["peerId"] == bobId);
  CHECK(arrived["peer"]["name"] == "Bob");
  CHECK_FALSE(arrived.contains("id"));  // events carry no id

  CHECK(bob.request({{"type", "leave"}})["type"] == "left");
  const json gone = alice.event();
  CHECK(gone["type"] == "peerLeft");
  CHECK(gone["peerId"] == bobId);
  CHECK(bob.request({{"type", "leave"}})["code"] == "not_joined");
}

TEST_CASE("a closed WebSocket leaves its room and an empty room goes", "[signaling]") {
  RunningServer running;
  Client alice(running.port);
  REQUIRE(alice.request({{"type", "join"}, {"room", "r"}})["type"] == "joined");
  {
    Client bob(running.port);
    REQUIRE(bob.request({{"type", "join"}, {"room", "r"}})["type"] == "joined");
    CHECK(alice.event()["type"] == "peerJoined");
    bob.ws.close(websocket::close_code::normal);
  }
  CHECK(alice.event()["type"] == "peerLeft");
  alice.ws.close(websocket::close_code::normal);
  // Count on the signaling thread, where the rooms live.
  for (int i = 0; i < 100; ++i) {
    std::promise<size_t> count;
    running.server.postToSignaling([&] { count.set_value(running.server.rooms().roomCount()); });
    if (count.get_future().get() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::promise<size_t> count;
  running.server.postToSignaling([&] { count.set_value(running.server.rooms().roomCount()); });
  CHECK(count.get_future().get() == 0);
}

TEST_CASE("bad requests get typed errors and the connection keeps working", "[signaling]") {
  RunningServer running;
  Client client(running.port);
  client.sendText("this is not json");
  json error = client.receive();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "bad_request");
  client.sendText("[1,2,3]");
  CHECK(client.receive()["code"] == "bad_request");
  client.sendText(R"({"id": 5})");
  error = client.receive();
  CHECK(error["code"] == "bad_request");
  CHECK(error["id"] == 5);
  client.sendText(R"({"type": "join", "id": {"no": 1}})");
  CHECK(client.receive()["code"] == "bad_request");
  CHECK(client.request({{"type", "fly"}})["code"] == "unknown_type");
  CHECK(client.request({{"type", "join"}})["code"] == "bad_request");
  CHECK(client.request({{"type", "join"}, {"room", "has space"}})["code"] == "bad_request");
  CHECK(client.request({{"type", "join"}, {"room", std::string(65, 'a')}})["code"] == "bad_request");
  CHECK(client.request({{"type", "join"}, {"room", "ok"}, {"name", 7}})["code"] == "bad_request");
  // Binary frames are refused, not parsed.
  client.ws.binary(true);
  client.ws.write(asio::buffer(std::string("\x01\x02")));
  CHECK(client.receive()["code"] == "bad_request");
  // Still usable.
  CHECK(client.request({{"type", "ping"}})["type"] == "pong");
  const json joined = client.request({{"type", "join"}, {"room", "ok"}, {"name", "x"}});
  CHECK(joined["type"] == "joined");
  CHECK(client.request({{"type", "join"}, {"room", "other"}})["code"] == "already_joined");
  const json id = client.request({{"type", "ping"}, {"id", "text-id"}});
  CHECK(id["type"] == "pong");
}

TEST_CASE("a full room refuses the next peer", "[signaling]") {
  RunningServer running;  // rooms.max_peers = 3
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Client>(running.port));
    REQUIRE(clients.back()->request({{"type", "join"}, {"room", "small"}})["type"] == "joined");
  }
  Client fourth(running.port);
  const json refused = fourth.request({{"type", "join"}, {"room", "small"}});
  CHECK(refused["code"] == "room_full");
  CHECK(fourth.request({{"type", "join"}, {"room", "elsewhere"}})["type"] == "joined");
}

TEST_CASE("an oversized message closes the connection", "[signaling]") {
  RunningServer running;  // signaling.max_message_bytes = 4096
  Client client(running.port);
  client.sendText(json{{"type", "join"}, {"room", "r"}, {"name", std::string(5000, 'x')}}.dump());
  CHECK(client.receive().is_null());
  CHECK(client.closedWith);
  // The server is still there for others.
  Client other(running.port);
  CHECK(other.request({{"type", "ping"}})["type"] == "pong");
}
