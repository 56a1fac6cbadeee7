#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "config/ConfigError.h"
#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"

using namespace switchyard::config;
using nlohmann::json;

namespace {

// The message of the ConfigError that `apply` throws; fails the test when it throws nothing.
template <typename F>
std::string errorOf(F&& apply) {
  try {
    apply();
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

std::string writeTemp(const std::string& text) {
  char path[] = "/tmp/switchyard-config-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("defaults are what the schema documents", "[config]") {
  const Config config = ConfigLoader::load(std::nullopt, {});
  CHECK(config.log.level == "info");
  CHECK(config.log.format == "text");
  CHECK(config.http.listenAddress == "127.0.0.1");
  CHECK(config.http.port == 7080);
  CHECK(config.workers.count == 0);
  const json shown = ConfigSchema::instance().toJson(config);
  CHECK(shown["http"]["port"] == 7080);
  CHECK(shown["log"]["format"] == "text");
}

TEST_CASE("a JSON file overrides defaults and the environment overrides the file", "[config]") {
  const std::string path = writeTemp(R"({"http": {"port": 8081, "listen_address": "::1"},
                                          // comments are allowed
                                          "workers": {"count": 3}, "log": {"level": "debug"}})");
  Config config = ConfigLoader::load(path, {});
  CHECK(config.http.port == 8081);
  CHECK(config.http.listenAddress == "::1");
  CHECK(config.workers.count == 3);
  CHECK(config.log.level == "debug");

  config = ConfigLoader::load(
      path,
      {{"SWITCHYARD_HTTP_PORT", "9000"}, {"SWITCHYARD_LOG_FORMAT", "json"}, {"OTHER_VARIABLE", "ignored"}});
  CHECK(config.http.port == 9000);
  CHECK(config.log.format == "json");
  CHECK(config.workers.count == 3);
  std::remove(path.c_str());
}

TEST_CASE("an unknown key is refused, naming it and the known keys", "[config]") {
  Config config;
  auto nested = errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"http":{"prot":1}})"), "f"); });
  CHECK_THAT(nested, Catch::Contains("unknown key 'http.prot'"));
  CHECK_THAT(nested, Catch::Contains("port"));
  CHECK_THAT(nested, Catch::Contains("listen_address"));

  auto top = errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"htp":{}})"), "f"); });
  CHECK_THAT(top, Catch::Contains("unknown key 'htp'"));
  CHECK_THAT(top, Catch::Contains("http"));
  CHECK_THAT(top, Catch::Contains("workers"));
}

TEST_CASE("a wrong type is refused, naming key, value and type", "[config]") {
  Config config;
  auto portText =
      errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"http":{"port":"80"}})"), "f"); });
  CHECK_THAT(portText, Catch::Contains("'http.port'"));
  CHECK_THAT(portText, Catch::Contains("\"80\""));
  CHECK_THAT(portText, Catch::Contains("an integer in 0..65535"));

  auto portFloat =
      errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"http":{"port":80.5}})"), "f"); });
  CHECK_THAT(portFloat, Catch::Contains("80.5"));

  auto section = errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"http":5})"), "f"); });
  CHECK_THAT(section, Catch::Contains("'http'"));
  CHECK_THAT(section, Catch::Contains("expected an object"));

  auto notObject = errorOf([&] { ConfigLoader::applyJson(config, json::parse("[1,2]"), "f"); });
  CHECK_THAT(notObject, Catch::Contains("top level must be a JSON object"));
}

TEST_CASE("a value out of range or not allowed is refused with what is allowed", "[config]") {
  Config config;
  auto port =
      errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"http":{"port":70000}})"), "f"); });
  CHECK_THAT(port, Catch::Contains("70000"));
  CHECK_THAT(port, Catch::Contains("out of range"));
  auto negative =
      errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"workers":{"count":-1}})"), "f"); });
  CHECK_THAT(negative, Catch::Contains("'workers.count'"));
  CHECK_THAT(negative, Catch::Contains("0..256"));
  auto huge = errorOf([&] {
    ConfigLoader::applyJson(config, json::parse(R"({"workers":{"count":18446744073709551615}})"), "f");
  });
  CHECK_THAT(huge, Catch::Contains("out of range"));

  auto level =
      errorOf([&] { ConfigLoader::applyJson(config, json::parse(R"({"log":{"level":"loud"}})"), "f"); });
  CHECK_THAT(level, Catch::Contains("\"loud\""));
  CHECK_THAT(level, Catch::Contains("\"trace\", \"debug\", \"info\""));

  auto address = errorOf([&] {
    ConfigLoader::applyJson(config, json::parse(R"({"http":{"listen_address":"localhost"}})"), "f");
  });
  CHECK_THAT(address, Catch::Contains("IPv4 or IPv6 address literal"));
  CHECK(config.http.port == 7080);  // nothing half-applied from the refused values above
}

TEST_CASE("a broken or missing file is refused with its name", "[config]") {
  const std::string path = writeTemp(R"({"http": {"port": 80,}})");
  auto broken = errorOf([&] { ConfigLoader::load(path, {}); });
  CHECK_THAT(broken, Catch::Contains(path));
  CHECK_THAT(broken, Catch::Contains("not valid JSON"));
  std::remove(path.c_str());

  auto missing = errorOf([&] { ConfigLoader::load("/nonexistent/switchyard.json", {}); });
  CHECK_THAT(missing, Catch::Contains("/nonexistent/switchyard.json"));
  CHECK_THAT(missing, Catch::Contains("cannot be opened"));
}

TEST_CASE("environment overrides are typed and unknown variables refused", "[config]") {
  auto unknown = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_HTTP_PROT", "1"}}); });
  CHECK_THAT(unknown, Catch::Contains("SWITCHYARD_HTTP_PROT"));
  CHECK_THAT(unknown, Catch::Contains("SWITCHYARD_HTTP_PORT"));

  auto garbage = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_HTTP_PORT", "80x"}}); });
  CHECK_THAT(garbage, Catch::Contains("SWITCHYARD_HTTP_PORT='80x'"));
  CHECK_THAT(garbage, Catch::Contains("'http.port'"));

  auto range = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_WORKERS_COUNT", "1000"}}); });
  CHECK_THAT(range, Catch::Contains("out of range"));

  auto enumValue = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_LOG_FORMAT", "xml"}}); });
  CHECK_THAT(enumValue, Catch::Contains("\"xml\""));
  CHECK_THAT(enumValue, Catch::Contains("\"text\", \"json\""));
}

TEST_CASE("every key has an environment name and docs/configuration.md is current", "[config]") {
  for (const FieldSpec& field : ConfigSchema::instance().fields()) {
    CHECK(ConfigSchema::instance().findByEnv(field.envName()) == &field);
    CHECK_FALSE(field.description.empty());
  }
  std::ifstream in(std::string(SWITCHYARD_SOURCE_DIR) + "/docs/configuration.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  INFO("regenerate with: switchyard --config-reference > docs/configuration.md");
  CHECK(text.str() == ConfigSchema::instance().markdownReference());
}

TEST_CASE("address lists come from JSON arrays or comma-separated variables", "[config]") {
  Config config = ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_LISTEN_ADDRESSES", "127.0.0.1,::1"},
                                                    {"SWITCHYARD_RTC_ANNOUNCED_ADDRESSES", "203.0.113.7"}});
  CHECK(config.rtc.listenAddresses == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(config.rtc.announcedAddresses == std::vector<std::string>{"203.0.113.7"});

  auto badItem = errorOf([&] {
    ConfigLoader::applyJson(config, json::parse(R"({"rtc":{"listen_addresses":["127.0.0.1","eth0"]}})"), "f");
  });
  CHECK_THAT(badItem, Catch::Contains("'rtc.listen_addresses'"));
  CHECK_THAT(badItem, Catch::Contains("\"eth0\" is not an IP address literal"));
  auto notList = errorOf([&] {
    ConfigLoader::applyJson(config, json::parse(R"({"rtc":{"listen_addresses":"127.0.0.1"}})"), "f");
  });
  CHECK_THAT(notList, Catch::Contains("a list of IPv4 or IPv6 address literals"));
  auto badEnv = errorOf([] {
    ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_LISTEN_ADDRESSES", "1.2.3.4,"}});
  });
  CHECK_THAT(badEnv, Catch::Contains("\"\" is not an IP address literal"));
}

TEST_CASE("rules between keys are checked", "[config]") {
  auto empty = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_LISTEN_ADDRESSES", ""}}); });
  CHECK_THAT(empty, Catch::Contains("at least one address"));
  auto halfCertificate = errorOf([] {
    ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_CERTIFICATE_FILE", "/etc/cert.pem"}});
  });
  CHECK_THAT(halfCertificate, Catch::Contains("'rtc.private_key_file'"));
  CHECK_THAT(halfCertificate, Catch::Contains("set both"));
  auto wildcard = errorOf([] {
    ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_LISTEN_ADDRESSES", "0.0.0.0"}});
  });
  CHECK_THAT(wildcard, Catch::Contains("'rtc.announced_addresses'"));
  CHECK_NOTHROW(ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_LISTEN_ADDRESSES", "0.0.0.0"},
                                                  {"SWITCHYARD_RTC_ANNOUNCED_ADDRESSES", "192.0.2.10"}}));
  auto ports = errorOf([] {
    ConfigLoader::load(std::nullopt,
                       {{"SWITCHYARD_RTC_UDP_PORT", "65534"}, {"SWITCHYARD_WORKERS_COUNT", "4"}});
  });
  CHECK_THAT(ports, Catch::Contains("'rtc.udp_port' has value 65534"));
  CHECK_THAT(ports, Catch::Contains("65537"));
  CHECK_NOTHROW(ConfigLoader::load(std::nullopt,
                                   {{"SWITCHYARD_RTC_UDP_PORT", "0"}, {"SWITCHYARD_WORKERS_COUNT", "4"}}));
  // One data-channel message must fit in the per-peer buffers.
  auto buffers = errorOf([] {
    ConfigLoader::load(std::nullopt, {{"SWITCHYARD_SCTP_MAX_MESSAGE_SIZE", "1048576"},
                                      {"SWITCHYARD_SCTP_MAX_BUFFERED_BYTES_PER_PEER", "524288"}});
  });
  CHECK_THAT(buffers, Catch::Contains("'sctp.max_buffered_bytes_per_peer' (524288)"));
  CHECK_THAT(buffers, Catch::Contains("'sctp.max_message_size' (1048576)"));
  CHECK_NOTHROW(
      ConfigLoader::load(std::nullopt, {{"SWITCHYARD_SCTP_MAX_MESSAGE_SIZE", "1048576"},
                                        {"SWITCHYARD_SCTP_MAX_BUFFERED_BYTES_PER_PEER", "1048576"}}));
  // The bandwidth estimate's bounds are ordered.
  auto bwe = errorOf([] {
    ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_BWE_INITIAL_KBPS", "50000"}});
  });
  CHECK_THAT(bwe, Catch::Contains("'rtc.bwe_initial_kbps' (50000)"));
  CHECK_THAT(bwe, Catch::Contains("'rtc.bwe_max_kbps' (30000)"));
  CHECK_NOTHROW(ConfigLoader::load(std::nullopt, {{"SWITCHYARD_RTC_BWE_INITIAL_KBPS", "50000"},
                                                  {"SWITCHYARD_RTC_BWE_MAX_KBPS", "50000"}}));
}

TEST_CASE("values that are not UTF-8 are reported, not thrown as JSON errors", "[config]") {
  // Found by fuzz_config_json: an environment value with invalid UTF-8 made the error message throw.
  auto message = errorOf([] { ConfigLoader::load(std::nullopt, {{"SWITCHYARD_LOG_FORMAT", "j\xfc\xab"}}); });
  CHECK_THAT(message, Catch::Contains("SWITCHYARD_LOG_FORMAT"));
  CHECK_THAT(message, Catch::Contains("\"text\", \"json\""));
}
