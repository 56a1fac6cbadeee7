#pragma once
// Helpers shared by the SDP tests: fixture loading and line splitting.
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp::test {

inline const std::vector<std::string>& fixtureNames() {
  static const std::vector<std::string> kNames = {
      "chromium-audio.sdp",
      "chromium-video.sdp",
      "chromium-audio-video-simulcast.sdp",
      "chromium-data.sdp",
      "chromium-audio-video-simulcast-data.sdp",
      "handwritten-features.sdp",
  };
  return kNames;
}

inline std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(SWITCHYARD_FIXTURES_DIR) + "/sdp/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits CRLF text into lines (without the CRLF); a final unterminated piece is kept.
inline std::vector<std::string> crlfLines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find("\r\n", pos);
    if (end == std::string_view::npos) {
      out.emplace_back(text.substr(pos));
      break;
    }
    out.emplace_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

// A minimal valid session to build malformed cases from.
inline std::string minimalHeader() {
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
}

}  // namespace switchyard::media::sdp::test
