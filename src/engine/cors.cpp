#include "engine/cors.hpp"

#include <algorithm>

namespace engine {

namespace {
// The value for Access-Control-Allow-Origin, or "" for none.
std::string allowed_origin(const CorsOptions& options, std::string_view origin, bool& varies) {
  bool any = std::find(options.origins.begin(), options.origins.end(), "*") != options.origins.end();
  if (any && !options.credentials) {
    varies = false;
    return "*";
  }
  // With credentials a browser rejects "*": reflect the origin instead.
  varies = true;
  if (origin.empty()) return {};
  if (any || std::find(options.origins.begin(), options.origins.end(), origin) != options.origins.end())
    return std::string(origin);
  return {};
}
}  // namespace

net::HeaderList cors_headers(const CorsOptions& options, std::string_view request_origin) {
  net::HeaderList headers;
  if (!options.enabled()) return headers;
  bool varies = false;
  std::string allow = allowed_origin(options, request_origin, varies);
  if (!allow.empty()) headers.emplace_back("Access-Control-Allow-Origin", allow);
  if (varies) headers.emplace_back("Vary", "Origin");
  if (options.credentials) headers.emplace_back("Access-Control-Allow-Credentials", "true");
  return headers;
}

net::HeaderList cors_headers(const CorsOptions& options, const net::HttpRequest& request) {
  if (!options.enabled()) return {};
  return cors_headers(options, request.header("Origin"));
}

net::HttpResponse cors_preflight(const CorsOptions& options, const net::HttpRequest& request) {
  net::HttpResponse res;
  res.status = 204;
  bool varies = false;
  std::string allow = allowed_origin(options, request.header("Origin"), varies);
  if (!allow.empty()) res.set("Access-Control-Allow-Origin", allow);
  if (options.credentials) res.set("Access-Control-Allow-Credentials", "true");
  res.set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
  std::string vary = varies ? "Origin" : "";
  if (auto requested = request.header("Access-Control-Request-Headers"); !requested.empty()) {
    res.set("Access-Control-Allow-Headers", std::string(requested));
    vary += vary.empty() ? "Access-Control-Request-Headers" : ", Access-Control-Request-Headers";
  }
  if (!vary.empty()) res.set("Vary", vary);
  return res;
}

}  // namespace engine
