// switchyard-bench: benchmarks and load clients for Switchyard. Results: bench/RESULTS.md.
//   switchyard-bench codecs [--seconds S]    wire-codec micro-benchmarks
//   switchyard-bench srtp [--seconds S]      SRTP per packet: our libsrtp (OpenSSL) vs Debian's (NSS)
//   switchyard-bench receive [--packets N]   the server receive path in packets per CPU-second
//   switchyard-bench load [options]          real clients against Switchyard, the reflector, Janus
//   switchyard-bench reflector [options]     the plain UDP fan-out the load compares with
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/CodecBench.h"
#include "bench/LoadReport.h"
#include "bench/LoadRun.h"
#include "bench/ReceivePathBench.h"
#include "bench/Reflector.h"
#include "bench/SrtpBench.h"
#include "config/ConfigSchema.h"
#include "media/dtls/OpenSslMemory.h"
#include "switchyard/Version.h"

namespace {

void usage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: switchyard-bench COMMAND [options]\n"
      "\n"
      "commands:\n"
      "  codecs [--seconds S]  wire-codec micro-benchmarks (S seconds each, default 1, at most 60);\n"
      "                        prints a Markdown table with ns/op and the ratio to a 1200-byte copy\n"
      "  srtp [--seconds S]    SRTP per packet: our libsrtp (OpenSSL) beside Debian's (NSS)\n"
      "  receive [--packets N] [--bytes B]\n"
      "                        the server receive path in packets per CPU-second\n"
      "  load [options]        real clients (signaling, ICE, DTLS, SRTP) against Switchyard and the\n"
      "                        baselines, one after the other in one run; `load --help` lists options\n"
      "  reflector [--threads N] [--port P] [--listen ADDRESS] [--max-seconds S]\n"
      "                        the plain UDP fan-out (recvmmsg/sendmmsg) the load compares with\n"
      "options:\n"
      "  --help, --version\n"
      "Results and the commands that produced them: bench/RESULTS.md.\n");
}

// Parses "--NAME VALUE" options; returns false (after printing why) on a bad one.
bool parseNumber(const char* name, const char* text, double min, double max, double& out) {
  char* end = nullptr;
  out = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(out >= min) || out > max) {
    std::fprintf(stderr, "switchyard-bench: %s '%s': expected a number in [%g, %g]\n", name, text, min, max);
    return false;
  }
  return true;
}

bool parseSeconds(int argc, char** argv, double& seconds) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      if (!parseNumber("--seconds", argv[++i], 0.01, 60.0, seconds)) return false;
    } else {
      std::fprintf(stderr, "switchyard-bench %s: unknown argument '%s' (try --help)\n", argv[1], argv[i]);
      return false;
    }
  }
  return true;
}

int runSrtp(int argc, char** argv) {
  double seconds = 1.0;
  if (!parseSeconds(argc, argv, seconds)) return 2;
  const auto rows = switchyard::bench::SrtpBench::run(seconds);
  std::printf(
      "| profile | packet bytes | operation | ns ours (OpenSSL) | ns Debian (NSS) | Debian / ours |\n"
      "|---|---:|---|---:|---:|---:|\n");
  for (const auto& r : rows) {
    std::printf("| %s | %zu | %s | %.0f | ", r.profile.c_str(), r.packetBytes, r.operation.c_str(), r.nsOurs);
    if (r.nsDebian) {
      std::printf("%.0f | %.2fx |\n", *r.nsDebian, r.ratio.value_or(0));
    } else {
      std::printf("n/a | n/a |\n");
    }
  }
  return 0;
}

int runReceive(int argc, char** argv) {
  double packets = 300000;
  double bytes = 1200;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--packets") == 0 && i + 1 < argc) {
      if (!parseNumber("--packets", argv[++i], 1000, 1e8, packets)) return 2;
    } else if (std::strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
      if (!parseNumber("--bytes", argv[++i], 100, 1400, bytes)) return 2;
    } else {
      std::fprintf(stderr, "switchyard-bench receive: unknown argument '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  const auto results = switchyard::bench::ReceivePathBench::run(static_cast<uint64_t>(packets),
                                                                static_cast<size_t>(bytes), 60.0);
  std::printf(
      "| profile | packet bytes | packets | server CPU s | packets per CPU-second | datagrams per recvmmsg "
      "|\n"
      "|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results) {
    std::printf("| %s | %zu | %llu | %.3f | %.0f | %.1f |\n", r.profile.c_str(), r.packetBytes,
                static_cast<unsigned long long>(r.packetsDelivered), r.serverCpuSeconds,
                r.packetsPerCpuSecond, r.datagramsPerRecvCall);
  }
  return 0;
}

int runCodecs(int argc, char** argv) {
  double seconds = 1.0;
  if (!parseSeconds(argc, argv, seconds)) return 2;
  const auto results = switchyard::bench::CodecBench::run(seconds);
  if (results.empty()) {
    std::fprintf(stderr, "switchyard-bench: building the sample packets failed\n");
    return 1;
  }
  std::printf("| benchmark | ns/op | ratio to copy | operations |\n|---|---:|---:|---:|\n");
  for (const auto& r : results) {
    std::printf("| %s | %.1f | %.2f | %llu |\n", r.name.c_str(), r.nsPerOperation, r.ratioToCopy,
                static_cast<unsigned long long>(r.operations));
  }
  return 0;
}

void loadUsage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: switchyard-bench load [--targets LIST] [--scenario FILE] [--SETTING VALUE ...]\n"
      "\n"
      "Starts each target itself (on OS-chosen loopback ports), connects the scenario's peers with\n"
      "the real protocol, sends synthetic media stamped with a sequence and the send time, and\n"
      "measures loss, duplicates, jitter, end-to-end latency, the target's CPU seconds and memory.\n"
      "\n"
      "  --targets LIST         comma-separated: switchyard[:WORKERS], reflector[:THREADS], janus\n"
      "                         (default switchyard:1); switchyard:N:nolatency starts it with its\n"
      "                         latency histogram off (workers.latency_histogram, to measure its cost)\n"
      "  --scenario FILE        a JSON object of the settings below (flags after it override)\n"
      "  --server-binary PATH   switchyard to start (default: ../server/switchyard beside this program)\n"
      "  --server-set KEY=VALUE a switchyard config key for the switchyard targets (repeatable), e.g.\n"
      "                         workers.realtime_priority=1; switchyard checks it (a bad one fails\n"
      "                         the start)\n"
      "  --out DIR              report directory (default bench-report): report.md, report.json,\n"
      "                         PNG plots when gnuplot is installed, each target's log\n"
      "  --no-progress          no progress line on stderr\n"
      "  --expect-no-loss       exit 1 unless every peer got ready, packets arrived and none was\n"
      "                         lost or duplicated (the CI smoke)\n"
      "scenario settings:\n%s",
      switchyard::bench::LoadScenario::help().c_str());
}

int runLoad(int argc, char** argv) {
  namespace bench = switchyard::bench;
  bench::RunOptions options;
  std::string targets = "switchyard:1";
  std::string outDir = "bench-report";
  bool expectNoLoss = false;
  std::string commandLine = "switchyard-bench";
  for (int i = 1; i < argc; ++i)
    commandLine += std::string(" ") + argv[i];
  const std::filesystem::path self = std::filesystem::canonical("/proc/self/exe");
  options.benchBinary = self.string();
  options.serverBinary = (self.parent_path().parent_path() / "server" / "switchyard").string();
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      loadUsage(stdout);
      return 0;
    } else if (arg == "--no-progress") {
      options.progress = false;
    } else if (arg == "--expect-no-loss") {
      expectNoLoss = true;
    } else if (arg == "--targets" && hasValue) {
      targets = argv[++i];
    } else if (arg == "--server-binary" && hasValue) {
      options.serverBinary = argv[++i];
    } else if (arg == "--server-set" && hasValue) {
      const std::string setting = argv[++i];
      const auto equals = setting.find('=');
      const std::string key = setting.substr(0, equals);
      if (equals == std::string::npos || switchyard::config::ConfigSchema::instance().find(key) == nullptr) {
        std::fprintf(stderr,
                     "switchyard-bench load: --server-set wants KEY=VALUE with a switchyard config key "
                     "(switchyard --config-reference lists them), such as workers.realtime_priority=1, "
                     "not '%s'\n",
                     setting.c_str());
        return 2;
      }
      options.serverSettings.emplace_back(key, setting.substr(equals + 1));
    } else if (arg == "--out" && hasValue) {
      outDir = argv[++i];
    } else if (arg == "--scenario" && hasValue) {
      std::ifstream in(argv[++i]);
      if (!in) {
        std::fprintf(stderr, "switchyard-bench load: cannot read %s\n", argv[i]);
        return 2;
      }
      const auto j = nlohmann::json::parse(in, nullptr, false);
      std::string error;
      if (j.is_discarded() || !options.scenario.applyJson(j, error)) {
        std::fprintf(stderr, "switchyard-bench load: %s: %s\n", argv[i],
                     j.is_discarded() ? "not valid JSON" : error.c_str());
        return 2;
      }
    } else if (arg.rfind("--", 0) == 0 && hasValue) {
      std::string error;
      if (!options.scenario.set(arg.substr(2), argv[++i], error)) {
        std::fprintf(stderr, "switchyard-bench load: %s (try load --help)\n", error.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "switchyard-bench load: unknown or incomplete argument '%s' (try load --help)\n",
                   arg.c_str());
      return 2;
    }
  }
  std::string error;
  if (!bench::parseTargets(targets, options.targets, error) || !options.scenario.validate(error)) {
    std::fprintf(stderr, "switchyard-bench load: %s\n", error.c_str());
    return 2;
  }
  for (const auto& t : options.targets) {
    if (t.kind == "switchyard" && ::access(options.serverBinary.c_str(), X_OK) != 0) {
      std::fprintf(stderr, "switchyard-bench load: no switchyard at %s (build it or pass --server-binary)\n",
                   options.serverBinary.c_str());
      return 2;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(outDir, ec);
  options.outDir = std::filesystem::absolute(outDir).string();
  const auto results = bench::runLoad(options);
  const auto files = bench::writeReport(options, results, commandLine);
  std::printf("%s\n", bench::markdownReport(options, results, commandLine).c_str());
  std::printf("report: %s, %s\n", files.markdown.c_str(), files.json.c_str());
  for (const auto& p : files.plots)
    std::printf("plot: %s\n", p.c_str());
  if (!files.plotNote.empty()) std::printf("%s\n", files.plotNote.c_str());
  int status = 0;
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::fprintf(stderr, "switchyard-bench load: %s: %s\n", r.target.label().c_str(), r.error.c_str());
      status = 1;
    }
    if (expectNoLoss) {
      const bool ok = r.error.empty() && r.failed == 0 && r.ready == r.peers && r.received.received > 0 &&
                      r.received.lost() == 0 && r.received.duplicates == 0 && r.data.received.lost() == 0 &&
                      r.data.received.duplicates == 0 &&
                      (!options.scenario.dataChannels || r.data.received.received > 0);
      if (!ok) {
        std::fprintf(
            stderr,
            "switchyard-bench load: %s: expected every peer ready and no loss: ready %u/%u, failed %u, "
            "received %llu, lost %llu, duplicates %llu\n",
            r.target.label().c_str(), r.ready, r.peers, r.failed,
            static_cast<unsigned long long>(r.received.received),
            static_cast<unsigned long long>(r.received.lost()),
            static_cast<unsigned long long>(r.received.duplicates));
        status = 1;
      }
    }
  }
  if (results.size() < options.targets.size()) status = 1;  // interrupted
  return status;
}

int runReflectorCommand(int argc, char** argv) {
  switchyard::bench::ReflectorOptions options;
  for (int i = 2; i < argc; ++i) {
    double v = 0;
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      if (!parseNumber("--threads", argv[++i], 1, 64, v)) return 2;
      options.threads = static_cast<uint32_t>(v);
    } else if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      if (!parseNumber("--port", argv[++i], 0, 65535, v)) return 2;
      options.port = static_cast<uint16_t>(v);
    } else if (std::strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
      if (!parseNumber("--max-seconds", argv[++i], 1, 86400, v)) return 2;
      options.maxSeconds = v;
    } else if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
      options.listen = argv[++i];
    } else {
      std::fprintf(stderr, "switchyard-bench reflector: unknown argument '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  return switchyard::bench::runReflector(options);
}

}  // namespace

int main(int argc, char** argv) {
  // Hundreds of DTLS clients per process: keep OpenSSL's idle buffer pages off the resident set, as
  // the server does (media/dtls/OpenSslMemory.h). False only means more memory.
  (void)switchyard::media::dtls::OpenSslMemory::install();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--version") {
    std::printf("switchyard-bench %s\n", switchyard::kVersion);
    return 0;
  }
  if (command == "--help" || command == "-h") {
    usage(stdout);
    return 0;
  }
  if (command == "codecs") return runCodecs(argc, argv);
  if (command == "srtp") return runSrtp(argc, argv);
  if (command == "receive") return runReceive(argc, argv);
  if (command == "load") return runLoad(argc, argv);
  if (command == "reflector") return runReflectorCommand(argc, argv);
  std::fprintf(stderr, "switchyard-bench: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
