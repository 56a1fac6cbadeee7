#pragma once
// A line kept verbatim whose type letter has no typed field: i=, u=, e=, p=, z=, k= (RFC 8866 section 5).
#include <string>

namespace switchyard::media::sdp {

struct TextLine {
  char type = 'i';
  std::string value;

  friend bool operator==(const TextLine&, const TextLine&) = default;
};

}  // namespace switchyard::media::sdp
