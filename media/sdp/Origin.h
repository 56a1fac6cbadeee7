#pragma once
// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 section 5.2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::media::sdp {

struct Origin {
  std::string username = "-";
  uint64_t sessionId = 0;
  uint64_t sessionVersion = 0;
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address = "127.0.0.1";

  // `value` is the text after "o="; on failure `error` says why.
  [[nodiscard]] static std::optional<Origin> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Origin&, const Origin&) = default;
};

}  // namespace switchyard::media::sdp
