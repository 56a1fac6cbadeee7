#pragma once
// The report of `switchyard-bench load`: report.json (the scenario, every target's figures, the
// latency CDF, RSS over time, ramp steps), report.md (a Markdown table with the ratios the targets in
// bench/RESULTS.md are judged by), and PNG plots drawn by gnuplot when it is installed
// (latency CDF; server CPU and loss against subscribers for a ramp; RSS over the window).
#include <string>
#include <vector>

#include "bench/LoadRun.h"

namespace switchyard::bench {

struct ReportFiles {
  std::string json;
  std::string markdown;
  std::vector<std::string> plots;
  std::string plotNote;  // why there are no plots, if so
};

ReportFiles writeReport(const RunOptions& options, const std::vector<TargetResult>& results,
                        const std::string& commandLine);
// The Markdown report as text (also printed to stdout).
std::string markdownReport(const RunOptions& options, const std::vector<TargetResult>& results,
                           const std::string& commandLine);

}  // namespace switchyard::bench
