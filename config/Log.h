#pragma once
// Structured logging on spdlog. An event is a short fixed text plus key/value fields:
//
//   logEvent(*log, spdlog::level::info, "http listening", "url", url, "workers", 4);
//
// text format:  2026-11-26 06:40:01.123 info  [server] http listening url=http://127.0.0.1:7080/ workers=4
// json format:  {"ts":"2026-11-26T06:40:01.123Z","level":"info","logger":"server",
//                "msg":"http listening","url":"http://127.0.0.1:7080/","workers":"4"}
//
// Fields travel inside the spdlog message, separated by control characters that the formatters
// (LogFormatter) turn into either form. Control plane only: never log per packet.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace switchyard::config {

inline constexpr char kFieldSeparator = '\x1f';
inline constexpr char kValueSeparator = '\x1e';

enum class LogFormat { Text, Json };

// Installs the process-wide sinks (stderr) with the given format and level; later calls to
// logger(name) share them. Called once from main (and from tests).
void setupLogging(LogFormat format, const std::string& level);
// A named logger ("server", "http", "media", ...) writing to the configured sinks.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

namespace detail {
inline void appendFields(fmt::memory_buffer&) {}
// The separators must not appear inside a key or value, or a value could forge fields.
inline void neutraliseSeparators(fmt::memory_buffer& out, size_t from) {
  for (size_t i = from; i < out.size(); ++i) {
    if (out[i] == kFieldSeparator || out[i] == kValueSeparator) out[i] = ' ';
  }
}
template <typename Value, typename... Rest>
void appendFields(fmt::memory_buffer& out, std::string_view key, const Value& value, const Rest&... rest) {
  out.push_back(kFieldSeparator);
  size_t start = out.size();
  out.append(key);
  neutraliseSeparators(out, start);
  out.push_back(kValueSeparator);
  start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", value);
  neutraliseSeparators(out, start);
  appendFields(out, rest...);
}
}  // namespace detail

template <typename... Fields>
void logEvent(spdlog::logger& log, spdlog::level::level_enum level, std::string_view event,
              const Fields&... fields) {
  static_assert(sizeof...(Fields) % 2 == 0, "fields come as key, value pairs");
  if (!log.should_log(level)) return;
  fmt::memory_buffer buffer;
  buffer.append(event);
  detail::neutraliseSeparators(buffer, 0);
  detail::appendFields(buffer, fields...);
  log.log(level, std::string_view(buffer.data(), buffer.size()));
}

}  // namespace switchyard::config
