#pragma once
// Runs a helper program (`ip`, ...) to completion: fork + execvp with the given argv (no shell),
// stdin from /dev/null, stdout and stderr captured together. Bounded in time: a program still
// running after `timeout` is killed (SIGKILL) and reported as such.
#include <chrono>
#include <string>
#include <vector>

namespace switchyard::bench {

struct SubprocessResult {
  int exitCode = -1;   // the program's exit status; -1 if it did not exit normally (or never ran)
  std::string output;  // stdout + stderr, at most 64 KiB kept
  bool timedOut = false;

  [[nodiscard]] bool ok() const noexcept { return exitCode == 0 && !timedOut; }
};

class Subprocess {
 public:
  // argv[0] is looked up on PATH. Throws std::runtime_error only if fork/pipe fail; a program that
  // cannot be executed exits with 127 and says why in `output`.
  static SubprocessResult run(const std::vector<std::string>& argv,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // "ip netns add x" for messages.
  static std::string describe(const std::vector<std::string>& argv);
};

}  // namespace switchyard::bench
