// switchyard-bench: load clients and micro-benchmarks. It grows with the transport and
// forwarding issues; for now it only answers --help and --version.
#include <cstdio>
#include <cstring>

#include "switchyard/Version.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("switchyard-bench %s\n", switchyard::kVersion);
      return 0;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf(
          "usage: switchyard-bench [--help] [--version]\n"
          "Load clients and benchmarks for Switchyard (see bench/RESULTS.md).\n");
      return 0;
    }
    std::fprintf(stderr, "switchyard-bench: unknown argument '%s' (try --help)\n", argv[i]);
    return 2;
  }
  std::printf("switchyard-bench %s: no benchmark selected (try --help)\n", switchyard::kVersion);
  return 0;
}
