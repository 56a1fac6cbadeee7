// IceClientAgent and IceLiteAgent wired together in memory with a fake clock.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IceLiteAgent.h"
#include "tests/media/ice/IceTestUtil.h"

using namespace switchyard::media::ice;
using namespace switchyard::media::ice::test;

TEST_CASE("Client and lite agent connect", "[ice][agents]") {
  Wire w;
  w.start();
  REQUIRE(w.clientEvents.connected.size() == 1);
  CHECK(w.clientEvents.connected[0] == kLiteAddress);
  REQUIRE(w.liteEvents.selected.size() == 1);
  CHECK(w.liteEvents.selected[0] == kClientAddress);
  CHECK(w.lite.state() == IceLiteAgent::State::kConnected);
  CHECK(w.client.state() == IceClientAgent::State::kConnected);
  CHECK(w.lite.isValidRemote(kClientAddress));
  REQUIRE(w.client.mappedAddress());
  CHECK(*w.client.mappedAddress() == kClientAddress);
  CHECK(w.clientEvents.sent.size() == 1);
  CHECK(w.liteEvents.sent.size() == 1);
}

TEST_CASE("Client and lite agent connect despite lost packets (retransmission)", "[ice][agents]") {
  Wire w;
  w.dropToClient = true;  // the first responses are lost
  w.start();
  w.run(250ms, 1ms);
  CHECK(w.clientEvents.connected.empty());
  CHECK(w.liteEvents.selected.size() == 1);  // the lite side already selected the pair
  w.dropToClient = false;
  w.run(500ms, 1ms);
  REQUIRE(w.clientEvents.connected.size() == 1);
  CHECK(w.liteEvents.selected.size() == 1);  // retransmissions do not re-report the selection
  CHECK(w.clientEvents.failed.empty());
}

TEST_CASE("Wrong password on the client side: lite agent silent and stateless, client fails",
          "[ice][agents]") {
  Wire w(IceCredentials{"LiTe", "not+the+lite+password/00"});
  w.start();
  w.run(10s, 5ms);
  CHECK(w.liteEvents.sent.empty());
  CHECK(w.liteEvents.selected.empty());
  CHECK(w.lite.selected() == nullptr);
  CHECK(w.lite.validRemoteCount() == 0);
  CHECK(w.lite.state() == IceLiteAgent::State::kNew);
  CHECK(w.clientEvents.sent.size() == 7);  // Rc = 7 transmissions
  REQUIRE(w.clientEvents.failed.size() == 1);
  const auto failedAfter = w.clientEvents.sent.back().at - w.clientEvents.sent.front().at;
  CHECK(failedAfter == 4700ms);  // last transmission; failure 1.6 s later, well within the 10 s run
  CHECK(w.client.state() == IceClientAgent::State::kFailed);
  CHECK(w.clientEvents.connected.empty());
}

TEST_CASE("Wrong ufrag on the client side gets no response", "[ice][agents]") {
  Wire w(IceCredentials{"LiTX", kLiteCredentials.password});
  w.start();
  w.run(7s, 10ms);
  CHECK(w.liteEvents.sent.empty());
  CHECK(w.lite.validRemoteCount() == 0);
  CHECK(w.clientEvents.failed.size() == 1);
}

TEST_CASE("Lite agent expecting another remote ufrag stays silent", "[ice][agents]") {
  Wire w(kLiteCredentials, {}, {}, kLiteCredentials, kClientCredentials, std::string("Oth3r"));
  w.start();
  w.run(7s, 10ms);
  CHECK(w.liteEvents.sent.empty());
  CHECK(w.clientEvents.failed.size() == 1);
}

TEST_CASE("Tampered or fingerprint-less checks on the wire get no response", "[ice][agents]") {
  SECTION("fingerprint stripped (message length fixed up)") {
    Wire w;
    w.mutateToLite = [](std::vector<uint8_t>& b) {
      b.resize(b.size() - 8);
      b[2] = static_cast<uint8_t>((b.size() - 20) >> 8);
      b[3] = static_cast<uint8_t>(b.size() - 20);
    };
    w.start();
    w.run(7s, 10ms);
    CHECK(w.liteEvents.sent.empty());
    CHECK(w.clientEvents.failed.size() == 1);
  }
  SECTION("one bit flipped in the transaction id") {
    Wire w;
    w.mutateToLite = [](std::vector<uint8_t>& b) { b[12] ^= 0x04; };
    w.start();
    w.run(7s, 10ms);
    CHECK(w.liteEvents.sent.empty());
    CHECK(w.lite.validRemoteCount() == 0);
    CHECK(w.clientEvents.failed.size() == 1);
  }
  SECTION("priority changed") {
    Wire w;
    w.mutateToLite = [](std::vector<uint8_t>& b) {
      const auto msg = StunMessage::parse(b);
      REQUIRE(msg);
      for (const StunAttribute a : msg->attributes())
        if (a.type == kStunAttrPriority) b[static_cast<size_t>(a.value.data() - b.data()) + 3] ^= 1;
    };
    w.start();
    w.run(7s, 10ms);
    CHECK(w.liteEvents.sent.empty());
  }
}

TEST_CASE("Consent: lite side expires once after the client stops checking", "[ice][agents]") {
  Wire w;
  w.start();
  w.run(20s, 10ms);
  REQUIRE(w.client.state() == IceClientAgent::State::kConnected);
  CHECK(w.liteEvents.consentExpired == 0);
  const size_t checks = w.clientEvents.sent.size();
  CHECK(checks >= 4);  // consent checks every 4-6 s
  w.client.close();    // the browser tab went away
  w.run(31s, 10ms);
  CHECK(w.clientEvents.sent.size() == checks);
  CHECK(w.liteEvents.consentExpired == 1);
  CHECK(w.lite.state() == IceLiteAgent::State::kClosed);
  w.run(60s, 100ms);
  CHECK(w.liteEvents.consentExpired == 1);
}

TEST_CASE("Consent: the lite side expires exactly consentTimeout after the last check", "[ice][agents]") {
  Wire w;
  w.start();
  w.run(1s, 10ms);
  const auto lastCheck = w.lite.lastConsent();
  w.client.close();
  w.run(31s, 10ms);
  REQUIRE(w.liteEvents.consentExpired == 1);
  // Expiry is seen by the first tick at or after lastCheck + 30 s; ticks are 10 ms apart.
  CHECK(w.lite.lastConsent() == lastCheck);
}

TEST_CASE("Consent: no expiry on either side while checks keep coming", "[ice][agents]") {
  Wire w;
  w.start();
  w.run(5min, 20ms);
  CHECK(w.liteEvents.consentExpired == 0);
  CHECK(w.clientEvents.consentExpired == 0);
  CHECK(w.lite.state() == IceLiteAgent::State::kConnected);
  CHECK(w.client.state() == IceClientAgent::State::kConnected);
  CHECK(w.liteEvents.selected.size() == 1);
  CHECK(w.clientEvents.connected.size() == 1);
  CHECK(w.clientEvents.sent.size() >= 50);  // 300 s / (4..6 s)
  CHECK(w.clientEvents.sent.size() <= 80);
}

TEST_CASE("Consent: the client expires when the lite side stops answering", "[ice][agents]") {
  Wire w;
  w.start();
  w.run(10s, 10ms);
  w.dropToClient = true;  // path broken one way
  REQUIRE(!w.liteEvents.sent.empty());
  const auto lastAnswer = w.liteEvents.sent.back().at;  // the last response the client got
  w.run(lastAnswer + 30s - 10ms - w.clock.now, 10ms);
  CHECK(w.clientEvents.consentExpired == 0);
  w.run(10ms, 10ms);
  CHECK(w.clientEvents.consentExpired == 1);
  CHECK(w.client.state() == IceClientAgent::State::kClosed);
  // The lite side kept getting checks until then; it expires 30 s after the client stopped.
  CHECK(w.liteEvents.consentExpired == 0);
  w.run(31s, 10ms);
  CHECK(w.liteEvents.consentExpired == 1);
}

TEST_CASE("Network change: the client moves and nominates again", "[ice][agents]") {
  Wire w;
  w.start();
  w.run(2s, 10ms);
  REQUIRE(w.liteEvents.selected.size() == 1);
  w.clientAddress = kClientAddress2;  // new local network, same agent
  w.client.networkChanged(w.clock.now);
  w.pump();
  REQUIRE(w.liteEvents.selected.size() == 2);
  CHECK(w.liteEvents.selected[1] == kClientAddress2);
  REQUIRE(w.lite.selected() != nullptr);
  CHECK(*w.lite.selected() == kClientAddress2);
  REQUIRE(w.client.mappedAddress());
  CHECK(*w.client.mappedAddress() == kClientAddress2);
  CHECK(w.clientEvents.connected.size() == 1);  // the client's selected pair did not change
  // Consent keeps flowing on the new pair.
  w.run(2min, 20ms);
  CHECK(w.liteEvents.consentExpired == 0);
  CHECK(w.clientEvents.consentExpired == 0);
  CHECK(w.liteEvents.selected.size() == 2);
}

TEST_CASE("Network change without notice: the next consent check re-nominates", "[ice][agents]") {
  Wire w;
  w.start();
  w.clientAddress = kClientAddress2;  // NAT rebinding: the client does not know
  w.run(7s, 10ms);                    // at least one consent check (4-6 s)
  REQUIRE(w.liteEvents.selected.size() == 2);
  CHECK(w.liteEvents.selected[1] == kClientAddress2);
  CHECK(w.clientEvents.consentExpired == 0);
}

TEST_CASE("200 client agents connect to 200 lite agents behind one address", "[ice][agents][scale]") {
  // One server port shared by every lite agent (one worker): the first check of each client is
  // routed by localUfragOf(), later packets by source address, as the socket layer does.
  constexpr size_t kCount = 200;
  FakeClock clock;
  struct Peer {
    LiteRecorder liteEvents;
    ClientRecorder clientEvents;
    std::unique_ptr<IceLiteAgent> lite;
    std::unique_ptr<IceClientAgent> client;
    SocketAddress address;
  };
  std::vector<std::unique_ptr<Peer>> peers;
  std::unordered_map<std::string, IceLiteAgent*> byUfrag;
  std::unordered_map<SocketAddress, Peer*, switchyard::media::util::SocketAddressHash> byAddress;
  for (size_t i = 0; i < kCount; ++i) {
    auto p = std::make_unique<Peer>();
    const IceCredentials server = IceCredentials::generate();
    const IceCredentials browser = IceCredentials::generate();
    p->lite = std::make_unique<IceLiteAgent>(server, browser.ufrag, IceLiteAgent::Options{}, p->liteEvents);
    p->client = std::make_unique<IceClientAgent>(browser, server, IceClientAgent::randomTieBreaker(),
                                                 IceClientAgent::Options{}, p->clientEvents);
    p->address =
        SocketAddress::ipv4({10, 1, static_cast<uint8_t>(i / 250), static_cast<uint8_t>(i % 250 + 1)},
                            static_cast<uint16_t>(40000 + i));
    REQUIRE(p->client->addRemoteCandidate(kLiteAddress));
    REQUIRE(byUfrag.emplace(server.ufrag, p->lite.get()).second);
    byAddress.emplace(p->address, p.get());
    peers.push_back(std::move(p));
  }
  size_t routedByUfrag = 0;
  std::vector<size_t> clientSeen(kCount, 0), liteSeen(kCount, 0);
  const auto pump = [&] {
    bool moved = true;
    while (moved) {
      moved = false;
      for (size_t i = 0; i < kCount; ++i) {
        Peer& p = *peers[i];
        for (; clientSeen[i] < p.clientEvents.sent.size(); ++clientSeen[i]) {
          moved = true;
          const auto& bytes = p.clientEvents.sent[clientSeen[i]].bytes;
          const auto msg = StunMessage::parse(bytes);
          REQUIRE(msg);
          IceLiteAgent* target = nullptr;
          if (p.lite->isValidRemote(p.address)) {
            target = p.lite.get();
          } else if (const auto ufrag = IceLiteAgent::localUfragOf(*msg)) {
            const auto it = byUfrag.find(std::string(*ufrag));
            REQUIRE(it != byUfrag.end());
            target = it->second;
            ++routedByUfrag;
          }
          REQUIRE(target == p.lite.get());
          target->handleStun(*msg, p.address, clock.now);
        }
        for (; liteSeen[i] < p.liteEvents.sent.size(); ++liteSeen[i]) {
          moved = true;
          const Sent& s = p.liteEvents.sent[liteSeen[i]];
          Peer* dest = byAddress.at(s.to);
          REQUIRE(dest == &p);
          deliver(*dest->client, s.bytes, kLiteAddress, clock.now);
        }
      }
    }
  };
  for (auto& p : peers)
    p->client->start(clock.now);
  pump();
  for (int step = 0; step < 1000; ++step) {  // 10 s of 10 ms ticks
    clock.advance(10ms);
    for (auto& p : peers) {
      p->client->tick(clock.now);
      p->lite->tick(clock.now);
    }
    pump();
  }
  size_t connected = 0;
  for (size_t i = 0; i < kCount; ++i) {
    const Peer& p = *peers[i];
    if (p.clientEvents.connected.size() == 1 && p.liteEvents.selected.size() == 1 &&
        p.liteEvents.selected[0] == p.address && p.clientEvents.failed.empty()) {
      ++connected;
    }
  }
  CHECK(connected == kCount);
  CHECK(routedByUfrag == kCount);
  CHECK(sizeof(IceClientAgent) <= 1024);
  CHECK(sizeof(IceLiteAgent) <= 512);
}
