#pragma once
// Debian's Janus (1.1.x) as the reference SFU of the benchmark: writes a minimal configuration
// into a temporary directory, runs `janus` as a child process inside a network namespace, waits
// until its WebSocket transport answers, and stops it.
//
// The configuration: only the videoroom plugin and the WebSocket transport are loaded (the plugin
// and transport folders are temporary directories holding links to just those two libraries; no
// event handlers, no loggers, no admin API), WebSocket on bindAddress:wsPort (plain ws, JSON not
// indented), `interface` = bindAddress (else Janus looks for an outside route to guess its address),
// ICE: no STUN/TURN, no nat_1_1, candidates gathered only on iceInterface (ice_enforce_list), no
// IPv6, full ICE (or ICE-lite, Options::iceLite), half-trickle; a self-signed DTLS certificate made
// at start; debug level low (errors only by default); session_timeout 60 s (clients send keepalives
// every 25 s). event_loops: Janus's default (0 here) is one event loop thread per handle; a fixed
// number N shares N loop threads between all handles (fairer next to a fixed worker count).
//
// The child: own process group (a terminal's Ctrl-C reaches the bench, which then stops Janus in
// order), PR_SET_PDEATHSIG=SIGKILL (if the bench dies, Janus dies too; note that Linux sends it when
// the THREAD that forked exits, so call start() from a thread that outlives the JanusProcess),
// setns into the namespace, stdin /dev/null, stdout+stderr to <workDir>/janus.log.
//
// Janus's CPU time: processCpuSeconds(pid()) (bench/ChildProcess.h): utime + stime of
// /proc/<pid>/stat, which the kernel keeps as the sum over all of the process's threads including
// those that have exited (summing /proc/<pid>/task/*/stat would miss those: Janus ends a handle's
// loop thread when the handle goes).
//
// Control plane only; start() throws std::runtime_error (with the log's tail) on failure.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace switchyard::bench {

class JanusProcess {
 public:
  struct Options {
    std::string executable = "janus";  // looked up on PATH
    std::string pluginsFolder = "/usr/lib/x86_64-linux-gnu/janus/plugins";
    std::string transportsFolder = "/usr/lib/x86_64-linux-gnu/janus/transports";
    std::string bindAddress = "10.77.0.1";  // WebSocket server and Janus's `interface`
    std::string iceInterface;               // the only interface ICE gathers on (NetworkNamespace)
    uint16_t wsPort = 8188;
    int debugLevel = 2;       // 0 none .. 7 all; 2 = errors, 3 = warnings, 4 = Janus's default
    unsigned eventLoops = 0;  // 0: a loop thread per handle (Janus's default); N: N shared loops
    bool iceLite = false;
    bool niceDebug = false;  // libnice's own debug output into the log (needs debugLevel 7)
    unsigned sessionTimeoutSeconds = 60;
    int netnsFd = -1;     // namespace to run in (NetworkNamespace::fd()); -1: the caller's
    std::string workDir;  // empty: a new /tmp/switchyard-janus-XXXXXX, removed by the destructor
    std::chrono::milliseconds startTimeout{15000};
    std::chrono::milliseconds stopTimeout{5000};  // after SIGTERM, then SIGKILL
  };

  explicit JanusProcess(Options options);
  ~JanusProcess();  // stop(), then removes a temporary workDir
  JanusProcess(const JanusProcess&) = delete;
  JanusProcess& operator=(const JanusProcess&) = delete;

  // Writes the configuration, starts Janus and waits until a WebSocket upgrade with the
  // janus-protocol subprotocol succeeds (101) on bindAddress:wsPort, from inside the namespace.
  void start();
  // SIGTERM, up to stopTimeout for Janus to exit, then SIGKILL; reaps the child. Idempotent.
  // Returns Janus's exit description ("exit 0", "signal 9", "" if it was not running).
  std::string stop() noexcept;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // False once the child has exited (reaps it if so).
  [[nodiscard]] bool running() noexcept;
  [[nodiscard]] const std::string& workDir() const noexcept { return workDir_; }
  [[nodiscard]] std::string logPath() const { return workDir_ + "/janus.log"; }
  // The last `bytes` bytes of the log (for error messages).
  [[nodiscard]] std::string logTail(size_t bytes = 2000) const;
  [[nodiscard]] const Options& options() const noexcept { return options_; }

  // The configuration files (name -> text) written by start(), for inspection and tests.
  [[nodiscard]] std::string mainConfig() const;
  [[nodiscard]] std::string websocketsConfig() const;

 private:
  void writeConfig();
  void spawn();
  [[nodiscard]] bool websocketAnswers() const;

  Options options_;
  std::string workDir_;
  bool temporaryDir_ = false;
  pid_t pid_ = -1;
};

}  // namespace switchyard::bench
