#pragma once
// Micro-benchmarks of the wire codecs on the packet hot path. Each one is reported in ns per
// operation and as a ratio to copying the same 1200-byte packet (the one copy per subscriber the
// forwarding path makes anyway), measured in the same run so the ratios hold across machines.
#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::bench {

struct CodecBenchResult {
  std::string name;
  uint64_t operations = 0;
  double nsPerOperation = 0;
  double ratioToCopy = 0;
};

class CodecBench {
 public:
  // Runs every benchmark for about `secondsEach` seconds (bounded by count too), printing a
  // progress line per benchmark to stderr.
  static std::vector<CodecBenchResult> run(double secondsEach);
};

}  // namespace switchyard::bench
