#pragma once
// Internal to socketio/: what the server, its namespaces, clients and sockets share.

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/server.hpp"
#include "net/fifo_timer.hpp"
#include "net/shard_pool.hpp"
#include "socketio/namespace.hpp"
#include "socketio/options.hpp"
#include "socketio/recovery.hpp"

namespace socketio {

struct ServerCore {
  ServerCore(net::ShardPool& p, ServerOptions o);

  // The namespace a CONNECT names: an existing one, a new child of a
  // matching dynamic parent, or null (unknown namespace). Any thread.
  std::shared_ptr<Namespace> find_namespace(const std::string& name, const boost::json::object& auth);
  std::shared_ptr<Namespace> get_or_create(const std::string& name);

  // The shard's timer for connect timeouts; call on that shard.
  net::FifoTimer& connect_timer(std::size_t shard);

  net::ShardPool& pool;
  const ServerOptions options;
  engine::Server engine;
  std::unique_ptr<RecoveryStore> recovery;  // null when recovery is off

  struct Parent {
    std::function<bool(const std::string&, const boost::json::object&)> matches;
    std::shared_ptr<Namespace> prototype;  // holds the handlers children copy
  };
  std::shared_mutex mutex;  // namespaces and parents; taken on CONNECT only
  std::unordered_map<std::string, std::shared_ptr<Namespace>> namespaces;
  std::vector<Parent> parents;

 private:
  std::vector<net::FifoTimer*> connect_timers_;  // by shard, set on first use
};

}  // namespace socketio
