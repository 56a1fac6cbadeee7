// Loopback tests of the HTTP front end with real sockets.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "config/Log.h"
#include "signaling/HttpServer.h"

using namespace switchyard::signaling;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Runs an HttpServer on its own thread for the duration of a test.
struct RunningServer {
  explicit RunningServer(HttpServer::Options options = {}) {
    server = std::make_unique<HttpServer>(io, options, switchyard::config::logger("http-test"));
    endpoint = server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~RunningServer() {
    asio::post(io, [this] {
      server->stop();
      io.stop();
    });
    thread.join();
  }
  asio::io_context io;
  std::unique_ptr<HttpServer> server;
  tcp::endpoint endpoint;
  std::thread thread;
};

// Sends raw bytes and reads until the server closes (or 5 s pass).
std::string roundTrip(const tcp::endpoint& endpoint, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(endpoint);
  asio::write(socket, asio::buffer(request));
  std::string response;
  char chunk[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  socket.non_blocking(true);
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (ec) break;
    response.append(chunk, n);
  }
  return response;
}

}  // namespace

TEST_CASE("serves health, version and the status page", "[http]") {
  RunningServer running;
  const auto health =
      roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(health, Catch::StartsWith("HTTP/1.1 200 OK"));
  CHECK_THAT(health, Catch::EndsWith(R"({"status":"ok"})"));

  const auto version =
      roundTrip(running.endpoint, "GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(version, Catch::Contains(R"("name":"switchyard")"));

  const auto page = roundTrip(running.endpoint, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(page, Catch::Contains("text/html"));
  CHECK_THAT(page, Catch::Contains("<h1>Switchyard</h1>"));

  const auto head = roundTrip(running.endpoint, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(head, Catch::StartsWith("HTTP/1.1 200 OK"));
  CHECK(head.find("<h1>") == std::string::npos);
}

TEST_CASE("answers unknown paths, other methods and bad requests with errors", "[http]") {
  RunningServer running;
  CHECK_THAT(roundTrip(running.endpoint, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 404"));
  const auto post = roundTrip(
      running.endpoint, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  CHECK_THAT(post, Catch::StartsWith("HTTP/1.1 405"));
  CHECK_THAT(post, Catch::Contains("Allow: GET, HEAD"));
  CHECK_THAT(roundTrip(running.endpoint, "THIS IS NOT HTTP\r\n\r\n"), Catch::StartsWith("HTTP/1.1 400"));
  const std::string hugeHeader = "GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  CHECK_THAT(roundTrip(running.endpoint, hugeHeader), Catch::StartsWith("HTTP/1.1 431"));
  const std::string hugeBody = "POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + std::string(70000, 'b');
  CHECK_THAT(roundTrip(running.endpoint, hugeBody), Catch::StartsWith("HTTP/1.1 413"));
  // Still serving after all that.
  CHECK_THAT(roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("keeps a connection alive for several requests", "[http]") {
  RunningServer running;
  const auto both = roundTrip(running.endpoint,
                              "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n");
  CHECK_THAT(both, Catch::Contains(R"({"status":"ok"})"));
  CHECK_THAT(both, Catch::Contains(R"("name":"switchyard")"));
}

TEST_CASE("closes idle connections after the request timeout and frees them", "[http]") {
  HttpServer::Options options;
  options.requestTimeout = std::chrono::milliseconds(200);
  RunningServer running(options);
  const auto start = std::chrono::steady_clock::now();
  const auto response = roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\n");  // never completes
  CHECK(response.empty());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  for (int i = 0; i < 100 && running.server->openConnections() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(running.server->openConnections() == 0);
}

TEST_CASE("refuses connections beyond max_connections", "[http]") {
  HttpServer::Options options;
  options.maxConnections = 2;
  RunningServer running(options);
  asio::io_context io;
  tcp::socket a(io), b(io);
  a.connect(running.endpoint);
  b.connect(running.endpoint);
  for (int i = 0; i < 200 && running.server->openConnections() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(running.server->openConnections() == 2);
  // A third one is accepted by the kernel, then closed by the server without an answer.
  CHECK(roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n").empty());
  a.close();
  b.close();
  for (int i = 0; i < 200 && running.server->openConnections() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK_THAT(roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("a taken port is a clear error", "[http]") {
  RunningServer running;
  asio::io_context io;
  HttpServer::Options options;
  options.port = running.endpoint.port();
  HttpServer second(io, options, switchyard::config::logger("http-test"));
  CHECK_THROWS_WITH(second.start(), Catch::Contains("cannot listen on 127.0.0.1 port " +
                                                    std::to_string(running.endpoint.port())));
}

TEST_CASE("serves /metrics from its provider; without one it is not found", "[http][metrics]") {
  {
    RunningServer running;  // no provider
    CHECK_THAT(roundTrip(running.endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
               Catch::StartsWith("HTTP/1.1 404"));
  }
  HttpServer::Options options;
  std::atomic<int> calls{0};
  options.metrics = [&calls] {
    calls.fetch_add(1);
    return std::string("# TYPE up gauge\nup 1\n");
  };
  RunningServer running(options);
  const auto metrics =
      roundTrip(running.endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(metrics, Catch::StartsWith("HTTP/1.1 200 OK"));
  CHECK_THAT(metrics, Catch::Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  CHECK_THAT(metrics, Catch::EndsWith("\r\n\r\n# TYPE up gauge\nup 1\n"));
  // Query strings are ignored; HEAD has the length but no body; other methods are refused.
  CHECK_THAT(roundTrip(running.endpoint,
                       "GET /metrics?name[]=up&x=%00%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Catch::EndsWith("up 1\n"));
  const auto head =
      roundTrip(running.endpoint, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(head, Catch::StartsWith("HTTP/1.1 200 OK"));
  CHECK_THAT(head, Catch::Contains("Content-Length: 20"));
  CHECK(head.find("up 1") == std::string::npos);
  CHECK_THAT(roundTrip(running.endpoint,
                       "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 405"));
  CHECK_THAT(roundTrip(running.endpoint, "GET /metricsx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 404"));
  CHECK_THAT(roundTrip(running.endpoint, "GET /metrics/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 404"));
  CHECK(calls == 3);  // GET, GET with a query, HEAD
}

TEST_CASE("a failing /metrics provider answers 500 and the server keeps serving", "[http][metrics]") {
  HttpServer::Options options;
  options.metrics = []() -> std::string { throw std::runtime_error("boom"); };
  RunningServer running(options);
  CHECK_THAT(roundTrip(running.endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 500"));
  CHECK_THAT(roundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 200"));
}
