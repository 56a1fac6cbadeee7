// Signaling over WebSocket against the real Server and its RoomManager: join, peer events, leave,
// disconnects, typed errors for bad input, limits. Real sockets (Boost.Beast WebSocket client).
#include <catch2/catch.hpp>

#include "tests/server/ServerHarness.h"

using namespace switchyard;
using namespace switchyard::test;

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
