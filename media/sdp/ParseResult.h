#pragma once
// The outcome of parse(): the description, or an error message and the 1-based line it refers to
// (0 when it is about the input as a whole, e.g. its size).
#include <cstddef>
#include <optional>
#include <string>

#include "media/sdp/SessionDescription.h"

namespace switchyard::media::sdp {

struct ParseResult {
  std::optional<SessionDescription> description;
  std::string error;
  size_t line = 0;

  [[nodiscard]] bool ok() const noexcept { return description.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
};

}  // namespace switchyard::media::sdp
