#pragma once
// Settings of the Engine.IO server. Defaults are Node engine.io 6's, so an
// unchanged client behaves the same against either server.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/cors.hpp"
#include "net/http_types.hpp"

namespace engine {

struct ServerOptions {
  // URL prefix; clients always send "<path>?EIO=4&...". Socket.IO uses /socket.io/.
  std::string path = "/engine.io/";
  // The server pings this often; a client that does not pong within
  // ping_timeout is closed ("ping timeout"). Node: 25 s and 20 s.
  std::uint32_t ping_interval_ms = 25'000;
  std::uint32_t ping_timeout_ms = 20'000;
  // A WebSocket upgrade that does not complete within this time is dropped
  // and the session stays on polling. Node: 10 s.
  std::uint32_t upgrade_timeout_ms = 10'000;
  // Largest POST body and largest WebSocket message, advertised to clients as
  // maxPayload. Over it: HTTP 413, or WebSocket close 1009. Node: 1e6.
  std::size_t max_http_buffer_size = 1'000'000;
  bool allow_polling = true;
  bool allow_websocket = true;
  // Offer the polling -> WebSocket upgrade in the handshake.
  bool allow_upgrades = true;
  // permessage-deflate on WebSocket; off by default, as in engine.io 6.
  bool per_message_deflate = false;
  CorsOptions cors;
  // Bytes a session may have queued for a client that does not read. Past it
  // the session is closed ("transport error"): a slow reader must not grow
  // memory without bound. Node has no bound.
  std::size_t max_buffered_bytes = 16 * 1024 * 1024;
  // A server-side close over polling waits this long for the client's next
  // GET to deliver the close packet. Node: 30 s.
  std::uint32_t close_timeout_ms = 30'000;
  // Per client address (net::HttpRequest::client_address; IPv6 counts by
  // its /64): the sessions it may have open at once, and the handshakes it
  // may make per second, a token bucket of connection_rate_burst (0: the
  // rate, at least 1). A handshake over either gets 429 with a JSON body
  // before any session exists. Off (0) by default: many honest clients can
  // share one address (an office behind NAT, a mobile carrier), and after a
  // restart every client of a node reconnects within seconds. Node has none.
  std::uint32_t max_connections_per_ip = 0;
  double connection_rate_per_ip = 0;
  std::uint32_t connection_rate_burst = 0;
  // Called for every handshake; return a message to refuse it with 403
  // {"code":4,"message":<message>}. Runs on the connection's shard.
  std::function<std::optional<std::string>(const net::HttpRequest&)> allow_request;
};

}  // namespace engine
