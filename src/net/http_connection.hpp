#pragma once
// Internal to net/: what the HTTP connections of all shards share, and the
// connection that speaks HTTP/1.1 through Beast once a socket is Asio's.
// A new connection starts on its shard's poller (first_request.hpp); one
// whose first request is not a plain WebSocket upgrade comes here.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/fifo_timer.hpp"
#include "net/http_server.hpp"

namespace net {

// What the connections of all shards share. Routes are added before
// listen(); each shard fills its own timers slot, on its own thread.
struct HttpShared {
  HttpShared(HttpServerOptions o, std::size_t shard_count) : options(std::move(o)), timers(shard_count) {}

  // One FIFO timer per timeout and shard (DESIGN.md: no timer per
  // connection); null for a timeout set to 0 (none).
  struct Timers {
    bool ready = false;
    FifoTimer* header = nullptr;
    FifoTimer* body = nullptr;
    FifoTimer* keep_alive = nullptr;
    FifoTimer* linger = nullptr;
  };
  Timers& timers_of(std::size_t shard, boost::asio::io_context& context);

  const HttpServerOptions options;
  std::size_t max_connections = 0;  // set by listen()
  std::vector<HttpServer::Route> routes;
  std::vector<Timers> timers;
};

// The route whose prefix `path` starts with, or null.
const HttpServer::Route* find_route(const std::vector<HttpServer::Route>& routes, std::string_view path);

// Written straight to the socket, never queued: answers that must not wait
// for a client that does not read.
void send_now(int fd, std::string_view text);

// Runs an HTTP connection on `socket` (of shard `shard`'s io_context, on its
// thread). It adopts the connection's count (CountedConnection). `read` is
// what was read from the socket already: the start of the first request.
void start_http_connection(boost::asio::ip::tcp::socket socket, std::size_t shard, ShardPool& shards,
                           std::shared_ptr<HttpShared> shared, std::string remote_address, std::string_view read);

}  // namespace net
