#include "media/sdp/SdpText.h"

namespace switchyard::media::sdp::detail {

Split splitFirst(std::string_view s, char sep) noexcept {
  const auto pos = s.find(sep);
  if (pos == std::string_view::npos) return {s, std::nullopt};
  return {s.substr(0, pos), s.substr(pos + 1)};
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ')
      ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ')
      ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> splitAll(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::optional<uint64_t> parseUnsigned(std::string_view s, uint64_t max) noexcept {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (max - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::optional<uint8_t> parsePayloadType(std::string_view s) noexcept {
  const auto v = parseUnsigned(s, 127);
  if (!v) return std::nullopt;
  return static_cast<uint8_t>(*v);
}

bool isToken(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool ok = c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
                    c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) ||
                    (c >= 0x5E && c <= 0x7E);
    if (!ok) return false;
  }
  return true;
}

namespace {
bool isAlnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
}  // namespace

bool isIceChars(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!isAlnum(c) && c != '+' && c != '/') return false;
  }
  return true;
}

bool isRidId(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void appendNumber(std::string& out, uint64_t v) {
  out += std::to_string(v);
}

}  // namespace switchyard::media::sdp::detail
