#pragma once
// Maps one HTTP request to its response. Pure: no I/O, so it is tested without sockets.
#include <functional>
#include <string>

#include <boost/beast/http.hpp>

namespace switchyard::signaling {

namespace http = boost::beast::http;

class HttpRouter {
 public:
  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  // GET /metrics: the body (Prometheus text format) comes from `metrics`, called on the signaling
  // thread per request; empty: /metrics answers 404. A throwing provider answers 500.
  using MetricsProvider = std::function<std::string()>;
  explicit HttpRouter(MetricsProvider metrics = {}) : metrics_(std::move(metrics)) {}

  [[nodiscard]] Response route(const Request& request) const;

 private:
  MetricsProvider metrics_;
};

}  // namespace switchyard::signaling
