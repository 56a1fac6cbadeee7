// The Server in-process: workers start, a failing worker stops the server, stop() is orderly.
#include <catch2/catch.hpp>

#include <future>
#include <stdexcept>

#include "server/Server.h"

using namespace switchyard;

namespace {
config::Config testConfig(uint32_t workers) {
  config::Config config;
  config.http.port = 0;
  config.workers.count = workers;
  return config;
}
}  // namespace

TEST_CASE("starts the configured number of workers and stops on request", "[server]") {
  server::Server server(testConfig(3));
  const std::string url = server.start();
  CHECK_THAT(url, Catch::StartsWith("http://127.0.0.1:"));
  CHECK(server.workerCount() == 3);
  std::atomic<int> ran{0};
  for (size_t i = 0; i < 3; ++i)
    server.postToWorker(i, [&] { ++ran; });
  server.stop();
  server.run();  // returns after the orderly shutdown
  CHECK(ran == 3);
  CHECK_FALSE(server.failed());
}

TEST_CASE("a worker that dies of an exception stops the server as failed", "[server]") {
  server::Server server(testConfig(2));
  server.start();
  server.postToWorker(1, [] { throw std::runtime_error("boom"); });
  auto running = std::async(std::launch::async, [&] { server.run(); });
  const bool stoppedByItself = running.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!stoppedByItself) {
    server.stop();
    running.wait();
  }
  CHECK(stoppedByItself);
  CHECK(server.failed());
}
