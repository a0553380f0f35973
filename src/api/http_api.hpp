#pragma once
// The HTTP API on the Socket.IO port (docs/http-api.md, docs/openapi.yaml):
// health and readiness, who is connected, stats, and server-side emits and
// room changes for back ends. Everything but /health and /ready needs
// "Authorization: Bearer <API_KEY>"; with no key configured those endpoints
// answer only to loopback addresses.

#include <array>
#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"
#include "net/http_server.hpp"
#include "service/realtime_service.hpp"

namespace api {

struct ApiOptions {
  std::string api_key;                    // "" : loopback clients only
  std::size_t max_body_bytes = 1 << 20;   // larger bodies get 413
  std::string service_name = "switchboard";
  // The adapter between nodes, for /health and /ready: its state as JSON,
  // and whether this node can reach the others (/ready is 503 while not).
  // Empty: one node, always reachable.
  std::function<boost::json::object()> adapter_status;
  std::function<bool()> adapter_ready;
  // The RabbitMQ consumer's state and counters for /health ("ingest");
  // empty: no ingestion ({"state":"off"}).
  std::function<boost::json::object()> ingest_status;
  // Answers GET / when set (the demo page); else / is a 404 like any unknown path.
  net::HttpHandler home;
  // GET /metrics without the API key (METRICS_PUBLIC).
  bool metrics_public = false;
  // More figures for /metrics: the adapter's, the ingest consumer's.
  std::vector<std::function<void(metrics::TextWriter&)>> metric_sources;
};

// Requests answered, by route and status, for /metrics. Not the hot path:
// one atomic add per API request.
class RequestCounts {
 public:
  // The first path segment; the last, "other", is any other.
  static constexpr std::array<std::string_view, 10> routes{
      "health", "ready", "connected-users", "user-status", "stats", "emit", "rooms", "users", "metrics", "other"};
  static constexpr std::array<int, 11> codes{200, 201, 202, 400, 401, 404, 405, 413, 415, 500, 503};
  static std::size_t route_of(std::string_view first_segment);
  void count(std::size_t route, int status);
  void write(metrics::TextWriter& out) const;

 private:
  static constexpr std::size_t route_count = routes.size();
  static constexpr std::size_t code_slots = codes.size() + 1;  // the last: any other status
  std::array<std::atomic<std::uint64_t>, route_count * code_slots> counts_{};
};

class HttpApi {
 public:
  HttpApi(service::RealtimeService& service, socketio::Server& io, ApiOptions options);

  // Routes every path not taken by an earlier route (attach Socket.IO first).
  void attach(net::HttpServer& http);
  // A listener of its own for GET /metrics (METRICS_PORT); every other path is 404 there.
  void attach_metrics(net::HttpServer& http);
  // /ready answers 503 until set_ready(true), and again after set_ready(false)
  // (draining at shutdown).
  void set_ready(bool ready) { ready_ = ready; }

 private:
  void handle(const std::shared_ptr<net::HttpExchange>& exchange);
  void require_key(const net::HttpRequest& req) const;
  std::string scrape();
  void handle_rooms(const std::shared_ptr<net::HttpExchange>& exchange, const std::vector<std::string>& parts);

  service::RealtimeService& service_;
  socketio::Server& io_;
  ApiOptions options_;
  std::atomic<bool> ready_{false};
  RequestCounts requests_;
};

}  // namespace api
