#include "config/LogFormatter.h"

#include <chrono>
#include <ctime>
#include <string_view>

namespace switchyard::config {

namespace {

void appendTimestamp(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest, bool iso) {
  const auto since = msg.time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}.{:03}{}", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, iso ? 'T' : ' ', tm.tm_hour, tm.tm_min, tm.tm_sec, millis,
                 iso ? "Z" : "");
}

void appendJsonString(std::string_view text, spdlog::memory_buf_t& dest) {
  dest.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          dest.push_back(c);
        }
    }
  }
  dest.push_back('"');
}

bool needsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

// Calls visit(key, value) for every field in the message and returns the event text.
template <typename Visit>
std::string_view splitFields(std::string_view payload, Visit&& visit) {
  const size_t first = payload.find(kFieldSeparator);
  const std::string_view event = payload.substr(0, first);
  size_t pos = first;
  while (pos != std::string_view::npos) {
    const size_t next = payload.find(kFieldSeparator, pos + 1);
    const std::string_view field =
        payload.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
    const size_t sep = field.find(kValueSeparator);
    if (sep == std::string_view::npos) {
      visit(field, std::string_view());
    } else {
      visit(field.substr(0, sep), field.substr(sep + 1));
    }
    pos = next;
  }
  return event;
}

}  // namespace

void LogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  if (format_ == LogFormat::Json) {
    formatJson(msg, dest);
  } else {
    formatText(msg, dest);
  }
}

void LogFormatter::formatText(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) const {
  appendTimestamp(msg, dest, false);
  dest.push_back(' ');
  msg.color_range_start = dest.size();
  const auto level = spdlog::level::to_string_view(msg.level);
  dest.append(level);
  msg.color_range_end = dest.size();
  for (size_t i = level.size(); i < 5; ++i)
    dest.push_back(' ');
  dest.append(std::string_view(" ["));
  dest.append(msg.logger_name);
  dest.append(std::string_view("] "));
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  std::string fields;
  const std::string_view event = splitFields(payload, [&](std::string_view key, std::string_view value) {
    fields.push_back(' ');
    fields.append(key);
    fields.push_back('=');
    if (needsQuotes(value)) {
      fields.push_back('"');
      for (char c : value) {
        if (c == '"' || c == '\\') fields.push_back('\\');
        fields.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
      }
      fields.push_back('"');
    } else {
      fields.append(value);
    }
  });
  dest.append(event);
  dest.append(fields);
  dest.push_back('\n');
}

void LogFormatter::formatJson(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) const {
  dest.append(std::string_view("{\"ts\":\""));
  appendTimestamp(msg, dest, true);
  dest.append(std::string_view("\",\"level\":"));
  const auto level = spdlog::level::to_string_view(msg.level);
  appendJsonString(std::string_view(level.data(), level.size()), dest);
  dest.append(std::string_view(",\"logger\":"));
  appendJsonString(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  fmt::format_to(std::back_inserter(dest), ",\"thread\":{}", msg.thread_id);
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  spdlog::memory_buf_t fields;
  const std::string_view event = splitFields(payload, [&](std::string_view key, std::string_view value) {
    fields.push_back(',');
    appendJsonString(key, fields);
    fields.push_back(':');
    appendJsonString(value, fields);
  });
  dest.append(std::string_view(",\"msg\":"));
  appendJsonString(event, dest);
  dest.append(fields);
  dest.append(std::string_view("}\n"));
}

}  // namespace switchyard::config
