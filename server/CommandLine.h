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
  std::optional<std::string> makeTokenRoom;  // --make-token ROOM: print a join token and exit
  uint32_t tokenTtlSeconds = 86400;          // --token-ttl
  std::optional<std::string> tokenName;      // --token-name

  static CommandLine parse(const std::vector<std::string>& args);
  static std::string usage();
};

}  // namespace switchyard::server
