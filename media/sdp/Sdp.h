#pragma once
// SDP for WebRTC (RFC 8866 with the attributes JSEP uses, RFC 8829): text <-> SessionDescription.
//
//   auto result = sdp::parse(offerText);
//   if (!result) log(result.line, result.error);
//   const SessionDescription& offer = *result.description;
//   std::string text = sdp::write(offer);  // CRLF lines; a parsed offer comes back line for line
//
// parse() is strict on structure (v= then o= then s= first, a t= before the first m=, well-formed m=
// lines and known attributes), lenient on attributes it does not know (kept verbatim, in order), and
// never throws, crashes or loops on any input: sizes are capped by ParseLimits.
#include <string>
#include <string_view>

#include "media/sdp/ParseLimits.h"
#include "media/sdp/ParseResult.h"
#include "media/sdp/SessionDescription.h"

namespace switchyard::media::sdp {

[[nodiscard]] ParseResult parse(std::string_view text, const ParseLimits& limits = {}) noexcept;

// CRLF-terminated text. Lines follow each section's SourceOrder, then any field it does not mention
// in a canonical order. parse(write(d)) == d for every d that parse() produced.
[[nodiscard]] std::string write(const SessionDescription& description);

}  // namespace switchyard::media::sdp
