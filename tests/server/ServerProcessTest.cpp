// Runs the real `switchyard` binary: command line, config errors, start, serve, stop on SIGTERM.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;  // stdout
  int err = -1;  // stderr

  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (out >= 0) close(out);
    if (err >= 0) close(err);
  }

  // Reads from fd until `done(text)` or the timeout; returns what was read.
  static std::string readUntil(int fd, const std::function<bool(const std::string&)>& done,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(text) && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
    }
    return text;
  }

  int wait() {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(10000);
    }
    return -1;
  }
};

std::unique_ptr<Child> spawn(std::vector<std::string> args, std::vector<std::string> env = {}) {
  int out[2], err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  args.insert(args.begin(), SWITCHYARD_SERVER_BINARY);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("SWITCHYARD_", 0) != 0) environment.emplace_back(*e);
  }
  // Media ports are ephemeral unless a test says otherwise: tests run in parallel.
  environment.emplace_back("SWITCHYARD_RTC_UDP_PORT=0");
  environment.emplace_back("SWITCHYARD_RTC_TCP_PORT=0");
  for (const std::string& e : env) {
    const std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(environment, [&](const std::string& existing) { return existing.rfind(name, 0) == 0; });
    environment.push_back(e);
  }
  std::vector<char*> envp;
  for (auto& e : environment)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  auto child = std::make_unique<Child>();
  REQUIRE(posix_spawn(&child->pid, SWITCHYARD_SERVER_BINARY, &actions, nullptr, argv.data(), envp.data()) ==
          0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  child->out = out[0];
  child->err = err[0];
  return child;
}

std::string httpGet(const std::string& host, unsigned short port, const std::string& path) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address(host), port});
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string response;
  boost::system::error_code ec;
  char buffer[4096];
  while (!ec) {
    const size_t n = socket.read_some(asio::buffer(buffer), ec);
    response.append(buffer, n);
  }
  return response;
}

auto contains(const std::string& needle) {
  return [needle](const std::string& text) { return text.find(needle) != std::string::npos; };
}

}  // namespace

TEST_CASE("help, version and unknown arguments", "[process]") {
  auto help = spawn({"--help"});
  CHECK_THAT(Child::readUntil(help->out, contains("Exit status")), Catch::Contains("--print-config"));
  CHECK(help->wait() == 0);

  auto version = spawn({"--version"});
  CHECK_THAT(Child::readUntil(version->out, contains("\n")), Catch::StartsWith("switchyard 0."));
  CHECK(version->wait() == 0);

  auto bad = spawn({"--frobnicate"});
  CHECK_THAT(Child::readUntil(bad->err, contains("\n")), Catch::Contains("unknown argument '--frobnicate'"));
  CHECK(bad->wait() == 2);
}

TEST_CASE("print-config shows the effective config with overrides", "[process]") {
  auto child = spawn({"--print-config"}, {"SWITCHYARD_HTTP_PORT=1234"});
  const std::string out = Child::readUntil(
      child->out, [](const std::string&) { return false; }, std::chrono::seconds(2));
  REQUIRE(child->wait() == 0);
  const auto config = nlohmann::json::parse(out);
  CHECK(config["http"]["port"] == 1234);
  CHECK(config["log"]["level"] == "info");
}

TEST_CASE("config mistakes stop the process with status 2 and a message", "[process]") {
  const std::string path = "/tmp/switchyard-process-test.json";
  std::ofstream(path) << R"({"workers": {"count": 1000}})";
  auto range = spawn({"--config", path});
  const std::string message = Child::readUntil(range->err, contains("\n"));
  CHECK_THAT(message, Catch::Contains("config error"));
  CHECK_THAT(message, Catch::Contains("'workers.count'"));
  CHECK_THAT(message, Catch::Contains("1000"));
  CHECK(range->wait() == 2);
  std::remove(path.c_str());

  auto env = spawn({}, {"SWITCHYARD_LOG_LEVEL=chatty"});
  CHECK_THAT(Child::readUntil(env->err, contains("\n")), Catch::Contains("SWITCHYARD_LOG_LEVEL"));
  CHECK(env->wait() == 2);

  auto format = spawn({"--log-format", "xml"});
  CHECK_THAT(Child::readUntil(format->err, contains("\n")), Catch::Contains("expected text or json"));
  CHECK(format->wait() == 2);
}

TEST_CASE("starts, prints its URL, serves HTTP, logs JSON and stops cleanly on SIGTERM", "[process]") {
  auto child = spawn({"--log-format", "json"}, {"SWITCHYARD_HTTP_PORT=0", "SWITCHYARD_WORKERS_COUNT=2"});
  const std::string line = Child::readUntil(child->out, contains("/\n"));
  std::smatch match;
  REQUIRE(std::regex_search(line, match, std::regex(R"(listening on http://127\.0\.0\.1:(\d+)/)")));
  const auto port = static_cast<unsigned short>(std::stoi(match[1]));
  CHECK_THAT(httpGet("127.0.0.1", port, "/healthz"), Catch::Contains(R"({"status":"ok"})"));

  const std::string started = Child::readUntil(child->err, contains("switchyard started"));
  const size_t at = started.rfind('\n', started.find("switchyard started"));
  const size_t begin = at == std::string::npos ? 0 : at + 1;
  const auto event = nlohmann::json::parse(started.substr(begin, started.find('\n', begin) - begin));
  CHECK(event["msg"] == "switchyard started");
  CHECK(event["workers"] == "2");

  kill(child->pid, SIGTERM);
  CHECK(child->wait() == 0);
  CHECK_THAT(Child::readUntil(child->err, contains("switchyard stopped")),
             Catch::Contains("switchyard stopped"));
}

TEST_CASE("a taken port fails the start with status 1 and the reason", "[process]") {
  auto first = spawn({}, {"SWITCHYARD_HTTP_PORT=0"});
  std::smatch match;
  const std::string line = Child::readUntil(first->out, contains("/\n"));
  REQUIRE(std::regex_search(line, match, std::regex(R"(:(\d+)/)")));
  auto second = spawn({}, {"SWITCHYARD_HTTP_PORT=" + match[1].str()});
  CHECK_THAT(Child::readUntil(second->err, contains("in use")), Catch::Contains("cannot listen"));
  CHECK(second->wait() == 1);
}
