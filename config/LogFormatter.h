#pragma once
#include <memory>

#include <spdlog/formatter.h>

#include "config/Log.h"

namespace switchyard::config {

// Renders one log record, with the fields of logEvent, as a text line or as one JSON object.
class LogFormatter final : public spdlog::formatter {
 public:
  explicit LogFormatter(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogFormatter>(format_);
  }

 private:
  void formatText(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) const;
  void formatJson(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) const;

  LogFormat format_;
};

}  // namespace switchyard::config
