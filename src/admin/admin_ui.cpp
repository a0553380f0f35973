#include "admin/admin_ui.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "admin/bcrypt.hpp"
#include "engine/session.hpp"
#include "socketio/client.hpp"

namespace admin {

namespace json = boost::json;
using socketio::Args;
using socketio::SocketPtr;

namespace {

// new Date() as JSON.stringify writes it: 2026-01-02T03:04:05.678Z.
std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id += hex[rng() & 15];
  return id;
}

std::string default_server_id() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "#" + std::to_string(getpid());
}

// The string at args[i], or "" when absent or not a string.
std::string string_arg(const Args& args, std::size_t i) {
  return i < args.size() && args[i].is_string() ? std::string(args[i].as_string()) : std::string();
}

// A socket as the UI draws it (instrument's serialize()): its admin details
// come out of data._admin, its handshake loses auth (the admin's password
// is in there) and gains the address a proxy names.
json::object serialize(const json::object& described, const std::string& nsp) {
  json::object out;
  if (auto* id = described.if_contains("id")) out["id"] = *id;
  json::value data = described.contains("data") ? described.at("data") : json::value(json::object{});
  json::object details;
  if (data.is_object()) {
    if (auto* a = data.as_object().if_contains("_admin"); a && a->is_object()) details = a->as_object();
    data.as_object().erase("_admin");
  }
  out["clientId"] = details.contains("clientId") ? details.at("clientId") : json::value();
  out["transport"] = details.contains("transport") ? details.at("transport") : json::value();
  out["nsp"] = nsp;
  out["data"] = data.is_object() ? std::move(data) : json::value(json::object{});
  json::object handshake;
  if (auto* h = described.if_contains("handshake"); h && h->is_object()) {
    const auto& src = h->as_object();
    json::value address = src.contains("address") ? src.at("address") : json::value();
    if (auto* headers = src.if_contains("headers"); headers && headers->is_object()) {
      const auto& hs = headers->as_object();
      if (auto* v = hs.if_contains("cf-connecting-ip"))
        address = *v;
      else if (auto* v = hs.if_contains("x-forwarded-for"))
        address = *v;
    }
    handshake["address"] = address;
    for (const char* key : {"headers", "query", "issued", "secure", "time", "url", "xdomain"})
      if (auto* v = src.if_contains(key)) handshake[key] = *v;
  }
  out["handshake"] = std::move(handshake);
  out["rooms"] = described.contains("rooms") ? described.at("rooms") : json::value(json::array{});
  return out;
}

}  // namespace

struct AdminUi::State : std::enable_shared_from_this<State> {
  State(socketio::Server& io, AdminOptions options)
      : io(io), options(std::move(options)), timer(io.shards().context(0)), shards(io.shards().size()) {}

  socketio::Server& io;
  AdminOptions options;
  socketio::Namespace* admin_nsp = nullptr;  // owned by the server, which outlives this
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  boost::asio::steady_timer timer;  // on shard 0
  std::atomic<bool> stopped{false};
  std::atomic<int> admins{0};  // admin sockets connected to this node

  // Sessions a logged-in UI reconnects with (auth.sessionId), as
  // instrument's InMemoryStore keeps them, but capped: the oldest go first.
  static constexpr std::size_t max_sessions = 1000;
  std::mutex sessions_mutex;
  std::deque<std::string> session_order;
  std::unordered_set<std::string> sessions;
  std::unordered_map<std::string, std::string> new_sessions;  // socket id -> session to send on connect
  // bcrypt checks run on their own threads, a few at a time: a flood of
  // logins must not hold the event loops nor spawn threads without bound.
  static constexpr int max_checks = 4;
  std::atomic<int> checks_in_flight{0};

  // What each shard knows of its sockets; touched on that shard's thread only.
  struct Tracked {
    std::weak_ptr<socketio::Socket> socket;
    std::string nsp;
    std::string transport;
    std::vector<std::string> rooms;
  };
  struct alignas(64) Shard {
    std::unordered_map<std::string, Tracked> sockets;  // by nsp + '\n' + id
    std::uint64_t connections = 0;
    std::map<std::string, std::uint64_t> disconnections;  // by reason
  };
  std::vector<Shard> shards;

  bool development() const { return !options.production; }

  json::array features() const {
    json::array f;
    if (!options.readonly)
      for (const char* name : {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"})
        f.emplace_back(name);
    f.emplace_back("AGGREGATED_EVENTS");
    if (development()) f.emplace_back("ALL_EVENTS");
    return f;
  }

  // A broadcast to the admin namespace: through the adapter, so a UI
  // connected to another node of a cluster hears this one too.
  void to_admins(std::string event, Args args) { admin_nsp->emit(std::move(event), std::move(args)); }

  bool session_exists(const std::string& id) {
    std::lock_guard lock(sessions_mutex);
    return sessions.count(id) > 0;
  }
  std::string new_session(const std::string& socket_id) {
    auto id = random_id();
    std::lock_guard lock(sessions_mutex);
    sessions.insert(id);
    session_order.push_back(id);
    if (session_order.size() > max_sessions) {
      sessions.erase(session_order.front());
      session_order.pop_front();
    }
    // A login whose socket never connected leaves its entry: bounded too.
    if (new_sessions.size() >= max_sessions) new_sessions.clear();
    new_sessions[socket_id] = id;
    return id;
  }
  std::string take_new_session(const std::string& socket_id) {
    std::lock_guard lock(sessions_mutex);
    auto it = new_sessions.find(socket_id);
    if (it == new_sessions.end()) return {};
    auto id = std::move(it->second);
    new_sessions.erase(it);
    return id;
  }

  void authenticate(const SocketPtr& socket, socketio::Next next) {
    const auto& auth = socket->handshake().auth;
    auto field = [&auth](const char* key) {
      auto* v = auth.if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto session = field("sessionId");
    if (!session.empty() && session_exists(session)) return next(std::nullopt);
    auto refuse = [next] { next(socketio::ConnectError{"invalid credentials", nullptr}); };
    if (field("username") != options.username) return refuse();
    if (checks_in_flight.fetch_add(1) >= max_checks) {
      checks_in_flight.fetch_sub(1);
      return refuse();
    }
    auto shard = socket->shard();
    std::weak_ptr<State> weak = shared_from_this();
    std::thread([weak, shard, next, password = field("password"), hash = options.password_hash, id = socket->id()] {
      bool ok = bcrypt_matches(password, hash);
      auto self = weak.lock();
      if (!self) return;
      self->checks_in_flight.fetch_sub(1);
      if (ok) self->new_session(id);
      self->io.shards().post(shard, [next, ok] {
        if (ok)
          next(std::nullopt);
        else
          next(socketio::ConnectError{"invalid credentials", nullptr});
      });
    }).detach();
  }

  void on_admin_connection(const SocketPtr& socket) {
    admins.fetch_add(1);
    socket->on_disconnect([weak = weak_from_this()](std::string_view) {
      if (auto self = weak.lock()) self->admins.fetch_sub(1);
    });
    if (auto session = take_new_session(socket->id()); !session.empty()) socket->emit("session", Args::of(session));
    if (!options.readonly) register_actions(socket);
    socket->emit("config", Args::of(json::object{{"supportedFeatures", features()}}));
    if (development()) send_all_sockets(socket);
  }

  // The namespace an action names, if it exists: the UI never creates one.
  socketio::Namespace* find_nsp(const Args& args) { return io.find(string_arg(args, 0)); }

  // The handlers hold the state weakly: an admin socket may outlive it.
  void register_actions(const SocketPtr& socket) {
    std::weak_ptr<State> weak = shared_from_this();
    socket->on("emit", [weak](Args& args, socketio::Ack) {
      auto self = weak.lock();
      auto* nsp = self ? self->find_nsp(args) : nullptr;
      auto filter = string_arg(args, 1), event = string_arg(args, 2);
      if (!nsp || event.empty()) return;
      json::array rest(args.values.begin() + 3, args.values.end());
      Args payload(std::move(rest), std::move(args.buffers));
      (filter.empty() ? nsp->all() : nsp->to(filter)).emit(std::move(event), std::move(payload));
    });
    for (bool joining : {true, false}) {
      socket->on(joining ? "join" : "leave", [weak, joining](Args& args, socketio::Ack) {
        auto self = weak.lock();
        auto* nsp = self ? self->find_nsp(args) : nullptr;
        auto room = string_arg(args, 1), filter = string_arg(args, 2);
        if (!nsp || room.empty() || room.size() > 256) return;
        auto target = filter.empty() ? nsp->all() : nsp->to(filter);
        if (joining)
          target.sockets_join({room});
        else
          target.sockets_leave({room});
      });
    }
    socket->on("_disconnect", [weak](Args& args, socketio::Ack) {
      auto self = weak.lock();
      auto* nsp = self ? self->find_nsp(args) : nullptr;
      bool close = args.size() > 1 && args[1].is_bool() && args[1].as_bool();
      auto filter = string_arg(args, 2);
      if (!nsp) return;
      (filter.empty() ? nsp->all() : nsp->to(filter)).disconnect_sockets(close);
    });
  }

  std::vector<std::string> watched() const {
    auto names = options.namespaces;
    if (std::find(names.begin(), names.end(), options.namespace_name) == names.end())
      names.push_back(options.namespace_name);
    return names;
  }

  // Every socket of the watched namespaces, on every shard and node.
  void send_all_sockets(const SocketPtr& socket) {
    struct Gather {
      std::mutex mutex;
      json::array sockets;
      std::size_t left;
    };
    auto names = watched();
    auto gather = std::make_shared<Gather>();
    gather->left = names.size();
    std::weak_ptr<socketio::Socket> weak = socket;
    for (const auto& name : names) {
      auto* nsp = io.find(name);
      auto done = [gather, weak, name](std::vector<socketio::RemoteSocket> found) {
        std::lock_guard lock(gather->mutex);
        for (auto& s : found) {
          json::array rooms;
          for (auto& r : s.rooms) rooms.emplace_back(r);
          gather->sockets.push_back(serialize(
              json::object{{"id", s.id}, {"handshake", s.handshake}, {"rooms", std::move(rooms)}, {"data", s.data}},
              name));
        }
        if (--gather->left == 0)
          if (auto admin = weak.lock()) admin->emit("all_sockets", Args::of(std::move(gather->sockets)));
      };
      if (nsp)
        nsp->fetch_sockets(done);
      else
        done({});
    }
  }

  // On the socket's shard, for each socket of a watched namespace.
  void on_watched_connection(const SocketPtr& socket, const std::string& nsp, bool is_admin) {
    auto& shard = shards[socket->shard()];
    std::string transport(socket->transport());
    auto rooms = socket->rooms();
    std::sort(rooms.begin(), rooms.end());
    shard.sockets[nsp + '\n' + socket->id()] = Tracked{socket, nsp, transport, std::move(rooms)};
    if (nsp == "/") shard.connections++;
    std::weak_ptr<State> weak = weak_from_this();
    std::string id = socket->id();
    socket->on_disconnect([weak, nsp, id, shard_index = socket->shard()](std::string_view reason) {
      auto self = weak.lock();
      if (!self) return;
      auto& shard = self->shards[shard_index];
      shard.sockets.erase(nsp + '\n' + id);
      if (nsp == "/") shard.disconnections[std::string(reason)]++;
      if (self->development())
        self->to_admins("socket_disconnected", Args::of(nsp, id, std::string(reason), iso_now()));
    });
    if (!development()) return;
    // instrument keeps its details in socket.data._admin, so that
    // fetchSockets carries them from any node (Node's too) to the UI.
    if (!socket->data.is_object()) socket->data = json::object{};
    socket->data.as_object()["_admin"] = json::object{
        {"clientId", std::string(socket->client()->session().id()).substr(0, 12)}, {"transport", transport}};
    to_admins("socket_connected", Args::of(serialize(socket->describe(), nsp), iso_now()));
    if (is_admin) return;
    auto relay = [weak, nsp, id](const char* what) {
      return [weak, nsp, id, what](const std::string& event, const Args& args) {
        auto self = weak.lock();
        if (!self || self->admins.load(std::memory_order_relaxed) == 0) return;
        json::array values{json::value(event)};
        for (const auto& v : args.values) values.push_back(v);
        self->to_admins(what,
                        Args(json::array{json::value(nsp), json::value(id), std::move(values), json::value(iso_now())},
                             args.buffers));
      };
    };
    socket->on_any(relay("event_received"));
    socket->on_any_outgoing(relay("event_sent"));
  }

  // Every stats_interval, on shard 0: each shard counts its sockets (and,
  // in development mode, tells the UI of transports and rooms that changed
  // since), then the last one to finish sends server_stats.
  void arm() {
    timer.expires_after(options.stats_interval);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      self->tick();
      self->arm();
    });
  }

  void tick() {
    struct Gather {
      std::mutex mutex;
      std::map<std::string, std::size_t> per_nsp;
      std::size_t polling = 0;
      json::array events;
      std::size_t left;
    };
    auto gather = std::make_shared<Gather>();
    gather->left = shards.size();
    for (const auto& name : watched()) gather->per_nsp[name] = 0;
    auto second =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() *
        1000;
    io.shards().post_all([self = shared_from_this(), gather, second](std::size_t index) {
      auto& shard = self->shards[index];
      std::map<std::string, std::size_t> per_nsp;
      std::size_t polling = 0;
      bool report = self->development() && self->admins.load(std::memory_order_relaxed) > 0;
      for (auto it = shard.sockets.begin(); it != shard.sockets.end();) {
        auto socket = it->second.socket.lock();
        if (!socket) {
          it = shard.sockets.erase(it);
          continue;
        }
        auto& t = it->second;
        per_nsp[t.nsp]++;
        std::string transport(socket->transport());
        if (transport == "polling" && t.nsp == "/") polling++;
        if (transport != t.transport) {
          t.transport = transport;
          if (socket->data.is_object())
            if (auto* a = socket->data.as_object().if_contains("_admin"); a && a->is_object())
              a->as_object()["transport"] = transport;
          if (report)
            self->to_admins("socket_updated",
                            Args::of(json::object{{"id", socket->id()}, {"nsp", t.nsp}, {"transport", transport}}));
        }
        if (report) {
          auto rooms = socket->rooms();
          std::sort(rooms.begin(), rooms.end());
          if (rooms != t.rooms) {
            auto now = iso_now();
            for (auto& r : rooms)
              if (!std::binary_search(t.rooms.begin(), t.rooms.end(), r))
                self->to_admins("room_joined", Args::of(t.nsp, r, socket->id(), now));
            for (auto& r : t.rooms)
              if (!std::binary_search(rooms.begin(), rooms.end(), r))
                self->to_admins("room_left", Args::of(t.nsp, r, socket->id(), now));
            t.rooms = std::move(rooms);
          }
        }
        ++it;
      }
      json::array events;
      if (shard.connections)
        events.push_back(json::object{{"timestamp", second}, {"type", "rawConnection"}, {"count", shard.connections}});
      for (auto& [reason, count] : shard.disconnections)
        events.push_back(
            json::object{{"timestamp", second}, {"type", "rawDisconnection"}, {"subType", reason}, {"count", count}});
      shard.connections = 0;
      shard.disconnections.clear();
      std::lock_guard lock(gather->mutex);
      for (auto& [name, n] : per_nsp) gather->per_nsp[name] += n;
      gather->polling += polling;
      for (auto& e : events) gather->events.push_back(std::move(e));
      if (--gather->left == 0) self->send_stats(*gather);
    });
  }

  template <class Gather>
  void send_stats(Gather& g) {
    json::array namespaces;
    for (auto& [name, n] : g.per_nsp) namespaces.push_back(json::object{{"name", name}, {"socketsCount", n}});
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    to_admins("server_stats", Args::of(json::object{{"serverId", options.server_id},
                                                    {"hostname", host},
                                                    {"pid", static_cast<std::int64_t>(getpid())},
                                                    {"uptime", uptime},
                                                    {"clientsCount", io.engine().session_count()},
                                                    {"pollingClientsCount", g.polling},
                                                    {"aggregatedEvents", std::move(g.events)},
                                                    {"namespaces", std::move(namespaces)}}));
  }
};

AdminUi::AdminUi(socketio::Server& io, AdminOptions options) {
  if (options.server_id.empty()) options.server_id = default_server_id();
  if (options.username.empty() != options.password_hash.empty())
    throw std::invalid_argument("admin UI: set both the username and the password hash, or neither");
  if (!options.password_hash.empty() && !is_bcrypt_hash(options.password_hash))
    throw std::invalid_argument("admin UI: the password hash must be a bcrypt hash ($2a$, $2b$ or $2y$)");
  state_ = std::make_shared<State>(io, std::move(options));
  auto& admin = io.of(state_->options.namespace_name);
  state_->admin_nsp = &admin;
  std::weak_ptr<State> weak = state_;
  if (!state_->options.username.empty())
    admin.use([weak](const SocketPtr& socket, socketio::Next next) {
      if (auto self = weak.lock()) self->authenticate(socket, std::move(next));
    });
  // The watched namespaces' hooks first: an admin socket has its
  // data._admin before it asks for all_sockets.
  for (const auto& name : state_->watched()) {
    bool is_admin = name == state_->options.namespace_name;
    io.of(name).on_connection([weak, name, is_admin](const SocketPtr& socket) {
      if (auto self = weak.lock()) self->on_watched_connection(socket, name, is_admin);
    });
  }
  admin.on_connection([weak](const SocketPtr& socket) {
    if (auto self = weak.lock()) self->on_admin_connection(socket);
  });
  state_->arm();
}

AdminUi::~AdminUi() {
  state_->stopped = true;
  // The timer belongs to shard 0's thread: cancelled there while it runs.
  if (state_->io.shards().running()) state_->io.shards().post(0, [s = state_] { s->timer.cancel(); });
}

}  // namespace admin
