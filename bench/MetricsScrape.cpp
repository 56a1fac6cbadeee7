#include "bench/MetricsScrape.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "media/util/LogLinearHistogram.h"

namespace switchyard::bench {

namespace {

std::optional<double> parseNumber(std::string_view text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The value of label `name` in `labels` ("a=\"x\",le=\"0.1\"").
std::optional<std::string_view> label(std::string_view labels, std::string_view name) {
  size_t pos = 0;
  while (pos < labels.size()) {
    const size_t eq = labels.find('=', pos);
    if (eq == std::string_view::npos || eq + 1 >= labels.size() || labels[eq + 1] != '"') return std::nullopt;
    const size_t close = labels.find('"', eq + 2);
    if (close == std::string_view::npos) return std::nullopt;
    if (labels.substr(pos, eq - pos) == name) return labels.substr(eq + 2, close - eq - 2);
    pos = close + 1;
    if (pos < labels.size() && labels[pos] == ',') ++pos;
  }
  return std::nullopt;
}

}  // namespace

double ServerLatencyHistogram::quantileSeconds(double q) const noexcept {
  if (count == 0 || buckets.empty()) return 0;
  const uint64_t rank = media::util::quantileRank(q, count);
  for (const auto& [bound, cumulative] : buckets) {
    if (cumulative >= rank) return bound;
  }
  return std::numeric_limits<double>::infinity();
}

ServerLatencyHistogram ServerLatencyHistogram::since(const ServerLatencyHistogram& before) const {
  ServerLatencyHistogram d;
  std::map<double, uint64_t> earlier(before.buckets.begin(), before.buckets.end());
  for (const auto& [bound, cumulative] : buckets) {
    const auto it = earlier.find(bound);
    const uint64_t old = it == earlier.end() ? 0 : it->second;
    d.buckets.emplace_back(bound, cumulative >= old ? cumulative - old : 0);
  }
  d.sumSeconds = std::max(0.0, sumSeconds - before.sumSeconds);
  d.count = count >= before.count ? count - before.count : 0;
  return d;
}

std::optional<ServerLatencyHistogram> parseServerLatency(std::string_view metrics, std::string_view family) {
  std::map<double, uint64_t> buckets;
  ServerLatencyHistogram h;
  bool found = false;
  size_t start = 0;
  while (start < metrics.size()) {
    size_t end = metrics.find('\n', start);
    if (end == std::string_view::npos) end = metrics.size();
    std::string_view line = metrics.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || !line.starts_with(family)) continue;
    const size_t space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    const std::optional<double> value = parseNumber(line.substr(space + 1));
    if (!value || *value < 0 || *value >= 1.8e19) continue;  // counts fit a uint64_t
    std::string_view name = line.substr(0, space);
    std::string_view labels;
    if (const size_t brace = name.find('{'); brace != std::string_view::npos) {
      if (name.back() != '}') continue;
      labels = name.substr(brace + 1, name.size() - brace - 2);
      name = name.substr(0, brace);
    }
    const std::string_view suffix = name.substr(family.size());
    if (suffix == "_bucket") {
      const auto le = label(labels, "le");
      const std::optional<double> bound = le ? parseNumber(*le) : std::nullopt;
      if (!bound) continue;
      buckets[*bound] += static_cast<uint64_t>(*value);
      found = true;
    } else if (suffix == "_sum") {
      h.sumSeconds += *value;
      found = true;
    } else if (suffix == "_count") {
      h.count += static_cast<uint64_t>(*value);
      found = true;
    }
  }
  if (!found) return std::nullopt;
  h.buckets.assign(buckets.begin(), buckets.end());
  return h;
}

std::optional<std::string> fetchMetrics(const boost::asio::ip::tcp::endpoint& endpoint,
                                        std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::string response;
  bool failed = false;
  std::array<char, 16384> chunk{};
  std::function<void()> readMore;
  readMore = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](const boost::system::error_code& ec, size_t n) {
      response.append(chunk.data(), n);
      if (!ec) readMore();
    });
  };
  socket.async_connect(endpoint, [&](const boost::system::error_code& ec) {
    if (ec) {
      failed = true;
      return;
    }
    static const std::string request =
        "GET /metrics HTTP/1.1\r\nHost: switchyard\r\nConnection: close\r\n\r\n";
    asio::async_write(socket, asio::buffer(request), [&](const boost::system::error_code& wec, size_t) {
      if (wec) {
        failed = true;
        return;
      }
      readMore();
    });
  });
  io.run_for(timeout);
  if (failed || !io.stopped()) return std::nullopt;  // not finished in time
  if (!response.starts_with("HTTP/1.1 200")) return std::nullopt;
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  return response.substr(body + 4);
}

}  // namespace switchyard::bench
