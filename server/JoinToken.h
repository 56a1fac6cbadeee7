#pragma once
// Join tokens: when `rooms.token_secret` is set, a join needs a token the application's backend
// minted with the same secret, so only its users enter its rooms. Format (JWT-like, HS256 only):
//   base64url(payload JSON) "." base64url(HMAC-SHA256(secret, first part))
// payload: {"room": "<name>" or "*", "exp": <unix seconds>, "name": "<display name>" (optional:
// then it overrides the one the client asks for)}. Control plane.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::server {

struct JoinGrant {
  std::string room;                 // a room name, or "*" for any room
  int64_t expires = 0;              // unix seconds
  std::optional<std::string> name;  // the display name to use, if the token fixes it
};

// Mints a token (for `switchyard --make-token` and tests).
[[nodiscard]] std::string makeJoinToken(std::string_view secret, const JoinGrant& grant);
// Signs any payload text as a token (makeJoinToken's last step; tests and the fuzz target use it
// to reach the payload checks).
[[nodiscard]] std::string signJoinToken(std::string_view secret, std::string_view payload);

// Checks a token for `room` at `now` (unix seconds). The grant, or an error message for the client
// (bad format, bad signature, expired, another room) in `error`.
[[nodiscard]] std::optional<JoinGrant> verifyJoinToken(std::string_view secret, std::string_view token,
                                                       std::string_view room, int64_t now,
                                                       std::string& error);

}  // namespace switchyard::server
