// switchyard: the SFU process. Parses the command line, loads and validates the config, sets up
// logging and runs the Server until SIGINT/SIGTERM.
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "config/ConfigError.h"
#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"
#include "config/Log.h"
#include "media/dtls/OpenSslMemory.h"
#include "server/CommandLine.h"
#include "server/JoinToken.h"
#include "server/Server.h"
#include "switchyard/Version.h"

using namespace switchyard;

int main(int argc, char** argv) {
  // Before anything can call OpenSSL: its per-connection buffers in slots whose idle pages are not
  // resident (media/dtls/OpenSslMemory.h).
  const bool opensslSlots = media::dtls::OpenSslMemory::install();
  server::CommandLine line;
  config::Config config;
  try {
    line = server::CommandLine::parse(std::vector<std::string>(argv + 1, argv + argc));
    if (line.help) {
      std::cout << server::CommandLine::usage();
      return 0;
    }
    if (line.version) {
      std::cout << "switchyard " << kVersion << " (" << kBuildType << ")\n";
      return 0;
    }
    if (line.configReference) {
      std::cout << config::ConfigSchema::instance().markdownReference();
      return 0;
    }
    config = config::ConfigLoader::load(line.configPath, config::ConfigLoader::processEnvironment());
    if (line.logFormat) config.log.format = *line.logFormat;
    if (line.logLevel) {
      nlohmann::json overrides = {{"log", {{"level", *line.logLevel}}}};
      config::ConfigLoader::applyJson(config, overrides, "--log-level");
    }
  } catch (const server::CommandLineError& e) {
    std::cerr << "switchyard: " << e.what() << "\n";
    return 2;
  } catch (const config::ConfigError& e) {
    std::cerr << "switchyard: config error: " << e.what() << "\n";
    return 2;
  }
  if (line.makeTokenRoom) {
    if (config.rooms.tokenSecret.empty()) {
      std::cerr << "switchyard: --make-token needs rooms.token_secret (config file or "
                   "SWITCHYARD_ROOMS_TOKEN_SECRET)\n";
      return 2;
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::cout << server::makeJoinToken(config.rooms.tokenSecret,
                                       {*line.makeTokenRoom, now + line.tokenTtlSeconds, line.tokenName})
              << "\n";
    return 0;
  }
  if (line.printConfig) {
    std::cout << config::ConfigSchema::instance().toJson(config).dump(
                     2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }

  config::setupLogging(config.log.format == "json" ? config::LogFormat::Json : config::LogFormat::Text,
                       config.log.level);
  if (!opensslSlots)
    config::logEvent(*config::logger("server"), spdlog::level::warn,
                     "OpenSSL buffers stay on the C heap (could not reserve the slot range): about 38 KiB "
                     "more resident memory per peer");
  try {
    server::Server server(config);
    const std::string url = server.start();
    std::cout << "Switchyard " << kVersion << " listening on " << url << "\n"
              << "Demo call: open " << url << "?room=demo in two browser tabs (camera and microphone "
              << "allowed) to see and hear each other through Switchyard" << std::endl;
    server.run();
    if (server.failed()) return 1;
  } catch (const std::exception& e) {
    config::logEvent(*config::logger("server"), spdlog::level::critical, "switchyard failed", "error",
                     e.what());
    std::cerr << "switchyard: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
