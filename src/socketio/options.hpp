#pragma once
// Settings of the Socket.IO server. Defaults are Node socket.io 4.8's unless
// a comment says why not.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapter/adapter.hpp"
#include "net/shard_pool.hpp"

#include "engine/options.hpp"

namespace socketio {

struct RecoveryOptions {
  // How long a disconnected socket's id, rooms, data and missed packets are
  // kept for it to come back. Node: 2 minutes.
  std::uint32_t max_disconnection_duration_ms = 120'000;
  // A recovered socket skips the namespace middlewares. Node: true.
  bool skip_middlewares = true;
};

struct ServerOptions {
  ServerOptions() { engine.path = "/socket.io/"; }

  engine::ServerOptions engine;
  // A client that has not joined a namespace by then is closed. Node: 45 s.
  std::uint32_t connect_timeout_ms = 45'000;
  // Emits with an ack that give no timeout of their own fail after this long
  // (0: wait forever, as Node does). A finite default keeps a client that
  // never answers from holding callbacks for the life of its connection.
  std::uint32_t default_ack_timeout_ms = 30'000;
  // Binary attachments one packet may carry (socket.io-parser: 10).
  std::size_t max_attachments = 10;
  // Connection state recovery; off unless set, as in Node.
  std::optional<RecoveryOptions> connection_state_recovery;
  // Makes each namespace's adapter (Node's `adapter` option); empty: the
  // memory adapter. A cluster adapter such as adapter::redis::Cluster's.
  std::function<std::unique_ptr<adapter::Adapter>(const std::string& nsp, net::ShardPool& pool)> adapter_factory;
};

}  // namespace socketio
