#pragma once
// The Redis adapter (DESIGN.md): Switchboard nodes and Node.js Socket.IO
// nodes with @socket.io/redis-adapter 8.3 in one cluster, over one Redis, in
// the classic protocol (wire.hpp), and @socket.io/redis-emitter 5.1 emitting
// into it.
//
// One Cluster per process: its own thread and io_context, two Redis
// connections (one publishes and asks PUBSUB NUMSUB, one is subscribed), and
// one member per namespace. Shard threads never wait for Redis: a broadcast
// is delivered locally at once, encoded on the calling shard and handed to
// the Redis thread, where every publish of one loop turn leaves in one write.
// A message from Redis is decoded once on the Redis thread and delivered by
// every shard through the memory adapter's encode-once path.
//
// Delivery between nodes is at most once, as in Node: what is published
// while Redis is down is lost (counted and logged), and nothing is replayed.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapter/adapter.hpp"
#include "net/shard_pool.hpp"
#include "redis/config.hpp"

namespace adapter::redis {

// createAdapter (PUBLISH, PSUBSCRIBE) or createShardedAdapter (SPUBLISH,
// SSUBSCRIBE; Redis 7). A cluster uses one of them.
enum class Protocol { classic, sharded };
// Sharded only: which room channels a node subscribes to. static: none (every
// message on the namespace's channel); dynamic: the public rooms it has
// members in; dynamic_private: every room, sockets' own rooms included.
enum class SubscriptionMode { static_, dynamic, dynamic_private };

struct ClusterOptions {
  ::redis::Config redis;
  Protocol protocol = Protocol::classic;
  SubscriptionMode subscription_mode = SubscriptionMode::dynamic;  // Node's default
  // Channel prefix: Node's `key` option.
  std::string key = "socket.io";
  // allRooms, fetchSockets and serverSideEmit with ack answer with what
  // arrived by then. Node's requestsTimeout: 5 s.
  std::chrono::milliseconds requests_timeout{5000};
  // Answers go to the requester's own channel instead of the shared one
  // (Node's publishOnSpecificResponseChannel). Off, as in Node: a Node
  // requester listens on both.
  bool publish_on_specific_response_channel = false;
};

// Builds the packet a remote broadcast is delivered as, for namespace `nsp`:
// `data` is [event, ...args] with binary as placeholders into `buffers`. The
// Socket.IO layer above gives it (socketio::encode_event).
using PacketEncoder = std::function<PacketPtr(const std::string& nsp, boost::json::array data,
                                              std::vector<std::string> buffers, std::optional<std::uint64_t> ack_id)>;

// Counters for /stats and metrics; read from any thread.
struct ClusterCounters {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_failures{0};  // Redis down, or the publish got no reply
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> decode_errors{0};     // malformed messages, dropped
  std::atomic<std::uint64_t> request_timeouts{0};  // cluster queries answered partially
};

class Cluster {
 public:
  Cluster(ClusterOptions options, PacketEncoder encoder);
  // stop().
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // For socketio::ServerOptions::adapter_factory: one member per namespace.
  std::function<std::unique_ptr<Adapter>(const std::string& nsp, net::ShardPool& pool)> factory();

  // Both connections up and subscribed: this node can reach the others.
  bool ready() const;
  // "connecting", "ready" or "down", for /health.
  std::string state() const;
  // The last connection error, for logs and /health ("" if none).
  std::string last_error() const;
  const ClusterCounters& counters() const;
  const ClusterOptions& options() const;

  // Closes the connections and joins the Redis thread. Call before the shard
  // pool goes away. Idempotent.
  void stop();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace adapter::redis
