#pragma once
// Internal to adapter/redis/: the Redis thread and its two connections, and
// the routing of received messages to the namespace members.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "adapter/redis/cluster.hpp"
#include "redis/connection.hpp"

namespace adapter::redis {

class Member;

struct Cluster::Core : std::enable_shared_from_this<Cluster::Core> {
  Core(ClusterOptions o, PacketEncoder e);
  ~Core();

  void start();
  void stop();

  // Any thread. Fire and forget: a failure is counted and logged once per outage.
  void publish(std::string channel, std::string payload);
  // On the Redis thread: the servers subscribed to `request_channel` (this
  // one included), or 0 when Redis cannot say.
  void server_count(const std::string& request_channel, std::function<void(std::size_t)> done);

  // On the Redis thread: subscribe a namespace's member, or let it go.
  void attach(const std::shared_ptr<Member>& member);
  void detach(const std::shared_ptr<Member>& member);
  // Sharded dynamic modes, on the Redis thread: a room's own channel.
  void subscribe_room(const std::shared_ptr<Member>& member, const std::string& channel);
  void unsubscribe_room(const std::string& channel);
  bool sharded() const { return options.protocol == Protocol::sharded; }

  void on_message(std::string_view pattern, std::string_view channel, std::string_view payload);
  void on_state_change();

  ClusterOptions options;
  PacketEncoder encoder;
  ClusterCounters counters;

  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::thread thread;
  std::unique_ptr<::redis::Connection> pub;
  std::unique_ptr<::redis::Connection> sub;

  // Read from any thread (health), written on the Redis thread.
  std::atomic<bool> ready{false};
  std::atomic<int> state{0};  // 0 connecting, 1 ready, 2 down
  mutable std::mutex error_mutex;
  std::string last_error;
  bool publish_failing = false;  // Redis thread: log a failed publish once per outage

  // Redis thread only: members by the pattern and channels they subscribed.
  std::unordered_map<std::string, std::shared_ptr<Member>> by_pattern;
  std::unordered_map<std::string, std::shared_ptr<Member>> by_channel;
};

}  // namespace adapter::redis
