#pragma once
// RealtimeService: what the seed documents call WebSocketService, on top of a
// Socket.IO server. Authenticates connections, puts every socket of a user in
// "user:{userId}" and its claim rooms, tracks presence on every shard, and
// gives back ends the seeds' methods. Every method is thread-safe and fire
// and forget: none waits on network I/O.

#include <atomic>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "service/cluster_presence.hpp"
#include "service/options.hpp"
#include "service/room_template.hpp"
#include "socketio/server.hpp"

namespace service {

// getUser(socketId) in seed 001.
struct SocketUser {
  std::string user_id;  // "" for an anonymous socket
  std::string username;
  std::string email;
  std::string socket_id;
  std::int64_t connected_at = 0;   // ms since the epoch
  std::int64_t last_activity = 0;  // ms since the epoch
  std::vector<std::string> rooms;
  boost::json::object claims;  // the token's claims (not in to_json: they may be private)
  boost::json::object to_json() const;
};

using store::Message;
using store::MessageType;
using store::Room;

// getRoomStats in seed 001.
struct RoomStats {
  std::uint64_t member_count = 0;  // this node's sockets in the room
  std::uint64_t message_count = 0;
  std::int64_t created_at = 0;
  std::int64_t last_activity = 0;
  boost::json::object to_json() const;
};

// Decides whether `user` may join `room` (a room no CLIENT_ROOMS pattern
// lists); calls `done(allowed)` once, from any thread, now or later (it may
// ask a back end). Runs on the socket's shard: do not block in it.
using JoinAuthorizer =
    std::function<void(const SocketUser& user, const std::string& room, std::function<void(bool)> done)>;

// What a client's join of a room needs (see RealtimeService::join_policy).
enum class JoinPolicy { allow, refuse, ask };

// Glob match with `*` for any run of characters (CLIENT_ROOMS patterns).
bool room_pattern_matches(std::string_view pattern, std::string_view room);

struct Stats {
  std::uint64_t total_connections = 0;   // since start
  std::uint64_t active_connections = 0;  // sockets now
  std::uint64_t connected_users = 0;     // distinct users now
  std::uint64_t total_rooms = 0;         // rooms the service knows of
  std::uint64_t messages_received = 0;
  std::uint64_t refused_connections = 0;
  std::int64_t uptime_ms = 0;
  boost::json::object to_json() const;
};

// The whole cluster's figures: the sum of every Switchboard node's last
// report (each at most PRESENCE_TTL / 3 old; this node's is current). On one
// node, or when Redis cannot say (`complete` false), this node's alone.
struct ClusterStats {
  std::uint64_t nodes = 1;
  std::uint64_t total_connections = 0;
  std::uint64_t active_connections = 0;
  std::uint64_t connected_users = 0;  // distinct users anywhere
  std::uint64_t messages_received = 0;
  std::uint64_t refused_connections = 0;
  bool complete = true;
  boost::json::object to_json() const;
};

class RealtimeService {
 public:
  RealtimeService(socketio::Server& io, ServiceOptions options);
  ~RealtimeService();

  // Seed 000.
  void emit_to_user(const std::string& user_id, std::string event, boost::json::value payload);
  void broadcast(std::string event, boost::json::value payload);
  void emit_to_room(std::string room, std::string event, boost::json::value payload);
  void add_user_to_room(const std::string& user_id, std::string room);
  void remove_user_from_room(const std::string& user_id, std::string room);
  std::size_t get_local_connections_count() const;
  void shutdown();

  // Seed 001.
  std::optional<SocketUser> get_user(const std::string& socket_id) const;
  std::vector<SocketUser> get_connected_users() const;
  bool is_user_online(const std::string& user_id) const;
  std::vector<std::string> get_user_sockets(const std::string& user_id) const;
  // The same questions for the whole cluster (every node's sockets, found
  // through the adapter as fetchSockets finds them, or the presence kept in
  // Redis), answered within REDIS_REQUESTS_TIMEOUT with what came in time.
  // `done` runs on a shard or the cluster's thread: do not block in it. On
  // one node they answer what the calls above answer.
  void get_connected_users(std::function<void(std::vector<SocketUser>)> done) const;
  void is_user_online(const std::string& user_id, std::function<void(bool)> done) const;
  void get_user_sockets(const std::string& user_id, std::function<void(std::vector<std::string>)> done) const;
  // In a cluster: presence kept in Redis (user:status once for the cluster,
  // a dead node's users offline within the TTL). Set before the server
  // starts; the service stops the presence when it goes.
  void use_cluster_presence(std::shared_ptr<ClusterPresence> presence);
  ClusterPresence* cluster_presence() const { return presence_.get(); }
  void broadcast_to_room(std::string room, std::string event, boost::json::value data,
                         std::vector<std::string> except = {});
  void broadcast_to_users(const std::vector<std::string>& user_ids, std::string event, boost::json::value data);
  void broadcast_to_all(std::string event, boost::json::value data, std::vector<std::string> except = {});
  void emit_to_socket(std::string socket_id, std::string event, boost::json::value data);
  // This node's figures.
  Stats get_stats() const;
  // The cluster's (see ClusterStats); `done` as for the cluster queries above.
  void get_cluster_stats(std::function<void(ClusterStats)> done) const;
  void disconnect_user(const std::string& user_id, std::string reason = "server namespace disconnect");
  // Disconnects sockets with no activity for `inactive_minutes`; returns how many.
  std::size_t cleanup(int inactive_minutes);

  // Room registry and history (seed 001). The rooms and messages live in
  // the room store (memory, or Redis with use_room_store); each call answers
  // through `done`, once, from a shard or the store's thread (do not block in
  // it). Rooms made here are joinable by clients with room:join {roomId}.
  void create_room(std::string name, std::string ns, std::string created_by, boost::json::object metadata,
                   std::function<void(std::optional<Room>)> done);
  void get_room(const std::string& room_id, std::function<void(std::optional<Room>)> done);
  void list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done);
  // The socket (on any node) joins / leaves the room; false if there is no such room.
  void join_room(const std::string& socket_id, const std::string& room_id, std::function<void(bool)> done = {});
  void leave_room(const std::string& socket_id, const std::string& room_id, std::function<void(bool)> done = {});
  // Every member leaves it, and its history goes with it; false if there was none.
  void delete_room(const std::string& room_id, std::function<void(bool)> done = {});
  // This node's sockets in the room.
  std::vector<SocketUser> get_room_members(const std::string& room_id) const;
  // Stores and broadcasts `message` to the room; nullopt if there is no such room.
  // The username is that of a connected socket of the user, else `username`.
  void send_message(const std::string& room_id, const std::string& user_id, std::string content, MessageType type,
                    boost::json::object metadata, std::function<void(std::optional<Message>)> done,
                    std::string username = {});
  // `limit` messages after the `offset` newest, oldest first: (50) the last
  // 50, (50, 50) the 50 before those.
  void get_room_messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                         std::function<void(std::vector<Message>)> done);
  void get_room_stats(const std::string& room_id, std::function<void(std::optional<RoomStats>)> done);
  // Direct messages (seed 003's sendDirectMessage): stores the message in
  // the conversation of the two users (same store, retention and paging as
  // a room's history) and sends it as new_direct_message ([events]) to
  // every socket of `to_user_id` and of `from_user_id` but `except_socket`.
  // nullopt when the store failed; the users must differ and be non-empty.
  void send_direct_message(const std::string& from_user_id, const std::string& to_user_id, std::string content,
                           boost::json::object metadata, std::function<void(std::optional<Message>)> done,
                           std::string username = {}, std::string except_socket = {});
  // The conversation of the two users (either order), paged as get_room_messages.
  void get_direct_messages(const std::string& user_a, const std::string& user_b, std::size_t limit,
                           std::size_t offset, std::function<void(std::vector<Message>)> done);
  // Blocking forms for code that is not on a shard (the seed's synchronous
  // calls): they wait for the store (at once for the memory store).
  std::optional<Room> create_room(std::string name, std::string ns = "default", std::string created_by = {},
                                  boost::json::object metadata = {});
  std::optional<Room> get_room(const std::string& room_id);
  std::vector<Room> list_rooms(std::optional<std::string> ns = std::nullopt);
  std::vector<Message> get_room_messages(const std::string& room_id, std::size_t limit = 50, std::size_t offset = 0);
  std::optional<RoomStats> get_room_stats(const std::string& room_id);
  std::vector<Message> get_direct_messages(const std::string& user_a, const std::string& user_b,
                                           std::size_t limit = 50, std::size_t offset = 0);
  // Replaces the memory store (before the server starts); stopped with the service.
  void use_room_store(std::shared_ptr<store::RoomStore> store) { store_ = std::move(store); }
  store::RoomStore& room_store() { return *store_; }
  // Sockets of this node in `room`.
  std::uint64_t local_member_count(const std::string& room) const;

  // Hooks (seed 001): run on the socket's shard.
  void on_message(std::function<void(const Message&)> hook) { message_hooks_.push_back(std::move(hook)); }
  void on_connection(std::function<void(const SocketUser&)> hook) { connection_hooks_.push_back(std::move(hook)); }
  void on_disconnect(std::function<void(const SocketUser&, std::string_view reason)> hook) {
    disconnect_hooks_.push_back(std::move(hook));
  }
  void on_room_join(std::function<void(const SocketUser&, const std::string& room)> hook) {
    room_join_hooks_.push_back(std::move(hook));
  }
  void on_room_leave(std::function<void(const SocketUser&, const std::string& room)> hook) {
    room_leave_hooks_.push_back(std::move(hook));
  }

  const ServiceOptions& options() const { return options_; }
  std::string user_room(const std::string& user_id) const { return options_.user_room_prefix + user_id; }
  // Whether a client may ever join `room` itself (user and claim rooms are not).
  bool client_may_join(const std::string& room) const;
  // The rule for a client's join (join_room, room:join, subscribe_order,
  // subscribe_inventory, presence:subscribe): reserved rooms refused; rooms
  // matching client_rooms allowed; any other goes to the authorizer, and is
  // refused without one. With neither client_rooms nor an authorizer, every
  // non-reserved room is allowed.
  JoinPolicy join_policy(const std::string& room) const;
  // Where express-session sessions are read (auth.session): `done` gets the
  // session's JSON or nullopt, from any thread. Set before the server starts.
  using SessionLookup =
      std::function<void(const std::string& sid, std::function<void(std::optional<boost::json::object>)> done)>;
  void set_session_lookup(SessionLookup lookup) { session_lookup_ = std::move(lookup); }
  // Set before the server starts.
  void set_join_authorizer(JoinAuthorizer authorizer) { join_authorizer_ = std::move(authorizer); }

  struct Connection;  // one socket, as the service tracks it
  struct Routes;      // the client actions by event name
  struct UserSlots;   // sockets per user, for max_connections_per_user

 private:
  void on_socket(const socketio::SocketPtr& socket);
  void admit(const socketio::SocketPtr& socket, auth::AuthOutcome outcome, const socketio::Next& next);
  void admit_session(const socketio::SocketPtr& socket, socketio::Next next);
  void admit_looked_up(const socketio::SocketPtr& socket, const std::optional<boost::json::object>& session,
                       const socketio::Next& next);
  void attach_events(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection);
  std::unique_ptr<Routes> build_routes();
  void route(Connection& connection, const std::string& event, socketio::Args& args, const socketio::Ack& ack);
  void limit_events(const socketio::SocketPtr& socket);
  void on_socket_closed(const std::shared_ptr<Connection>& connection, std::string_view reason);
  // user_online / user_offline ([events]) to the presence rooms, or to all.
  void publish_status(const std::string& user_id, bool online, const std::string& username);
  void track_room(const std::string& user_id, const std::string& room, bool joined);
  // On the socket's shard: joins or leaves, records it, runs the hooks, and
  // tells the room (user:joined / user:left) when `announce`.
  void enter_room(const socketio::SocketPtr& socket, Connection& connection, const std::string& room, bool joining,
                  bool announce);
  // The client actions of the vocabulary (service/client_events.cpp).
  void send_error(const socketio::SocketPtr& socket, const std::string& event, std::string message) const;
  // Decides a client's join of `room` (reserved rooms never; CLIENT_ROOMS;
  // registry rooms; else the authorizer, or no); `decided` runs on the
  // socket's shard.
  void decide_join(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection,
                   const std::string& room, std::function<void(bool)> decided);
  void change_room(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection,
                   const std::string& event, const std::string& room, const socketio::Ack& ack, bool joining,
                   bool announce, const RoomArg& arg);
  void on_typing(const socketio::SocketPtr& socket, const Connection& connection, const std::string& event,
                 const TypingAction& action, const socketio::Args& args, std::optional<bool> is_typing);
  void on_client_message(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection,
                         const std::string& event, socketio::Args& args, socketio::Ack ack);
  void on_direct_message(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection,
                         const std::string& event, socketio::Args& args, socketio::Ack ack);
  void on_relay(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection, const RelayRule& rule,
                socketio::Args& args, socketio::Ack ack);
  void send_message(const std::string& room_id, const std::string& user_id, std::string content, MessageType type,
                    boost::json::object metadata, std::function<void(std::optional<Message>)> done,
                    std::string username, boost::json::object extra);
  // A connected socket's name for the user, else `fallback`.
  std::string username_of(const std::string& user_id, std::string fallback) const;
  SocketUser snapshot(const Connection& connection) const;

  socketio::Server& io_;
  ServiceOptions options_;
  auth::Authenticator authenticator_;
  std::int64_t started_ms_;

  mutable std::mutex mutex_;  // the registry; taken on connect, disconnect, joins and queries
  std::shared_ptr<ClusterPresence> presence_;  // null on one node
  std::unordered_map<std::string, std::shared_ptr<Connection>> by_socket_;
  std::unordered_map<std::string, std::unordered_set<std::string>> by_user_;

  std::atomic<std::uint64_t> total_connections_{0};
  std::atomic<std::uint64_t> messages_received_{0};
  std::atomic<std::uint64_t> refused_connections_{0};
  // Shared with the slots sockets hold, which may outlive the service.
  std::shared_ptr<UserSlots> user_slots_;

  std::unique_ptr<Routes> routes_;
  JoinAuthorizer join_authorizer_;
  SessionLookup session_lookup_;
  std::shared_ptr<store::RoomStore> store_;
  std::vector<std::function<void(const Message&)>> message_hooks_;
  std::vector<std::function<void(const SocketUser&)>> connection_hooks_;
  std::vector<std::function<void(const SocketUser&, std::string_view)>> disconnect_hooks_;
  std::vector<std::function<void(const SocketUser&, const std::string&)>> room_join_hooks_;
  std::vector<std::function<void(const SocketUser&, const std::string&)>> room_leave_hooks_;
};

}  // namespace service
