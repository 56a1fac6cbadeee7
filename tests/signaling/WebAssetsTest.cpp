// The browser files embedded from signaling/web/: served at their paths with the content types that
// browsers need (an ES module is only executed when served with a JavaScript MIME type).
#include <catch2/catch.hpp>

#include <string>

#include "signaling/HttpRouter.h"

using namespace switchyard::signaling;

namespace {

HttpRouter::Response get(const std::string& target) {
  HttpRouter::Request request(http::verb::get, target, 11);
  request.set(http::field::host, "x");
  return HttpRouter{}.route(request);
}

std::string contentType(const HttpRouter::Response& response) {
  return std::string(response[http::field::content_type]);
}

}  // namespace

TEST_CASE("serves the demo page and the client module with their content types", "[http][web]") {
  const auto page = get("/?room=team-1");
  CHECK(page.result() == http::status::ok);
  CHECK(contentType(page) == "text/html; charset=utf-8");
  CHECK_THAT(page.body(), Catch::Contains(R"(id="remote-videos")"));
  CHECK_THAT(page.body(), Catch::Contains("/switchyard.js"));

  CHECK(get("/index.html").body() == page.body());

  const auto module = get("/switchyard.js");
  CHECK(module.result() == http::status::ok);
  CHECK(contentType(module) == "text/javascript");
  CHECK_THAT(module.body(), Catch::Contains("export class SwitchyardClient"));
  // The embedding keeps the file whole (raw string literal in WebAssets.h).
  CHECK_THAT(module.body(), Catch::EndsWith("export default SwitchyardClient;\n"));

  CHECK(get("/switchyard.js?v=1").result() == http::status::ok);
  CHECK(get("/switchyard.mjs").result() == http::status::not_found);
}
