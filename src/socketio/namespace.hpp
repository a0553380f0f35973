#pragma once
// A namespace ("/", "/chat", ...) and the broadcast operators on it
// (io.to("room").except("x").emit(...)). Set middlewares and handlers before
// the server starts; emitting and the server-wide utilities are thread-safe.

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/args.hpp"
#include "socketio/socket.hpp"

namespace socketio {

struct ServerCore;

// What a namespace middleware refuses a connection with: the client gets
// CONNECT_ERROR {"message": message, "data": data} (data omitted when null).
struct ConnectError {
  std::string message;
  boost::json::value data;
  // Why, for the refusal counters of /metrics (never sent to the client).
  enum class Cause : std::uint8_t { middleware, auth, user_connections } cause = Cause::middleware;
};

using Next = std::function<void(std::optional<ConnectError> error)>;
using Middleware = std::function<void(const SocketPtr& socket, Next next)>;
using ConnectionHandler = std::function<void(const SocketPtr& socket)>;
// Every answer of a broadcast with ack; `error` is set on timeout, with the
// answers that came in time.
using BroadcastAckCallback = std::function<void(AckError error, std::vector<Args> responses)>;

// A socket found by fetch_sockets, possibly on another shard (or node).
struct RemoteSocket {
  std::string id;
  boost::json::object handshake;
  std::vector<std::string> rooms;
  boost::json::value data;
  std::shared_ptr<Namespace> nsp;

  void emit(std::string event, Args args = {}) const;
  void join(std::string room) const;
  void leave(std::string room) const;
  void disconnect(bool close = false) const;
};

class BroadcastOperator {
 public:
  explicit BroadcastOperator(std::shared_ptr<Namespace> nsp, adapter::Target target = {},
                             adapter::BroadcastFlags flags = {},
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt)
      : nsp_(std::move(nsp)), target_(std::move(target)), flags_(flags), timeout_(timeout) {}

  BroadcastOperator to(std::string room) const;
  BroadcastOperator to(const std::vector<std::string>& rooms) const;
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  BroadcastOperator except(std::string room) const;
  BroadcastOperator except(const std::vector<std::string>& rooms) const;
  BroadcastOperator volatile_() const;
  BroadcastOperator local() const;
  BroadcastOperator compress(bool value) const;
  BroadcastOperator timeout(std::chrono::milliseconds value) const;

  // Returns false (nothing sent) for a reserved event name.
  bool emit(std::string event, Args args = {}) const;
  bool emit_with_ack(std::string event, Args args, BroadcastAckCallback callback) const;

  void fetch_sockets(std::function<void(std::vector<RemoteSocket>)> callback) const;
  void sockets_join(std::vector<std::string> rooms) const;
  void sockets_leave(std::vector<std::string> rooms) const;
  void disconnect_sockets(bool close = false) const;

  const adapter::Target& target() const { return target_; }

 private:
  std::shared_ptr<Namespace> nsp_;
  adapter::Target target_;
  adapter::BroadcastFlags flags_;
  std::optional<std::chrono::milliseconds> timeout_;
};

class Namespace : public std::enable_shared_from_this<Namespace> {
 public:
  // The server owns its namespaces and outlives them (see Server).
  Namespace(ServerCore* server, std::string name);

  const std::string& name() const { return name_; }
  Namespace& use(Middleware middleware);
  Namespace& on_connection(ConnectionHandler handler);

  BroadcastOperator to(std::string room) { return all().to(std::move(room)); }
  BroadcastOperator in(std::string room) { return all().to(std::move(room)); }
  BroadcastOperator except(std::string room) { return all().except(std::move(room)); }
  BroadcastOperator volatile_() { return all().volatile_(); }
  BroadcastOperator local() { return all().local(); }
  BroadcastOperator compress(bool value) { return all().compress(value); }
  BroadcastOperator timeout(std::chrono::milliseconds value) { return all().timeout(value); }
  bool emit(std::string event, Args args = {}) { return all().emit(std::move(event), std::move(args)); }
  bool emit_with_ack(std::string event, Args args, BroadcastAckCallback callback) {
    return all().emit_with_ack(std::move(event), std::move(args), std::move(callback));
  }
  void fetch_sockets(std::function<void(std::vector<RemoteSocket>)> callback) {
    all().fetch_sockets(std::move(callback));
  }
  void sockets_join(std::vector<std::string> rooms) { all().sockets_join(std::move(rooms)); }
  void sockets_leave(std::vector<std::string> rooms) { all().sockets_leave(std::move(rooms)); }
  void disconnect_sockets(bool close = false) { all().disconnect_sockets(close); }
  // Emits to the other nodes of a cluster (io.serverSideEmit). A single node
  // has none: like Node's in-memory adapter this sends nothing; an ack
  // callback gets no answers.
  void server_side_emit(std::string event, Args args = {},
                        std::function<void(AckError, std::vector<Args>)> callback = nullptr);
  // Handles another node's serverSideEmit of `event` (io.on(event) in Node);
  // `ack` is set when that node asked for an answer. Runs on shard 0. Set
  // before the server starts.
  Namespace& on_server_side_emit(std::string event, EventHandler handler);
  // Every room of the namespace on every node (adapter.allRooms()).
  void all_rooms(std::function<void(std::vector<std::string>)> callback) { adapter_->all_rooms(std::move(callback)); }

  adapter::Adapter& adapter() { return *adapter_; }

  // Internal.
  BroadcastOperator all() { return BroadcastOperator(shared_from_this()); }
  std::uint64_t next_ack_id() { return next_ack_id_.fetch_add(1); }
  ServerCore& server() { return *server_; }
  const std::vector<Middleware>& middlewares() const { return middlewares_; }
  // A snapshot: a handler that adds a handler changes the next connection's
  // list, not the one being run (and no connection copies the list).
  std::shared_ptr<const std::vector<ConnectionHandler>> connection_handlers() const { return connection_handlers_; }
  // A child of a dynamic namespace starts with its parent's handlers.
  void copy_handlers_from(const Namespace& parent);
  bool dynamic_child() const { return dynamic_child_; }
  // This node's sockets of the namespace, for /metrics: counted as sockets
  // connect and close (thousands a second at most, never per packet).
  void count_socket(int delta) { local_sockets_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t local_sockets() const { return local_sockets_.load(std::memory_order_relaxed); }

 private:
  ServerCore* server_;
  std::string name_;
  std::vector<Middleware> middlewares_;
  std::shared_ptr<const std::vector<ConnectionHandler>> connection_handlers_ =
      std::make_shared<const std::vector<ConnectionHandler>>();
  std::unordered_map<std::string, EventHandler> server_side_handlers_;
  std::unique_ptr<adapter::Adapter> adapter_;
  std::atomic<std::uint64_t> next_ack_id_{0};
  std::atomic<std::int64_t> local_sockets_{0};
  bool dynamic_child_ = false;
};

}  // namespace socketio
