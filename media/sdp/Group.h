#pragma once
// a=group:<semantics> *(SP <identification-tag>) (RFC 5888 section 5; BUNDLE in RFC 8843).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct Group {
  std::string semantics;  // "BUNDLE", "LS", ...
  std::vector<std::string> mids;

  [[nodiscard]] static std::optional<Group> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Group&, const Group&) = default;
};

}  // namespace switchyard::media::sdp
