#pragma once
// The server side of the Socket.IO admin UI (@socket.io/admin-ui 0.5), as
// its instrument(io, {...}) speaks it: a namespace ("/admin") where the UI
// logs in (basic auth against a bcrypt hash, or none), learns the server's
// features ("config"), gets server_stats every 2 s, and, in development
// mode, every socket ("all_sockets"), their connections, disconnections,
// rooms and events as they happen. Unless read-only it may emit, make
// sockets join or leave a room, and disconnect them, through the adapter,
// so on every shard (and every node of a cluster).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "socketio/server.hpp"

namespace admin {

struct AdminOptions {
  std::string namespace_name = "/admin";  // the UI's default
  // Both set: the UI must log in with this user and a password whose bcrypt
  // hash this is. Both empty: no authentication (say so in the logs).
  std::string username;
  std::string password_hash;
  bool readonly = false;  // no emit, join, leave or disconnect from the UI
  // production: stats only, no per-socket details (instrument's mode). The
  // per-socket tracking costs a message to the UI per event: off in production.
  bool production = false;
  std::string server_id;  // how the UI names this node; default hostname#pid
  // The namespaces the UI sees (with the admin namespace itself).
  std::vector<std::string> namespaces{"/"};
  std::chrono::milliseconds stats_interval{2000};
};

class AdminUi {
 public:
  // Adds the admin namespace and the hooks on the watched namespaces: call
  // before the server starts. The stats timer runs on shard 0.
  AdminUi(socketio::Server& io, AdminOptions options);
  ~AdminUi();
  AdminUi(const AdminUi&) = delete;
  AdminUi& operator=(const AdminUi&) = delete;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace admin
