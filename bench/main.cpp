// switchyard-bench: benchmarks and (with the transport issue) load clients for Switchyard.
//   switchyard-bench codecs [--seconds S]   wire-codec micro-benchmarks, Markdown table on stdout
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/CodecBench.h"
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

int runCodecs(int argc, char** argv) {
  double seconds = 1.0;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(seconds > 0.0) || seconds > 60.0) {
        std::fprintf(stderr, "switchyard-bench: --seconds '%s': expected a number in (0, 60]\n", argv[i]);
        return 2;
      }
    } else {
      std::fprintf(stderr, "switchyard-bench codecs: unknown argument '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
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
  std::fprintf(stderr, "switchyard-bench: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
