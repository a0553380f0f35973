#pragma once
// CORS as Node's `cors` package answers for engine.io (origin list or "*",
// credentials, preflight). Off when no origin is configured, as in Node.

#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace engine {

struct CorsOptions {
  // Allowed origins; "*" allows any. Empty: CORS off (no headers, and an
  // OPTIONS request is a bad handshake, as in Node without the option).
  std::vector<std::string> origins;
  bool credentials = false;

  bool enabled() const { return !origins.empty(); }
};

// Headers for an ordinary answer to a request with this Origin header.
net::HeaderList cors_headers(const CorsOptions& options, std::string_view request_origin);
// The same for `request`, whose Origin header is looked up only when CORS is on.
net::HeaderList cors_headers(const CorsOptions& options, const net::HttpRequest& request);
// The 204 answer to a preflight (OPTIONS) request.
net::HttpResponse cors_preflight(const CorsOptions& options, const net::HttpRequest& request);

}  // namespace engine
