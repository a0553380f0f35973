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
}

}  // namespace app
