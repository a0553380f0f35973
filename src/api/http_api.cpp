#include "api/http_api.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/secret_compare.hpp"
#include "metrics/process.hpp"
#include "net/json_text.hpp"
#include "net/url.hpp"
#include "socketio/packet.hpp"
#include "version.hpp"
#include <chrono>
#include <ctime>

namespace api {

namespace json = boost::json;

namespace {

struct ApiError {
  int status;
  std::string message;
};

// ?limit= and ?offset= of a history page: a non-negative integer up to `max`.
std::size_t page_number(const net::QueryParams& query, std::string_view key, std::size_t fallback, std::size_t max) {
  const std::string* v = nullptr;
  for (auto& [k, value] : query)
    if (k == key) v = &value;
  if (!v) return fallback;
  if (v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos)
    throw ApiError{400, std::string(key) + ": must be a non-negative integer"};
  auto n = std::stoul(*v);
  if (n > max) throw ApiError{400, std::string(key) + ": at most " + std::to_string(max)};
  return n;
}

net::HttpResponse json_response(int status, const json::value& body) {
  net::HttpResponse res;
  res.status = status;
  res.set("Content-Type", "application/json");
  res.set("Cache-Control", "no-store");
  res.body = net::json_text(body);
  return res;
}

net::HttpResponse error_response(const ApiError& e) {
  return json_response(e.status, json::object{{"success", false}, {"error", e.message}});
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto end = path.find('/');
    auto part = path.substr(0, end);
    auto decoded = net::percent_decode(part);
    if (!decoded) throw ApiError{400, "path: malformed percent-encoding in '" + std::string(part) + "'"};
    parts.push_back(std::move(*decoded));
    if (end == std::string_view::npos) break;
    path.remove_prefix(end);
  }
  return parts;
}

// The JSON object body of a POST, or an error that names what is wrong.
json::object body_of(const net::HttpRequest& req) {
  auto type = req.header("Content-Type");
  if (type.substr(0, 16) != "application/json")
    throw ApiError{415, "Content-Type must be application/json"};
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec) throw ApiError{400, "body: invalid JSON (" + ec.message() + ")"};
  if (!v.is_object()) throw ApiError{400, "body: must be a JSON object"};
  return std::move(v.as_object());
}

std::string string_field(const json::object& o, std::string_view key, std::string_view where, bool required) {
  auto* v = o.if_contains(key);
  if (!v) {
    if (required) throw ApiError{400, std::string(where) + std::string(key) + ": is required"};
    return {};
  }
  if (!v->is_string() || v->as_string().empty())
    throw ApiError{400, std::string(where) + std::string(key) + ": must be a non-empty string"};
  return std::string(v->as_string());
}

std::vector<std::string> string_list(const json::object& o, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v) return out;
  if (!v->is_array()) throw ApiError{400, std::string(where) + std::string(key) + ": must be an array of strings"};
  for (const auto& e : v->as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
    else if (e.is_number()) out.push_back(json::serialize(e));  // numeric user ids
    else throw ApiError{400, std::string(where) + std::string(key) + ": must be an array of strings"};
  }
  return out;
}

// An optional object field ({} when absent).
json::object object_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return {};
  if (!v->is_object()) throw ApiError{400, std::string(key) + ": must be an object"};
  return v->as_object();
}

void require_method(const net::HttpRequest& req, std::string_view method) {
  if (req.method != method) throw ApiError{405, "Method " + req.method + " not allowed here; use " + std::string(method)};
}

// Counts the answer (its route and status) as it goes out.
class CountingExchange final : public net::HttpExchange {
 public:
  CountingExchange(std::shared_ptr<net::HttpExchange> inner, RequestCounts& counts, std::size_t route)
      : inner_(std::move(inner)), counts_(counts), route_(route) {}
  const net::HttpRequest& request() const override { return inner_->request(); }
  std::size_t shard() const override { return inner_->shard(); }
  void respond(net::HttpResponse response) override {
    if (!counted_.exchange(true)) counts_.count(route_, response.status);
    inner_->respond(std::move(response));
  }
  void accept_websocket(std::size_t target_shard, net::WebSocketSettings settings,
                        std::function<void(std::shared_ptr<net::WebSocketConnection>)> on_open) override {
    inner_->accept_websocket(target_shard, std::move(settings), std::move(on_open));
  }
  void on_abandoned(std::function<void()> on_gone) override { inner_->on_abandoned(std::move(on_gone)); }

 private:
  std::shared_ptr<net::HttpExchange> inner_;
  RequestCounts& counts_;
  std::size_t route_;
  std::atomic<bool> counted_{false};
};

std::string_view first_segment(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path.substr(0, path.find('/'));
}

}  // namespace

std::size_t RequestCounts::route_of(std::string_view first) {
  for (std::size_t i = 0; i < route_count; ++i)
    if (routes[i] == first) return i;
  return route_count - 1;  // "other"
}

void RequestCounts::count(std::size_t route, int status) {
  std::size_t code = codes.size();
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (codes[i] == status) code = i;
  counts_[route * code_slots + code].fetch_add(1, std::memory_order_relaxed);
}

void RequestCounts::write(metrics::TextWriter& out) const {
  constexpr std::string_view name = "switchboard_http_api_requests_total";
  out.family(name, metrics::Type::counter,
             "HTTP API requests answered, by route (the first path segment) and status.");
  for (std::size_t r = 0; r < route_count; ++r)
    for (std::size_t c = 0; c < code_slots; ++c) {
      auto n = counts_[r * code_slots + c].load(std::memory_order_relaxed);
      if (n == 0) continue;  // a series appears with its first request
      auto labels = metrics::label("route", routes[r]) + "," +
                    metrics::label("code", c < codes.size() ? std::to_string(codes[c]) : "other");
      out.sample(name, labels, n);
    }
}

HttpApi::HttpApi(service::RealtimeService& service, socketio::Server& io, ApiOptions options)
    : service_(service), io_(io), options_(std::move(options)) {}

void HttpApi::attach(net::HttpServer& http) {
  http.route("/", options_.max_body_bytes, [this](std::shared_ptr<net::HttpExchange> e) { handle(e); },
             R"({"success":false,"error":"body: larger than the limit"})");
}

void HttpApi::attach_metrics(net::HttpServer& http) {
  http.route("/", options_.max_body_bytes, [this](std::shared_ptr<net::HttpExchange> exchange) {
    auto path = exchange->request().path();
    if (path == "/metrics") return handle(exchange);
    requests_.count(RequestCounts::route_of("other"), 404);
    exchange->respond(error_response(ApiError{404, "Not found: " + std::string(path) + " (this port serves /metrics)"}));
  });
}

void HttpApi::require_key(const net::HttpRequest& req) const {
  if (options_.api_key.empty()) {
    // Behind a trusted proxy the peer is the proxy: judge the client it names.
    if (!is_loopback(req.client_address.empty() ? req.remote_address : req.client_address))
      throw ApiError{401, "API_KEY is not configured: this endpoint answers loopback clients only"};
  } else if (!auth::secrets_equal(req.header("Authorization"), "Bearer " + options_.api_key)) {
    throw ApiError{401, "Authorization: a valid Bearer API key is required"};
  }
}

std::string HttpApi::scrape() {
  metrics::TextWriter out;
  out.family("switchboard_info", metrics::Type::gauge, "Always 1; the labels say which build runs.");
  out.sample("switchboard_info",
             metrics::label("version", switchboard::version()) + "," + metrics::label("commit", switchboard::git_commit()),
             std::int64_t{1});
  out.counters(metrics::snapshot());
  // Namespaces are the server's own; children of a dynamic namespace, whose
  // names clients choose, are counted together.
  std::vector<std::pair<std::string, std::int64_t>> by_namespace;
  std::int64_t dynamic = 0;
  io_.for_each_namespace([&](const socketio::Namespace& nsp) {
    if (nsp.dynamic_child())
      dynamic += nsp.local_sockets();
    else
      by_namespace.emplace_back(nsp.name(), nsp.local_sockets());
  });
  std::sort(by_namespace.begin(), by_namespace.end());
  out.family("switchboard_socketio_sockets", metrics::Type::gauge,
             "Socket.IO sockets connected to this node, by namespace (children of dynamic namespaces: \"(dynamic)\").");
  for (const auto& [name, n] : by_namespace) out.sample("switchboard_socketio_sockets", metrics::label("namespace", name), n);
  out.sample("switchboard_socketio_sockets", metrics::label("namespace", "(dynamic)"), dynamic);
  auto stats = service_.get_stats();
  out.single("switchboard_rooms", metrics::Type::gauge, "Rooms this node's sockets are in (user rooms included).",
             static_cast<double>(stats.total_rooms));
  out.single("switchboard_connected_users", metrics::Type::gauge, "Distinct users with a socket on this node.",
             static_cast<double>(stats.connected_users));
  requests_.write(out);
  for (const auto& source : options_.metric_sources) source(out);
  metrics::write_process_metrics(out);
  return out.take();
}

void HttpApi::handle(const std::shared_ptr<net::HttpExchange>& raw) {
  std::shared_ptr<net::HttpExchange> exchange =
      std::make_shared<CountingExchange>(raw, requests_, RequestCounts::route_of(first_segment(raw->request().path())));
  const auto& req = exchange->request();
  try {
    auto parts = split_path(req.path());
    if (parts.empty() && options_.home) return options_.home(exchange);
    if (parts.size() == 1 && parts[0] == "health") {
      require_method(req, "GET");
      json::object health{{"status", "OK"},
                          {"service", options_.service_name},
                          {"version", switchboard::version()},
                          {"commit", switchboard::git_commit()},
                          {"timestamp", iso_now()}};
      health["adapter"] = options_.adapter_status ? options_.adapter_status() : json::object{{"type", "memory"}};
      health["ingest"] = options_.ingest_status ? options_.ingest_status() : json::object{{"state", "off"}};
      return exchange->respond(json_response(200, std::move(health)));
    }
    if (parts.size() == 1 && parts[0] == "ready") {
      require_method(req, "GET");
      if (!ready_) return exchange->respond(json_response(503, json::object{{"status", "unavailable"}}));
      // A node that cannot reach the cluster would serve new clients alone:
      // the load balancer should send them elsewhere.
      if (options_.adapter_ready && !options_.adapter_ready())
        return exchange->respond(
            json_response(503, json::object{{"status", "unavailable"}, {"reason", "adapter not connected"}}));
      return exchange->respond(json_response(200, json::object{{"status", "ready"}}));
    }

    if (parts.size() == 1 && parts[0] == "metrics") {
      require_method(req, "GET");
      if (!options_.metrics_public) require_key(req);
      net::HttpResponse res;
      res.set("Content-Type", std::string(metrics::content_type));
      res.set("Cache-Control", "no-store");
      res.body = scrape();
      return exchange->respond(std::move(res));
    }

    // Everything else is for the back end only.
    require_key(req);

    if (parts.size() == 1 && parts[0] == "connected-users") {
      require_method(req, "GET");
      if (auto* presence = service_.cluster_presence()) {
        // The whole cluster's users; this node's alone if Redis cannot say.
        return presence->online_users([this, exchange](bool ok, std::vector<std::string> ids) {
          json::array users;
          if (ok) {
            for (auto& id : ids) users.emplace_back(std::move(id));
          } else {
            std::unordered_set<std::string> seen;
            for (const auto& u : service_.get_connected_users())
              if (seen.insert(u.user_id).second) users.emplace_back(u.user_id);
          }
          exchange->respond(json_response(
              200, json::object{{"success", true}, {"data", json::object{{"count", users.size()}, {"users", users}}}}));
        });
      }
      json::array users;
      std::unordered_set<std::string> seen;
      for (const auto& u : service_.get_connected_users())
        if (seen.insert(u.user_id).second) users.emplace_back(u.user_id);
      return exchange->respond(json_response(
          200, json::object{{"success", true}, {"data", json::object{{"count", users.size()}, {"users", users}}}}));
    }
    if (parts.size() == 2 && parts[0] == "user-status") {
      require_method(req, "GET");
      if (auto* presence = service_.cluster_presence()) {
        return presence->user_sockets(parts[1], [this, exchange, user = parts[1]](bool ok, long long count) {
          if (!ok) count = static_cast<long long>(service_.get_user_sockets(user).size());
          exchange->respond(json_response(
              200, json::object{{"success", true},
                                {"data", json::object{{"userId", user}, {"isConnected", count > 0}, {"socketCount", count}}}}));
        });
      }
      auto sockets = service_.get_user_sockets(parts[1]);
      return exchange->respond(json_response(
          200, json::object{{"success", true},
                            {"data", json::object{{"userId", parts[1]},
                                                  {"isConnected", !sockets.empty()},
                                                  {"socketCount", sockets.size()}}}}));
    }
    if (parts.size() == 1 && parts[0] == "stats") {
      require_method(req, "GET");
      // This node's figures (as before: seed 001's getStats), marked, and the
      // cluster's beside them.
      return service_.get_cluster_stats([this, exchange](service::ClusterStats cluster) {
        auto data = service_.get_stats().to_json();
        data["scope"] = "node";
        auto whole = cluster.to_json();
        whole["scope"] = "cluster";
        data["cluster"] = std::move(whole);
        exchange->respond(json_response(200, json::object{{"success", true}, {"data", std::move(data)}}));
      });
    }
    if (parts.size() == 1 && parts[0] == "emit") {
      require_method(req, "POST");
      auto body = body_of(req);
      std::string event = string_field(body, "event", "", true);
      if (socketio::is_reserved_event(event)) throw ApiError{400, "event: '" + event + "' is reserved"};
      json::value data = body.contains("data") ? body.at("data") : json::value();
      std::string nsp_name = body.contains("namespace") ? string_field(body, "namespace", "", true) : "/";
      auto* nsp = io_.find(nsp_name);
      if (!nsp) throw ApiError{404, "namespace: '" + nsp_name + "' does not exist"};
      auto* to_value = body.if_contains("to");
      if (!to_value || !to_value->is_object()) throw ApiError{400, "to: is required (an object)"};
      const auto& to = to_value->as_object();
      std::vector<std::string> rooms = string_list(to, "rooms", "to.");
      for (auto& user : string_list(to, "users", "to.")) rooms.push_back(service_.user_room(user));
      for (auto& socket : string_list(to, "sockets", "to.")) rooms.push_back(socket);
      auto* all = to.if_contains("all");
      bool to_all = all && all->is_bool() && all->as_bool();
      if (rooms.empty() && !to_all) throw ApiError{400, "to: name users, rooms, sockets, or all: true"};
      std::vector<std::string> except;
      if (auto* ex = body.if_contains("except")) {
        if (!ex->is_object()) throw ApiError{400, "except: must be an object"};
        except = string_list(ex->as_object(), "rooms", "except.");
        for (auto& s : string_list(ex->as_object(), "sockets", "except.")) except.push_back(s);
      }
      auto op = nsp->all().except(except);
      if (!to_all) op = op.to(rooms);
      op.emit(event, socketio::Args::of(std::move(data)));
      return exchange->respond(json_response(202, json::object{{"success", true}}));
    }
    if (!parts.empty() && parts[0] == "rooms") return handle_rooms(exchange, parts);
    if (parts.size() >= 3 && parts[0] == "users") {
      const std::string& user = parts[1];
      if (parts.size() == 3 && parts[2] == "rooms") {
        require_method(req, "POST");
        auto room = string_field(body_of(req), "room", "", true);
        service_.add_user_to_room(user, room);
        return exchange->respond(json_response(202, json::object{{"success", true}}));
      }
      if (parts.size() == 4 && parts[2] == "rooms") {
        require_method(req, "DELETE");
        service_.remove_user_from_room(user, parts[3]);
        return exchange->respond(json_response(202, json::object{{"success", true}}));
      }
      // The conversation of two users (direct messages), paged as a room's history.
      if (parts.size() == 4 && parts[2] == "direct-messages") {
        require_method(req, "GET");
        auto query = net::parse_query(req.query());
        auto limit = page_number(query, "limit", 50, 1000);
        auto offset = page_number(query, "offset", 0, 100'000'000);
        return service_.get_direct_messages(
            user, parts[3], limit, offset, [exchange, limit, offset](std::vector<service::Message> messages) {
              json::array out;
              for (const auto& m : messages) out.push_back(m.to_json());
              exchange->respond(json_response(
                  200, json::object{{"success", true},
                                    {"data", json::object{{"messages", std::move(out)}, {"limit", limit},
                                                          {"offset", offset}}}}));
            });
      }
      if (parts.size() == 3 && parts[2] == "disconnect") {
        require_method(req, "POST");
        std::string reason = req.body.empty() ? "" : string_field(body_of(req), "reason", "", false);
        service_.disconnect_user(user, reason.empty() ? "api" : reason);
        return exchange->respond(json_response(202, json::object{{"success", true}}));
      }
    }
    throw ApiError{404, "Not found: " + std::string(req.path())};
  } catch (const ApiError& e) {
    exchange->respond(error_response(e));
  }
}

// The room registry and history (seed 001): /rooms, /rooms/:id,
// /rooms/:id/members, /rooms/:id/messages, /rooms/:id/stats.
void HttpApi::handle_rooms(const std::shared_ptr<net::HttpExchange>& exchange, const std::vector<std::string>& parts) {
  const auto& req = exchange->request();
  auto ok = [exchange](int status, json::value data) {
    exchange->respond(json_response(status, json::object{{"success", true}, {"data", std::move(data)}}));
  };
  auto not_found = [exchange](const std::string& id) {
    exchange->respond(error_response(ApiError{404, "Room not found: " + id}));
  };
  auto room_json = [this](const service::Room& r) { return r.to_json(service_.local_member_count(r.id)); };
  auto query = net::parse_query(req.query());
  auto param = [&query](std::string_view key) -> std::optional<std::string> {
    for (auto& [k, v] : query)
      if (k == key) return v;
    return std::nullopt;
  };
  if (parts.size() == 1) {
    if (req.method == "GET")
      return service_.list_rooms(param("namespace"), [ok, room_json](std::vector<service::Room> rooms) {
        json::array out;
        for (const auto& r : rooms) out.push_back(room_json(r));
        ok(200, std::move(out));
      });
    require_method(req, "POST");
    auto body = body_of(req);
    auto name = string_field(body, "name", "", true);
    auto ns = string_field(body, "namespace", "", false);
    auto created_by = string_field(body, "createdBy", "", false);
    json::object metadata = object_field(body, "metadata");
    if (name.size() > 256) throw ApiError{400, "name: longer than 256 characters"};
    return service_.create_room(std::move(name), ns.empty() ? "default" : std::move(ns), std::move(created_by),
                                std::move(metadata), [exchange, ok, room_json](std::optional<service::Room> room) {
                                  if (!room) return exchange->respond(error_response(ApiError{503, "store unavailable"}));
                                  ok(201, room_json(*room));
                                });
  }
  const std::string& id = parts[1];
  if (parts.size() == 2) {
    if (req.method == "DELETE")
      return service_.delete_room(id, [ok, not_found, id](bool existed) {
        if (!existed) return not_found(id);
        ok(200, json::object{{"id", id}, {"deleted", true}});
      });
    require_method(req, "GET");
    return service_.get_room(id, [ok, not_found, id, room_json](std::optional<service::Room> room) {
      if (!room) return not_found(id);
      ok(200, room_json(*room));
    });
  }
  if (parts.size() != 3) throw ApiError{404, "Not found: " + std::string(req.path())};
  const std::string& what = parts[2];
  if (what == "members") {
    require_method(req, "GET");
    return service_.get_room(id, [this, ok, not_found, id](std::optional<service::Room> room) {
      if (!room) return not_found(id);
      json::array members;
      for (const auto& u : service_.get_room_members(id)) members.push_back(u.to_json());
      ok(200, std::move(members));
    });
  }
  if (what == "stats") {
    require_method(req, "GET");
    return service_.get_room_stats(id, [ok, not_found, id](std::optional<service::RoomStats> stats) {
      if (!stats) return not_found(id);
      ok(200, stats->to_json());
    });
  }
  if (what == "messages") {
    if (req.method == "GET") {
      auto limit = page_number(query, "limit", 50, 1000);
      auto offset = page_number(query, "offset", 0, 100'000'000);
      return service_.get_room(id, [this, ok, not_found, id, limit, offset](std::optional<service::Room> room) {
        if (!room) return not_found(id);
        service_.get_room_messages(id, limit, offset, [ok, limit, offset](std::vector<service::Message> messages) {
          json::array out;
          for (const auto& m : messages) out.push_back(m.to_json());
          ok(200, json::object{{"messages", std::move(out)}, {"limit", limit}, {"offset", offset}});
        });
      });
    }
    require_method(req, "POST");
    auto body = body_of(req);
    auto content = string_field(body, "content", "", true);
    if (content.size() > 1 << 16) throw ApiError{400, "content: longer than 65536 bytes"};
    auto type_name = string_field(body, "type", "", false);
    auto type = type_name.empty() ? std::optional(service::MessageType::system) : store::message_type(type_name);
    if (!type) throw ApiError{400, "type: must be text, image, file or system"};
    auto user = string_field(body, "userId", "", false);
    auto username = string_field(body, "username", "", false);
    json::object metadata = object_field(body, "metadata");
    return service_.send_message(
        id, user, std::move(content), *type, std::move(metadata),
        [ok, not_found, id](std::optional<service::Message> m) {
          if (!m) return not_found(id);
          ok(201, m->to_json());
        },
        username.empty() && user.empty() ? "system" : username);
  }
  throw ApiError{404, "Not found: " + std::string(req.path())};
}

}  // namespace api
