#pragma once
// a=simulcast:<send|recv> <streams> [<recv|send> <streams>] (RFC 8853 section 5.1):
// streams are separated by ';', alternative rids of one stream by ',', and '~' marks a paused rid.
// "a=simulcast:send q;h;f" -> send = {{q}, {h}, {f}}. Written send first, then recv.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::media::sdp {

struct Simulcast {
  struct Alternative {
    std::string rid;
    bool paused = false;

    friend bool operator==(const Alternative&, const Alternative&) = default;
  };
  using Stream = std::vector<Alternative>;  // one simulcast stream, its alternatives in preference order

  std::vector<Stream> send;
  std::vector<Stream> recv;

  [[nodiscard]] static std::optional<Simulcast> parse(std::string_view value, std::string& error);
  [[nodiscard]] std::string toString() const;

  friend bool operator==(const Simulcast&, const Simulcast&) = default;
};

}  // namespace switchyard::media::sdp
