#pragma once
// A Socket.IO socket: one client in one namespace. It lives on the shard of
// its Engine.IO session; its handlers run there. emit() may be called from
// any thread; the other methods belong to the socket's shard (inside its
// handlers, or through net::ShardPool::post(socket->shard(), ...)).

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/types.hpp"
#include "socketio/args.hpp"
#include "socketio/handshake.hpp"

namespace socketio {

class Client;
class Namespace;
class BroadcastOperator;
class Namespace;

// Answers a client's emit-with-ack once, from any thread. Empty when the
// client asked for none.
class Ack {
 public:
  Ack() = default;
  explicit Ack(std::function<void(Args)> send) : send_(std::move(send)) {}
  explicit operator bool() const { return static_cast<bool>(send_); }
  void operator()(Args response = {}) const;

 private:
  std::function<void(Args)> send_;
};

// nullopt on success, else the error message ("operation has timed out",
// "socket has been disconnected").
using AckError = std::optional<std::string>;
using AckCallback = std::function<void(AckError error, Args response)>;
using EventHandler = std::function<void(Args& args, Ack ack)>;
using AnyHandler = std::function<void(const std::string& event, const Args& args)>;
// Every event that passed the middlewares, after its named handlers, with its
// ack: one handler serves a table of names (RealtimeService's vocabulary)
// where a handler per name would cost every socket memory.
using EventDispatcher = std::function<void(const std::string& event, Args& args, const Ack& ack)>;
// Per-packet middleware (socket.use): call next() to go on, next("message")
// to drop the packet and raise the socket's "error" handlers.
using PacketMiddleware =
    std::function<void(const std::string& event, Args& args, std::function<void(AckError error)> next)>;

class Socket final : public adapter::LocalSocket, public std::enable_shared_from_this<Socket> {
 public:
  Socket(std::shared_ptr<Namespace> nsp, std::shared_ptr<Client> client, std::string id, Handshake handshake);
  ~Socket() override;

  // adapter::LocalSocket
  const std::string& id() const override { return id_; }
  void deliver(const adapter::PacketPtr& packet, const adapter::BroadcastFlags& flags) override;
  void expect_ack(std::uint64_t id, std::function<void(adapter::AckResponse)> on_ack) override;
  boost::json::object describe() const override;
  void join(const std::vector<std::string>& rooms) override;
  void leave(const std::vector<std::string>& rooms) override;
  void disconnect(bool close = false) override;

  const Handshake& handshake() const { return handshake_; }
  const std::string& nsp() const;
  std::size_t shard() const;
  bool connected() const { return connected_; }
  // "polling" or "websocket": the transport the client uses now.
  std::string_view transport() const;
  bool recovered() const { return recovered_; }
  // The private id for connection state recovery ("" when it is off).
  const std::string& pid() const;
  // socket.data: anything the application keeps with the socket; fetchSockets
  // and connection state recovery carry it.
  boost::json::value data;

  void on(std::string event, EventHandler handler);
  void on_any(AnyHandler handler) { hooks().any.push_back(std::move(handler)); }
  void on_any_outgoing(AnyHandler handler) { hooks().any_outgoing.push_back(std::move(handler)); }
  void on_dispatch(EventDispatcher handler) { hooks().dispatch.push_back(std::move(handler)); }
  void use(PacketMiddleware middleware) { hooks().middlewares.push_back(std::move(middleware)); }
  // Runs while the socket is still in its rooms.
  void on_disconnecting(std::function<void(std::string_view reason)> handler) {
    hooks().disconnecting.push_back(std::move(handler));
  }
  void on_disconnect(std::function<void(std::string_view reason)> handler) {
    hooks().disconnect.push_back(std::move(handler));
  }
  // Errors from per-packet middleware.
  void on_error(std::function<void(const std::string& message)> handler) {
    hooks().error.push_back(std::move(handler));
  }

  // Returns false (and sends nothing) for a reserved event name.
  bool emit(std::string event, Args args = {});
  // The callback runs once, on this socket's shard: with the client's answer,
  // or with an error after `timeout` (default: the server's ack timeout) or
  // on disconnect.
  bool emit_with_ack(std::string event, Args args, AckCallback callback,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Sends a packet that may be dropped if the client cannot take it now.
  bool emit_volatile(std::string event, Args args = {});

  // Broadcast from this socket: every target but this socket.
  BroadcastOperator broadcast() const;
  BroadcastOperator to(std::string room) const;
  BroadcastOperator except(std::string room) const;

  void join(std::string room) { join(std::vector<std::string>{std::move(room)}); }
  void leave(std::string room) { leave(std::vector<std::string>{std::move(room)}); }
  std::vector<std::string> rooms() const;

  // Internal: driven by Client and the namespace.
  void on_connected(bool recovered);
  void set_pid(std::string pid) { pid_ = std::make_unique<std::string>(std::move(pid)); }
  void on_packet_event(Args args, std::string event, std::optional<std::uint64_t> ack_id);
  void on_packet_ack(std::uint64_t id, Args args);
  void on_closed(std::string_view reason);
  void write(const adapter::EncodedPacket& packet);
  const std::shared_ptr<Namespace>& core() const { return nsp_; }
  const std::shared_ptr<Client>& client() const { return client_; }

 private:
  struct PendingAck;
  void dispatch(const std::string& event, Args& args, Ack ack);
  void run_middlewares(std::size_t index, std::shared_ptr<std::pair<std::string, Args>> packet, Ack ack);
  bool emit_packet(std::string event, Args args, bool is_volatile);
  void notify_outgoing(const std::string& event, const Args& args);

  std::shared_ptr<Namespace> nsp_;
  std::shared_ptr<Client> client_;
  std::string id_;
  Handshake handshake_;
  bool connected_ = false;
  bool recovered_ = false;
  // Only with connection state recovery: 8 bytes, not a string's 32, on the
  // sockets of a server without it.
  std::unique_ptr<std::string> pid_;

  // Event handlers in the order they were added. A socket has a handful: a
  // vector searched in order is smaller than a map and as fast.
  struct EventListener {
    std::string event;
    EventHandler handler;
  };
  std::vector<EventListener> handlers_;
  // The other listeners, allocated when the first is added: most sockets have none.
  struct Hooks {
    std::vector<AnyHandler> any;
    std::vector<AnyHandler> any_outgoing;
    std::vector<EventDispatcher> dispatch;
    std::vector<PacketMiddleware> middlewares;
    std::vector<std::function<void(std::string_view)>> disconnecting;
    std::vector<std::function<void(std::string_view)>> disconnect;
    std::vector<std::function<void(const std::string&)>> error;
  };
  Hooks& hooks() {
    if (!hooks_) hooks_ = std::make_unique<Hooks>();
    return *hooks_;
  }
  std::unique_ptr<Hooks> hooks_;
  // Acks this socket waits for, by id; allocated with the first.
  using PendingAcks = std::unordered_map<std::uint64_t, std::unique_ptr<PendingAck>>;
  PendingAcks& pending_acks();
  std::unique_ptr<PendingAck> take_pending_ack(std::uint64_t id);  // null when unknown
  std::unique_ptr<PendingAcks> pending_acks_;
};

using SocketPtr = std::shared_ptr<Socket>;

}  // namespace socketio
