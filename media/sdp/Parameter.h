#pragma once
// One "name[=value]" item of an a=fmtp parameter list or an a=rid restriction list.
#include <optional>
#include <string>

namespace switchyard::media::sdp {

struct Parameter {
  std::string name;
  std::optional<std::string> value;  // nullopt for a bare name ("111/111" in red's fmtp)

  friend bool operator==(const Parameter&, const Parameter&) = default;
};

}  // namespace switchyard::media::sdp
