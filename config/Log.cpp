#include "config/Log.h"

#include <unistd.h>

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "config/LogFormatter.h"

namespace switchyard::config {

namespace {

struct LogState {
  std::mutex mutex;
  spdlog::sink_ptr sink;
  spdlog::level::level_enum level = spdlog::level::info;
};

LogState& state() {
  static LogState s;  // set once by setupLogging from main; loggers share its sink
  return s;
}

}  // namespace

void setupLogging(LogFormat format, const std::string& level) {
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  spdlog::sink_ptr sink;
  if (format == LogFormat::Text && isatty(STDERR_FILENO) == 1) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_formatter(std::make_unique<LogFormatter>(format));
  s.sink = sink;
  s.level = spdlog::level::from_str(level);
  spdlog::drop_all();
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  if (auto existing = spdlog::get(name)) return existing;
  if (!s.sink) {
    s.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s.sink->set_formatter(std::make_unique<LogFormatter>(LogFormat::Text));
  }
  auto created = std::make_shared<spdlog::logger>(name, s.sink);
  created->set_level(s.level);
  created->flush_on(spdlog::level::info);
  spdlog::register_logger(created);
  return created;
}

}  // namespace switchyard::config
