#include "app/engine_flags.hpp"

#include <sstream>

namespace app {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void add_server_flags(CLI::App& cli, ServerFlags& f) {
  cli.add_option("--host", f.http.host, "Address to listen on")->capture_default_str();
  cli.add_option("--port", f.http.port, "TCP port (0 picks a free one)")->capture_default_str();
  cli.add_option("--threads", f.threads, "Worker threads (shards); 0 means one per core")->capture_default_str();
  cli.add_option("--path", f.engine.path, "URL path of the endpoint")->capture_default_str();
  cli.add_option("--ping-interval", f.engine.ping_interval_ms, "Milliseconds between server pings")
      ->capture_default_str();
  cli.add_option("--ping-timeout", f.engine.ping_timeout_ms, "Milliseconds to wait for a pong")
      ->capture_default_str();
  cli.add_option("--upgrade-timeout", f.engine.upgrade_timeout_ms, "Milliseconds for a WebSocket upgrade to finish")
      ->capture_default_str();
  cli.add_option("--max-http-buffer-size", f.engine.max_http_buffer_size,
                 "Largest POST body / WebSocket message in bytes (maxPayload)")
      ->capture_default_str();
  cli.add_option("--transports", f.transports, "Allowed transports: polling, websocket or both")
      ->capture_default_str();
  cli.add_flag("!--no-upgrades", f.engine.allow_upgrades, "Do not offer the polling to WebSocket upgrade");
  cli.add_flag("--per-message-deflate", f.engine.per_message_deflate, "Enable WebSocket permessage-deflate");
  cli.add_option("--cors-origin", f.cors_origins, "Allowed CORS origins, comma separated, or *");
  cli.add_flag("--cors-credentials", f.engine.cors.credentials, "Allow credentials in CORS requests");
  cli.add_option("--max-buffered-bytes", f.engine.max_buffered_bytes,
                 "Bytes queued for one client before it is disconnected")
      ->capture_default_str();

  // Limits and timeouts of the front door (docs/configuration.md says why each default).
  cli.add_option("--headers-timeout", f.http.header_timeout_ms,
                 "ms for a request's header block to arrive (then 408 and close; slowloris); 0: none")
      ->capture_default_str();
  cli.add_option("--max-header-size", f.http.max_header_bytes, "Largest request header block in bytes (then 431)")
      ->capture_default_str();
  cli.add_option("--keep-alive-timeout", f.http.keep_alive_timeout_ms,
                 "ms an idle keep-alive connection is kept between requests; 0: no limit")
      ->capture_default_str();
  cli.add_option("--body-timeout", f.http.body_timeout_ms,
                 "ms for a request body to arrive, or an answer to be taken (then 408 / close); 0: none")
      ->capture_default_str();
  cli.add_option("--defer-accept", f.http.defer_accept_s,
                 "Seconds the kernel holds a new connection until its first bytes come (TCP_DEFER_ACCEPT); "
                 "0: accept at once")
      ->check(CLI::Range(0u, 3600u))
      ->capture_default_str();
  cli.add_option("--max-connections", f.http.max_connections,
                 "Client connections open at once, then 503; 0: the file descriptor limit minus a reserve")
      ->capture_default_str();
  cli.add_option("--trust-proxy", f.http.trust_proxy,
                 "Proxies in front whose X-Forwarded-For is believed (0: the header is ignored)")
      ->capture_default_str();
  cli.add_option("--max-connections-per-ip", f.engine.max_connections_per_ip,
                 "Sessions one client address may have open (then 429); 0: no limit")
      ->capture_default_str();
  cli.add_option("--connection-rate-per-ip", f.engine.connection_rate_per_ip,
                 "Handshakes per second per client address, a token bucket (then 429); 0: no limit")
      ->capture_default_str();
  cli.add_option("--connection-rate-burst", f.engine.connection_rate_burst,
                 "Handshakes an address may make at once (the bucket's size); 0: the rate, at least 1")
      ->capture_default_str();
}

int parse_server_flags(CLI::App& cli, ServerFlags& flags, int argc, char** argv) {
  try {
    cli.parse(argc, argv);
    finish_server_flags(flags);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  return -1;
}

void finish_server_flags(ServerFlags& f) {
  auto transports = split_commas(f.transports);
  f.engine.allow_polling = false;
  f.engine.allow_websocket = false;
  for (const auto& t : transports) {
    if (t == "polling") f.engine.allow_polling = true;
    else if (t == "websocket") f.engine.allow_websocket = true;
    else throw CLI::ValidationError("--transports", "unknown transport '" + t + "' (accepted: polling, websocket)");
  }
  if (transports.empty()) throw CLI::ValidationError("--transports", "at least one of polling, websocket");
  f.engine.cors.origins = split_commas(f.cors_origins);
  if (f.engine.ping_interval_ms == 0 || f.engine.ping_timeout_ms == 0)
    throw CLI::ValidationError("--ping-interval/--ping-timeout", "must be greater than 0");
  if (f.http.max_header_bytes < 1024) throw CLI::ValidationError("--max-header-size", "must be at least 1024 bytes");
  if (!(f.engine.connection_rate_per_ip >= 0))
    throw CLI::ValidationError("--connection-rate-per-ip", "must be 0 (off) or a positive number");
}

}  // namespace app
