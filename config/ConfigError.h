#pragma once
#include <stdexcept>
#include <string>

namespace switchyard::config {

// A configuration mistake. The message names the key (or file, or variable), the value that was
// given and what is allowed; main prints it and exits with status 2.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace switchyard::config
