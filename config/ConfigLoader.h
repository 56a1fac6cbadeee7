#pragma once
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/Config.h"

namespace switchyard::config {

using Environment = std::map<std::string, std::string>;

// Builds the effective Config: defaults, then the JSON file (if any), then SWITCHYARD_* environment
// variables. Throws ConfigError naming the key, the value and what is allowed on any mistake:
// unknown key, wrong type, out of range, unparsable file, unknown SWITCHYARD_* variable.
class ConfigLoader {
 public:
  static Config load(const std::optional<std::string>& path, const Environment& environment);
  // Applies a parsed JSON document on top of config; `origin` names the source in errors.
  static void applyJson(Config& config, const nlohmann::json& document, const std::string& origin);
  static void applyEnvironment(Config& config, const Environment& environment);
  // Rules between keys (both certificate files or neither, worker ports within 65535, ...).
  static void validateCombination(const Config& config);
  // The SWITCHYARD_* variables of this process.
  static Environment processEnvironment();
};

}  // namespace switchyard::config
