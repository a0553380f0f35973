#pragma once
// Presence for a whole cluster (WS_ADAPTER=redis), kept in Redis: which
// users have sockets on which node, so that a user's user:status online and
// offline go out once for the cluster (first tab anywhere, last tab
// anywhere), and /user-status and /connected-users answer for every node.
//
// Keys, under the cluster's prefix (REDIS_KEY):
//   <key>:presence:user:<id>        hash node id -> sockets of that user there
//   <key>:presence:users            set of the users online anywhere
//   <key>:presence:node-users:<n>   set of the users with sockets on node n
//   <key>:presence:nodes            set of the node ids
//   <key>:presence:node:<n>         "alive", with a TTL each node refreshes
//   <key>:presence:stats:<n>        node n's figures (JSON), same TTL
// A node that dies without saying goodbye stops refreshing its key; within
// a TTL plus one sweep, another node takes its users out (once: a SET NX
// lock) and announces those who are then offline everywhere.
//
// Each change is one Lua script, so two nodes never both see "first". With
// Redis unreachable, the callbacks get what this node alone knows.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/config.hpp"

namespace service {

class ClusterPresence {
 public:
  struct Options {
    redis::Config redis;
    std::string key = "socket.io";
    // A dead node's users are offline elsewhere within ttl + ttl / 3.
    std::chrono::seconds ttl{30};
  };

  explicit ClusterPresence(Options options);
  ~ClusterPresence();  // stop()
  ClusterPresence(const ClusterPresence&) = delete;
  ClusterPresence& operator=(const ClusterPresence&) = delete;

  // One socket of `user` opened / closed on this node. `done` (on the
  // presence thread) says whether it was the user's first / last socket in
  // the cluster; `alone` is the answer to give when Redis cannot say.
  void socket_opened(const std::string& user, bool alone, std::function<void(bool first)> done);
  void socket_closed(const std::string& user, bool alone, std::function<void(bool last)> done);

  // The user's sockets in the cluster; nullopt-like `ok == false` when Redis cannot say.
  void user_sockets(const std::string& user, std::function<void(bool ok, long long sockets)> done);
  void online_users(std::function<void(bool ok, std::vector<std::string> users)> done);

  // Users who went offline because their node died (called on the presence thread).
  void on_user_lost(std::function<void(const std::string& user)> handler);

  // This node's figures as a JSON object, written with every refresh of its
  // key (called on the presence thread).
  void on_stats_report(std::function<std::string()> report);
  // Every living node's last report (this node's taken now) and the users
  // online anywhere; `ok == false` when Redis cannot say.
  void cluster_stats(std::function<void(bool ok, std::vector<std::string> node_reports, long long users)> done);

  const std::string& node_id() const;
  void stop();

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace service
