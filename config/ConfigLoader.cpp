#include "config/ConfigLoader.h"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "config/ConfigError.h"
#include "config/ConfigSchema.h"

extern char** environ;  // NOLINT(readability-identifier-naming): POSIX

namespace switchyard::config {

using nlohmann::json;

namespace {

constexpr std::string_view kEnvPrefix = "SWITCHYARD_";

std::string show(const json& value) {
  // Values may hold any bytes (environment variables): show invalid UTF-8 as U+FFFD, never throw.
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

bool isIpLiteral(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// Checks `value` against the field; returns an error text or "" when it is acceptable.
std::string validate(const FieldSpec& field, const json& value) {
  switch (field.kind) {
    case FieldKind::String:
      if (!value.is_string()) return "expected " + field.allowedText();
      return "";
    case FieldKind::Boolean:
      if (!value.is_boolean()) return "expected " + field.allowedText();
      return "";
    case FieldKind::IpAddress:
      if (!value.is_string() || !isIpLiteral(value.get<std::string>())) {
        return "expected " + field.allowedText();
      }
      return "";
    case FieldKind::IpAddressList:
      if (!value.is_array()) return "expected " + field.allowedText();
      for (const json& item : value) {
        if (!item.is_string() || !isIpLiteral(item.get<std::string>())) {
          return "item " + show(item) + " is not an IP address literal; expected " + field.allowedText();
        }
      }
      return "";
    case FieldKind::Enum:
      if (!value.is_string()) return "expected " + field.allowedText();
      for (const std::string& allowed : field.allowed) {
        if (value.get<std::string>() == allowed) return "";
      }
      return "expected " + field.allowedText();
    case FieldKind::Integer: {
      if (!value.is_number_integer()) return "expected " + field.allowedText();
      const bool tooBig =
          value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(field.max);
      if (tooBig || value.get<int64_t>() < field.min || value.get<int64_t>() > field.max) {
        return "out of range, expected " + field.allowedText();
      }
      return "";
    }
  }
  return "unsupported field kind";
}

void applyValue(Config& config, const FieldSpec& field, const json& value, const std::string& origin) {
  const std::string problem = validate(field, value);
  if (!problem.empty()) {
    throw ConfigError(origin + ": key '" + field.key + "' has value " + show(value) + ": " + problem);
  }
  field.set(config, value);
}

void walk(Config& config, const json& object, const std::string& prefix, const std::string& origin) {
  const ConfigSchema& schema = ConfigSchema::instance();
  for (const auto& [name, value] : object.items()) {
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (const FieldSpec* field = schema.find(key)) {
      applyValue(config, *field, value, origin);
      continue;
    }
    // Not a leaf: it must be a section that has keys below it.
    std::set<std::string> below;
    for (const FieldSpec& f : schema.fields()) {
      if (f.key.rfind(key + ".", 0) == 0) below.insert(f.key);
    }
    if (below.empty()) {
      std::set<std::string> known;
      for (const FieldSpec& f : schema.fields()) {
        if (prefix.empty() || f.key.rfind(prefix + ".", 0) == 0) {
          const std::string rest = prefix.empty() ? f.key : f.key.substr(prefix.size() + 1);
          known.insert(rest.substr(0, rest.find('.')));
        }
      }
      std::string list;
      for (const std::string& k : known)
        list += (list.empty() ? "" : ", ") + k;
      throw ConfigError(origin + ": unknown key '" + key + "'" +
                        (prefix.empty() ? "" : " in '" + prefix + "'") + "; known keys there: " + list);
    }
    if (!value.is_object()) {
      throw ConfigError(origin + ": key '" + key + "' has value " + show(value) +
                        ": expected an object (a section holding " + *below.begin() + ", ...)");
    }
    walk(config, value, key, origin);
  }
}

json parseEnvValue(const FieldSpec& field, const std::string& name, const std::string& text) {
  switch (field.kind) {
    case FieldKind::Integer: {
      int64_t number = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, number);
      if (text.empty() || ec != std::errc() || ptr != end) {
        throw ConfigError("environment: " + name + "='" + text + "' (key '" + field.key + "'): expected " +
                          field.allowedText());
      }
      return number;
    }
    case FieldKind::Boolean:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      throw ConfigError("environment: " + name + "='" + text + "' (key '" + field.key +
                        "'): expected true, false, 1 or 0");
    case FieldKind::IpAddressList: {
      json list = json::array();
      size_t start = 0;
      while (start <= text.size() && !text.empty()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        list.push_back(text.substr(start, comma - start));
        start = comma + 1;
      }
      return list;
    }
    case FieldKind::String:
    case FieldKind::IpAddress:
    case FieldKind::Enum:
      return text;
  }
  return text;
}

}  // namespace

void ConfigLoader::applyJson(Config& config, const json& document, const std::string& origin) {
  if (!document.is_object()) {
    throw ConfigError(origin + ": the top level must be a JSON object, got " + show(document));
  }
  walk(config, document, "", origin);
}

void ConfigLoader::applyEnvironment(Config& config, const Environment& environment) {
  const ConfigSchema& schema = ConfigSchema::instance();
  for (const auto& [name, text] : environment) {
    if (name.rfind(kEnvPrefix, 0) != 0) continue;
    const FieldSpec* field = schema.findByEnv(name);
    if (field == nullptr) {
      std::string list;
      for (const FieldSpec& f : schema.fields())
        list += (list.empty() ? "" : ", ") + f.envName();
      throw ConfigError("environment: unknown variable " + name + "; known: " + list);
    }
    applyValue(config, *field, parseEnvValue(*field, name, text), "environment " + name);
  }
}

Config ConfigLoader::load(const std::optional<std::string>& path, const Environment& environment) {
  Config config;
  if (path) {
    std::ifstream in(*path);
    if (!in) throw ConfigError("config file '" + *path + "': cannot be opened");
    json document;
    try {
      document = json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
      throw ConfigError("config file '" + *path + "': not valid JSON: " + e.what());
    }
    applyJson(config, document, "config file '" + *path + "'");
  }
  applyEnvironment(config, environment);
  validateCombination(config);
  return config;
}

void ConfigLoader::validateCombination(const Config& config) {
  if (config.rtc.listenAddresses.empty()) {
    throw ConfigError("key 'rtc.listen_addresses' has value []: expected at least one address");
  }
  for (const std::string& address : config.rtc.listenAddresses) {
    if ((address == "0.0.0.0" || address == "::") && config.rtc.announcedAddresses.empty()) {
      throw ConfigError("key 'rtc.listen_addresses' has \"" + address +
                        "\", which is no address a client can reach: set 'rtc.announced_addresses' "
                        "(SWITCHYARD_RTC_ANNOUNCED_ADDRESSES) to the address clients use, e.g. the host's");
    }
  }
  if (config.http.tlsCertificateFile.empty() != config.http.tlsPrivateKeyFile.empty()) {
    throw ConfigError("keys 'http.tls_certificate_file' and 'http.tls_private_key_file' have values \"" +
                      config.http.tlsCertificateFile + "\" and \"" + config.http.tlsPrivateKeyFile +
                      "\": set both (a PEM certificate and its key: HTTPS/WSS) or neither (plain HTTP/WS)");
  }
  if (config.sctp.maxBufferedBytesPerPeer < config.sctp.maxMessageSize ||
      config.sctp.receiveBufferBytes < config.sctp.maxMessageSize) {
    throw ConfigError("keys 'sctp.max_buffered_bytes_per_peer' (" +
                      std::to_string(config.sctp.maxBufferedBytesPerPeer) +
                      ") and 'sctp.receive_buffer_bytes' (" + std::to_string(config.sctp.receiveBufferBytes) +
                      ") must each be at least 'sctp.max_message_size' (" +
                      std::to_string(config.sctp.maxMessageSize) + "): one message has to fit");
  }
  if (config.rtc.bweMinKbps > config.rtc.bweInitialKbps ||
      config.rtc.bweInitialKbps > config.rtc.bweMaxKbps) {
    throw ConfigError("keys 'rtc.bwe_min_kbps' (" + std::to_string(config.rtc.bweMinKbps) +
                      "), 'rtc.bwe_initial_kbps' (" + std::to_string(config.rtc.bweInitialKbps) +
                      ") and 'rtc.bwe_max_kbps' (" + std::to_string(config.rtc.bweMaxKbps) +
                      ") must be in that order: min <= initial <= max");
  }
  if (config.rtc.certificateFile.empty() != config.rtc.privateKeyFile.empty()) {
    throw ConfigError("keys 'rtc.certificate_file' and 'rtc.private_key_file' have values \"" +
                      config.rtc.certificateFile + "\" and \"" + config.rtc.privateKeyFile +
                      "\": set both (a PEM certificate and its key) or neither (generate one at start)");
  }
  // Worker i uses port + i: the last worker's port must still be a port. The worker count is
  // only known here when it is configured; 0 (one per core) is checked again at start.
  const uint32_t workers = std::max<uint32_t>(1, config.workers.count);
  for (const auto& [key, port] : {std::pair<const char*, uint32_t>{"rtc.udp_port", config.rtc.udpPort},
                                  std::pair<const char*, uint32_t>{"rtc.tcp_port", config.rtc.tcpPort}}) {
    if (port != 0 && port + workers - 1 > 65535) {
      throw ConfigError(std::string("key '") + key + "' has value " + std::to_string(port) + ": with " +
                        std::to_string(workers) + " workers the last port would be " +
                        std::to_string(port + workers - 1) + "; allowed: a base port up to " +
                        std::to_string(65536 - workers));
    }
  }
}

Environment ConfigLoader::processEnvironment() {
  Environment environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.rfind(kEnvPrefix, 0) != 0) continue;
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return environment;
}

}  // namespace switchyard::config
