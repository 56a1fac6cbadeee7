// Join tokens: minting and checking (HMAC-SHA256 over a base64url JSON payload), and the real
// server refusing joins without a valid one when rooms.token_secret is set.
#include <catch2/catch.hpp>

#include "server/JoinToken.h"
#include "tests/server/ServerHarness.h"

using namespace switchyard;
using namespace switchyard::test;

namespace {

constexpr int64_t kNow = 1'800'000'000;

std::optional<server::JoinGrant> verify(std::string_view secret, std::string_view token,
                                        std::string_view room, std::string& error) {
  return server::verifyJoinToken(secret, token, room, kNow, error);
}

}  // namespace

TEST_CASE("a minted token admits its room until it expires", "[token]") {
  const std::string token = server::makeJoinToken("s3cret", {"team-1", kNow + 60, std::nullopt});
  std::string error;
  const auto grant = verify("s3cret", token, "team-1", error);
  REQUIRE(grant);
  CHECK(grant->room == "team-1");
  CHECK(grant->expires == kNow + 60);
  CHECK_FALSE(grant->name);

  CHECK_FALSE(verify("s3cret", token, "team-2", error));
  CHECK(error == "the token is for another room");
  CHECK_FALSE(server::verifyJoinToken("s3cret", token, "team-1", kNow + 60, error));
  CHECK(error == "the token has expired");
  CHECK_FALSE(verify("other", token, "team-1", error));
  CHECK(error == "the token's signature is not valid");
}

TEST_CASE("a wildcard token admits any room and can fix the display name", "[token]") {
  const std::string token = server::makeJoinToken("k", {"*", kNow + 1, std::string("Dr. Who")});
  std::string error;
  const auto grant = verify("k", token, "anything", error);
  REQUIRE(grant);
  CHECK(grant->name == "Dr. Who");
}

TEST_CASE("tampered or malformed tokens are refused", "[token]") {
  const std::string token = server::makeJoinToken("k", {"a", kNow + 100, std::nullopt});
  const size_t dot = token.find('.');
  std::string error;
  // A payload for another room with the old signature.
  const std::string forged = server::makeJoinToken("k", {"b", kNow + 100, std::nullopt});
  CHECK_FALSE(verify("k", forged.substr(0, forged.find('.')) + token.substr(dot), "b", error));
  CHECK(error == "the token's signature is not valid");
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify("k", flipped, "a", error));
  const std::vector<std::string> malformed{"",     ".",     "abc",     "abc.",
                                           ".abc", "a.b.c", "!!!.???", std::string(5000, 'a') + ".x"};
  for (const std::string& bad : malformed) {
    CHECK_FALSE(verify("k", bad, "a", error));
    CHECK_FALSE(error.empty());
  }
  // Correctly signed payloads that are not what a token carries.
  for (const std::string payload :
       {"not json", "[1]", R"({"room":1,"exp":2000000000})", R"({"room":"a"})",
        R"({"room":"a","exp":"soon"})", R"({"room":"a","exp":2000000000,"name":5})"}) {
    CHECK_FALSE(verify("k", server::signJoinToken("k", payload), "a", error));
    CHECK(error == "the token's payload needs a string \"room\" and an integer \"exp\"");
  }
  CHECK(verify("k", server::signJoinToken("k", R"({"room":"a","exp":2000000000})"), "a", error));
}

TEST_CASE("a server with a token secret refuses joins without a valid token", "[token][signaling]") {
  config::Config config = testConfig();
  config.rooms.tokenSecret = "integration-secret";
  RunningServer running(config);
  Client client(running.port);
  json reply = client.request({{"type", "join"}, {"room", "r1"}});
  CHECK(reply["type"] == "error");
  CHECK(reply["code"] == "unauthorized");
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  reply = client.request(
      {{"type", "join"},
       {"room", "r1"},
       {"token", server::makeJoinToken("integration-secret", {"r2", now + 60, std::nullopt})}});
  CHECK(reply["code"] == "unauthorized");
  CHECK(reply["message"] == "the token is for another room");
  reply = client.request(
      {{"type", "join"},
       {"room", "r1"},
       {"name", "Mallory"},
       {"token", server::makeJoinToken("integration-secret", {"r1", now + 60, std::string("Alice")})}});
  REQUIRE(reply["type"] == "joined");
  Client other(running.port);
  const json seen =
      other.request({{"type", "join"},
                     {"room", "r1"},
                     {"token", server::makeJoinToken("integration-secret", {"*", now + 60, {}})}});
  REQUIRE(seen["type"] == "joined");
  CHECK(seen["peers"][0]["name"] == "Alice");
}
