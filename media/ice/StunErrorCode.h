#pragma once
// ERROR-CODE attribute value (RFC 8489 §14.8): code = class * 100 + number, in 300..699.
#include <cstdint>
#include <string_view>

namespace switchyard::media::ice {

struct StunErrorCode {
  uint16_t code = 0;
  std::string_view reason;  // UTF-8 reason phrase; points into the parsed message

  static constexpr uint16_t kTryAlternate = 300;
  static constexpr uint16_t kBadRequest = 400;
  static constexpr uint16_t kUnauthorized = 401;
  static constexpr uint16_t kUnknownAttribute = 420;
  static constexpr uint16_t kRoleConflict = 487;  // RFC 8445 §7.3.1.1
  static constexpr uint16_t kServerError = 500;
};

}  // namespace switchyard::media::ice
