#include "server/Metrics.h"

#include <array>
#include <cstdio>

namespace switchyard::server {

namespace {

// (first, last, step) in us: about 10% resolution from 50 us to 1 s, every bound one of the
// histogram's bucket bounds.
struct BoundRange {
  uint64_t first;
  uint64_t last;
  uint64_t step;
};
constexpr std::array<BoundRange, 12> kRangesUs{{{5, 100, 5},
                                                {110, 200, 10},
                                                {220, 500, 20},
                                                {550, 1000, 50},
                                                {1100, 2000, 100},
                                                {2200, 5000, 200},
                                                {5500, 10000, 500},
                                                {12000, 20000, 2000},
                                                {25000, 50000, 5000},
                                                {60000, 100000, 10000},
                                                {150000, 500000, 50000},
                                                {750000, 1000000, 250000}}};

constexpr size_t boundCount() {
  size_t n = 0;
  for (const BoundRange& r : kRangesUs)
    n += static_cast<size_t>((r.last - r.first) / r.step + 1);
  return n;
}

constexpr auto kBoundsNs = [] {
  std::array<uint64_t, boundCount()> bounds{};
  size_t n = 0;
  for (const BoundRange& r : kRangesUs) {
    for (uint64_t us = r.first; us <= r.last; us += r.step)
      bounds[n++] = us * 1000;
  }
  return bounds;
}();

// Seconds with up to 9 decimals, trailing zeros trimmed ("0.00012", "1").
std::string seconds(uint64_t ns) {
  char text[40];
  std::snprintf(text, sizeof text, "%llu.%09llu", static_cast<unsigned long long>(ns / 1000000000ULL),
                static_cast<unsigned long long>(ns % 1000000000ULL));
  std::string s(text);
  while (s.back() == '0')
    s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string escapeLabel(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, uint64_t value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string workerLabel(size_t worker) {
  return "worker=\"" + std::to_string(worker) + "\"";
}

void histogram(std::string& out, const ServerFigures& figures,
               std::optional<LatencyHistogram::Snapshot> WorkerFigures::*member, const std::string& name,
               const char* help) {
  bool any = false;
  for (const WorkerFigures& f : figures.workers)
    any = any || (f.*member).has_value();
  if (!any) return;
  header(out, name.c_str(), "histogram", help);
  const std::string bucket = name + "_bucket";
  for (size_t w = 0; w < figures.workers.size(); ++w) {
    const std::optional<LatencyHistogram::Snapshot>& h = figures.workers[w].*member;
    if (!h) continue;
    const std::string worker = workerLabel(w);
    for (const uint64_t bound : kBoundsNs)
      sample(out, bucket.c_str(), worker + ",le=\"" + seconds(bound) + "\"", h->countBelow(bound));
    const uint64_t count = h->count();
    sample(out, bucket.c_str(), worker + ",le=\"+Inf\"", count);
    out += name + "_sum{" + worker + "} " + seconds(h->sumNs) + "\n";
    sample(out, (name + "_count").c_str(), worker, count);
  }
}

}  // namespace

std::span<const uint64_t> exportedLatencyBoundsNs() noexcept {
  return kBoundsNs;
}

std::string renderMetrics(const ServerFigures& figures) {
  std::string out;
  out.reserve(4096 + figures.workers.size() * 20480);
  header(out, "switchyard_info", "gauge", "Version of this Switchyard process.");
  out += "switchyard_info{version=\"" + escapeLabel(figures.version) + "\"} 1\n";
  header(out, "switchyard_workers", "gauge", "Media worker threads.");
  sample(out, "switchyard_workers", "", figures.workers.size());
  header(out, "switchyard_rooms", "gauge", "Rooms with at least one peer.");
  sample(out, "switchyard_rooms", "", figures.rooms);
  header(out, "switchyard_peers", "gauge", "Peers in all rooms.");
  sample(out, "switchyard_peers", "", figures.peers);

  header(out, "switchyard_rtp_received_total", "counter", "RTP packets received (decrypted and parsed).");
  for (size_t w = 0; w < figures.workers.size(); ++w)
    sample(out, "switchyard_rtp_received_total", workerLabel(w), figures.workers[w].rtpReceived);
  header(out, "switchyard_rtp_forwarded_total", "counter", "RTP copies sent to subscribers.");
  for (size_t w = 0; w < figures.workers.size(); ++w)
    sample(out, "switchyard_rtp_forwarded_total", workerLabel(w), figures.workers[w].rtpForwarded);

  bool anyHandoff = false;
  for (const WorkerFigures& f : figures.workers)
    anyHandoff = anyHandoff || f.handoff.has_value();
  if (anyHandoff) {
    struct Counter {
      const char* name;
      const char* help;
      uint64_t WorkerFigures::Handoff::*member;
    };
    for (const Counter& c :
         {Counter{"switchyard_handoff_sent_total", "Packets handed to other workers (spread rooms).",
                  &WorkerFigures::Handoff::sent},
          Counter{"switchyard_handoff_received_total", "Packets received from other workers (spread rooms).",
                  &WorkerFigures::Handoff::received},
          Counter{"switchyard_handoff_dropped_total",
                  "Packets or copies not handed off: the packet pool or a ring was full.",
                  &WorkerFigures::Handoff::dropped}}) {
      header(out, c.name, "counter", c.help);
      for (size_t w = 0; w < figures.workers.size(); ++w) {
        if (figures.workers[w].handoff)
          sample(out, c.name, workerLabel(w), (*figures.workers[w].handoff).*c.member);
      }
    }
  }

  histogram(out, figures, &WorkerFigures::latency, "switchyard_forward_latency_seconds",
            "Added latency of each forwarded RTP packet on a worker: kernel arrival (SO_TIMESTAMPNS) to the "
            "return of the sendmmsg that sent its last copy.");
  histogram(out, figures, &WorkerFigures::processing, "switchyard_forward_processing_seconds",
            "The part of switchyard_forward_latency_seconds after the recvmmsg that returned the packet "
            "(the rest waited in the socket); packets from other workers (spread rooms) are not in it.");
  return out;
}

}  // namespace switchyard::server
