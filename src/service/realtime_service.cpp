#include "service/realtime_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <future>
#include <random>

#include "auth/session_cookie.hpp"
#include "net/json_text.hpp"
#include "net/shard_pool.hpp"
#include "store/memory_room_store.hpp"

#include "service/connection.hpp"
#include "service/log.hpp"

namespace service {

using socketio::Ack;
using socketio::Args;
namespace json = boost::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & ~0xF000ULL) | 0x4000ULL;                          // version 4
  b = (b & ~(0xC000ULL << 48)) | (0x8000ULL << 48);          // variant 1
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return out;
}

namespace {

// Waits for an asynchronous answer (the blocking forms of the room calls).
template <typename T, typename Start>
T wait_for(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  return future.get();
}

std::string scalar(const json::value& v) { return scalar_text(v); }

}  // namespace

// How many sockets each user has open, for max_connections_per_user. A slot
// is taken in the auth middleware, before the socket connects, so that two
// shards cannot both let in a user's last allowed socket.
struct RealtimeService::UserSlots {
  std::mutex mutex;
  std::unordered_map<std::string, std::uint32_t> counts;  // no entry at 0

  bool take(const std::string& user, std::uint32_t limit) {
    std::lock_guard lock(mutex);
    auto& count = counts[user];
    if (count >= limit) return false;
    ++count;
    return true;
  }
  void give_back(const std::string& user) {
    std::lock_guard lock(mutex);
    auto it = counts.find(user);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  }
};

namespace {

// One user's slot, held by its socket's disconnect handler: given back when
// the socket disconnects, or when a socket that never connected is freed.
struct UserSlot {
  UserSlot(std::shared_ptr<RealtimeService::UserSlots> s, std::string u) : slots(std::move(s)), user(std::move(u)) {}
  ~UserSlot() { slots->give_back(user); }
  std::shared_ptr<RealtimeService::UserSlots> slots;
  std::string user;
};

// One socket's event rate (event_rate_limit): a token bucket, and the events
// dropped beyond it, a count that drains at the rate; past `flood` the socket
// is disconnected. Allocated only when the limit is on.
struct EventLimiter {
  std::weak_ptr<socketio::Socket> socket;
  double rate, burst, flood;
  double tokens;
  double excess = 0;
  std::chrono::steady_clock::time_point stamp = std::chrono::steady_clock::now();

  void refill(std::chrono::steady_clock::time_point now) {
    double elapsed = std::chrono::duration<double>(now - stamp).count();
    stamp = now;
    tokens = std::min(burst, tokens + elapsed * rate);
    excess = std::max(0.0, excess - elapsed * rate);
  }
};

}  // namespace

json::object SocketUser::to_json() const {
  return {{"userId", user_id},
          {"username", username},
          {"email", email},
          {"socketId", socket_id},
          {"connectedAt", connected_at},
          {"lastActivity", last_activity},
          {"rooms", json::array(rooms.begin(), rooms.end())}};
}

json::object RoomStats::to_json() const {
  return {{"memberCount", member_count},
          {"messageCount", message_count},
          {"createdAt", created_at},
          {"lastActivity", last_activity}};
}

json::object Stats::to_json() const {
  return {{"totalConnections", total_connections}, {"activeConnections", active_connections},
          {"connectedUsers", connected_users},     {"totalRooms", total_rooms},
          {"messagesReceived", messages_received}, {"refusedConnections", refused_connections},
          {"uptimeMs", uptime_ms}};
}

json::object ClusterStats::to_json() const {
  return {{"nodes", nodes},
          {"totalConnections", total_connections},
          {"activeConnections", active_connections},
          {"connectedUsers", connected_users},
          {"messagesReceived", messages_received},
          {"refusedConnections", refused_connections},
          {"complete", complete}};
}

RealtimeService::RealtimeService(socketio::Server& io, ServiceOptions options)
    : io_(io),
      options_(std::move(options)),
      authenticator_(options_.auth),
      started_ms_(now_ms()),
      user_slots_(std::make_shared<UserSlots>()),
      store_(std::make_shared<store::MemoryRoomStore>(options_.retention)) {
  routes_ = build_routes();
  io_.use([this](const socketio::SocketPtr& socket, socketio::Next next) {
    const auto& session = options_.auth.session;
    // A JWT, valid or not, decides alone; without one, the session cookie.
    if (session_lookup_ && session.configured() && auth::token_of(socket->handshake()).empty())
      return admit_session(socket, std::move(next));
    admit(socket, authenticator_.authenticate(socket->handshake(), now_ms() / 1000), next);
  });
  io_.on_connection([this](const socketio::SocketPtr& socket) { on_socket(socket); });
}

void RealtimeService::admit_session(const socketio::SocketPtr& socket, socketio::Next next) {
  const auto& options = options_.auth;
  auto refuse = [&](std::string message, std::string code, std::string reason) {
    auth::AuthOutcome out;
    if (options.required) out.refusal = socketio::ConnectError{std::move(message), json::object{{"code", std::move(code)}}};
    out.reason = std::move(reason);
    admit(socket, std::move(out), next);
  };
  auto value = auth::cookie_value(socket->handshake().header("Cookie"), options.session.cookie);
  if (value.empty()) return refuse("Authentication required", "AUTH_REQUIRED", "no token or session cookie");
  auto sid = auth::unsign_session_cookie(value, options.session.secrets);
  if (!sid) return refuse("Invalid or expired session", "INVALID_SESSION", "session cookie signature");
  // The answer comes from the sessions' thread; the socket belongs to its shard.
  session_lookup_(*sid, [this, socket, next](std::optional<json::object> session) {
    io_.shards().post(socket->shard(),
                      [this, socket, next, session = std::move(session)] { admit_looked_up(socket, session, next); });
  });
}

void RealtimeService::admit_looked_up(const socketio::SocketPtr& socket, const std::optional<json::object>& session,
                                      const socketio::Next& next) {
  auth::AuthOutcome out;
  auto identity = session ? auth::session_identity(*session, options_.auth, now_ms()) : std::nullopt;
  if (identity) {
    out.identity = std::move(identity);
  } else {
    if (options_.auth.required)
      out.refusal = socketio::ConnectError{"Invalid or expired session", json::object{{"code", "INVALID_SESSION"}}};
    out.reason = session ? "session without a user, or expired" : "no such session";
  }
  admit(socket, std::move(out), next);
}

void RealtimeService::admit(const socketio::SocketPtr& socket, auth::AuthOutcome outcome, const socketio::Next& next) {
  if (outcome.refusal) {
    refused_connections_++;
    log_event(spdlog::level::warn, "refused", {{"reason", outcome.reason}, {"address", socket->handshake().address()}});
    outcome.refusal->cause = socketio::ConnectError::Cause::auth;
    return next(outcome.refusal);
  }
  if (options_.max_connections_per_user && outcome.identity && !outcome.identity->user_id.empty()) {
    const auto& user = outcome.identity->user_id;
    if (!user_slots_->take(user, options_.max_connections_per_user)) {
      refused_connections_++;
      log_event(spdlog::level::warn, "refused",
                {{"reason", "connection limit"}, {"user", user}, {"address", socket->handshake().address()}});
      return next(socketio::ConnectError{"Too many connections", json::object{{"code", "CONNECTION_LIMIT"}},
                                         socketio::ConnectError::Cause::user_connections});
    }
    socket->on_disconnect([slot = std::make_shared<UserSlot>(user_slots_, user)](std::string_view) {});
  }
  json::object data;
  if (outcome.identity) {
    data["userId"] = outcome.identity->user_id;
    data["username"] = outcome.identity->name;
    data["email"] = outcome.identity->email;
    data["claims"] = std::move(outcome.identity->claims);
  } else if (auto* name = socket->handshake().auth.if_contains("username");
             name && name->is_string() && !name->as_string().empty() && name->as_string().size() <= 64) {
    // Without auth a client may name itself (auth: {username}), as the demo
    // page does: its typing indicators and messages carry the name.
    data["username"] = name->as_string();
  }
  socket->data = std::move(data);
  next(std::nullopt);
}

// The presence calls back into the service from its thread: it stops first.
RealtimeService::~RealtimeService() {
  if (presence_) presence_->stop();
  if (store_) store_->stop();
}

bool RealtimeService::client_may_join(const std::string& room) const {
  if (room.empty() || room.size() > 256) return false;
  if (room.rfind(options_.user_room_prefix, 0) == 0) return false;
  for (const auto& t : options_.room_templates) {
    auto prefix = t.substr(0, t.find('{'));
    if (!prefix.empty() && room.rfind(prefix, 0) == 0) return false;
  }
  return true;
}

bool room_pattern_matches(std::string_view pattern, std::string_view room) {
  // Greedy glob with backtracking to the last star: linear in practice.
  std::size_t p = 0, r = 0, star = std::string_view::npos, mark = 0;
  while (r < room.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = r;
    } else if (p < pattern.size() && pattern[p] == room[r]) {
      ++p;
      ++r;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      r = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

JoinPolicy RealtimeService::join_policy(const std::string& room) const {
  if (!client_may_join(room)) return JoinPolicy::refuse;
  if (options_.client_rooms.empty() && !join_authorizer_) return JoinPolicy::allow;
  for (const auto& pattern : options_.client_rooms)
    if (room_pattern_matches(pattern, room)) return JoinPolicy::allow;
  return join_authorizer_ ? JoinPolicy::ask : JoinPolicy::refuse;
}

SocketUser RealtimeService::snapshot(const Connection& c) const {
  return SocketUser{c.user_id,      c.username,
                    c.email,        c.socket_id,
                    c.connected_at, c.last_activity.load(),
                    std::vector<std::string>(c.rooms.begin(), c.rooms.end()), c.claims};
}

void RealtimeService::on_socket(const socketio::SocketPtr& socket) {
  auto connection = std::make_shared<Connection>();
  connection->socket = socket;
  connection->socket_id = socket->id();
  connection->connected_at = now_ms();
  connection->last_activity = connection->connected_at;
  const auto& data = socket->data.is_object() ? socket->data.as_object() : json::object{};
  if (auto* id = data.if_contains("userId")) connection->user_id = scalar(*id);
  if (auto* n = data.if_contains("username")) connection->username = scalar(*n);
  if (auto* e = data.if_contains("email")) connection->email = scalar(*e);

  std::vector<std::string> rooms;
  if (auto* claims = data.if_contains("claims"); claims && claims->is_object()) connection->claims = claims->as_object();
  if (!connection->user_id.empty()) {
    rooms.push_back(user_room(connection->user_id));
    if (auto* claims = data.if_contains("claims"); claims && claims->is_object())
      for (const auto& t : options_.room_templates)
        for (auto& r : rooms_from_template(t, claims->as_object())) rooms.push_back(std::move(r));
  }
  socket->join(rooms);

  bool first = false;
  {
    std::lock_guard lock(mutex_);
    connection->rooms.insert(rooms.begin(), rooms.end());
    by_socket_[connection->socket_id] = connection;
    if (!connection->user_id.empty()) {
      auto& sockets = by_user_[connection->user_id];
      first = sockets.empty();
      sockets.insert(connection->socket_id);
    }
  }
  total_connections_++;
  log_event(spdlog::level::info, "connect",
            {{"user", connection->user_id.empty() ? "anonymous" : connection->user_id},
             {"socket", connection->socket_id},
             {"transport", socket->transport()},
             {"address", socket->handshake().address()}});

  socket->emit(options_.events.connected, Args::of(json::object{{"message", "Connected to WebSocket server"},
                                                  {"socketId", connection->socket_id},
                                                  {"userId", connection->user_id.empty()
                                                                 ? json::value()
                                                                 : json::value(connection->user_id)}}));
  if (presence_ && !connection->user_id.empty()) {
    // Once for the cluster: the first socket of the user on any node.
    presence_->socket_opened(connection->user_id, first, [this, user = connection->user_id, name = connection->username](bool first_anywhere) {
      if (first_anywhere) publish_status(user, true, name);
    });
  } else if (first) {
    publish_status(connection->user_id, true, connection->username);
  }
  attach_events(socket, connection);
  auto user = snapshot(*connection);
  for (const auto& hook : connection_hooks_) hook(user);
}

// Events over the socket's rate are dropped, each answered as fail() answers
// bad input: an `error` event {message, event}.
void RealtimeService::limit_events(const socketio::SocketPtr& socket) {
  double rate = options_.event_rate_limit;
  double burst = options_.event_rate_burst ? options_.event_rate_burst : std::max(1.0, rate);
  auto limiter = std::make_shared<EventLimiter>(EventLimiter{socket, rate, burst, burst + 30 * rate, burst});
  // The middleware keeps two plain pointers, which copy for free (socket.use
  // copies its middleware for every packet); the disconnect handler owns the
  // limiter, and middlewares run only while the socket is connected.
  socket->use([this, l = limiter.get()](const std::string& event, Args&, std::function<void(socketio::AckError)> next) {
    l->refill(std::chrono::steady_clock::now());
    if (l->tokens >= 1) {
      l->tokens -= 1;
      return next(std::nullopt);
    }
    l->excess += 1;
    bool flooding = l->excess > l->flood;
    auto s = l->socket.lock();  // from here `l` may go: an emit or a disconnect can close the socket
    if (!s) return;
    if (flooding) {
      log_event(spdlog::level::warn, "flood", {{"socket", s->id()}, {"event", event}});
      return s->disconnect(true);
    }
    s->emit(options_.events.error, Args::of(json::object{{"message", "Rate limit exceeded"}, {"event", event}}));
  });
  socket->on_disconnect([limiter](std::string_view) {});
}

void RealtimeService::on_socket_closed(const std::shared_ptr<Connection>& connection, std::string_view reason) {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    by_socket_.erase(connection->socket_id);
    if (!connection->user_id.empty()) {
      auto it = by_user_.find(connection->user_id);
      if (it != by_user_.end()) {
        it->second.erase(connection->socket_id);
        if (it->second.empty()) {
          by_user_.erase(it);
          last = true;
        }
      }
    }
  }
  log_event(spdlog::level::info, "disconnect",
            {{"user", connection->user_id.empty() ? "anonymous" : connection->user_id},
             {"socket", connection->socket_id},
             {"reason", reason}});
  if (presence_ && !connection->user_id.empty()) {
    presence_->socket_closed(connection->user_id, last,
                             [this, user = connection->user_id, name = connection->username](bool last_anywhere) {
                               if (last_anywhere) publish_status(user, false, name);
                             });
  } else if (last) {
    publish_status(connection->user_id, false, connection->username);
  }
  auto user = snapshot(*connection);
  for (const auto& hook : disconnect_hooks_) hook(user, reason);
}

void RealtimeService::use_cluster_presence(std::shared_ptr<ClusterPresence> presence) {
  presence_ = std::move(presence);
  // A dead node's users: announced by whichever node took them out.
  presence_->on_user_lost([this](const std::string& user) { publish_status(user, false, {}); });
  presence_->on_stats_report([this] { return json::serialize(get_stats().to_json()); });
}

void RealtimeService::publish_status(const std::string& user_id, bool online, const std::string& username) {
  if (options_.presence == PresenceMode::off) return;
  const auto& v = options_.events;
  json::object body{{"userId", user_id}, {"status", online ? "online" : "offline"}, {"timestamp", now_ms()}};
  if (!username.empty()) body["username"] = username;
  const auto& event = online ? v.user_online : v.user_offline;
  if (options_.presence == PresenceMode::all) return void(io_.emit(event, Args::of(std::move(body))));
  std::vector<std::string> rooms;
  json::object fields{{"userId", user_id}};
  for (const auto& t : v.presence_rooms)
    for (auto& r : rooms_from_template(t, fields)) rooms.push_back(std::move(r));
  if (!rooms.empty()) io_.sockets().all().to(rooms).emit(event, Args::of(std::move(body)));
}

void RealtimeService::track_room(const std::string& user_id, const std::string& room, bool joined) {
  std::vector<SocketUser> users;
  {
    std::lock_guard lock(mutex_);
    auto it = by_user_.find(user_id);
    if (it == by_user_.end()) return;
    for (const auto& sid : it->second) {
      auto c = by_socket_.find(sid);
      if (c == by_socket_.end()) continue;
      if (joined) c->second->rooms.insert(room);
      else c->second->rooms.erase(room);
      users.push_back(snapshot(*c->second));
    }
  }
  for (const auto& user : users)
    for (const auto& hook : joined ? room_join_hooks_ : room_leave_hooks_) hook(user, room);
}

// ---- the service API ----

void RealtimeService::emit_to_user(const std::string& user_id, std::string event, json::value payload) {
  io_.to(user_room(user_id)).emit(std::move(event), Args::of(std::move(payload)));
}

void RealtimeService::broadcast(std::string event, json::value payload) {
  io_.emit(std::move(event), Args::of(std::move(payload)));
}

void RealtimeService::emit_to_room(std::string room, std::string event, json::value payload) {
  io_.to(std::move(room)).emit(std::move(event), Args::of(std::move(payload)));
}

void RealtimeService::add_user_to_room(const std::string& user_id, std::string room) {
  io_.in(user_room(user_id)).sockets_join({room});
  track_room(user_id, room, true);
}

void RealtimeService::remove_user_from_room(const std::string& user_id, std::string room) {
  io_.in(user_room(user_id)).sockets_leave({room});
  track_room(user_id, room, false);
}

std::size_t RealtimeService::get_local_connections_count() const {
  std::lock_guard lock(mutex_);
  return by_socket_.size();
}

void RealtimeService::shutdown() { io_.close_all(); }

std::optional<SocketUser> RealtimeService::get_user(const std::string& socket_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_socket_.find(socket_id);
  if (it == by_socket_.end()) return std::nullopt;
  return snapshot(*it->second);
}

std::vector<SocketUser> RealtimeService::get_connected_users() const {
  std::lock_guard lock(mutex_);
  std::vector<SocketUser> users;
  for (const auto& [sid, c] : by_socket_)
    if (!c->user_id.empty()) users.push_back(snapshot(*c));
  return users;
}

bool RealtimeService::is_user_online(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  return by_user_.count(user_id) > 0;
}

std::vector<std::string> RealtimeService::get_user_sockets(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(user_id);
  if (it == by_user_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void RealtimeService::get_connected_users(std::function<void(std::vector<SocketUser>)> done) const {
  io_.sockets().fetch_sockets([this, done = std::move(done)](std::vector<socketio::RemoteSocket> sockets) {
    std::vector<SocketUser> users;
    for (auto& remote : sockets) {
      if (auto local = get_user(remote.id)) {  // this node's: with its activity
        if (!local->user_id.empty()) users.push_back(std::move(*local));
        continue;
      }
      const auto* data = remote.data.is_object() ? &remote.data.as_object() : nullptr;
      const auto* id = data ? data->if_contains("userId") : nullptr;
      if (!id || scalar(*id).empty()) continue;
      SocketUser u;
      u.user_id = scalar(*id);
      if (auto* n = data->if_contains("username")) u.username = scalar(*n);
      if (auto* e = data->if_contains("email")) u.email = scalar(*e);
      u.socket_id = remote.id;
      if (auto* issued = remote.handshake.if_contains("issued"); issued && issued->is_number())
        u.connected_at = issued->to_number<std::int64_t>();
      u.last_activity = u.connected_at;  // another node's: not known here
      u.rooms = std::move(remote.rooms);
      users.push_back(std::move(u));
    }
    done(std::move(users));
  });
}

void RealtimeService::is_user_online(const std::string& user_id, std::function<void(bool)> done) const {
  if (!presence_) return done(is_user_online(user_id));
  presence_->user_sockets(user_id, [this, user_id, done = std::move(done)](bool ok, long long sockets) {
    done(ok ? sockets > 0 : is_user_online(user_id));
  });
}

void RealtimeService::get_user_sockets(const std::string& user_id,
                                       std::function<void(std::vector<std::string>)> done) const {
  io_.in(user_room(user_id)).fetch_sockets([done = std::move(done)](std::vector<socketio::RemoteSocket> sockets) {
    std::vector<std::string> ids;
    for (auto& s : sockets) ids.push_back(std::move(s.id));
    done(std::move(ids));
  });
}

void RealtimeService::broadcast_to_room(std::string room, std::string event, json::value data,
                                        std::vector<std::string> except) {
  io_.to(std::move(room)).except(except).emit(std::move(event), Args::of(std::move(data)));
}

void RealtimeService::broadcast_to_users(const std::vector<std::string>& user_ids, std::string event,
                                         json::value data) {
  if (user_ids.empty()) return;
  std::vector<std::string> rooms;
  for (const auto& id : user_ids) rooms.push_back(user_room(id));
  io_.sockets().all().to(rooms).emit(std::move(event), Args::of(std::move(data)));
}

void RealtimeService::broadcast_to_all(std::string event, json::value data, std::vector<std::string> except) {
  io_.sockets().all().except(except).emit(std::move(event), Args::of(std::move(data)));
}

void RealtimeService::emit_to_socket(std::string socket_id, std::string event, json::value data) {
  io_.to(std::move(socket_id)).emit(std::move(event), Args::of(std::move(data)));
}

Stats RealtimeService::get_stats() const {
  Stats s;
  std::lock_guard lock(mutex_);
  s.total_connections = total_connections_;
  s.active_connections = by_socket_.size();
  s.connected_users = by_user_.size();
  std::unordered_set<std::string> rooms;
  for (const auto& [sid, c] : by_socket_) rooms.insert(c->rooms.begin(), c->rooms.end());
  s.total_rooms = rooms.size();
  s.messages_received = messages_received_;
  s.refused_connections = refused_connections_;
  s.uptime_ms = now_ms() - started_ms_;
  return s;
}

void RealtimeService::get_cluster_stats(std::function<void(ClusterStats)> done) const {
  auto alone = [this] {
    auto s = get_stats();
    return ClusterStats{1, s.total_connections, s.active_connections, s.connected_users, s.messages_received,
                        s.refused_connections, true};
  };
  if (!presence_) return done(alone());
  presence_->cluster_stats([alone, done = std::move(done)](bool ok, std::vector<std::string> reports, long long users) {
    if (!ok) {
      auto s = alone();
      s.complete = false;
      return done(s);
    }
    ClusterStats total{0, 0, 0, static_cast<std::uint64_t>(std::max(0LL, users)), 0, 0, true};
    auto figure = [](const json::object& o, const char* key) -> std::uint64_t {
      auto* v = o.if_contains(key);
      if (!v) return 0;
      if (v->is_uint64()) return v->get_uint64();
      return v->is_int64() && v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
    };
    for (const auto& text : reports) {
      boost::system::error_code ec;
      auto report = json::parse(text, ec);
      if (ec || !report.is_object()) continue;  // another version's, or damaged: not counted
      const auto& o = report.as_object();
      ++total.nodes;
      total.total_connections += figure(o, "totalConnections");
      total.active_connections += figure(o, "activeConnections");
      total.messages_received += figure(o, "messagesReceived");
      total.refused_connections += figure(o, "refusedConnections");
    }
    done(total);
  });
}

// ---- rooms and history ----

std::uint64_t RealtimeService::local_member_count(const std::string& room) const {
  std::lock_guard lock(mutex_);
  std::uint64_t n = 0;
  for (const auto& [sid, c] : by_socket_) n += c->rooms.count(room);
  return n;
}

void RealtimeService::create_room(std::string name, std::string ns, std::string created_by, json::object metadata,
                                  std::function<void(std::optional<Room>)> done) {
  Room room{new_id(), std::move(name), ns.empty() ? "default" : std::move(ns), std::move(created_by), now_ms(),
            std::move(metadata)};
  store_->create_room(room, [room, done = std::move(done)](bool ok) mutable {
    done(ok ? std::optional<Room>(std::move(room)) : std::nullopt);
  });
}

void RealtimeService::get_room(const std::string& room_id, std::function<void(std::optional<Room>)> done) {
  store_->get_room(room_id, std::move(done));
}

void RealtimeService::list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done) {
  store_->list_rooms(std::move(ns), std::move(done));
}

void RealtimeService::join_room(const std::string& socket_id, const std::string& room_id,
                                std::function<void(bool)> done) {
  store_->get_room(room_id, [this, socket_id, room_id, done = std::move(done)](std::optional<Room> room) {
    if (!room) {
      if (done) done(false);
      return;
    }
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(mutex_);
      if (auto it = by_socket_.find(socket_id); it != by_socket_.end()) connection = it->second;
    }
    auto socket = connection ? connection->socket.lock() : nullptr;
    if (!socket) {
      io_.in(socket_id).sockets_join({room_id});  // another node's socket, through the adapter
    } else {
      io_.shards().post(socket->shard(), [this, weak = connection->socket, connection, room_id] {
        if (auto s = weak.lock(); s && s->connected()) enter_room(s, *connection, room_id, true, true);
      });
    }
    if (done) done(true);
  });
}

void RealtimeService::leave_room(const std::string& socket_id, const std::string& room_id,
                                 std::function<void(bool)> done) {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_socket_.find(socket_id); it != by_socket_.end()) connection = it->second;
  }
  auto socket = connection ? connection->socket.lock() : nullptr;
  if (!socket) {
    io_.in(socket_id).sockets_leave({room_id});
  } else {
    io_.shards().post(socket->shard(), [this, weak = connection->socket, connection, room_id] {
      if (auto s = weak.lock(); s && s->connected()) enter_room(s, *connection, room_id, false, true);
    });
  }
  if (done) done(true);
}

void RealtimeService::delete_room(const std::string& room_id, std::function<void(bool)> done) {
  store_->delete_room(room_id, [this, room_id, done = std::move(done)](bool existed) {
    if (existed) {
      io_.in(room_id).sockets_leave({room_id});  // every node's members
      std::vector<SocketUser> left;
      {
        std::lock_guard lock(mutex_);
        for (auto& [sid, c] : by_socket_)
          if (c->rooms.erase(room_id)) left.push_back(snapshot(*c));
      }
      for (const auto& user : left)
        for (const auto& hook : room_leave_hooks_) hook(user, room_id);
    }
    if (done) done(existed);
  });
}

std::vector<SocketUser> RealtimeService::get_room_members(const std::string& room_id) const {
  std::lock_guard lock(mutex_);
  std::vector<SocketUser> users;
  for (const auto& [sid, c] : by_socket_)
    if (c->rooms.count(room_id)) users.push_back(snapshot(*c));
  return users;
}

void RealtimeService::send_message(const std::string& room_id, const std::string& user_id, std::string content,
                                   MessageType type, json::object metadata,
                                   std::function<void(std::optional<Message>)> done, std::string username) {
  send_message(room_id, user_id, std::move(content), type, std::move(metadata), std::move(done), std::move(username),
               {});
}

std::string RealtimeService::username_of(const std::string& user_id, std::string fallback) const {
  if (!user_id.empty()) {
    std::lock_guard lock(mutex_);
    if (auto it = by_user_.find(user_id); it != by_user_.end() && !it->second.empty())
      if (auto c = by_socket_.find(*it->second.begin()); c != by_socket_.end() && !c->second->username.empty())
        return c->second->username;
  }
  return fallback;
}

void RealtimeService::send_message(const std::string& room_id, const std::string& user_id, std::string content,
                                   MessageType type, json::object metadata,
                                   std::function<void(std::optional<Message>)> done, std::string username,
                                   json::object extra) {
  username = username_of(user_id, std::move(username));
  Message message{new_id(), room_id, user_id, std::move(username), std::move(content), type, std::move(metadata),
                  now_ms(), {}};
  store_->append(message, [this, message, extra = std::move(extra), done = std::move(done)](bool ok) mutable {
    if (!ok) {
      if (done) done(std::nullopt);
      return;
    }
    auto body = message.to_json();
    for (auto& [k, v] : extra) body[k] = std::move(v);
    io_.to(message.room_id).emit(options_.events.new_message, Args::of(std::move(body)));
    for (const auto& hook : message_hooks_) hook(message);
    if (done) done(std::move(message));
  });
}

void RealtimeService::get_room_messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                                        std::function<void(std::vector<Message>)> done) {
  store_->messages(room_id, limit, offset, std::move(done));
}

void RealtimeService::get_room_stats(const std::string& room_id, std::function<void(std::optional<RoomStats>)> done) {
  store_->get_room(room_id, [this, room_id, done = std::move(done)](std::optional<Room> room) mutable {
    if (!room) return done(std::nullopt);
    store_->activity(room_id, [this, room_id, created = room->created_at,
                               done = std::move(done)](std::optional<store::RoomActivity> a) {
      if (!a) return done(std::nullopt);
      done(RoomStats{local_member_count(room_id), a->message_count, created, a->last_activity});
    });
  });
}

std::optional<Room> RealtimeService::create_room(std::string name, std::string ns, std::string created_by,
                                                 json::object metadata) {
  return wait_for<std::optional<Room>>([&](auto done) {
    create_room(std::move(name), std::move(ns), std::move(created_by), std::move(metadata), std::move(done));
  });
}

std::optional<Room> RealtimeService::get_room(const std::string& room_id) {
  return wait_for<std::optional<Room>>([&](auto done) { get_room(room_id, std::move(done)); });
}

std::vector<Room> RealtimeService::list_rooms(std::optional<std::string> ns) {
  return wait_for<std::vector<Room>>([&](auto done) { list_rooms(std::move(ns), std::move(done)); });
}

std::vector<Message> RealtimeService::get_room_messages(const std::string& room_id, std::size_t limit,
                                                        std::size_t offset) {
  return wait_for<std::vector<Message>>(
      [&](auto done) { get_room_messages(room_id, limit, offset, std::move(done)); });
}

std::vector<Message> RealtimeService::get_direct_messages(const std::string& a, const std::string& b, std::size_t limit,
                                                          std::size_t offset) {
  return wait_for<std::vector<Message>>(
      [&](auto done) { get_direct_messages(a, b, limit, offset, std::move(done)); });
}

std::optional<RoomStats> RealtimeService::get_room_stats(const std::string& room_id) {
  return wait_for<std::optional<RoomStats>>([&](auto done) { get_room_stats(room_id, std::move(done)); });
}

void RealtimeService::disconnect_user(const std::string& user_id, std::string reason) {
  log_event(spdlog::level::info, "disconnect-user", {{"user", user_id}, {"reason", reason}});
  io_.in(user_room(user_id)).disconnect_sockets(true);
}

std::size_t RealtimeService::cleanup(int inactive_minutes) {
  auto limit = now_ms() - std::int64_t(inactive_minutes) * 60'000;
  std::vector<std::string> stale;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [sid, c] : by_socket_)
      if (c->last_activity < limit) stale.push_back(sid);
  }
  for (const auto& sid : stale) io_.in(sid).disconnect_sockets(true);
  return stale.size();
}

}  // namespace service
