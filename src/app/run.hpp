#pragma once
// Runs a server until SIGINT or SIGTERM, then shuts down in two phases:
// close every session ("server shutting down", so that clients reconnect
// elsewhere) and refuse new ones, wait at most `grace` for the goodbyes to be
// delivered (the listeners stay open for them), then stop accepting and stop
// the loops. A second signal during the wait exits at once.

#include <chrono>
#include <functional>

#include "engine/server.hpp"
#include "net/http_server.hpp"
#include "net/shard_pool.hpp"

namespace app {

struct RunOptions {
  std::chrono::milliseconds grace{1000};
  std::function<void()> on_started;   // once the shards run (e.g. a consumer that emits)
  std::function<void()> on_draining;  // first thing after the signal (e.g. /ready turns 503)
};

// Listens, prints "<name> listening on <host>:<port><path> with N shard(s)"
// (tests read the port from it), and runs until a signal. Returns the exit
// code: 0, or 1 when the address cannot be bound.
int listen_and_run(const char* name, net::ShardPool& shards, net::HttpServer& http, engine::Server& engine,
                   RunOptions options = {});

// The shutdown's first phase: closes every session ("server shutting down")
// and refuses new ones, waits at most `grace` for them to be gone while the
// listeners still take their last requests, then stops accepting.
void drain(net::HttpServer& http, engine::Server& engine, std::chrono::milliseconds grace);

// Blocks until a signal arrives and the shutdown is done.
void run_until_signal(net::ShardPool& shards, net::HttpServer& http, engine::Server& engine, RunOptions options = {});

}  // namespace app
