// Fuzzes the config loader: arbitrary bytes as a JSON config document, and as SWITCHYARD_*
// environment lines. A ConfigError is the expected answer to bad input; any other exception,
// crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/ConfigError.h"
#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"

using namespace switchyard::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, true);
  if (!document.is_discarded()) {
    Config config;
    try {
      ConfigLoader::applyJson(config, document, "fuzz");
      // What was accepted must print and load again to the same values.
      const auto shown = ConfigSchema::instance().toJson(config);
      Config again;
      ConfigLoader::applyJson(again, shown, "fuzz-again");
      if (ConfigSchema::instance().toJson(again) != shown) __builtin_trap();
    } catch (const ConfigError&) {
    }
  }
  // The same bytes as environment lines NAME=value.
  Environment environment;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    const size_t eq = line.find('=');
    if (eq != std::string::npos) environment["SWITCHYARD_" + line.substr(0, eq)] = line.substr(eq + 1);
    start = end + 1;
  }
  try {
    Config config;
    ConfigLoader::applyEnvironment(config, environment);
  } catch (const ConfigError&) {
  }
  return 0;
}
