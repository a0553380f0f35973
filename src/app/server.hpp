#pragma once
// switchboard::Server: a Socket.IO server that owns its threads and listener,
// for programs that embed Switchboard. What `io` is in Node:
//
//   switchboard::Server io({.port = 3000});
//   io.on_connection([](const switchboard::SocketPtr& socket) { ... });
//   io.run();  // until SIGINT / SIGTERM

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapter/redis/cluster.hpp"
#include "net/http_server.hpp"
#include "net/shard_pool.hpp"
#include "service/cluster_presence.hpp"
#include "socketio/server.hpp"

namespace switchboard {

struct Options {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;  // 0 picks a free port (see bound_port())
  std::size_t threads = 0;    // shards; 0: one per core
  socketio::ServerOptions io;
  // Set: a node of a cluster over this Redis, wire-compatible with
  // @socket.io/redis-adapter (docs/cluster.md). Unset: one node.
  std::optional<adapter::redis::ClusterOptions> redis;
  // With redis: a node that dies without a goodbye has its users offline
  // on the others within this (cluster_presence()).
  std::chrono::seconds presence_ttl{30};
};

// Options from "--host H", "--port N", "--threads N", "--redis-url URL" and
// "--presence-ttl SECONDS" in argv (the examples and test fixtures take just these); other arguments
// are ignored. Throws std::invalid_argument for a URL it cannot use.
Options parse_options(int argc, char** argv);

class Server {
 public:
  explicit Server(Options options = {});
  ~Server();

  socketio::Server& io() { return *io_; }
  // The cluster this node is part of, or null.
  adapter::redis::Cluster* cluster() { return cluster_.get(); }
  // The cluster's presence for a RealtimeService (use_cluster_presence), or
  // null on one node. Made on first use; stopped by close().
  std::shared_ptr<service::ClusterPresence> cluster_presence();
  socketio::Namespace& of(const std::string& name) { return io_->of(name); }
  Server& on_connection(socketio::ConnectionHandler handler) {
    io_->on_connection(std::move(handler));
    return *this;
  }
  Server& use(socketio::Middleware middleware) {
    io_->use(std::move(middleware));
    return *this;
  }
  socketio::BroadcastOperator to(std::string room) { return io_->to(std::move(room)); }
  socketio::BroadcastOperator in(std::string room) { return io_->in(std::move(room)); }
  socketio::BroadcastOperator except(std::string room) { return io_->except(std::move(room)); }
  bool emit(std::string event, socketio::Args args = {}) { return io_->emit(std::move(event), std::move(args)); }

  // Binds the listening socket. Throws std::system_error when the address
  // cannot be bound.
  void listen();
  std::uint16_t bound_port() const { return http_->bound_port(); }
  // listen(), then start the shard threads; returns at once.
  void start();
  // listen(), then serve until SIGINT or SIGTERM and shut down gracefully.
  void run();
  // Stops: no new connections, every client disconnected, threads joined.
  void close();

 private:
  Options options_;
  std::unique_ptr<net::ShardPool> shards_;
  std::unique_ptr<net::HttpServer> http_;
  // After the shards (stopped before they go), before the namespaces that hold its members.
  std::unique_ptr<adapter::redis::Cluster> cluster_;
  std::shared_ptr<service::ClusterPresence> presence_;
  std::unique_ptr<socketio::Server> io_;
  bool listening_ = false;
};

}  // namespace switchboard
