#pragma once
// Internal to engine/: what the server and its sessions share.

#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ip_limits.hpp"
#include "engine/options.hpp"
#include "engine/sid.hpp"
#include "net/fifo_timer.hpp"
#include "net/shard_pool.hpp"

namespace engine {

class SessionImpl;
class Session;

// The open packet's JSON after the sid: `","upgrades":[…],"pingInterval":…}`
// (session.cpp).
std::string open_packet_tail(const ServerOptions& options, bool upgrades);

struct ServerState {
  ServerState(net::ShardPool& p, ServerOptions o)
      : pool(p),
        options(std::move(o)),
        open_tail(open_packet_tail(options, false)),
        open_tail_with_upgrade(open_packet_tail(options, true)),
        shards(p.size()) {
    IpLimitOptions limits{options.max_connections_per_ip, options.connection_rate_per_ip,
                          options.connection_rate_burst};
    if (limits.enabled()) ip_limits = std::make_unique<IpLimits>(limits);
  }

  net::ShardPool& pool;
  const ServerOptions options;
  // What every open packet says after its sid, without and with "websocket"
  // among the upgrades: written once, not per connection.
  const std::string open_tail, open_tail_with_upgrade;
  std::function<void(std::shared_ptr<Session>)> on_connection;
  std::atomic<std::size_t> session_count{0};
  std::atomic<bool> draining{false};    // drain(): no new session
  std::unique_ptr<IpLimits> ip_limits;  // null when no per-address limit is set

  // Each shard's sessions, touched only on that shard's thread: no lock.
  struct Shard {
    // Keyed by a view of the session's own id: no second copy of the string.
    // Open addressing: 32 bytes a slot instead of a 64-byte node per session.
    boost::unordered_flat_map<std::string_view, std::shared_ptr<SessionImpl>, IdHash> sessions;
    // The heartbeat timers every session of the shard shares; set by the
    // shard's first session.
    net::FifoTimer* ping_interval_timer = nullptr;
    net::FifoTimer* ping_timeout_timer = nullptr;
  };
  std::vector<Shard> shards;
};

}  // namespace engine
