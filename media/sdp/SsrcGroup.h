#pragma once
// a=ssrc-group:<semantics> *(SP <ssrc-id>) (RFC 5576 section 4.2), e.g. "FID 1111 2222" (RFC 4588 rtx).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct SsrcGroup {
  std::string semantics;  // "FID", "SIM", "FEC-FR"
  std::vector<uint32_t> ssrcs;

  [[nodiscard]] static std::optional<SsrcGroup> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const SsrcGroup&, const SsrcGroup&) = default;
};

}  // namespace switchyard::media::sdp
