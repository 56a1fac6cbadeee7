#pragma once
// An a= line the typed model does not interpret, kept verbatim: "a=<name>[:<value>]".
#include <optional>
#include <string>

namespace switchyard::media::sdp {

struct Attribute {
  std::string name;
  std::optional<std::string> value;  // nullopt for a property attribute ("a=foo")

  friend bool operator==(const Attribute&, const Attribute&) = default;
};

}  // namespace switchyard::media::sdp
