#include "bench/JanusProcess.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace switchyard::bench {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("JanusProcess: cannot write " + path);
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// One blocking-with-deadline attempt: TCP connect, HTTP upgrade asking for janus-protocol, and the
// status line of the answer. Runs on the calling thread (in its network namespace).
bool upgradeAnswers(const std::string& address, uint16_t port, milliseconds timeout) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto deadline = SteadyClock::now() + timeout;
  const auto waitFor = [&](short events) {
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(left));
      if (n < 0 && errno == EINTR) continue;
      return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
    }
  };
  bool ok = false;
  do {
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) break;
    if (!waitFor(POLLOUT)) break;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) break;
    const std::string request = "GET / HTTP/1.1\r\nHost: " + address + ":" + std::to_string(port) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: janus-protocol\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
      break;
    std::string answer;
    char buffer[512];
    while (answer.find("\r\n") == std::string::npos && answer.size() < 4096 && waitFor(POLLIN)) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      answer.append(buffer, static_cast<size_t>(n));
    }
    ok = answer.rfind("HTTP/1.1 101", 0) == 0;
  } while (false);
  ::close(fd);
  return ok;
}

}  // namespace

JanusProcess::JanusProcess(Options options) : options_(std::move(options)) {}

JanusProcess::~JanusProcess() {
  stop();
  if (temporaryDir_ && !workDir_.empty()) {
    std::error_code ignored;
    fs::remove_all(workDir_, ignored);
  }
}

std::string JanusProcess::mainConfig() const {
  std::ostringstream c;
  c << "# Written by switchyard-bench (bench/JanusProcess.cpp): videoroom + WebSocket only.\n"
    << "general: {\n"
    << "  configs_folder = \"" << workDir_ << "\"\n"
    << "  plugins_folder = \"" << workDir_ << "/plugins\"\n"
    << "  transports_folder = \"" << workDir_ << "/transports\"\n"
    << "  events_folder = \"" << workDir_ << "/none\"\n"
    << "  loggers_folder = \"" << workDir_ << "/none\"\n"
    << "  debug_level = " << options_.debugLevel << "\n"
    << "  debug_colors = false\n"
    << "  interface = \"" << options_.bindAddress << "\"\n"
    << "  session_timeout = " << options_.sessionTimeoutSeconds << "\n"
    << "  server_name = \"switchyard-bench\"\n";
  if (options_.eventLoops > 0) c << "  event_loops = " << options_.eventLoops << "\n";
  c << "}\n"
    << "certificates: {\n}\n"
    << "media: {\n  ipv6 = false\n}\n"
    << "nat: {\n"
    << "  nice_debug = " << (options_.niceDebug ? "true" : "false") << "\n"
    << "  full_trickle = false\n"
    << "  ice_lite = " << (options_.iceLite ? "true" : "false") << "\n";
  if (!options_.iceInterface.empty()) c << "  ice_enforce_list = \"" << options_.iceInterface << "\"\n";
  c << "}\n"
    << "plugins: {\n}\ntransports: {\n}\nloggers: {\n}\nevents: {\n  broadcast = false\n}\n";
  return c.str();
}

std::string JanusProcess::websocketsConfig() const {
  std::ostringstream c;
  c << "general: {\n"
    << "  json = \"plain\"\n"
    << "  ws = true\n"
    << "  ws_port = " << options_.wsPort << "\n"
    << "  ws_ip = \"" << options_.bindAddress << "\"\n"
    << "  wss = false\n"
    << "}\n"
    << "admin: {\n  admin_ws = false\n  admin_wss = false\n}\n";
  return c.str();
}

void JanusProcess::writeConfig() {
  if (workDir_.empty()) {
    if (options_.workDir.empty()) {
      std::string pattern = (fs::temp_directory_path() / "switchyard-janus-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("JanusProcess: mkdtemp: " + std::string(std::strerror(errno)));
      workDir_ = pattern;
      temporaryDir_ = true;
    } else {
      workDir_ = options_.workDir;
      fs::create_directories(workDir_);
    }
  }
  for (const char* sub : {"plugins", "transports", "none"})
    fs::create_directories(fs::path(workDir_) / sub);
  const auto link = [](const std::string& folder, const char* library, const fs::path& into) {
    const fs::path target = fs::path(folder) / library;
    if (!fs::exists(target)) throw std::runtime_error("JanusProcess: " + target.string() + " not found");
    std::error_code ignored;
    fs::remove(into / library, ignored);
    fs::create_symlink(target, into / library);
  };
  link(options_.pluginsFolder, "libjanus_videoroom.so", fs::path(workDir_) / "plugins");
  link(options_.transportsFolder, "libjanus_websockets.so", fs::path(workDir_) / "transports");
  writeFile(workDir_ + "/janus.jcfg", mainConfig());
  writeFile(workDir_ + "/janus.transport.websockets.jcfg", websocketsConfig());
  // No predefined rooms: the bench creates its own.
  writeFile(workDir_ + "/janus.plugin.videoroom.jcfg", "general: {\n}\n");
}

void JanusProcess::spawn() {
  const std::string log = logPath();
  const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error("JanusProcess: open " + log + ": " + std::strerror(errno));
  const std::string config = workDir_ + "/janus.jcfg";
  std::vector<std::string> argv = {options_.executable, "--config=" + config, "--configs-folder=" + workDir_,
                                   "--disable-colors"};
  std::vector<char*> args;
  for (std::string& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const int netns = options_.netnsFd;

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(logFd);
    throw std::runtime_error("JanusProcess: fork: " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl
    const int devNull = ::open("/dev/null", O_RDONLY);
    if (devNull >= 0) ::dup2(devNull, STDIN_FILENO);
    ::dup2(logFd, STDOUT_FILENO);
    ::dup2(logFd, STDERR_FILENO);
    if (netns >= 0 && ::setns(netns, CLONE_NEWNET) != 0) {
      const char* why = "JanusProcess: setns failed\n";
      [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, why, std::strlen(why));
      ::_exit(125);
    }
    ::execvp(args[0], args.data());
    const char* why = "JanusProcess: exec janus failed\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, why, std::strlen(why));
    ::_exit(127);
  }
  ::close(logFd);
  pid_ = pid;
}

bool JanusProcess::websocketAnswers() const {
  bool ok = false;
  // On a short-lived thread that enters the namespace, so the probe connection is made there.
  std::thread probe([this, &ok] {
    if (options_.netnsFd >= 0 && ::setns(options_.netnsFd, CLONE_NEWNET) != 0) return;
    ok = upgradeAnswers(options_.bindAddress, options_.wsPort, milliseconds(500));
  });
  probe.join();
  return ok;
}

void JanusProcess::start() {
  if (pid_ > 0) throw std::runtime_error("JanusProcess: already started");
  writeConfig();
  spawn();
  const auto deadline = SteadyClock::now() + options_.startTimeout;
  while (SteadyClock::now() < deadline) {
    if (!running())
      throw std::runtime_error("JanusProcess: janus exited during start; log tail:\n" + logTail());
    if (websocketAnswers()) return;
    std::this_thread::sleep_for(milliseconds(50));
  }
  const std::string tail = logTail();
  stop();
  throw std::runtime_error("JanusProcess: no WebSocket answer on " + options_.bindAddress + ":" +
                           std::to_string(options_.wsPort) + " within " +
                           std::to_string(options_.startTimeout.count()) + " ms; log tail:\n" + tail);
}

bool JanusProcess::running() noexcept {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string JanusProcess::stop() noexcept {
  if (pid_ <= 0) return {};
  const pid_t pid = pid_;
  int status = 0;
  ::kill(pid, SIGTERM);
  const auto deadline = SteadyClock::now() + options_.stopTimeout;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return "gone";
    }
    if (SteadyClock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  pid_ = -1;
  return describeStatus(status);
}

std::string JanusProcess::logTail(size_t bytes) const {
  std::ifstream in(logPath(), std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(in.tellg());
  const size_t from = size > bytes ? size - bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string text(size - from, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

}  // namespace switchyard::bench
