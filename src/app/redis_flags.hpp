#pragma once
// The Redis adapter's settings (docs/cluster.md), shared by the daemon and the
// test server: flags with their environment names as seed 001 and Node's
// @socket.io/redis-adapter name them, checked into ClusterOptions.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "adapter/redis/cluster.hpp"

namespace app {

struct RedisFlags {
  std::string url;  // REDIS_URL: redis://[user:password@]host:port[/db]; wins over the parts
  std::string host = "localhost";
  std::uint16_t port = 6379;
  std::string username;
  std::string password;
  int db = 0;
  std::string key = "socket.io";
  std::uint32_t requests_timeout_ms = 5000;
  std::string mode = "classic";
  std::string subscription_mode = "dynamic";
};

// Adds --redis-url, --redis-host, ... with their environment names (REDIS_URL, ...).
void add_redis_flags(CLI::App& cli, RedisFlags& flags);

// The adapter's options; throws CLI::ValidationError naming the setting when
// one is wrong (a URL asking for TLS, Sentinel or Cluster among them).
adapter::redis::ClusterOptions cluster_options(const RedisFlags& flags);

// A cluster adapter speaking @socket.io/redis-adapter's wire format,
// delivering through the Socket.IO layer's encoder.
std::unique_ptr<adapter::redis::Cluster> make_cluster(adapter::redis::ClusterOptions options);

}  // namespace app
