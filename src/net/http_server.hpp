#pragma once
// The HTTP/1.1 listener. One acceptor hands connections to the shards in
// turn; each connection then lives on its shard. Requests go to the handler
// whose path prefix matches; WebSocket upgrades are handed over through
// HttpExchange::accept_websocket.

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
  // A client that sends no complete request header within this time is
  // dropped; keeps idle keep-alive connections from piling up.
  std::uint32_t request_timeout_ms = 60'000;
  std::size_t max_header_bytes = 16 * 1024;
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
