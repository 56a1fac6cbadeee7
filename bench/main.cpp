// switchyard-bench: benchmarks and load clients for Switchyard. Results: bench/RESULTS.md.
//   switchyard-bench codecs [--seconds S]    wire-codec micro-benchmarks
//   switchyard-bench srtp [--seconds S]      SRTP per packet: our libsrtp (OpenSSL) vs Debian's (NSS)
//   switchyard-bench receive [--packets N]   the server receive path in packets per CPU-second
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/CodecBench.h"
#include "bench/ReceivePathBench.h"
#include "bench/SrtpBench.h"
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

}  // namespace

int main(int argc, char** argv) {
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
  std::fprintf(stderr, "switchyard-bench: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
