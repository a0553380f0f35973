// The protocol test server: the handlers of tests/e2e/socketio/reference_server.js
// (its Node twin), so that the same e2e tests run against both.
//  - "/" and "/custom" emit "auth" with the client's auth payload on connect;
//    "message" is echoed as "message-back", "message-with-ack" is acked with
//    its arguments, and the other events drive rooms, broadcasts and utilities;
//  - "/mw" refuses a client without auth.token "ok"; /^\/dyn-\d+$/ is dynamic;
//    other namespaces are refused;
//  - ping interval 300 ms, ping timeout 200 ms, connect timeout 1000 ms;
//  - the Engine.IO echo at /engine.io/ on the same port.

#include <mutex>
#include <regex>
#include <unordered_map>

#include "app/engine_flags.hpp"
#include "app/redis_flags.hpp"
#include "app/run.hpp"
#include "socketio/server.hpp"

namespace json = boost::json;
using socketio::Ack;
using socketio::Args;
using socketio::SocketPtr;

namespace {

std::vector<std::string> strings(const json::value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->as_string());
  if (v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

json::object spec_of(const Args& args) {
  return args.size() > 0 && args[0].is_object() ? args[0].as_object() : json::object{};
}

Args args_of(const json::object& spec) {
  auto* a = spec.if_contains("args");
  return Args(a && a->is_array() ? a->as_array() : json::array{});
}

socketio::BroadcastOperator make_operator(socketio::Namespace& nsp, const json::object& spec,
                                          const SocketPtr& socket = nullptr) {
  auto* from = spec.if_contains("fromSocket");
  auto op = socket && from && from->is_bool() && from->as_bool() ? socket->broadcast() : nsp.all();
  op = op.to(strings(spec.if_contains("to"))).except(strings(spec.if_contains("except")));
  if (auto* v = spec.if_contains("volatile"); v && v->is_bool() && v->as_bool()) op = op.volatile_();
  if (auto* v = spec.if_contains("local"); v && v->is_bool() && v->as_bool()) op = op.local();
  if (auto* t = spec.if_contains("timeout"); t && t->is_number())
    op = op.timeout(std::chrono::milliseconds(t->to_number<std::int64_t>()));
  return op;
}

std::string event_of(const json::object& spec) {
  auto* e = spec.if_contains("event");
  return e && e->is_string() ? std::string(e->as_string()) : std::string("event");
}

json::value error_or_null(const socketio::AckError& error) { return error ? json::value(*error) : json::value(); }

struct Disconnects {
  std::mutex mutex;
  std::unordered_map<std::string, json::object> by_socket;
  std::unordered_map<std::string, json::value> ack_results;  // by socket id
};

void setup(socketio::Namespace& nsp, std::shared_ptr<Disconnects> disconnects) {
  // Another node's serverSideEmit("ping"), as the Node cluster node answers it.
  nsp.on_server_side_emit("ping", [](Args&, Ack ack) {
    if (ack) ack(Args::of("pong"));
  });
  nsp.on_connection([&nsp, disconnects](const SocketPtr& socket) {
    std::weak_ptr<socketio::Socket> weak = socket;
    auto self = [weak] { return weak.lock(); };
    socket->emit("auth", Args::of(socket->handshake().auth));
    socket->use([](const std::string& event, Args&, std::function<void(socketio::AckError)> next) {
      next(event == "forbidden-event" ? socketio::AckError("forbidden") : std::nullopt);
    });
    socket->on_error([self](const std::string& message) { self()->emit("middleware-error", Args::of(message)); });
    socket->on_any([self](const std::string& event, const Args&) {
      if (event == "any-probe") self()->emit("any-seen", Args::of(event));
    });
    auto last_outgoing = std::make_shared<json::value>();
    socket->on_any_outgoing(
        [last_outgoing](const std::string& event, const Args&) { *last_outgoing = json::value(event); });
    socket->on("last-outgoing", [last_outgoing](Args&, Ack ack) { ack(Args::of(*last_outgoing)); });
    socket->on("handshake", [self](Args&, Ack ack) {
      const auto& h = self()->handshake();
      ack(Args::of(json::object{{"query", h.query()}, {"url", h.url()}}));
    });
    socket->on("forbidden-event", [self](Args&, Ack) { self()->emit("should-not-happen"); });
    socket->on("message", [self](Args& args, Ack) { self()->emit("message-back", args); });
    socket->on("message-with-ack", [](Args& args, Ack ack) { ack(args); });
    socket->on("join", [self](Args& args, Ack ack) {
      self()->join(strings(args.size() ? &args[0] : nullptr));
      ack();
    });
    socket->on("leave", [self](Args& args, Ack ack) {
      self()->leave(strings(args.size() ? &args[0] : nullptr));
      ack();
    });
    socket->on("rooms", [self](Args&, Ack ack) {
      auto rooms = self()->rooms();
      std::sort(rooms.begin(), rooms.end());
      json::array out(rooms.begin(), rooms.end());
      ack(Args::of(out));
    });
    socket->on("set-data", [self](Args& args, Ack ack) {
      self()->data = args.size() ? args[0] : json::value();
      ack();
    });
    socket->on("data", [self](Args&, Ack ack) { ack(Args::of(self()->data)); });
    socket->on("recovered", [self](Args&, Ack ack) { ack(Args::of(self()->recovered())); });
    socket->on("emit", [&nsp, self](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec, self()).emit(event_of(spec), args_of(spec));
      ack();
    });
    // Several operations in one handler, so in one loop turn:
    // [{emit: spec} | {direct: {event, args}} | {join: room} | {leave: room}, ...]
    socket->on("steps", [&nsp, self](Args& args, Ack ack) {
      if (args.size() > 0 && args[0].is_array())
        for (const auto& v : args[0].as_array()) {
          if (!v.is_object()) continue;
          const auto& step = v.as_object();
          if (auto* e = step.if_contains("emit"); e && e->is_object())
            make_operator(nsp, e->as_object(), self()).emit(event_of(e->as_object()), args_of(e->as_object()));
          if (auto* d = step.if_contains("direct"); d && d->is_object())
            self()->emit(event_of(d->as_object()), args_of(d->as_object()));
          if (auto* r = step.if_contains("join"); r && r->is_string()) self()->join(std::string(r->as_string()));
          if (auto* r = step.if_contains("leave"); r && r->is_string()) self()->leave(std::string(r->as_string()));
        }
      ack();
    });
    socket->on("emit-reserved", [self](Args&, Ack ack) {
      bool sent = self()->emit("disconnecting", Args::of(1));
      ack(Args::of(json::object{{"refused", !sent}}));
    });
    socket->on("emit-with-ack", [self](Args& args, Ack ack) {
      auto spec = spec_of(args);
      auto* t = spec.if_contains("timeout");
      auto timeout = std::chrono::milliseconds(t && t->is_number() ? t->to_number<std::int64_t>() : 1000);
      self()->emit_with_ack(
          event_of(spec), args_of(spec),
          [ack](socketio::AckError error, Args response) {
            ack(Args::of(json::object{{"err", error_or_null(error)}, {"response", response.values}}));
          },
          timeout);
    });
    socket->on("broadcast-with-ack", [&nsp, self](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec, self())
          .emit_with_ack(event_of(spec), args_of(spec), [ack](socketio::AckError error, std::vector<Args> responses) {
            json::array out;
            for (auto& r : responses) out.push_back(r.values.size() == 1 ? r.values[0] : json::value(r.values));
            ack(Args::of(json::object{{"err", error_or_null(error)}, {"responses", out}}));
          });
    });
    socket->on("fetch-sockets", [&nsp](Args& args, Ack ack) {
      make_operator(nsp, spec_of(args)).fetch_sockets([ack](std::vector<socketio::RemoteSocket> sockets) {
        std::sort(sockets.begin(), sockets.end(), [](auto& a, auto& b) { return a.id < b.id; });
        json::array out;
        for (auto& s : sockets) {
          std::sort(s.rooms.begin(), s.rooms.end());
          out.push_back(json::object{{"id", s.id},
                                     {"rooms", json::array(s.rooms.begin(), s.rooms.end())},
                                     {"data", s.data},
                                     {"auth", s.handshake["auth"]}});
        }
        ack(Args::of(out));
      });
    });
    socket->on("sockets-join", [&nsp](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec).sockets_join(strings(spec.if_contains("rooms")));
      ack();
    });
    socket->on("sockets-leave", [&nsp](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec).sockets_leave(strings(spec.if_contains("rooms")));
      ack();
    });
    socket->on("disconnect-sockets", [&nsp](Args& args, Ack) {
      auto spec = spec_of(args);
      auto* close = spec.if_contains("close");
      make_operator(nsp, spec).disconnect_sockets(close && close->is_bool() && close->as_bool());
    });
    socket->on("remote-op", [&nsp](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec).fetch_sockets([spec, ack](std::vector<socketio::RemoteSocket> sockets) {
        auto field = [&](const char* k) {
          auto* v = spec.if_contains(k);
          return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        auto* close = spec.if_contains("close");
        for (const auto& s : sockets) {
          if (field("op") == "join") s.join(field("room"));
          if (field("op") == "leave") s.leave(field("room"));
          if (field("op") == "disconnect") s.disconnect(close && close->is_bool() && close->as_bool());
        }
        ack(Args::of(sockets.size()));
      });
    });
    socket->on("remote-emit", [&nsp](Args& args, Ack ack) {
      auto spec = spec_of(args);
      make_operator(nsp, spec).fetch_sockets([spec, ack](std::vector<socketio::RemoteSocket> sockets) {
        for (const auto& s : sockets) s.emit(event_of(spec), args_of(spec));
        ack(Args::of(sockets.size()));
      });
    });
    socket->on("disconnect-me",
               [self](Args& args, Ack) { self()->disconnect(args.size() && args[0].is_bool() && args[0].as_bool()); });
    socket->on("last-disconnect", [disconnects](Args& args, Ack ack) {
      std::lock_guard lock(disconnects->mutex);
      auto it = args.size() && args[0].is_string() ? disconnects->by_socket.find(std::string(args[0].as_string()))
                                                   : disconnects->by_socket.end();
      ack(Args::of(it == disconnects->by_socket.end() ? json::value() : json::value(it->second)));
    });
    // Switchboard only (Node has neither a default ack timeout nor an answer
    // on disconnect): emits with an ack and no timeout of its own, and keeps
    // the outcome for "ack-result".
    socket->on("emit-with-default-ack", [self, disconnects](Args& args, Ack ack) {
      auto spec = spec_of(args);
      auto id = self()->id();
      self()->emit_with_ack(event_of(spec), args_of(spec), [id, disconnects](socketio::AckError error, Args) {
        std::lock_guard lock(disconnects->mutex);
        disconnects->ack_results[id] = error_or_null(error);
      });
      ack();
    });
    socket->on("ack-result", [disconnects](Args& args, Ack ack) {
      std::lock_guard lock(disconnects->mutex);
      auto it = args.size() && args[0].is_string() ? disconnects->ack_results.find(std::string(args[0].as_string()))
                                                   : disconnects->ack_results.end();
      ack(Args::of(it == disconnects->ack_results.end() ? json::value("pending") : it->second));
    });
    socket->on("server-side-emit", [&nsp](Args&, Ack ack) {
      nsp.server_side_emit("ping", {}, [ack](socketio::AckError error, std::vector<Args> responses) {
        json::array out;
        for (auto& r : responses) out.push_back(r.values.empty() ? json::value() : r.values[0]);
        ack(Args::of(json::object{{"err", error_or_null(error)}, {"responses", out}}));
      });
    });
    // A broadcast of binary arguments, at the top and nested: bin(010203), {nested: bin("hi")}.
    socket->on("emit-binary", [&nsp](Args& args, Ack ack) {
      Args out = Args::of(socketio::Binary{std::string("\x01\x02\x03", 3)});
      out.buffers.push_back("hi");
      out.values.push_back(json::object{{"nested", json::object{{"_placeholder", true}, {"num", 1}}}});
      make_operator(nsp, spec_of(args)).emit("bin", std::move(out));
      ack();
    });
    socket->on("all-rooms", [&nsp](Args&, Ack ack) {
      nsp.all_rooms([ack](std::vector<std::string> rooms) {
        std::sort(rooms.begin(), rooms.end());
        ack(Args::of(json::array(rooms.begin(), rooms.end())));
      });
    });
    auto rooms = std::make_shared<json::array>();
    socket->on_disconnecting([self, rooms](std::string_view) {
      auto r = self()->rooms();
      std::sort(r.begin(), r.end());
      *rooms = json::array(r.begin(), r.end());
    });
    socket->on_disconnect([id = socket->id(), rooms, disconnects](std::string_view reason) {
      std::lock_guard lock(disconnects->mutex);
      disconnects->by_socket[id] = json::object{{"reason", reason}, {"rooms", *rooms}};
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Socket.IO protocol test server"};
  app::ServerFlags flags;
  flags.http.port = 3002;
  flags.engine.path = "/socket.io/";
  flags.engine.ping_interval_ms = 300;
  flags.engine.ping_timeout_ms = 200;
  bool recovery = false;
  std::uint32_t ack_timeout_ms = 30'000;
  add_server_flags(cli, flags);
  std::string adapter = "memory";
  app::RedisFlags redis;
  cli.add_option("--adapter", adapter, "memory, or redis (a cluster node; see --redis-url)")->capture_default_str();
  app::add_redis_flags(cli, redis);
  cli.add_flag("--recovery", recovery, "Enable connection state recovery (2 s)");
  cli.add_option("--ack-timeout", ack_timeout_ms, "Server-wide default ack timeout in ms (0: none)")
      ->capture_default_str();
  if (int code = app::parse_server_flags(cli, flags, argc, argv); code >= 0) return code;

  net::ShardPool shards(flags.threads);
  net::HttpServer http(shards, flags.http);
  std::unique_ptr<adapter::redis::Cluster> cluster;
  if (adapter == "redis") {
    try {
      cluster = app::make_cluster(app::cluster_options(redis));
    } catch (const CLI::Error& e) {
      std::fprintf(stderr, "socketio-test-server: %s\n", e.what());
      return 2;
    }
  }

  socketio::ServerOptions options;
  options.engine = flags.engine;
  options.connect_timeout_ms = 1000;
  options.default_ack_timeout_ms = ack_timeout_ms;
  if (recovery) options.connection_state_recovery = socketio::RecoveryOptions{2000, true};
  if (cluster) options.adapter_factory = cluster->factory();
  socketio::Server io(shards, options);
  auto disconnects = std::make_shared<Disconnects>();
  setup(io.of("/"), disconnects);
  setup(io.of("/custom"), disconnects);
  auto& mw = io.of("/mw");
  mw.use([](const SocketPtr& socket, socketio::Next next) {
    auto* token = socket->handshake().auth.if_contains("token");
    if (token && token->is_string() && token->as_string() == "ok") return next(std::nullopt);
    next(socketio::ConnectError{"not authorized", json::object{{"reason", "bad token"}}});
  });
  setup(mw, disconnects);
  auto announce = [](const SocketPtr& socket) { socket->emit("nsp", Args::of(socket->nsp())); };
  io.of(std::regex("^/dyn-\\d+$")).on_connection(announce);
  io.of([](const std::string& name, const json::object& auth) {
      auto* allow = auth.if_contains("allow");
      return name.rfind("/fn-", 0) == 0 && allow && allow->is_bool() && allow->as_bool();
    }).on_connection(announce);
  io.attach(http);

  // The plain Engine.IO echo on the same port.
  engine::ServerOptions echo_options = flags.engine;
  echo_options.path = "/engine.io/";
  engine::Server echo(shards, echo_options);
  echo.on_connection([](std::shared_ptr<engine::Session> session) {
    engine::Session* raw = session.get();
    engine::listen(*session, [raw](std::string&& data, bool binary) { raw->send(std::move(data), binary); });
  });
  echo.attach(http);

  int code = app::listen_and_run("socketio-test-server", shards, http, io.engine());
  if (cluster) cluster->stop();
  return code;
}
