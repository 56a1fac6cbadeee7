#pragma once
// Small text helpers shared by the SDP attribute parsers and the writer. Every function here is
// total: it never reads past the view it is given and reports malformed input through its result.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::media::sdp::detail {

// Splits at the first `sep`: ("a b c", ' ') -> {"a", "b c"}; no separator -> {s, nullopt}.
struct Split {
  std::string_view head;
  std::optional<std::string_view> tail;
};
[[nodiscard]] Split splitFirst(std::string_view s, char sep) noexcept;

// Splits on runs of spaces; leading and trailing spaces give no empty tokens.
[[nodiscard]] std::vector<std::string_view> tokens(std::string_view s);

// Splits on every `sep`, keeping empty pieces ("a;;b" -> {"a", "", "b"}).
[[nodiscard]] std::vector<std::string_view> splitAll(std::string_view s, char sep);

// Decimal digits only (no sign, no spaces), at most max.
[[nodiscard]] std::optional<uint64_t> parseUnsigned(std::string_view s, uint64_t max) noexcept;

template <typename T>
[[nodiscard]] std::optional<T> parseNumber(std::string_view s) noexcept {
  const auto v = parseUnsigned(s, std::numeric_limits<T>::max());
  if (!v) return std::nullopt;
  return static_cast<T>(*v);
}

// RTP payload type 0..127 (RFC 3550 section 5.1).
[[nodiscard]] std::optional<uint8_t> parsePayloadType(std::string_view s) noexcept;

// RFC 8866 section 9 token-char.
[[nodiscard]] bool isToken(std::string_view s) noexcept;
// RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/".
[[nodiscard]] bool isIceChars(std::string_view s) noexcept;
// RFC 8851 rid-id: 1*(alpha-numeric / "-" / "_").
[[nodiscard]] bool isRidId(std::string_view s) noexcept;

[[nodiscard]] bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept;

void appendNumber(std::string& out, uint64_t v);

}  // namespace switchyard::media::sdp::detail
