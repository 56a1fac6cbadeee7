#include "bench/ChildProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace switchyard::bench {

ChildProcess::ChildProcess(Options options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw std::runtime_error("no program to start");
  const int log = ::open(options_.logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot write " + options_.logFile + ": " + std::strerror(errno));
  // The environment: ours minus the dropped prefixes and overridden names, plus options_.env.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    bool drop = false;
    for (const auto& prefix : options_.dropEnvPrefixes)
      drop = drop || entry.rfind(prefix, 0) == 0;
    for (const auto& add : options_.env)
      drop = drop || entry.substr(0, entry.find('=') + 1) == add.substr(0, add.find('=') + 1);
    if (!drop) env.push_back(entry);
  }
  env.insert(env.end(), options_.env.begin(), options_.env.end());
  std::vector<char*> argv;
  for (auto& a : options_.argv)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::setpgid(0, 0);                     // its own group: stop() signals the whole group
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // and it dies with the bench (a killed bench leaves nothing)
    ::execve(argv[0], argv.data(), envp.data());
    ::dprintf(2, "exec %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(log);
  const auto deadline = std::chrono::steady_clock::now() + options_.startTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(options_.logFile);
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, options_.readyLine)) {
        match_ = m.size() > 1 ? m[1].str() : m[0].str();
        return;
      }
    }
    if (!running()) {
      throw std::runtime_error(options_.argv[0] + " exited at start (" + status_ + "):\n" + logTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop(std::chrono::milliseconds(2000));
  throw std::runtime_error(options_.argv[0] + " did not get ready within " +
                           std::to_string(options_.startTimeout.count()) + " ms:\n" + logTail());
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(std::chrono::milliseconds(5000));
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) {
    status_ = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                : "signal " + std::to_string(WTERMSIG(status));
  }
  pid_ = -1;
  return false;
}

std::string ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return status_;
  ::kill(-pid_, SIGTERM);  // the group: a wrapper's children too (e.g. a profiler running the server)
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  status_ = "killed after " + std::to_string(grace.count()) + " ms";
  return status_;
}

std::string ChildProcess::logTail(size_t lines) const {
  std::ifstream in(options_.logFile);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line))
    all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += all[i] + "\n";
  return out;
}

std::optional<double> processCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  // Fields after the command name (which may contain spaces) in parentheses.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<uint64_t> processRssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return std::nullopt;
}

double selfCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

}  // namespace switchyard::bench
