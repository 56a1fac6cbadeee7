#pragma once
// The table of every configuration key: its type, default, allowed values and documentation.
// Loading, validation, environment overrides, --print-config and docs/configuration.md all come
// from this one table, so a new tunable is added in exactly one place.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/Config.h"

namespace switchyard::config {

enum class FieldKind { String, Integer, Boolean, IpAddress, IpAddressList, Enum };

struct FieldSpec {
  std::string key;  // dotted JSON path, e.g. "http.port"
  FieldKind kind;
  std::string description;
  int64_t min = 0;                   // Integer only
  int64_t max = 0;                   // Integer only
  std::vector<std::string> allowed;  // Enum only
  std::function<nlohmann::json(const Config&)> get;
  std::function<void(Config&, const nlohmann::json&)> set;  // value already validated

  // "SWITCHYARD_HTTP_PORT" for "http.port".
  [[nodiscard]] std::string envName() const;
  // Human description of what is allowed, e.g. "an integer in 0..65535".
  [[nodiscard]] std::string allowedText() const;
};

class ConfigSchema {
 public:
  // The one schema of Config.
  static const ConfigSchema& instance();

  [[nodiscard]] std::span<const FieldSpec> fields() const noexcept { return fields_; }
  [[nodiscard]] const FieldSpec* find(std::string_view key) const noexcept;
  [[nodiscard]] const FieldSpec* findByEnv(std::string_view envName) const noexcept;

  // The config as nested JSON (what --print-config shows).
  [[nodiscard]] nlohmann::json toJson(const Config& config) const;
  // Markdown reference of every key (docs/configuration.md).
  [[nodiscard]] std::string markdownReference() const;

 private:
  ConfigSchema();
  std::vector<FieldSpec> fields_;
};

}  // namespace switchyard::config
