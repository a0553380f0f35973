#pragma once
// The Socket.IO v5 server: what `io` is in Node.
//
//   socketio::Server io(shards, options);
//   io.on_connection([](const socketio::SocketPtr& socket) {
//     socket->on("chat", [socket](socketio::Args& args, socketio::Ack ack) { ... });
//   });
//   io.of("/admin").use([](const socketio::SocketPtr& s, socketio::Next next) { next(std::nullopt); });
//   io.to("room").except("x").emit("news", socketio::Args::of("hello"));

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <regex>
#include <string>

#include "engine/server.hpp"
#include "net/http_server.hpp"
#include "net/shard_pool.hpp"
#include "socketio/namespace.hpp"
#include "socketio/options.hpp"

namespace socketio {

struct ServerCore;

class Server {
 public:
  Server(net::ShardPool& shards, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves options.engine.path on `http`. Call before http.listen().
  void attach(net::HttpServer& http);

  // The namespace `name` ("/chat"), created if needed.
  Namespace& of(const std::string& name);
  // Dynamic namespaces: a client may connect to any name the pattern or the
  // predicate accepts; the child is created on first connect with the
  // handlers set on the returned namespace.
  Namespace& of(const std::regex& pattern);
  Namespace& of(std::function<bool(const std::string& name, const boost::json::object& auth)> predicate);

  // The namespace `name` if it exists (created by of() or by a client of a
  // dynamic namespace), else null. Never creates one.
  Namespace* find(const std::string& name);

  Namespace& sockets() { return of("/"); }
  Server& on_connection(ConnectionHandler handler) {
    sockets().on_connection(std::move(handler));
    return *this;
  }
  Server& use(Middleware middleware) {
    sockets().use(std::move(middleware));
    return *this;
  }
  BroadcastOperator to(std::string room) { return sockets().to(std::move(room)); }
  BroadcastOperator in(std::string room) { return sockets().to(std::move(room)); }
  BroadcastOperator except(std::string room) { return sockets().except(std::move(room)); }
  BroadcastOperator volatile_() { return sockets().volatile_(); }
  BroadcastOperator local() { return sockets().local(); }
  BroadcastOperator timeout(std::chrono::milliseconds value) { return sockets().timeout(value); }
  bool emit(std::string event, Args args = {}) { return sockets().emit(std::move(event), std::move(args)); }

  // Every namespace (not the dynamic parents), under the namespaces' lock:
  // `fn` must not create one. Any thread.
  void for_each_namespace(const std::function<void(const Namespace&)>& fn);

  // For a shutdown: disconnects every client with "server shutting down"
  // and refuses new ones from now on (503); any thread.
  void close_all();
  engine::Server& engine();
  const ServerOptions& options() const;
  net::ShardPool& shards();

 private:
  std::shared_ptr<ServerCore> core_;
};

}  // namespace socketio
