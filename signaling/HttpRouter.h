#pragma once
// Maps one HTTP request to its response. Pure: no I/O, so it is tested without sockets.
#include <boost/beast/http.hpp>

namespace switchyard::signaling {

namespace http = boost::beast::http;

class HttpRouter {
 public:
  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  [[nodiscard]] Response route(const Request& request) const;
};

}  // namespace switchyard::signaling
