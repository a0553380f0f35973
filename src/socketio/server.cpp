#include "socketio/server.hpp"

#include <mutex>

#include "socketio/client.hpp"
#include "socketio/server_core.hpp"

namespace socketio {

ServerCore::ServerCore(net::ShardPool& p, ServerOptions o)
    : pool(p),
      options(std::move(o)),
      engine(p, options.engine),
      recovery(options.connection_state_recovery ? std::make_unique<RecoveryStore>(*options.connection_state_recovery)
                                                 : nullptr),
      connect_timers_(p.size(), nullptr) {}

net::FifoTimer& ServerCore::connect_timer(std::size_t shard) {
  auto& timer = connect_timers_[shard];
  if (!timer) timer = &net::FifoTimer::of(pool.context(shard), std::chrono::milliseconds(options.connect_timeout_ms));
  return *timer;
}

std::shared_ptr<Namespace> ServerCore::get_or_create(const std::string& name) {
  std::unique_lock lock(mutex);
  auto& nsp = namespaces[name];
  if (!nsp) nsp = std::make_shared<Namespace>(this, name);
  return nsp;
}

std::shared_ptr<Namespace> ServerCore::find_namespace(const std::string& name, const boost::json::object& auth) {
  {
    std::shared_lock lock(mutex);
    if (auto it = namespaces.find(name); it != namespaces.end()) return it->second;
  }
  std::unique_lock lock(mutex);
  if (auto it = namespaces.find(name); it != namespaces.end()) return it->second;
  for (const auto& parent : parents) {
    if (!parent.matches(name, auth)) continue;
    auto child = std::make_shared<Namespace>(this, name);
    child->copy_handlers_from(*parent.prototype);
    namespaces.emplace(name, child);
    return child;
  }
  return nullptr;
}

Server::Server(net::ShardPool& shards, ServerOptions options)
    : core_(std::make_shared<ServerCore>(shards, std::move(options))) {
  core_->get_or_create("/");  // the main namespace always exists
  core_->engine.on_connection([core = core_.get()](std::shared_ptr<engine::Session> session) {
    std::make_shared<Client>(core, std::move(session))->start();
  });
}

// Destroy the server after its shards have stopped: namespaces, clients and
// sockets refer to it without owning it.
Server::~Server() {
  std::unique_lock lock(core_->mutex);
  core_->parents.clear();
  core_->namespaces.clear();
}

void Server::attach(net::HttpServer& http) { core_->engine.attach(http); }

Namespace& Server::of(const std::string& name) {
  std::string normalized = name.empty() || name[0] != '/' ? "/" + name : name;
  return *core_->get_or_create(normalized);
}

Namespace& Server::of(const std::regex& pattern) {
  return of([pattern](const std::string& name, const boost::json::object&) { return std::regex_match(name, pattern); });
}

Namespace& Server::of(std::function<bool(const std::string&, const boost::json::object&)> predicate) {
  auto prototype = std::make_shared<Namespace>(core_.get(), "");
  std::unique_lock lock(core_->mutex);
  core_->parents.push_back(ServerCore::Parent{std::move(predicate), prototype});
  return *prototype;
}

void Server::for_each_namespace(const std::function<void(const Namespace&)>& fn) {
  std::shared_lock lock(core_->mutex);
  for (const auto& [name, nsp] : core_->namespaces) fn(*nsp);
}

Namespace* Server::find(const std::string& name) {
  std::shared_lock lock(core_->mutex);
  auto it = core_->namespaces.find(name);
  return it == core_->namespaces.end() ? nullptr : it->second.get();
}

void Server::close_all() { core_->engine.drain("server shutting down"); }
engine::Server& Server::engine() { return core_->engine; }
const ServerOptions& Server::options() const { return core_->options; }
net::ShardPool& Server::shards() { return core_->pool; }

}  // namespace socketio
