// Fuzzes the SDP parser and writer: any bytes must parse or fail cleanly; a description that parses
// must write to text that parses back to an equal description, and writing that again must give the
// same text (the writer is stable). The re-parse gets twice the size limits, since writing may add a
// CR to every LF-only line and a space after "a=msid-semantic:".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "media/sdp/Sdp.h"

using namespace switchyard::media::sdp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult first = parse(text);
  if (!first) {
    if (first.error.empty()) __builtin_trap();
    return 0;
  }
  const SessionDescription& sd = *first.description;
  // Exercise the convenience views.
  for (const auto& m : sd.media) {
    for (const auto& c : m.codecs()) {
      (void)c.rtxApt();
      (void)c.hasFeedback("nack", "pli");
    }
    for (const auto& r : m.rids)
      (void)r.payloadTypes();
  }
  (void)sd.bundleGroup();

  const std::string written = write(sd);
  ParseLimits relaxed;
  relaxed.maxInputBytes *= 2;
  relaxed.maxLineLength *= 2;
  const ParseResult second = parse(written, relaxed);
  if (!second) __builtin_trap();
  if (!(*second.description == sd)) __builtin_trap();
  if (write(*second.description) != written) __builtin_trap();
  return 0;
}
