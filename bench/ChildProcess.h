#pragma once
// A server the bench starts and stops itself (Switchyard, the reflector, Janus): fork/exec with an
// environment, stdout+stderr appended to a log file and scanned for a line that says it is ready,
// SIGTERM then SIGKILL after a bound. And what the kernel says of any process: CPU seconds
// (user+system, all threads) and resident memory, from /proc.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace switchyard::bench {

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value", added to (and overriding) the bench's environment
    std::vector<std::string> dropEnvPrefixes;  // e.g. "SWITCHYARD_": not passed on
    std::string logFile;
    std::regex readyLine;  // the first match ends start()
    std::chrono::milliseconds startTimeout{15000};
  };

  // Starts it and waits for the ready line; throws std::runtime_error (with the log tail) when it
  // exits or stays silent. The match's first group (if any) is kept: readyMatch().
  explicit ChildProcess(Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::string& readyMatch() const noexcept { return match_; }
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status text ("exit 0", "signal 9").
  std::string stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  [[nodiscard]] bool running();
  [[nodiscard]] std::string logTail(size_t lines = 30) const;

 private:
  Options options_;
  pid_t pid_ = -1;
  std::string match_;
  std::string status_;
};

// utime + stime of every thread of `pid`, in seconds; nullopt if it is gone.
[[nodiscard]] std::optional<double> processCpuSeconds(pid_t pid);
// VmRSS of `pid` in bytes.
[[nodiscard]] std::optional<uint64_t> processRssBytes(pid_t pid);
// The process's own CPU seconds (getrusage).
[[nodiscard]] double selfCpuSeconds();

}  // namespace switchyard::bench
