// Fuzzes what the bench parses from outside: a scenario JSON file, a payload stamp, a remote SDP
// turned into client transport parameters, and the server's /metrics body. Errors are answers; a crash, an
// exception or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/BenchSdp.h"
#include "bench/LoadScenario.h"
#include "bench/MetricsScrape.h"
#include "bench/SyntheticMedia.h"

using namespace switchyard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_discarded()) {
    bench::LoadScenario scenario;
    std::string error;
    if (scenario.applyJson(document, error)) {
      (void)scenario.validate(error);
      (void)scenario.sentPacketsPerSecondPerPublisher();
      bench::LoadScenario again;
      if (!again.applyJson(scenario.toJson(), error) || again.toJson() != scenario.toJson()) __builtin_trap();
    }
  }
  (void)bench::readStamp(std::span<const uint8_t>(data, size));
  static const auto ice = media::ice::IceCredentials::generate();
  std::string error;
  static const auto bind = *media::util::SocketAddress::parse("127.0.0.1", 0);
  (void)bench::clientParamsFrom(text, false, ice, bind, error);
  (void)bench::clientParamsFrom(text, true, ice, bind, error);
  // A /metrics body (the bench scrapes the server's): both latency families, and the difference.
  const auto latency = bench::parseServerLatency(text);
  const auto processing = bench::parseServerLatency(text, bench::kProcessingFamily);
  if (latency) {
    (void)latency->quantileSeconds(0.99);
    if (processing) (void)latency->since(*processing).quantileSeconds(0.5);
  }
  return 0;
}
