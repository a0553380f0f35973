#include "app/config.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/events_config.hpp"
#include "version.hpp"

namespace app {

namespace {

std::string read_file(const std::string& path, const char* setting) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError(setting, "cannot read file '" + path + "'");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void load_toml(CLI::App& cli, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError("--config", "cannot read file '" + path + "'");
  for (const auto& item : CLI::ConfigTOML().from_config(in)) {
    std::string name = item.fullname();
    if (name.empty() || name == "++" || name == "--") continue;  // section markers
    if (name == "route" || name.rfind("route.", 0) == 0) continue;  // [[route]] tables: ingest's (finish_ingest_flags)
    // [events] and [[relay]]: the vocabulary's (parse_events_config).
    if (name == "events" || name.rfind("events.", 0) == 0 || name == "relay" || name.rfind("relay.", 0) == 0) continue;
    auto* option = cli.get_option_no_throw("--" + name);
    if (!option || option->get_envname().empty())
      throw CLI::ValidationError("--config", "unknown setting '" + name + "' in " + path);
    std::string value;
    for (const auto& v : item.inputs) value += (value.empty() ? "" : ",") + v;
    setenv(option->get_envname().c_str(), value.c_str(), 0);
  }
}

}  // namespace

bool load_dotenv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    else if (auto hash = value.find(" #"); hash != std::string::npos)
      value = value.substr(0, hash);
    setenv(key.c_str(), value.c_str(), 0);  // the real environment wins
  }
  return true;
}

int load_config(int argc, char** argv, Config& c) {
  CLI::App cli{"switchboard: a Socket.IO server in C++. Every setting is a flag, an environment variable, a line "
               "in ./.env or a key in the --config TOML file (in that order of strength)."};
  cli.set_version_flag(
      "--version",
      "switchboard " + std::string(switchboard::version()) + " (commit " + std::string(switchboard::git_commit()) + ")",
      "Print the version and the git commit it was built from, then exit");
  std::string config_file;
  cli.add_option("--config", config_file, "TOML configuration file: keys are the flag names without dashes "
                                         "(ping-interval = 25000), the weakest source; its [events] and [[relay]] "
                                         "tables name the clients' events (examples/config/nestjs-gateway.toml)");
  c.server.http.port = 3000;
  c.server.engine.path = "/socket.io/";
  add_server_flags(cli, c.server);
  auto env = [&](const char* flag, const char* name) { cli.get_option(flag)->envname(name); };
  env("--host", "HOST");
  env("--port", "PORT");
  env("--threads", "THREADS");
  env("--path", "WEBSOCKET_PATH");
  env("--ping-interval", "WEBSOCKET_PING_INTERVAL");
  env("--ping-timeout", "WEBSOCKET_PING_TIMEOUT");
  env("--upgrade-timeout", "WEBSOCKET_UPGRADE_TIMEOUT");
  env("--max-http-buffer-size", "MAX_HTTP_BUFFER_SIZE");
  env("--transports", "WEBSOCKET_TRANSPORTS");
  env("--cors-origin", "CORS_ORIGIN");
  env("--cors-credentials", "CORS_CREDENTIALS");
  env("--max-buffered-bytes", "MAX_BUFFERED_BYTES");
  env("--no-upgrades", "WEBSOCKET_NO_UPGRADES");
  env("--per-message-deflate", "WEBSOCKET_PER_MESSAGE_DEFLATE");
  env("--headers-timeout", "HTTP_HEADERS_TIMEOUT");
  env("--max-header-size", "HTTP_MAX_HEADER_SIZE");
  env("--keep-alive-timeout", "HTTP_KEEP_ALIVE_TIMEOUT");
  env("--body-timeout", "HTTP_BODY_TIMEOUT");
  env("--defer-accept", "HTTP_DEFER_ACCEPT");
  env("--max-connections", "MAX_CONNECTIONS");
  env("--trust-proxy", "TRUST_PROXY");
  env("--max-connections-per-ip", "MAX_CONNECTIONS_PER_IP");
  env("--connection-rate-per-ip", "CONNECTION_RATE_PER_IP");
  env("--connection-rate-burst", "CONNECTION_RATE_BURST");
  cli.add_option("--max-connections-per-user", c.service.max_connections_per_user,
                 "Sockets one user may have open at once (then CONNECT_ERROR CONNECTION_LIMIT); 0: no limit")
      ->envname("MAX_CONNECTIONS_PER_USER")
      ->capture_default_str();
  cli.add_option("--event-rate-limit", c.service.event_rate_limit,
                 "Events per second one socket may send (then dropped with an error event; a flood disconnects); "
                 "0: no limit")
      ->envname("EVENT_RATE_LIMIT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_option("--event-rate-burst", c.service.event_rate_burst,
                 "Events a socket may send at once (the bucket's size); 0: the rate, at least 1")
      ->envname("EVENT_RATE_BURST")
      ->capture_default_str();

  std::string frontend_url, jwt_algorithms, jwt_public_key_file, auth_required = "auto", room_templates,
      presence = "room";
  cli.add_option("--frontend-url", frontend_url, "Allowed CORS origin (seed 002's name; --cors-origin wins)")
      ->envname("FRONTEND_URL");
  cli.add_option("--adapter", c.adapter, "Adapter between nodes: memory (one node) or redis (a cluster; docs/cluster.md)")
      ->envname("WS_ADAPTER")
      ->capture_default_str();
  RedisFlags redis;
  add_redis_flags(cli, redis);
  IngestFlags ingest;
  add_ingest_flags(cli, ingest);
  add_web_flags(cli, c.web);
  std::uint32_t presence_ttl = 30;
  cli.add_option("--presence-ttl", presence_ttl,
                 "Cluster: seconds after which a node that died is taken out of presence (its users go offline)")
      ->envname("PRESENCE_TTL")
      ->check(CLI::Range(3u, 3600u))
      ->capture_default_str();
  cli.add_option("--connect-timeout", c.io.connect_timeout_ms, "ms for a client to join a namespace")
      ->envname("CONNECT_TIMEOUT")
      ->capture_default_str();
  cli.add_option("--ack-timeout", c.io.default_ack_timeout_ms, "Default ms to wait for an ack (0: forever)")
      ->envname("ACK_TIMEOUT")
      ->capture_default_str();
  cli.add_option("--jwt-secret", c.service.auth.jwt.secret, "Shared secret for HS256/384/512 tokens")
      ->envname("JWT_SECRET");
  cli.add_option("--jwt-public-key-file", jwt_public_key_file, "PEM public key file for RS256 tokens")
      ->envname("JWT_PUBLIC_KEY_FILE");
  cli.add_option("--jwt-algorithms", jwt_algorithms,
                 "Accepted algorithms, comma separated (HS256,HS384,HS512,RS256); default: HS256 with a secret, "
                 "RS256 with a public key")
      ->envname("JWT_ALGORITHMS");
  cli.add_option("--jwt-issuer", c.service.auth.jwt.issuer, "Required iss claim")->envname("JWT_ISSUER");
  cli.add_option("--jwt-audience", c.service.auth.jwt.audience, "Required aud claim")->envname("JWT_AUDIENCE");
  cli.add_option("--jwt-user-claim", c.service.auth.user_claim, "Claim with the user id")
      ->envname("JWT_USER_CLAIM")
      ->capture_default_str();
  cli.add_option("--jwt-name-claim", c.service.auth.name_claim, "Claim with the display name")
      ->envname("JWT_NAME_CLAIM")
      ->capture_default_str();
  cli.add_option("--jwt-email-claim", c.service.auth.email_claim, "Claim with the e-mail address")
      ->envname("JWT_EMAIL_CLAIM")
      ->capture_default_str();
  cli.add_option("--auth-required", auth_required,
                 "true, false, or auto (required as soon as a JWT key is configured)")
      ->envname("AUTH_REQUIRED")
      ->check(CLI::IsMember({"auto", "true", "false"}))
      ->capture_default_str();
  cli.add_option("--user-room-prefix", c.service.user_room_prefix, "Room of each user: <prefix><userId>")
      ->envname("USER_ROOM_PREFIX")
      ->capture_default_str();
  cli.add_option("--room-templates", room_templates,
                 "Rooms from claims, comma separated, e.g. company:{companyId},shop:{shopIds},{role}")
      ->envname("ROOM_TEMPLATES");
  cli.add_option("--presence", presence, "Where user:status goes: room (presence:{userId}), all, off")
      ->envname("PRESENCE_MODE")
      ->check(CLI::IsMember({"room", "all", "off"}))
      ->capture_default_str();
  std::string session_secrets;
  cli.add_option("--session-secret", session_secrets,
                 "express-session secrets, comma separated (the first signs; any verifies): turns session-cookie auth "
                 "on, with the sessions in Redis (REDIS_URL)")
      ->envname("SESSION_SECRET");
  cli.add_option("--session-cookie", c.service.auth.session.cookie, "express-session's cookie name")
      ->envname("SESSION_COOKIE")
      ->capture_default_str();
  cli.add_option("--session-prefix", c.service.auth.session.prefix, "Redis key prefix of the sessions (connect-redis)")
      ->envname("SESSION_PREFIX")
      ->capture_default_str();
  cli.add_option("--session-user-field", c.service.auth.session.user_field, "Session field with the user id")
      ->envname("SESSION_USER_FIELD")
      ->capture_default_str();
  std::string client_rooms;
  std::uint32_t join_auth_timeout = 2000, join_auth_cache_ttl = 30'000;
  cli.add_option("--client-rooms", client_rooms,
                 "Rooms clients may join without asking JOIN_AUTH_URL, comma separated globs (chat:*,product:*)")
      ->envname("CLIENT_ROOMS");
  cli.add_option("--join-auth-url", c.join_auth.url,
                 "http:// back end asked for every other join: POST {userId, room, claims}, 200 allows")
      ->envname("JOIN_AUTH_URL");
  cli.add_option("--join-auth-timeout", join_auth_timeout, "ms to wait for JOIN_AUTH_URL before refusing the join")
      ->envname("JOIN_AUTH_TIMEOUT")
      ->check(CLI::Range(1u, 60'000u))
      ->capture_default_str();
  cli.add_option("--join-auth-cache-ttl", join_auth_cache_ttl,
                 "ms an answer of JOIN_AUTH_URL stands for one user and room; 0: ask every time")
      ->envname("JOIN_AUTH_CACHE_TTL")
      ->capture_default_str();
  std::size_t history_max_messages = c.service.retention.max_messages;
  std::uint64_t history_max_age = 7 * 24 * 3600;
  cli.add_option("--history-max-messages", history_max_messages, "Messages kept per chat room (the oldest go first)")
      ->envname("HISTORY_MAX_MESSAGES")
      ->check(CLI::Range(std::size_t(1), std::size_t(1'000'000)))
      ->capture_default_str();
  cli.add_option("--history-max-age", history_max_age, "Seconds a chat message is kept; 0: no age limit")
      ->envname("HISTORY_MAX_AGE")
      ->capture_default_str();
  cli.add_option("--message-max-length", c.service.message_max_length, "Longest message content a client may send, bytes")
      ->envname("MESSAGE_MAX_LENGTH")
      ->check(CLI::Range(std::size_t(1), std::size_t(1'000'000)))
      ->capture_default_str();
  cli.add_option("--history-store", c.history_store,
                 "Where rooms and history live: memory, or redis (the default with WS_ADAPTER=redis)")
      ->envname("HISTORY_STORE")
      ->check(CLI::IsMember({"memory", "redis"}));
  cli.add_option("--api-key", c.api.api_key, "Bearer key of the HTTP API (without it: loopback clients only)")
      ->envname("API_KEY");
  cli.add_option("--metrics-port", c.metrics_port,
                 "Also serve GET /metrics on this port (0: only on the main port); docs/metrics.md")
      ->envname("METRICS_PORT")
      ->capture_default_str();
  cli.add_option("--metrics-public", c.api.metrics_public,
                 "true: GET /metrics needs no API key (for a scraper on a private network)")
      ->envname("METRICS_PUBLIC")
      ->capture_default_str();
  cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, off")
      ->envname("LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  cli.add_option("--log-format", c.log_format, "text or json (one JSON object per line)")
      ->envname("LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  std::uint32_t shutdown_seconds = 10;
  cli.add_option("--shutdown-timeout", shutdown_seconds, "Seconds to drain at shutdown before exiting")
      ->envname("SHUTDOWN_TIMEOUT")
      ->capture_default_str();

  try {
    // The TOML file is read before parsing: each of its keys feeds its
    // setting's environment variable unless the environment (or .env)
    // already has it, so flags > environment > .env > TOML.
    for (int i = 1; i + 1 < argc; ++i)
      if (std::string(argv[i]) == "--config") load_toml(cli, argv[i + 1]);
    cli.parse(argc, argv);
    if (c.server.cors_origins.empty() && !frontend_url.empty()) c.server.cors_origins = frontend_url;
    finish_server_flags(c.server);
    if (c.adapter != "memory" && c.adapter != "redis")
      throw CLI::ValidationError("--adapter (WS_ADAPTER)", "'" + c.adapter + "'; accepted values: memory, redis");
    if (c.adapter == "redis") c.redis = cluster_options(redis);
    c.presence_ttl = std::chrono::seconds(presence_ttl);
    finish_ingest_flags(ingest, config_file, c.ingest, c.ingest_rules);
    if (!config_file.empty()) {
      auto events = parse_events_config(read_file(config_file, "--config"), config_file);
      if (!events.error.empty()) throw CLI::ValidationError("--config", events.error);
      c.service.events = std::move(events.events);
      c.service.relays = std::move(events.relays);
    }
    auto& jwt = c.service.auth.jwt;
    if (!jwt_public_key_file.empty()) jwt.public_key_pem = read_file(jwt_public_key_file, "--jwt-public-key-file");
    if (!jwt_algorithms.empty()) {
      jwt.algorithms = split_commas(jwt_algorithms);
      for (const auto& a : jwt.algorithms)
        if (a != "HS256" && a != "HS384" && a != "HS512" && a != "RS256")
          throw CLI::ValidationError("--jwt-algorithms (JWT_ALGORITHMS)",
                                     "'" + a + "' is not accepted; accepted values: HS256, HS384, HS512, RS256");
    } else {
      jwt.algorithms.clear();
      if (!jwt.secret.empty()) jwt.algorithms.push_back("HS256");
      if (!jwt.public_key_pem.empty()) jwt.algorithms.push_back("RS256");
    }
    auto& session = c.service.auth.session;
    session.secrets = split_commas(session_secrets);
    if (session.configured() && c.adapter != "redis") c.redis = cluster_options(redis);
    bool any_auth = jwt.configured() || session.configured();
    c.service.auth.required = auth_required == "true" || (auth_required == "auto" && any_auth);
    if (c.service.auth.required && !any_auth)
      throw CLI::ValidationError("--auth-required (AUTH_REQUIRED)",
                                 "true needs JWT_SECRET or JWT_PUBLIC_KEY_FILE to check tokens with");
    if (!any_auth)
      c.warnings.push_back("no JWT key configured (JWT_SECRET / JWT_PUBLIC_KEY_FILE): every connection is anonymous");
    c.service.room_templates = split_commas(room_templates);
    c.service.presence = presence == "all" ? service::PresenceMode::all
                         : presence == "off" ? service::PresenceMode::off
                                             : service::PresenceMode::room;
    c.service.client_rooms = split_commas(client_rooms);
    c.service.retention.max_messages = history_max_messages;
    c.service.retention.max_age = std::chrono::seconds(history_max_age);
    if (c.history_store.empty()) c.history_store = c.adapter == "redis" ? "redis" : "memory";
    if (c.history_store == "redis" && c.adapter != "redis") c.redis = cluster_options(redis);
    c.join_auth.timeout = std::chrono::milliseconds(join_auth_timeout);
    c.join_auth.cache_ttl = std::chrono::milliseconds(join_auth_cache_ttl);
    if (!c.join_auth.url.empty()) {
      try {
        service::check_join_auth_url(c.join_auth.url);
      } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--join-auth-url (JOIN_AUTH_URL)", e.what());
      }
    }
    if (c.service.client_rooms.empty() && c.join_auth.url.empty())
      c.warnings.push_back("neither CLIENT_ROOMS nor JOIN_AUTH_URL is set: clients may join any room but user and "
                           "claim rooms (docs/configuration.md, 'Who may join which room')");
    c.shutdown_timeout = std::chrono::seconds(shutdown_seconds);
    finish_web_flags(c.web, c.warnings);
    c.io.engine = c.server.engine;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      cli.exit(e);
      return 0;
    }
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  }
  return -1;
}

}  // namespace app
