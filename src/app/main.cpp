// switchboard: the standalone real-time service. Socket.IO at /socket.io/
// with JWT auth, per-user rooms and presence (RealtimeService), and the HTTP
// API on the same port. Settings: docs/configuration.md.

#include <spdlog/spdlog.h>

#include <cstdio>

#include "admin/admin_ui.hpp"
#include "api/http_api.hpp"
#include "api/web_assets.hpp"
#include "app/config.hpp"
#include "app/metric_sources.hpp"
#include "app/run.hpp"
#include "ingest/consumer.hpp"
#include "ingest/ingest.hpp"
#include "service/log.hpp"
#include "service/realtime_service.hpp"
#include "service/redis_sessions.hpp"
#include "store/redis_room_store.hpp"
#include "socketio/server.hpp"

int main(int argc, char** argv) {
  app::load_dotenv(".env");
  app::Config config;
  if (int code = app::load_config(argc, argv, config); code >= 0) return code;

  spdlog::set_level(spdlog::level::from_str(config.log_level));
  service::set_json_logs(config.log_format == "json");
  if (config.log_format == "json")
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","log":%v})", spdlog::pattern_time_type::utc);
  for (const auto& w : config.warnings) service::log_event(spdlog::level::warn, "config", {{"warning", w}});

  net::ShardPool shards(config.server.threads);
  net::HttpServer http(shards, config.server.http);
  // Before the Socket.IO server (its namespaces hold members of the
  // cluster), after the shards (stopped before they go).
  std::unique_ptr<adapter::redis::Cluster> cluster;
  if (config.adapter == "redis") {
    cluster = app::make_cluster(config.redis);
    config.io.adapter_factory = cluster->factory();
    config.api.adapter_ready = [&cluster] { return cluster->ready(); };
    config.api.adapter_status = [&cluster] {
      const auto& n = cluster->counters();
      boost::json::object s{{"type", "redis"},
                            {"state", cluster->state()},
                            {"endpoint", cluster->options().redis.endpoint()},
                            {"published", n.published.load()},
                            {"publishFailures", n.publish_failures.load()},
                            {"received", n.received.load()},
                            {"decodeErrors", n.decode_errors.load()},
                            {"requestTimeouts", n.request_timeouts.load()}};
      if (auto e = cluster->last_error(); !e.empty()) s["lastError"] = e;
      return s;
    };
    config.api.metric_sources.push_back(app::cluster_metrics(*cluster));
  }
  socketio::Server io(shards, config.io);
  service::RealtimeService realtime(io, config.service);
  // After the service: stopped (its thread joined) before the service goes.
  std::shared_ptr<service::ClusterPresence> presence;
  if (cluster) {
    presence = std::make_shared<service::ClusterPresence>(
        service::ClusterPresence::Options{config.redis.redis, config.redis.key, config.presence_ttl});
    realtime.use_cluster_presence(presence);
  }
  if (config.history_store == "redis")
    realtime.use_room_store(std::make_shared<store::RedisRoomStore>(
        store::RedisRoomStore::Options{config.redis.redis, config.redis.key, config.service.retention}));
  // After the service: stopped (their threads joined) before the service goes.
  std::unique_ptr<service::RedisSessions> sessions;
  if (config.service.auth.session.configured()) {
    sessions = std::make_unique<service::RedisSessions>(config.redis.redis, config.service.auth.session.prefix);
    realtime.set_session_lookup([s = sessions.get()](const std::string& sid, auto done) { s->lookup(sid, std::move(done)); });
  }
  std::unique_ptr<service::HttpJoinAuthorizer> join_auth;
  if (!config.join_auth.url.empty()) {
    join_auth = std::make_unique<service::HttpJoinAuthorizer>(config.join_auth);
    realtime.set_join_authorizer([a = join_auth.get()](const service::SocketUser& user, const std::string& room,
                                                       std::function<void(bool)> done) {
      a->authorize(user.user_id, room, user.claims, std::move(done));
    });
  }
  // RabbitMQ ingestion (docs/ingest.md): its own thread; emits go through
  // the adapter like the service's. Started with the shards, stopped first.
  std::unique_ptr<ingest::Ingest> ingestion;
  std::unique_ptr<ingest::Consumer> consumer;
  if (!config.ingest.url.empty()) {
    ingestion = std::make_unique<ingest::Ingest>(
        io, ingest::Router(std::move(config.ingest_rules), config.ingest.max_message_bytes));
    consumer = std::make_unique<ingest::Consumer>(config.ingest, *ingestion);
    config.api.ingest_status = [&consumer] { return consumer->status_json(); };
    config.api.metric_sources.push_back(app::ingest_metrics(*consumer, *ingestion));
  }
  // Before the shards start: the admin namespace and its hooks on "/".
  std::unique_ptr<admin::AdminUi> admin_ui;
  try {
    if (config.web.admin_ui) admin_ui = std::make_unique<admin::AdminUi>(io, config.web.admin);
    // Before /socket.io/ (whose Engine.IO endpoint takes the rest of the
    // path) and the API (which takes every other path).
    if (config.web.serve_client) api::serve_client_bundle(http, config.io.engine.path, config.web.client_dir);
    if (config.web.demo_on) config.api.home = api::serve_demo(http, config.web.demo_dir);
  } catch (const std::exception& e) {
    service::log_event(spdlog::level::err, "config", {{"error", e.what()}});
    return 2;
  }
  api::HttpApi http_api(realtime, io, config.api);
  io.attach(http);        // /socket.io/ first: the API takes every other path
  http_api.attach(http);
  http_api.set_ready(true);
  // METRICS_PORT: a listener of its own for the scraper, on the same shards.
  std::unique_ptr<net::HttpServer> metrics_http;
  if (config.metrics_port) {
    auto options = config.server.http;
    options.port = config.metrics_port;
    metrics_http = std::make_unique<net::HttpServer>(shards, options);
    http_api.attach_metrics(*metrics_http);
    try {
      metrics_http->listen();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "switchboard: cannot listen on METRICS_PORT %u: %s\n", config.metrics_port, e.what());
      return 1;
    }
  }

  app::RunOptions run;
  run.grace = config.shutdown_timeout;
  run.on_draining = [&http_api, &consumer] {
    http_api.set_ready(false);
    if (consumer) consumer->stop();  // no new emits while draining; unacked messages go back to the queue
    service::log_event(spdlog::level::info, "shutdown", {{"phase", "draining"}});
  };
  run.on_started = [&consumer] {
    if (consumer) consumer->start();
  };
  int code = app::listen_and_run("switchboard", shards, http, io.engine(), run);
  if (consumer) consumer->stop();
  if (join_auth) join_auth->stop();
  if (sessions) sessions->stop();
  if (presence) presence->stop();
  if (cluster) cluster->stop();
  service::log_event(spdlog::level::info, "shutdown", {{"phase", "done"}});
  return code;
}
