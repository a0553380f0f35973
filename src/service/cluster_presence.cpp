#include "service/cluster_presence.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <random>
#include <thread>

#include "redis/connection.hpp"

namespace service {

namespace {

// KEYS: user hash, users set, node-users set, nodes set. ARGV: node, user.
constexpr const char* kOpened = R"(
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
if total == 1 then return 1 end
return 0)";

// KEYS: user hash, users set, node-users set. ARGV: node, user.
constexpr const char* kClosed = R"(
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[2])
end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
return 0)";

// A dead node's users out. KEYS: its node-users set, nodes set, stats key.
// ARGV: node, user hash prefix, users set. Returns the users now offline
// everywhere.
constexpr const char* kReap = R"(
local lost = {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = ARGV[2] .. user
  redis.call('HDEL', h, ARGV[1])
  if redis.call('HLEN', h) == 0 then
    redis.call('SREM', ARGV[3], user)
    table.insert(lost, user)
  end
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
return lost)";

std::string random_node_id() {
  static constexpr char hex[] = "0123456789abcdef";
  std::mt19937_64 rng{std::random_device{}()};
  std::string id(16, '0');
  for (auto& c : id) c = hex[rng() % 16];
  return id;
}

}  // namespace

struct ClusterPresence::Core : std::enable_shared_from_this<Core> {
  explicit Core(Options o)
      : options(std::move(o)),
        node(random_node_id()),
        prefix(options.key + ":presence:"),
        work(boost::asio::make_work_guard(context)),
        sweep_timer(context) {}

  std::string user_key(const std::string& user) const { return prefix + "user:" + user; }
  std::string users_key() const { return prefix + "users"; }
  std::string node_users_key(const std::string& n) const { return prefix + "node-users:" + n; }
  std::string nodes_key() const { return prefix + "nodes"; }
  std::string node_key(const std::string& n) const { return prefix + "node:" + n; }
  std::string stats_key(const std::string& n) const { return prefix + "stats:" + n; }

  // Listed in the nodes set even with no users, so that it counts (and is
  // reaped) as a node.
  void write_stats() {
    redis->command({"SADD", nodes_key(), node});
    if (stats_report)
      redis->command({"SET", stats_key(node), stats_report(), "EX", std::to_string(options.ttl.count())});
  }

  void start() {
    redis = std::make_unique<::redis::Connection>(context, options.redis);
    thread = std::thread([this] { context.run(); });
    boost::asio::post(context, [self = shared_from_this()] { self->sweep(); });
  }

  // Refreshes this node's key, then takes out the nodes whose key expired.
  void sweep() {
    if (!redis) return;
    auto ttl = std::to_string(options.ttl.count());
    redis->command({"SET", node_key(node), "alive", "EX", ttl});
    write_stats();
    redis->command({"SMEMBERS", nodes_key()}, [self = shared_from_this()](boost::system::error_code ec, ::redis::Reply r) {
      if (ec || !r.is_array()) return;
      for (const auto& n : r.elements()) {
        std::string other(n.str());
        if (other == self->node || other.empty()) continue;
        self->redis->command({"EXISTS", self->node_key(other)}, [self, other](boost::system::error_code ec, ::redis::Reply r) {
          if (ec || r.as_integer() != 0) return;
          self->reap(other);
        });
      }
    });
    sweep_timer.expires_after(std::max(std::chrono::seconds(1), options.ttl / 3));
    sweep_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->sweep();
    });
  }

  void reap(const std::string& dead) {
    auto ttl = std::to_string(options.ttl.count());
    // One node reaps a dead one: the first to take the lock.
    redis->command({"SET", prefix + "reap:" + dead, node, "NX", "EX", ttl},
                   [self = shared_from_this(), dead](boost::system::error_code ec, ::redis::Reply r) {
                     if (ec || !r.is_status()) return;  // nil: someone else has it
                     self->redis->command(
                         {"EVAL", kReap, "3", self->node_users_key(dead), self->nodes_key(), self->stats_key(dead), dead,
                          self->prefix + "user:", self->users_key()},
                         [self](boost::system::error_code ec, ::redis::Reply r) {
                           if (ec || !r.is_array() || !self->on_lost) return;
                           for (const auto& u : r.elements()) self->on_lost(std::string(u.str()));
                         });
                   });
  }

  Options options;
  std::string node;
  std::string prefix;
  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  boost::asio::steady_timer sweep_timer;
  std::unique_ptr<::redis::Connection> redis;
  std::thread thread;
  std::function<void(const std::string&)> on_lost;  // set on the presence thread
  std::function<std::string()> stats_report;        // likewise
};

ClusterPresence::ClusterPresence(Options options) : core_(std::make_shared<Core>(std::move(options))) {
  core_->start();
}

ClusterPresence::~ClusterPresence() { stop(); }

void ClusterPresence::stop() {
  if (!core_->thread.joinable()) return;
  boost::asio::post(core_->context, [core = core_] {
    core->sweep_timer.cancel();
    // Gone on purpose: the others reap this node at their next sweep instead
    // of waiting for the key to expire.
    if (core->redis)
      core->redis->command({"DEL", core->node_key(core->node), core->stats_key(core->node)}, [core](boost::system::error_code, ::redis::Reply) {
        core->redis->close();
        core->work.reset();
      });
    // Redis unreachable: the DEL fails at once (or at the connection timeout).
  });
  core_->thread.join();
  core_->redis.reset();
}

void ClusterPresence::socket_opened(const std::string& user, bool alone, std::function<void(bool)> done) {
  boost::asio::post(core_->context, [core = core_, user, alone, done = std::move(done)] {
    if (!core->redis) return done(alone);
    core->redis->command({"EVAL", kOpened, "4", core->user_key(user), core->users_key(), core->node_users_key(core->node),
                          core->nodes_key(), core->node, user},
                         [done, alone](boost::system::error_code ec, ::redis::Reply r) {
                           done(ec || !r.is_integer() ? alone : r.as_integer() == 1);
                         });
  });
}

void ClusterPresence::socket_closed(const std::string& user, bool alone, std::function<void(bool)> done) {
  boost::asio::post(core_->context, [core = core_, user, alone, done = std::move(done)] {
    if (!core->redis) return done(alone);
    core->redis->command({"EVAL", kClosed, "3", core->user_key(user), core->users_key(),
                          core->node_users_key(core->node), core->node, user},
                         [done, alone](boost::system::error_code ec, ::redis::Reply r) {
                           done(ec || !r.is_integer() ? alone : r.as_integer() == 1);
                         });
  });
}

void ClusterPresence::user_sockets(const std::string& user, std::function<void(bool, long long)> done) {
  boost::asio::post(core_->context, [core = core_, user, done = std::move(done)] {
    if (!core->redis) return done(false, 0);
    core->redis->command({"HVALS", core->user_key(user)}, [done](boost::system::error_code ec, ::redis::Reply r) {
      if (ec || !r.is_array()) return done(false, 0);
      long long total = 0;
      for (const auto& v : r.elements()) total += std::atoll(std::string(v.str()).c_str());
      done(true, total);
    });
  });
}

void ClusterPresence::online_users(std::function<void(bool, std::vector<std::string>)> done) {
  boost::asio::post(core_->context, [core = core_, done = std::move(done)] {
    if (!core->redis) return done(false, {});
    core->redis->command({"SMEMBERS", core->users_key()}, [done](boost::system::error_code ec, ::redis::Reply r) {
      if (ec || !r.is_array()) return done(false, {});
      std::vector<std::string> users;
      for (const auto& u : r.elements()) users.emplace_back(u.str());
      done(true, std::move(users));
    });
  });
}

void ClusterPresence::on_user_lost(std::function<void(const std::string&)> handler) {
  boost::asio::post(core_->context, [core = core_, handler = std::move(handler)] { core->on_lost = handler; });
}

void ClusterPresence::on_stats_report(std::function<std::string()> report) {
  boost::asio::post(core_->context, [core = core_, report = std::move(report)] { core->stats_report = report; });
}

void ClusterPresence::cluster_stats(std::function<void(bool, std::vector<std::string>, long long)> done) {
  boost::asio::post(core_->context, [core = core_, done = std::move(done)] {
    if (!core->redis) return done(false, {}, 0);
    core->write_stats();  // pipelined: read back below with the others'
    core->redis->command({"SMEMBERS", core->nodes_key()}, [core, done](boost::system::error_code ec, ::redis::Reply r) {
      if (ec || !r.is_array()) return done(false, {}, 0);
      std::vector<std::string> mget{"MGET"};
      for (const auto& n : r.elements()) mget.push_back(core->stats_key(std::string(n.str())));
      if (mget.size() == 1) return done(false, {}, 0);  // not even this node: Redis lost it meanwhile
      core->redis->command(std::move(mget), [core, done](boost::system::error_code ec, ::redis::Reply r) {
        if (ec || !r.is_array()) return done(false, {}, 0);
        std::vector<std::string> reports;
        for (const auto& e : r.elements())
          if (e.is_string()) reports.emplace_back(e.str());
        core->redis->command({"SCARD", core->users_key()},
                             [done, reports = std::move(reports)](boost::system::error_code ec, ::redis::Reply r) mutable {
                               if (ec || !r.is_integer()) return done(false, {}, 0);
                               done(true, std::move(reports), r.as_integer());
                             });
      });
    });
  });
}

const std::string& ClusterPresence::node_id() const { return core_->node; }

}  // namespace service
