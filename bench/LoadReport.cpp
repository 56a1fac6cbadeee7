#include "bench/LoadReport.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace switchyard::bench {

namespace {

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, v);
  return text;
}

// The server's added latency at quantile q in ms ("-" without the figure).
std::string serverMs(const std::optional<ServerLatencyHistogram>& h, double q) {
  if (!h || h->count == 0) return "-";
  const double seconds = h->quantileSeconds(q);
  if (std::isinf(seconds)) {
    // Past the last finite bound: say which.
    const auto& buckets = h->buckets;
    return buckets.size() >= 2 ? "> " + fixed(1000.0 * buckets[buckets.size() - 2].first, 0) : "inf";
  }
  return fixed(1000.0 * seconds, 3);
}

const TargetResult* find(const std::vector<TargetResult>& results, const std::string& kind) {
  const TargetResult* best = nullptr;
  for (const auto& r : results) {
    if (r.target.kind != kind || !r.error.empty()) continue;
    if (!best || r.packetsPerCpuSecond() > best->packetsPerCpuSecond()) best = &r;
  }
  return best;
}

bool haveGnuplot() {
  return std::system("command -v gnuplot >/dev/null 2>&1") == 0;
}

}  // namespace

std::string markdownReport(const RunOptions& options, const std::vector<TargetResult>& results,
                           const std::string& commandLine) {
  std::ostringstream md;
  const LoadScenario& s = options.scenario;
  md << "### switchyard-bench load\n\n`" << commandLine << "`\n\n";
  md << "Scenario: " << s.rooms << " room(s) x (" << s.publishers << " publisher(s), " << s.subscribers
     << " subscriber(s), " << s.idlePeers << " idle); " << (s.audio ? "audio 50 pkt/s, " : "")
     << (s.video ? "video " + std::to_string(s.videoKbps) + " kbit/s @ " + std::to_string(s.fps) + " fps"
                 : "")
     << (s.simulcast ? " x 3 simulcast layers (subscribers on " + s.layer + ")" : "") << "; " << s.seconds
     << " s measured after " << s.warmupSeconds << " s warm-up; " << s.clientThreads
     << " client thread(s).\n\n";
  md << "| target | peers ready | rx pkt/s | loss % | dup | p50 ms | p99 ms | p99.9 ms | server p50 ms | "
        "server p99 ms | server p99.9 ms | jitter ms | server CPU % | pkt per CPU-s | RSS MiB | RSS/peer KiB "
        "|\n";
  md << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::string firstLine = r.error.substr(0, r.error.find('\n'));
      md << "| " << r.target.label() << " | failed: " << firstLine << " ||||||||||||||| \n";
      continue;
    }
    md << "| " << r.target.label() << " | " << r.ready << "/" << r.peers << " | "
       << fixed(r.receivedPerSecond(), 0) << " | " << fixed(r.lossPercent(), 3) << " | "
       << r.received.duplicates << " | " << formatMs(quantileMs(r.latency, 0.5), 2) << " | "
       << formatMs(quantileMs(r.latency, 0.99), 2) << " | " << formatMs(quantileMs(r.latency, 0.999), 2)
       << " | " << serverMs(r.serverLatency, 0.5) << " | " << serverMs(r.serverLatency, 0.99) << " | "
       << serverMs(r.serverLatency, 0.999) << " | " << fixed(r.jitterMs, 3) << " | "
       << fixed(r.windowSeconds > 0 ? 100 * r.serverCpuSeconds / r.windowSeconds : 0, 1) << " | "
       << fixed(r.packetsPerCpuSecond(), 0) << " | "
       << fixed(static_cast<double>(r.rssEndBytes) / 1048576.0, 1) << " | "
       << (r.rssPeersBytes ? fixed(r.rssPerPeerBytes() / 1024.0, 1) : std::string("-")) << " |\n";
  }
  for (const auto& r : results) {
    if (r.data.sent == 0 && r.data.received.received == 0) continue;
    md << "\nData channels, " << r.target.label() << ": " << r.data.sent << " messages sent, "
       << r.data.received.received << " received of " << r.data.received.expected << " expected (lost "
       << r.data.received.lost() << ", duplicates " << r.data.received.duplicates << "), latency p50 "
       << formatMs(quantileMs(r.data.latency, 0.5), 2) << " ms, p99 "
       << formatMs(quantileMs(r.data.latency, 0.99), 2) << " ms.\n";
  }
  md << "\nEnd-to-end latency (p50/p99/p99.9): publisher send to the kernel's arrival at the subscriber. "
        "Server latency: the time a forwarded packet spent in Switchyard (kernel arrival at the server to "
        "the sendmmsg of its last copy, /metrics), over the same window; '-': not measured (other targets, "
        "or "
        "':nolatency').\n";
  for (const auto& r : results) {
    if (!r.serverProcessing || r.serverProcessing->count == 0) continue;
    md << "- Server latency of " << r.target.label() << " after recvmmsg returned (decrypt, route, encrypt, "
       << "sendmmsg; the rest waited in the socket for the worker): p50 " << serverMs(r.serverProcessing, 0.5)
       << " ms, p99 " << serverMs(r.serverProcessing, 0.99) << " ms, p99.9 "
       << serverMs(r.serverProcessing, 0.999) << " ms.\n";
  }
  for (const auto& r : results) {
    if (r.publisherThreadPriority.empty()) continue;
    md << "- Publishers of " << r.target.label() << " on a client thread of their own, scheduled "
       << r.publisherThreadPriority << "; their pacer wakes for each due send.\n";
  }
  const TargetResult* sy = find(results, "switchyard");
  const TargetResult* janus = find(results, "janus");
  const TargetResult* reflector = find(results, "reflector");
  md << "\n";
  if (sy && janus && janus->packetsPerCpuSecond() > 0) {
    md << "- Switchyard / Janus, packets per CPU-second: **"
       << fixed(sy->packetsPerCpuSecond() / janus->packetsPerCpuSecond(), 2) << "x** (target >= 2x)\n";
  }
  if (sy && reflector && reflector->packetsPerCpuSecond() > 0) {
    md << "- Switchyard / reflector, packets per CPU-second: **"
       << fixed(100 * sy->packetsPerCpuSecond() / reflector->packetsPerCpuSecond(), 1)
       << "%** (target >= 50%)\n";
  }
  if (sy && reflector) {
    // The reflector's path is the same sockets, kernel and client threads without an SFU in it.
    for (const double q : {0.5, 0.99}) {
      const double syMs = quantileMs(sy->latency, q);
      const double reflectorMs = quantileMs(reflector->latency, q);
      // No difference when either is past the histogram's last bound.
      const bool bounded = !std::isinf(syMs) && !std::isinf(reflectorMs);
      md << "- Latency added by Switchyard at p" << (q == 0.5 ? "50" : "99")
         << " (Switchyard's minus the reflector's): "
         << (bounded ? fixed(syMs - reflectorMs, 2) + " ms" : std::string("-")) << " (" << formatMs(syMs, 2)
         << " - " << formatMs(reflectorMs, 2) << ")\n";
    }
  }
  // Scaling: switchyard with several worker counts.
  std::vector<const TargetResult*> scaling;
  for (const auto& r : results)
    if (r.target.kind == "switchyard" && r.error.empty()) scaling.push_back(&r);
  if (scaling.size() > 1) {
    md << "- Scaling (received packets/s; per worker):";
    for (const auto* r : scaling)
      md << " " << r->target.workers << " worker(s): " << fixed(r->receivedPerSecond(), 0) << " ("
         << fixed(r->receivedPerSecond() / r->target.workers, 0) << ");";
    md << "\n";
  }
  for (const auto& r : results) {
    if (!r.ramp.empty()) {
      md << "\nRamp, " << r.target.label() << " ("
         << (!r.rampLimitCrossed ? "no knee: every step within the limits"
             : r.knee
                 ? "knee: " + std::to_string(r.knee->rooms) + " rooms, " +
                       std::to_string(r.knee->subscribers) + " subscribers, the last step within the limits"
                 : std::string("the first step already crossed a limit"))
         << "; limits: loss " << fixed(options.scenario.rampMaxLossPercent, 2) << "%, p99 "
         << fixed(options.scenario.rampMaxP99Ms, 1) << " ms):\n\n";
      md << "| rooms | subscribers | rx pkt/s | loss % | p99 ms | server CPU % "
            "|\n|---:|---:|---:|---:|---:|---:|\n";
      for (const RampStep& step : r.ramp)
        md << "| " << step.rooms << " | " << step.subscribers << " | " << fixed(step.receivedPerSecond, 0)
           << " | " << fixed(step.lossPercent, 3) << " | " << formatMs(step.p99Ms, 2) << " | "
           << fixed(step.serverCpuPercent, 1) << " |\n";
    }
    if (r.rssSeries.size() >= 2) {
      md << "\nRSS of " << r.target.label()
         << " over the window: " << fixed(static_cast<double>(r.rssSeries.front().second) / 1048576.0, 1)
         << " MiB at start, " << fixed(static_cast<double>(r.rssSeries.back().second) / 1048576.0, 1)
         << " MiB at " << fixed(r.rssSeries.back().first, 0) << " s.\n";
    }
    if (!r.peerErrors.empty()) {
      md << "\nPeer errors, " << r.target.label() << " (first " << r.peerErrors.size() << "):\n";
      for (const auto& e : r.peerErrors)
        md << "- " << e.substr(0, 300) << "\n";
    }
  }
  return md.str();
}

ReportFiles writeReport(const RunOptions& options, const std::vector<TargetResult>& results,
                        const std::string& commandLine) {
  ReportFiles files;
  nlohmann::json j;
  j["command"] = commandLine;
  j["scenario"] = options.scenario.toJson();
  j["server_settings"] = nlohmann::json::object();
  for (const auto& [key, value] : options.serverSettings)
    j["server_settings"][key] = value;
  j["results"] = nlohmann::json::array();
  for (const auto& r : results)
    j["results"].push_back(r.toJson());
  files.json = options.outDir + "/report.json";
  std::ofstream(files.json) << j.dump(2) << "\n";
  files.markdown = options.outDir + "/report.md";
  std::ofstream(files.markdown) << markdownReport(options, results, commandLine);

  if (!haveGnuplot()) {
    files.plotNote = "gnuplot not found: no plots (deploy/install-deps.sh --bench installs it)";
    return files;
  }
  // Data files and one script.
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,540\nset grid\nset key bottom right\n";
  std::string cdfPlots;
  std::string rssPlots;
  for (const auto& r : results) {
    if (!r.error.empty()) continue;
    const std::string base = options.outDir + "/" + r.target.label();
    {
      std::ofstream cdf(base + "-latency-cdf.dat");
      const nlohmann::json rows = r.toJson()["latency_cdf"];
      for (const auto& row : rows)
        cdf << row[0].get<double>() << " " << row[1].get<double>() << "\n";
    }
    cdfPlots += (cdfPlots.empty() ? "" : ", ") + std::string("'") + base +
                "-latency-cdf.dat' using 1:2 with steps title '" + r.target.label() + "'";
    if (r.rssSeries.size() >= 2) {
      std::ofstream rss(base + "-rss.dat");
      for (const auto& [t, b] : r.rssSeries)
        rss << t << " " << static_cast<double>(b) / 1048576.0 << "\n";
      rssPlots += (rssPlots.empty() ? "" : ", ") + std::string("'") + base +
                  "-rss.dat' using 1:2 with lines title '" + r.target.label() + "'";
    }
    if (!r.ramp.empty()) {
      std::ofstream ramp(base + "-ramp.dat");
      for (const RampStep& s : r.ramp)
        ramp << s.subscribers << " " << s.serverCpuPercent << " " << s.lossPercent << " " << s.p99Ms << " "
             << s.receivedPerSecond << "\n";
      const std::string png = base + "-ramp.png";
      gp << "set output '" << png << "'\nset title 'Server CPU and loss against load (" << r.target.label()
         << ")'\nset xlabel 'subscribers'\nset ylabel 'server CPU % of one core'\nset y2label 'loss %'\n"
            "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n"
         << "plot '" << base
         << "-ramp.dat' using 1:2 with linespoints title 'CPU %', '' using 1:3 axes x1y2 with "
         << "linespoints title 'loss %'\nunset y2tics\nunset y2label\nset ytics mirror\n";
      files.plots.push_back(png);
    }
  }
  if (!cdfPlots.empty()) {
    const std::string png = options.outDir + "/latency-cdf.png";
    gp << "set output '" << png
       << "'\nset title 'End-to-end latency CDF (publisher send to subscriber receive)'\n"
       << "set xlabel 'latency (ms, log scale)'\nset ylabel 'fraction of packets'\nset logscale x 10\n"
       << "set yrange [0:1]\nplot " << cdfPlots << "\nunset logscale x\nset autoscale y\n";
    files.plots.push_back(png);
  }
  if (!rssPlots.empty()) {
    const std::string png = options.outDir + "/rss.png";
    gp << "set output '" << png << "'\nset title 'Server resident memory over the measured window'\n"
       << "set xlabel 'seconds'\nset ylabel 'RSS (MiB)'\nset yrange [0:*]\nplot " << rssPlots << "\n";
    files.plots.push_back(png);
  }
  const std::string script = options.outDir + "/plots.gp";
  std::ofstream(script) << gp.str();
  const std::string command = "gnuplot '" + script + "' 2>'" + options.outDir + "/gnuplot.log'";
  if (std::system(command.c_str()) != 0) {
    files.plotNote = "gnuplot failed: see " + options.outDir + "/gnuplot.log";
    files.plots.clear();
  }
  return files;
}

}  // namespace switchyard::bench
