#pragma once
// Internal to adapter/redis/: this node's part of one namespace's cluster.
// The local half is a MemoryAdapter (this process's shards); the rest is
// Node's cluster protocol: publish what other nodes must apply, answer their
// requests, gather their answers to ours. The logic is written once, in the
// classic protocol's terms; in sharded mode publish_request, publish_answer
// and on_sharded translate to and from the sharded envelope.
//
// Threading: the Adapter methods run on any thread (shards, mostly) and
// post their Redis half to the Redis thread; everything under "Redis
// thread" below (pending requests, incoming messages) runs only there.

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>

#include "adapter/memory_adapter.hpp"
#include "adapter/redis/cluster_core.hpp"
#include "adapter/redis/wire.hpp"

namespace adapter::redis {

class Member : public std::enable_shared_from_this<Member> {
 public:
  Member(std::shared_ptr<Cluster::Core> cluster, std::string nsp, net::ShardPool& pool);

  const Channels& channels() const { return channels_; }
  MemoryAdapter& local() { return local_; }

  // ---- from Adapter, any thread ----
  void broadcast(PacketPtr packet, Target target, BroadcastFlags flags);
  void broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                          std::shared_ptr<AckCollector> collector);
  void fetch_sockets(Target target, std::function<void(std::vector<boost::json::object>)> done);
  void apply_remotely(RequestType type, const Target& target, std::vector<std::string> rooms, bool close);
  void all_rooms(std::function<void(std::vector<std::string>)> done);
  void server_side_emit(boost::json::array data, std::vector<std::string> buffers, Adapter::ServerSideDone done);
  void set_server_side_handler(Adapter::ServerSideHandler handler) { server_side_handler_ = std::move(handler); }

  // The channels this member subscribes to: classic PSUBSCRIBE pattern and
  // SUBSCRIBE channels, or sharded SSUBSCRIBE channels.
  bool sharded() const { return cluster_->options.protocol == Protocol::sharded; }
  std::string sharded_channel() const { return channels_.broadcast; }            // key#nsp#
  std::string sharded_own_channel() const { return channels_.broadcast + uid_ + "#"; }  // key#nsp#uid#

  // ---- Redis thread ----
  void on_broadcast(std::string_view channel, std::string_view payload);
  void on_request(std::string_view payload);
  void on_response(std::string_view payload);
  void on_sharded(std::string_view payload);

 private:
  struct Pending;

  bool decoded(const std::optional<Message>& message, const std::string& error);
  void handle_request(Message& message);
  void handle_response(Message& message);
  void deliver(boost::json::array data, std::vector<std::string> buffers, Target target, BroadcastFlags flags);
  // A request of `type` (classic numbering) with `body`; uid and type are added.
  void publish_request(RequestType type, boost::json::object body, const std::vector<std::string>& buffers);
  // An answer to `requester`: `type` is the classic response type (none for
  // the answers to fetchSockets, allRooms and sockets).
  void publish_answer(const std::string& requester, std::optional<RequestType> type, boost::json::object body,
                      const std::vector<std::string>& buffers);
  // publish_answer from any thread.
  void post_answer(std::string requester, std::optional<RequestType> type, boost::json::object body,
                   std::vector<std::string> buffers = {});
  // Where PUBSUB (SHARD)NUMSUB counts the servers of this namespace.
  std::string count_channel() const;
  void watch_rooms();
  void relay_broadcast_with_ack(Message& request);
  // Sends `request` after counting the servers, and calls `finish` with
  // what came back once the others answered or the timeout passed.
  void ask(RequestType type, boost::json::object request, std::shared_ptr<Pending> pending);
  void complete(const std::string& request_id, bool timed_out);

  std::shared_ptr<Cluster::Core> cluster_;
  std::string nsp_;
  std::string uid_;
  Channels channels_;
  MemoryAdapter local_;
  Adapter::ServerSideHandler server_side_handler_;
  // Ack ids for other nodes' broadcasts with ack, apart from the namespace's
  // own (which count from 0): a client only echoes the id.
  std::atomic<std::uint64_t> next_ack_id_{std::uint64_t(1) << 48};

  // Redis thread.
  std::unordered_map<std::string, std::shared_ptr<Pending>> pending_;
  std::unordered_map<std::string, std::size_t> room_shards_;  // dynamic modes: shards with members, by room
};

}  // namespace adapter::redis
