#pragma once
// The switchboard daemon's configuration. Sources, strongest first: flags,
// environment, a .env file in the working directory, a TOML file (--config).
// docs/configuration.md lists every setting.

#include <chrono>
#include <string>
#include <vector>

#include "api/http_api.hpp"
#include "app/engine_flags.hpp"
#include "app/ingest_flags.hpp"
#include "app/redis_flags.hpp"
#include "app/web_flags.hpp"
#include "service/http_join_authorizer.hpp"
#include "service/options.hpp"
#include "socketio/options.hpp"

namespace app {

struct Config {
  ServerFlags server;  // listener, threads, Engine.IO settings
  socketio::ServerOptions io;
  service::ServiceOptions service;
  api::ApiOptions api;
  std::string adapter = "memory";
  adapter::redis::ClusterOptions redis;  // with adapter == "redis"
  ingest::Settings ingest;            // ingest.url empty: no RabbitMQ consumer
  std::vector<ingest::Rule> ingest_rules;  // the defaults, then [[route]] tables
  std::chrono::seconds presence_ttl{30};  // a dead node's users offline within this (and a third more)
  service::HttpJoinAuthorizerOptions join_auth;
  std::string history_store;  // memory or redis (c.redis says where)  // with a url: JOIN_AUTH_URL
  std::uint16_t metrics_port = 0;  // 0: /metrics on the main port only
  std::string log_level = "info";
  std::string log_format = "text";
  std::chrono::milliseconds shutdown_timeout{10'000};
  WebFlags web;  // client bundle, demo page, admin UI
  std::vector<std::string> warnings;  // to log once logging is set up
};

// Parses argv (and the environment, .env and TOML). Returns the exit code to
// leave with (0 after --help, 2 after a bad setting, with a message naming
// it), or -1 to run.
int load_config(int argc, char** argv, Config& config);

// Loads KEY=VALUE lines of `path` into the environment without overriding
// variables already set. Returns false if the file does not exist.
bool load_dotenv(const std::string& path);

}  // namespace app
