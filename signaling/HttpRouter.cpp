#include "signaling/HttpRouter.h"

#include <exception>
#include <string>

#include "switchyard/Version.h"
#include "switchyard/WebAssets.h"

namespace switchyard::signaling {

namespace {

HttpRouter::Response makeResponse(const HttpRouter::Request& request, http::status status,
                                  std::string_view contentType, std::string body) {
  HttpRouter::Response response(status, request.version());
  response.set(http::field::server, "switchyard");
  response.set(http::field::content_type, boost::beast::string_view(contentType.data(), contentType.size()));
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();  // length stays, body goes
  return response;
}

}  // namespace

HttpRouter::Response HttpRouter::route(const Request& request) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = makeResponse(request, http::status::method_not_allowed, "application/json",
                                 R"({"error":"method not allowed"})");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  if (target == "/healthz") {
    return makeResponse(request, http::status::ok, "application/json", R"({"status":"ok"})");
  }
  if (target == "/version") {
    return makeResponse(request, http::status::ok, "application/json",
                        std::string(R"({"name":"switchyard","version":")") + kVersion + R"(","build":")" +
                            kBuildType + R"("})");
  }
  if (target == "/metrics" && metrics_) {
    std::string body;
    try {
      body = metrics_();
    } catch (const std::exception&) {
      return makeResponse(request, http::status::internal_server_error, "application/json",
                          R"({"error":"metrics unavailable"})");
    }
    return makeResponse(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                        std::move(body));
  }
  if (target == "/") target = "/index.html";
  for (const WebAsset& asset : kWebAssets) {
    if (asset.path == target) {
      const bool html = target.ends_with(".html");
      const bool js = target.ends_with(".js");
      return makeResponse(
          request, http::status::ok,
          html ? "text/html; charset=utf-8" : (js ? "text/javascript" : "application/octet-stream"),
          std::string(asset.body));
    }
  }
  return makeResponse(request, http::status::not_found, "application/json", R"({"error":"not found"})");
}

}  // namespace switchyard::signaling
