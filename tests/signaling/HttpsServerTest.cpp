// Loopback tests of the HTTPS/WSS front end with real sockets: a Beast TLS client that trusts only
// the fixture certificate (tests/fixtures/tls) and checks that it names 127.0.0.1.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "config/Log.h"
#include "signaling/HttpServer.h"
#include "signaling/SignalingBackend.h"

using namespace switchyard::signaling;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
using nlohmann::json;

namespace {

const std::string kTlsDir = std::string(SWITCHYARD_FIXTURES_DIR) + "/tls/";
const std::string kCertificate = kTlsDir + "cert.pem";
const std::string kKey = kTlsDir + "key.pem";
const std::string kOtherKey = kTlsDir + "other-key.pem";

// Answers every request with {"type":"echo"} and counts disconnections.
class EchoBackend : public SignalingBackend {
 public:
  void handle(const std::shared_ptr<SignalingClient>& /*client*/, const std::string& type,
              const json& /*request*/, Reply reply) override {
    reply(json{{"type", "echo"}, {"of", type}});
  }
  void disconnected(const std::shared_ptr<SignalingClient>& /*client*/) override { ++disconnects; }
  std::atomic<int> disconnects{0};
};

HttpServer::Options tlsOptions() {
  HttpServer::Options options;
  options.tlsCertificateFile = kCertificate;
  options.tlsPrivateKeyFile = kKey;
  return options;
}

// Runs an HttpServer on its own thread for the duration of a test.
struct RunningServer {
  explicit RunningServer(HttpServer::Options options = tlsOptions()) {
    server = std::make_unique<HttpServer>(io, options, switchyard::config::logger("https-test"));
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
  // Waits (up to 2 s) until every connection is gone.
  [[nodiscard]] bool drained() const {
    for (int i = 0; i < 200 && server->openConnections() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return server->openConnections() == 0;
  }
  asio::io_context io;
  std::unique_ptr<HttpServer> server;
  tcp::endpoint endpoint;
  std::thread thread;
};

// A client context that trusts only the fixture certificate and checks the peer's name.
ssl::context clientContext() {
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(kCertificate);
  context.set_verify_mode(ssl::verify_peer);
  context.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  return context;
}

// Connects and completes the TLS handshake (5 s at most).
void connectTls(beast::ssl_stream<beast::tcp_stream>& stream, const tcp::endpoint& endpoint) {
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect(endpoint);
  stream.handshake(ssl::stream_base::client);
}

http::response<http::string_body> httpsGet(const tcp::endpoint& endpoint, const std::string& target) {
  asio::io_context io;
  ssl::context context = clientContext();
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  connectTls(stream, endpoint);
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  beast::error_code ignored;
  stream.shutdown(ignored);
  return response;
}

// Sends raw bytes over plain TCP and reads until the server closes (or 5 s pass).
std::string plainRoundTrip(const tcp::endpoint& endpoint, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(endpoint);
  if (!request.empty()) asio::write(socket, asio::buffer(request));
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

using SecureWebSocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

void connectWss(SecureWebSocket& ws, const tcp::endpoint& endpoint) {
  connectTls(ws.next_layer(), endpoint);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.handshake("127.0.0.1:" + std::to_string(endpoint.port()), "/ws");
}

json readJson(SecureWebSocket& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return json::parse(beast::buffers_to_string(buffer.data()));
}

}  // namespace

TEST_CASE("https: serves the page and health over TLS and names an https URL", "[https]") {
  RunningServer running;
  CHECK(running.server->url() == "https://127.0.0.1:" + std::to_string(running.endpoint.port()) + "/");

  const auto health = httpsGet(running.endpoint, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(health.body() == R"({"status":"ok"})");

  const auto page = httpsGet(running.endpoint, "/");
  CHECK(page.result() == http::status::ok);
  CHECK_THAT(std::string(page[http::field::content_type]), Catch::Contains("text/html"));
  CHECK_THAT(page.body(), Catch::Contains("<h1>Switchyard</h1>"));

  CHECK(httpsGet(running.endpoint, "/nope").result() == http::status::not_found);
  CHECK(running.drained());
}

TEST_CASE("https: keeps a TLS connection alive for several requests", "[https]") {
  RunningServer running;
  asio::io_context io;
  ssl::context context = clientContext();
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  connectTls(stream, running.endpoint);
  beast::flat_buffer buffer;
  for (const char* target : {"/healthz", "/version", "/healthz"}) {
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request);
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    CHECK(response.result() == http::status::ok);
    CHECK(response.keep_alive());
  }
}

TEST_CASE("https: a bad request over TLS is answered and the connection closed with close_notify",
          "[https]") {
  RunningServer running;
  asio::io_context io;
  ssl::context context = clientContext();
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  connectTls(stream, running.endpoint);
  const std::string garbage = "THIS IS NOT HTTP\r\n\r\n";
  asio::write(stream, asio::buffer(garbage));
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  CHECK(response.result() == http::status::bad_request);
  // The server ends TLS cleanly: the next read sees close_notify (eof), not a truncated stream.
  beast::error_code ec;
  char byte = 0;
  stream.read_some(asio::buffer(&byte, 1), ec);
  CHECK(ec == asio::error::eof);
  stream.shutdown(ec);  // answers the server's close_notify
  CHECK(running.drained());
}

TEST_CASE("https: TLS 1.2 is accepted, older versions are refused", "[https]") {
  RunningServer running;
  {
    asio::io_context io;
    ssl::context context = clientContext();
    SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_2_VERSION);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    connectTls(stream, running.endpoint);
    CHECK(SSL_version(stream.native_handle()) == TLS1_2_VERSION);
  }
  {
    asio::io_context io;
    ssl::context context = clientContext();
    SSL_CTX_set_security_level(context.native_handle(), 0);  // this client would speak TLS 1.1
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_1_VERSION);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    CHECK_THROWS(connectTls(stream, running.endpoint));
  }
  CHECK(httpsGet(running.endpoint, "/healthz").result() == http::status::ok);
}

TEST_CASE("https: a client that does not trust the certificate cannot connect", "[https]") {
  RunningServer running;
  asio::io_context io;
  ssl::context context(ssl::context::tls_client);  // no trust anchor
  context.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  CHECK_THROWS(connectTls(stream, running.endpoint));
  CHECK(httpsGet(running.endpoint, "/healthz").result() == http::status::ok);
}

TEST_CASE("https: plain HTTP to the TLS port is closed and the server keeps serving", "[https]") {
  RunningServer running;
  const auto start = std::chrono::steady_clock::now();
  const auto answer = plainRoundTrip(running.endpoint, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(answer.find("HTTP/1.1") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));  // closed, not timed out
  // Bytes that look like nothing at all, and a TLS record header with an absurd length.
  plainRoundTrip(running.endpoint, std::string(3000, '\0'));
  plainRoundTrip(running.endpoint, std::string("\x16\x03\x01\xff\xff\x01\x00\x00", 8));
  CHECK(running.drained());
  CHECK(httpsGet(running.endpoint, "/healthz").result() == http::status::ok);
}

TEST_CASE("https: a client silent before or after the handshake is closed after the request timeout",
          "[https]") {
  HttpServer::Options options = tlsOptions();
  options.requestTimeout = std::chrono::milliseconds(300);
  RunningServer running(options);

  SECTION("silent TCP connection: no ClientHello") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(plainRoundTrip(running.endpoint, "").empty());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= std::chrono::milliseconds(250));
    CHECK(elapsed < std::chrono::seconds(3));
  }
  SECTION("half a ClientHello") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(plainRoundTrip(running.endpoint, std::string("\x16\x03\x01\x01\x00\x01\x00", 7)).empty());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
  SECTION("handshake done, then no request") {
    asio::io_context io;
    ssl::context context = clientContext();
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    connectTls(stream, running.endpoint);
    const auto start = std::chrono::steady_clock::now();
    beast::error_code ec;
    char byte = 0;
    stream.read_some(asio::buffer(&byte, 1), ec);
    CHECK(ec);  // closed by the server, not by the client's 5 s expiry
    CHECK(ec != beast::error::timeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
  CHECK(running.drained());
}

TEST_CASE("wss: a signaling WebSocket over TLS answers ping and requests, and is counted", "[https][wss]") {
  EchoBackend backend;
  HttpServer::Options options = tlsOptions();
  options.backend = &backend;
  RunningServer running(options);
  {
    asio::io_context io;
    ssl::context context = clientContext();
    SecureWebSocket ws(io, context);
    connectWss(ws, running.endpoint);
    ws.text(true);
    ws.write(asio::buffer(std::string(R"({"type":"ping","id":7})")));
    CHECK(readJson(ws) == json{{"type", "pong"}, {"id", 7}});
    ws.write(asio::buffer(std::string(R"({"type":"join","id":"a"})")));
    CHECK(readJson(ws) == json{{"type", "echo"}, {"of", "join"}, {"id", "a"}});
    CHECK(running.server->openConnections() == 1);
    ws.close(websocket::close_code::normal);
  }
  CHECK(running.drained());
  for (int i = 0; i < 200 && backend.disconnects.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(backend.disconnects.load() == 1);
}

TEST_CASE("wss: idle connections get pings over TLS and stay open while the client answers", "[https][wss]") {
  EchoBackend backend;
  HttpServer::Options options = tlsOptions();
  options.backend = &backend;
  options.websocketIdleTimeout = std::chrono::milliseconds(600);  // a ping after 300 ms of silence
  RunningServer running(options);

  asio::io_context io;
  ssl::context context = clientContext();
  SecureWebSocket ws(io, context);
  connectWss(ws, running.endpoint);
  int pings = 0;
  ws.control_callback([&pings](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  beast::flat_buffer buffer;
  bool readDone = false;
  beast::error_code readError;
  ws.async_read(buffer, [&](beast::error_code ec, size_t) {
    readDone = true;
    readError = ec;
  });
  io.run_for(std::chrono::milliseconds(1500));  // well past the idle timeout; the read answers pings
  CHECK(pings >= 2);
  REQUIRE_FALSE(readDone);
  ws.text(true);
  const std::string ping = R"({"type":"ping","id":1})";
  ws.async_write(asio::buffer(ping), [](beast::error_code, size_t) {});
  for (int i = 0; i < 500 && !readDone; ++i)
    io.run_one_for(std::chrono::milliseconds(10));
  REQUIRE(readDone);
  CHECK_FALSE(readError);
  CHECK(json::parse(beast::buffers_to_string(buffer.data())) == json{{"type", "pong"}, {"id", 1}});
}

TEST_CASE("wss: a message over the size limit closes the TLS WebSocket", "[https][wss]") {
  EchoBackend backend;
  HttpServer::Options options = tlsOptions();
  options.backend = &backend;
  options.maxMessageBytes = 1024;
  RunningServer running(options);
  asio::io_context io;
  ssl::context context = clientContext();
  SecureWebSocket ws(io, context);
  connectWss(ws, running.endpoint);
  ws.text(true);
  ws.write(asio::buffer(R"({"type":"x","pad":")" + std::string(2000, 'a') + R"("})"));
  beast::flat_buffer buffer;
  beast::error_code ec;
  ws.read(buffer, ec);
  // The server sends close 1009 and tears down at once (Beast fails the connection), so the client's
  // echo of the close frame may meet a closed socket: the error is `closed` or a write error.
  CHECK(ec);
  CHECK(ws.reason().code == websocket::close_code::too_big);
  CHECK(running.drained());
}

TEST_CASE("https: a bad certificate or key is a clear error at start", "[https]") {
  asio::io_context io;
  const auto startWith = [&io](const std::string& certificate, const std::string& key) {
    HttpServer::Options options;
    options.tlsCertificateFile = certificate;
    options.tlsPrivateKeyFile = key;
    HttpServer server(io, options, switchyard::config::logger("https-test"));
    server.start();
  };
  CHECK_THROWS_WITH(startWith(kTlsDir + "missing.pem", kKey),
                    Catch::Contains("missing.pem") && Catch::Contains("No such file or directory"));
  CHECK_THROWS_WITH(startWith(kCertificate, kTlsDir + "missing-key.pem"),
                    Catch::Contains("missing-key.pem") && Catch::Contains("No such file or directory"));
  CHECK_THROWS_WITH(startWith(kKey, kKey),
                    Catch::Contains("'" + kKey + "'") && Catch::Contains("no usable PEM certificate"));
  CHECK_THROWS_WITH(startWith(kCertificate, kCertificate), Catch::Contains("'" + kCertificate + "'") &&
                                                               Catch::Contains("no usable unencrypted PEM"));
  CHECK_THROWS_WITH(
      startWith(kCertificate, kOtherKey),
      Catch::Contains("'" + kOtherKey + "' does not belong to the certificate in '" + kCertificate + "'"));
  CHECK_THROWS_WITH(startWith(kCertificate, ""),
                    Catch::Contains("both a certificate file and a private key"));
  CHECK_THROWS_WITH(startWith(kTlsDir, kKey), Catch::Contains("'" + kTlsDir + "'"));  // a directory
  // Nothing of a failed start is left behind; a good pair starts.
  CHECK_NOTHROW(startWith(kCertificate, kKey));
}
