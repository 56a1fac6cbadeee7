#pragma once
// Parses switchyard's command line. Throws CommandLineError with a message for the user.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchyard::server {

class CommandLineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  std::optional<std::string> configPath;
  std::optional<std::string> logFormat;  // overrides log.format
  std::optional<std::string> logLevel;   // overrides log.level
  bool help = false;
  bool version = false;
  bool printConfig = false;
  bool configReference = false;

  static CommandLine parse(const std::vector<std::string>& args);
  static std::string usage();
};

}  // namespace switchyard::server
