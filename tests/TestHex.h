#pragma once
// Hex literals for tests: "80 c8 00 06", "2112a442 b7e7a701", "80c8|0006" -> bytes. Whitespace and
// '|' separate groups; each group must be an even number of hex digits. Anything else (a stray
// character, an odd digit count) throws std::invalid_argument, so a typo in a test vector fails
// the test instead of silently shifting every following byte.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::test {

inline int hexDigitValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '|') {
      if (high >= 0)
        throw std::invalid_argument("hex: odd number of digits before offset " + std::to_string(i));
      continue;
    }
    const int v = hexDigitValue(c);
    if (v < 0) throw std::invalid_argument("hex: not a hex digit at offset " + std::to_string(i));
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("hex: odd number of digits at the end");
  return out;
}

}  // namespace switchyard::test
