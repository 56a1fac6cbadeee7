#include "server/CommandLine.h"

#include <exception>
#include <string>

namespace switchyard::server {

CommandLine CommandLine::parse(const std::vector<std::string>& args) {
  CommandLine line;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& name) -> std::string {
      const std::string prefix = name + "=";
      if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
      if (i + 1 >= args.size()) throw CommandLineError(name + " needs a value (see --help)");
      return args[++i];
    };
    auto is = [&](const std::string& name) { return arg == name || arg.rfind(name + "=", 0) == 0; };
    if (arg == "--help" || arg == "-h") {
      line.help = true;
    } else if (arg == "--version" || arg == "-V") {
      line.version = true;
    } else if (arg == "--print-config") {
      line.printConfig = true;
    } else if (arg == "--config-reference") {
      line.configReference = true;
    } else if (is("--config") || arg == "-c") {
      line.configPath = value(arg == "-c" ? "-c" : "--config");
    } else if (is("--log-format")) {
      line.logFormat = value("--log-format");
      if (*line.logFormat != "text" && *line.logFormat != "json") {
        throw CommandLineError("--log-format '" + *line.logFormat + "': expected text or json");
      }
    } else if (is("--log-level")) {
      line.logLevel = value("--log-level");
    } else if (is("--make-token")) {
      line.makeTokenRoom = value("--make-token");
    } else if (is("--token-name")) {
      line.tokenName = value("--token-name");
    } else if (is("--token-ttl")) {
      const std::string ttl = value("--token-ttl");
      size_t used = 0;
      unsigned long seconds = 0;
      try {
        seconds = std::stoul(ttl, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != ttl.size() || seconds == 0 || seconds > 31536000) {
        throw CommandLineError("--token-ttl '" + ttl + "': expected seconds from 1 to 31536000");
      }
      line.tokenTtlSeconds = static_cast<uint32_t>(seconds);
    } else {
      throw CommandLineError("unknown argument '" + arg + "' (see --help)");
    }
  }
  return line;
}

std::string CommandLine::usage() {
  return "usage: switchyard [options]\n"
         "\n"
         "Switchyard, a WebRTC selective forwarding unit. Starts the HTTP/WebSocket front end and the\n"
         "media workers and prints the URL it listens on.\n"
         "\n"
         "options:\n"
         "  -c, --config PATH        JSON config file (see docs/configuration.md)\n"
         "      --log-format FORMAT  text (default) or json: one JSON object per line\n"
         "      --log-level LEVEL    trace, debug, info, warn, error, critical or off\n"
         "      --print-config       print the effective config as JSON and exit\n"
         "      --config-reference   print the reference of every config key (Markdown) and exit\n"
         "      --make-token ROOM    print a join token for ROOM ('*': any room) signed with\n"
         "                           rooms.token_secret, and exit; with --token-ttl SECONDS\n"
         "                           (default 86400) and --token-name NAME (fixes the display name)\n"
         "  -V, --version            print the version and exit\n"
         "  -h, --help               print this help and exit\n"
         "\n"
         "Every config key can also be set with an environment variable: SWITCHYARD_ + the key in upper\n"
         "case with '.' as '_', e.g. SWITCHYARD_HTTP_PORT=8080.\n"
         "Exit status: 0 on a clean stop (SIGINT/SIGTERM), 2 on a usage or config error, 1 on failure.\n";
}

}  // namespace switchyard::server
