#include "bench/NetworkNamespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "bench/Subprocess.h"

namespace switchyard::bench {

namespace {

std::atomic<unsigned> gCounter{0};

void runIp(const std::vector<std::string>& argv) {
  const SubprocessResult r = Subprocess::run(argv);
  if (!r.ok()) {
    throw std::runtime_error("'" + Subprocess::describe(argv) + "' failed" +
                             (r.timedOut ? " (timed out)" : " (exit " + std::to_string(r.exitCode) + ")") +
                             (r.output.empty() ? std::string() : ": " + r.output));
  }
}

// A zombie (state Z, or X) counts as gone: a bench killed by SIGKILL whose parent has gone too may
// stay one for long where pid 1 does not reap (containers).
bool processRuns(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return false;
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return true;
  const char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

NetworkNamespace::NetworkNamespace(Options options) : options_(std::move(options)) {
  name_ = options_.namePrefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(gCounter++);
  runIp({"ip", "netns", "add", name_});
  try {
    const std::string prefix = "/" + std::to_string(options_.prefixLength);
    runIp({"ip", "-n", name_, "link", "add", kServerInterface, "type", "veth", "peer", "name",
           kClientInterface});
    runIp({"ip", "-n", name_, "addr", "add", options_.serverAddress + prefix, "dev", kServerInterface});
    runIp({"ip", "-n", name_, "addr", "add", options_.clientAddress + prefix, "dev", kClientInterface});
    runIp({"ip", "-n", name_, "link", "set", "lo", "up"});
    runIp({"ip", "-n", name_, "link", "set", kServerInterface, "up"});
    runIp({"ip", "-n", name_, "link", "set", kClientInterface, "up"});
    const std::string path = "/run/netns/" + name_;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
    setSysctls();
  } catch (...) {
    destroy();
    throw;
  }
}

NetworkNamespace::~NetworkNamespace() {
  destroy();
}

void NetworkNamespace::destroy() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (name_.empty()) return;
  try {
    const SubprocessResult r = Subprocess::run({"ip", "netns", "delete", name_});
    if (!r.ok())
      std::fprintf(stderr, "NetworkNamespace: ip netns delete %s: %s\n", name_.c_str(), r.output.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "NetworkNamespace: ip netns delete %s: %s\n", name_.c_str(), e.what());
  }
  name_.clear();
}

// A process that sends through an interface (libnice does, for Janus) reaches the other address
// across the veth: the ARP request and the packets then carry a source address that is local to
// the receiving side too, which the kernel drops as martian unless accept_local is set
// (and reverse-path filtering is off). Written from a thread inside the namespace: /proc/sys/net
// shows the namespace of the thread that opens it (no sysctl binary needed).
void NetworkNamespace::setSysctls() const {
  const std::vector<std::pair<std::string, const char*>> settings = {
      {"all/rp_filter", "0"},
      {std::string(kServerInterface) + "/rp_filter", "0"},
      {std::string(kClientInterface) + "/rp_filter", "0"},
      {std::string(kServerInterface) + "/accept_local", "1"},
      {std::string(kClientInterface) + "/accept_local", "1"}};
  std::string error;
  std::thread writer([this, &settings, &error] {
    if (::setns(fd_, CLONE_NEWNET) != 0) {
      error = std::string("setns: ") + std::strerror(errno);
      return;
    }
    for (const auto& [key, value] : settings) {
      const std::string path = "/proc/sys/net/ipv4/conf/" + key;
      std::ofstream out(path);
      out << value << '\n';
      out.flush();
      if (!out) {
        error = "cannot write " + path;
        return;
      }
    }
  });
  writer.join();
  if (!error.empty()) throw std::runtime_error("NetworkNamespace " + name_ + ": " + error);
}

void NetworkNamespace::enterOnThisThread() const {
  if (::setns(fd_, CLONE_NEWNET) != 0) {
    throw std::runtime_error("setns(" + name_ + ", CLONE_NEWNET): " + std::strerror(errno));
  }
}

std::thread NetworkNamespace::startThread(std::function<void()> body) const {
  std::promise<void> entered;
  std::future<void> result = entered.get_future();
  std::thread thread([this, &entered, body = std::move(body)] {
    try {
      enterOnThisThread();
    } catch (...) {
      entered.set_exception(std::current_exception());
      return;
    }
    entered.set_value();
    body();
  });
  try {
    result.get();
  } catch (...) {
    thread.join();
    throw;
  }
  return thread;
}

std::vector<std::string> NetworkNamespace::list() {
  const SubprocessResult r = Subprocess::run({"ip", "netns", "list"});
  std::vector<std::string> names;
  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t end = line.find(' ');
    std::string n = line.substr(0, end);
    if (!n.empty()) names.push_back(std::move(n));
  }
  return names;
}

size_t NetworkNamespace::removeStale(const std::string& namePrefix) {
  size_t removed = 0;
  for (const std::string& n : list()) {
    if (n.size() <= namePrefix.size() + 1 || n.compare(0, namePrefix.size(), namePrefix) != 0 ||
        n[namePrefix.size()] != '-') {
      continue;
    }
    const std::string rest = n.substr(namePrefix.size() + 1);  // "<pid>-<n>"
    char* end = nullptr;
    const long pid = std::strtol(rest.c_str(), &end, 10);
    if (end == rest.c_str() || *end != '-' || pid <= 0) continue;
    if (processRuns(static_cast<pid_t>(pid))) continue;
    if (Subprocess::run({"ip", "netns", "delete", n}).ok()) ++removed;
  }
  return removed;
}

}  // namespace switchyard::bench
