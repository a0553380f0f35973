#pragma once
// The Engine.IO v4 server: handshakes, long-polling, WebSocket and the
// upgrade between them. Usable on its own, as Node's `engine.io` package is,
// and the transport under the Socket.IO layer.

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "engine/options.hpp"
#include "engine/session.hpp"
#include "net/http_server.hpp"
#include "net/shard_pool.hpp"

namespace engine {

struct ServerState;

class Server {
 public:
  Server(net::ShardPool& shards, ServerOptions options);
  ~Server();

  // Serves options.path on `http`. Call before http.listen().
  void attach(net::HttpServer& http);
  // Called on the session's shard for every new session, before any of its
  // messages. Set before the server starts accepting.
  void on_connection(std::function<void(std::shared_ptr<Session>)> handler);

  // Handles one request for options.path (attach() routes here).
  void handle(std::shared_ptr<net::HttpExchange> exchange);

  // For a shutdown: closes every session with `reason`, and from now on
  // refuses new ones (503), so that the drain ends while the listeners
  // still take the closing sessions' last requests; any thread.
  void drain(std::string_view reason = "server shutting down");
  std::size_t session_count() const;
  const ServerOptions& options() const;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace engine
