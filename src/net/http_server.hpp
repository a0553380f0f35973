#pragma once
// The HTTP/1.1 server. Each shard accepts on its own listener (one port,
// SO_REUSEPORT) and runs the connections it accepted. Requests go to the
// handler whose path prefix matches; WebSocket upgrades are handed over
// through HttpExchange::accept_websocket.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/http_types.hpp"
#include "net/shard_pool.hpp"

namespace net {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;
  // From the start of a request (a new connection, or the first byte after
  // a keep-alive pause) to the end of its header block; past it the client
  // gets 408 and is closed. A slowloris client trickling a byte a second
  // holds its connection this long and no longer. An honest client sends its
  // few hundred bytes of header in one packet: 10 s leaves room for three
  // TCP retransmissions. Node: headersTimeout 60 s.
  std::uint32_t header_timeout_ms = 10'000;
  // The largest header block (request line and fields); past it, 431 and
  // close. Node: maxHeaderSize 16 KiB.
  std::size_t max_header_bytes = 16 * 1024;
  // How long a keep-alive connection may sit between an answer and the next
  // request. Node: keepAliveTimeout 5 s.
  std::uint32_t keep_alive_timeout_ms = 5'000;
  // To read a request body once its header is in, and to write an answer;
  // past it, 408 (for a body) and close. 30 s carries the largest body the
  // Engine.IO endpoint takes (1 MB) at 300 kbit/s. Node: requestTimeout
  // 300 s, for the whole request.
  std::uint32_t body_timeout_ms = 30'000;
  // Client connections (HTTP and WebSocket) open at once; past it a new
  // connection is answered 503 and closed. 0: the file descriptor limit
  // (RLIMIT_NOFILE) minus a reserve for the server's own descriptors.
  std::size_t max_connections = 0;
  // Proxies in front of the server whose X-Forwarded-For is believed (see
  // forwarded_client); 0 ignores the header, so nobody can spoof an address.
  unsigned trust_proxy = 0;
  // A new connection reaches the server with its first bytes, not at the
  // end of its TCP handshake (TCP_DEFER_ACCEPT): one wake-up less per
  // client, which speaks first in HTTP anyway. A client that connects and
  // says nothing is held by the kernel meanwhile (no descriptor, no
  // connection slot) for about this many seconds (the kernel rounds up to
  // its SYN-ACK retransmissions: 1, 3, 7, 15 s ...), then handed over, and
  // the header timeout runs. 0: off, every connection is accepted at its
  // handshake. A connection whose bytes are still on the way when the
  // listener closes is reset: the shutdown closes listeners after its drain.
  std::uint32_t defer_accept_s = 10;
};

class HttpServer {
 public:
  HttpServer(ShardPool& shards, HttpServerOptions options);
  ~HttpServer();

  // Routes requests whose path starts with `prefix` (first added, first
  // matched). Bodies over `max_body_bytes` are answered 413 with
  // `too_large_body` (JSON when not empty) and the connection is closed.
  void route(std::string prefix, std::size_t max_body_bytes, HttpHandler handler, std::string too_large_body = {});

  // Binds and starts accepting. Throws std::system_error when the address
  // cannot be bound.
  void listen();
  // Stops accepting; open connections stay.
  void stop_accepting();
  std::uint16_t bound_port() const;
  const std::string& host() const;
  // max_connections as it applies once listening (the derived default).
  std::size_t max_connections() const;

  struct Route {
    std::string prefix;
    std::size_t max_body_bytes;
    HttpHandler handler;
    std::string too_large_body;
  };

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace net
