// Join tokens: any text as a token, and any text signed as a payload, must be refused or give a
// grant for the asked room that has not expired; never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/JoinToken.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1'800'000'000;
  for (const std::string& token : {std::string(input), switchyard::server::signJoinToken("fuzz", input)}) {
    std::string error;
    const auto grant = switchyard::server::verifyJoinToken("fuzz", token, "room", kNow, error);
    if (grant && (grant->expires <= kNow || (grant->room != "room" && grant->room != "*"))) __builtin_trap();
    if (!grant && error.empty()) __builtin_trap();
  }
  return 0;
}
