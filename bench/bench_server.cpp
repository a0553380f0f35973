// The Switchboard side of the benchmarks. Its twin, bench/node_server.js,
// has the same handlers on Node socket.io:
//   "join" (room, ack)          joins the room, then acks
//   "burst" (room, count, ts)   emits count x "msg" [i, ts] to the room in one turn
//   "echo" (payload, ack)       acks with the payload
// With --redis-url it is a node of a cluster over that Redis (the classic
// protocol of @socket.io/redis-adapter, docs/cluster.md), for the cross-node
// scenarios. Prints "bench-server listening on HOST:PORT" and runs until SIGTERM.

#include <cstdio>

#include "app/engine_flags.hpp"
#include "app/redis_flags.hpp"
#include "app/run.hpp"
#include "socketio/server.hpp"

using socketio::Ack;
using socketio::Args;

int main(int argc, char** argv) {
  CLI::App cli{"Switchboard benchmark server"};
  app::ServerFlags flags;
  flags.http.port = 3100;
  flags.engine.path = "/socket.io/";
  add_server_flags(cli, flags);
  // Only the URL, without the REDIS_* environment: a REDIS_URL left in the
  // shell must not turn a single-node run into a cluster node.
  app::RedisFlags redis;
  cli.add_option("--redis-url", redis.url, "cluster node over this Redis: redis://host:port");
  if (int code = app::parse_server_flags(cli, flags, argc, argv); code >= 0) return code;
  net::ShardPool shards(flags.threads);
  net::HttpServer http(shards, flags.http);
  socketio::ServerOptions options;
  options.engine = flags.engine;
  // Before the Socket.IO server (its namespaces hold members of the cluster).
  std::unique_ptr<adapter::redis::Cluster> cluster;
  if (!redis.url.empty()) {
    cluster = app::make_cluster(app::cluster_options(redis));
    options.adapter_factory = cluster->factory();
  }
  socketio::Server io(shards, options);
  io.on_connection([&io](const socketio::SocketPtr& socket) {
    std::weak_ptr<socketio::Socket> weak = socket;
    socket->on("join", [weak](Args& args, Ack ack) {
      if (auto s = weak.lock(); s && args.size() && args[0].is_string()) s->join(std::string(args[0].as_string()));
      ack();
    });
    socket->on("burst", [&io](Args& args, Ack) {
      if (args.size() < 3 || !args[0].is_string() || !args[1].is_number()) return;
      auto op = io.to(std::string(args[0].as_string()));
      auto count = args[1].to_number<std::int64_t>();
      for (std::int64_t i = 0; i < count; ++i) op.emit("msg", Args::of(i, args[2]));
    });
    socket->on("echo", [](Args& args, Ack ack) { ack(args); });
  });
  io.attach(http);
  int code = app::listen_and_run("bench-server", shards, http, io.engine());
  if (cluster) cluster->stop();
  return code;
}
