#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/Log.h"
#include "config/LogFormatter.h"

using namespace switchyard::config;

namespace {

std::string render(LogFormat format, const std::function<void(spdlog::logger&)>& emit) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  sink->set_formatter(std::make_unique<LogFormatter>(format));
  spdlog::logger log("test", sink);
  log.set_level(spdlog::level::trace);
  emit(log);
  return out.str();
}

}  // namespace

TEST_CASE("json format writes one object per line with the fields", "[log]") {
  const std::string line = render(LogFormat::Json, [](spdlog::logger& log) {
    logEvent(log, spdlog::level::warn, "peer left", "room", "a \"b\"\n", "count", 3);
  });
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  const auto object = nlohmann::json::parse(line);
  CHECK(object["level"] == "warning");
  CHECK(object["logger"] == "test");
  CHECK(object["msg"] == "peer left");
  CHECK(object["room"] == "a \"b\"\n");
  CHECK(object["count"] == "3");
  CHECK(object["ts"].get<std::string>().size() == 24);  // 2026-11-26T06:40:01.123Z
}

TEST_CASE("text format writes key=value and quotes what needs it", "[log]") {
  const std::string line = render(LogFormat::Text, [](spdlog::logger& log) {
    logEvent(log, spdlog::level::info, "http listening", "url", "http://127.0.0.1:1/", "name", "two words");
  });
  CHECK_THAT(line,
             Catch::Contains("info  [test] http listening url=http://127.0.0.1:1/ name=\"two words\"\n"));
}

TEST_CASE("plain spdlog messages and control characters stay one line", "[log]") {
  const std::string json = render(LogFormat::Json, [](spdlog::logger& log) { log.error("bad\x01thing"); });
  CHECK(nlohmann::json::parse(json)["msg"] == "bad\x01thing");
  const std::string text = render(
      LogFormat::Text, [](spdlog::logger& log) { logEvent(log, spdlog::level::info, "e", "v", "x\ny"); });
  CHECK(text.find('\n') == text.size() - 1);
}

TEST_CASE("levels below the threshold are not formatted", "[log]") {
  const std::string out = render(LogFormat::Json, [](spdlog::logger& log) {
    log.set_level(spdlog::level::warn);
    logEvent(log, spdlog::level::info, "hidden");
  });
  CHECK(out.empty());
}

TEST_CASE("a value cannot forge fields with the separator bytes", "[log]") {
  const std::string line = render(LogFormat::Json, [](spdlog::logger& log) {
    logEvent(log, spdlog::level::info,
             "joined\x1f"
             "evil\x1e"
             "1",
             "room",
             "a\x1f"
             "admin\x1e"
             "true");
  });
  const auto object = nlohmann::json::parse(line);
  CHECK_FALSE(object.contains("admin"));
  CHECK_FALSE(object.contains("evil"));
  CHECK(object["room"] == "a admin true");
  CHECK(object["msg"] == "joined evil 1");
}
