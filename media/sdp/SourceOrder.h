#pragma once
// The order in which a section's lines appeared when it was parsed: each entry names a typed field
// (and an index for repeated ones). The writer follows it so that write(parse(offer)) gives the
// offer's lines back in their order; fields it does not mention (added by code) are written after
// them in a canonical order. It is presentation only: equality of two models ignores it.
#include <cstdint>
#include <vector>

#include "media/sdp/LineKind.h"

namespace switchyard::media::sdp {

struct SourceOrder {
  struct Entry {
    LineKind kind;
    uint32_t index;
  };
  std::vector<Entry> entries;

  // Presentation only: never makes two descriptions differ.
  friend bool operator==(const SourceOrder&, const SourceOrder&) noexcept { return true; }
};

}  // namespace switchyard::media::sdp
