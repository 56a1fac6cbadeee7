#pragma once
// Caps that keep a hostile SDP from costing more than a real one. A Chromium offer with audio, three
// simulcast video layers and a data channel is ~8 KiB, ~200 lines, 3 media sections, 250-byte lines.
#include <cstddef>

namespace switchyard::media::sdp {

struct ParseLimits {
  size_t maxInputBytes = 64 * 1024;
  size_t maxLineLength = 4096;
  size_t maxLines = 8192;
  size_t maxMediaSections = 256;
};

}  // namespace switchyard::media::sdp
