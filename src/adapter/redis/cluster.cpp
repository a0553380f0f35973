#include "adapter/redis/cluster.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "adapter/redis/cluster_core.hpp"
#include "adapter/redis/member.hpp"

namespace adapter::redis {

// ---- Core: the Redis thread ----

Cluster::Core::Core(ClusterOptions o, PacketEncoder e)
    : options(std::move(o)), encoder(std::move(e)), work(boost::asio::make_work_guard(context)) {}

Cluster::Core::~Core() { stop(); }

void Cluster::Core::start() {
  pub = std::make_unique<::redis::Connection>(context, options.redis);
  sub = std::make_unique<::redis::Connection>(context, options.redis);
  std::weak_ptr<Core> weak = shared_from_this();
  auto on_state = [weak](::redis::State) {
    if (auto self = weak.lock()) self->on_state_change();
  };
  pub->on_state(on_state);
  sub->on_state(on_state);
  sub->on_message([weak](std::string_view pattern, std::string_view channel, std::string_view payload) {
    if (auto self = weak.lock()) self->on_message(pattern, channel, payload);
  });
  thread = std::thread([this] { context.run(); });
}

void Cluster::Core::stop() {
  if (!thread.joinable()) return;
  boost::asio::post(context, [this] {
    by_pattern.clear();
    by_channel.clear();
    if (pub) pub->close();
    if (sub) sub->close();
    work.reset();
  });
  thread.join();
  pub.reset();
  sub.reset();
}

void Cluster::Core::on_state_change() {
  using ::redis::State;
  bool up = pub->state() == State::ready && sub->state() == State::ready;
  bool lost = pub->state() == State::down || sub->state() == State::down;
  int now = up ? 1 : lost ? 2 : 0;
  int before = state.exchange(now);
  ready = up;
  if (now == before) return;
  std::string error = pub->state() == State::down ? pub->last_error() : sub->last_error();
  {
    std::lock_guard lock(error_mutex);
    if (!error.empty()) last_error = error;
  }
  // Once per change of state, not per attempt or per message.
  if (now == 1) {
    publish_failing = false;
    spdlog::info("redis adapter: connected to {} (key {})", options.redis.endpoint(), options.key);
  } else if (now == 2) {
    spdlog::error("redis adapter: {} unreachable ({}); serving local clients, retrying", options.redis.endpoint(),
                  error);
  }
}

void Cluster::Core::publish(std::string channel, std::string payload) {
  boost::asio::post(context, [self = shared_from_this(), channel = std::move(channel),
                              payload = std::move(payload)]() mutable {
    if (!self->pub) return;
    self->pub->command({self->sharded() ? "SPUBLISH" : "PUBLISH", channel, payload}, [self](boost::system::error_code ec, ::redis::Reply reply) {
      if (!ec && !reply.is_error()) {
        ++self->counters.published;
        return;
      }
      auto failures = ++self->counters.publish_failures;
      if (!self->publish_failing) {
        self->publish_failing = true;
        spdlog::warn("redis adapter: publishes are being lost while Redis is unreachable ({}; {} so far)",
                     ec ? ec.message() : std::string(reply.str()), failures);
      }
    });
  });
}

void Cluster::Core::server_count(const std::string& request_channel, std::function<void(std::size_t)> done) {
  if (!pub) return done(0);
  pub->command({"PUBSUB", sharded() ? "SHARDNUMSUB" : "NUMSUB", request_channel},
               [done = std::move(done)](boost::system::error_code ec, ::redis::Reply reply) {
                 // [channel, count]; anything else: Redis cannot say, answer alone.
                 if (ec || !reply.is_array() || reply.elements().size() < 2) return done(0);
                 auto n = reply.elements()[1].as_integer();
                 done(n > 0 ? static_cast<std::size_t>(n) : 0);
               });
}

void Cluster::Core::attach(const std::shared_ptr<Member>& member) {
  if (!sub) return;  // stopped
  const auto& c = member->channels();
  if (sharded()) {
    auto main = member->sharded_channel(), own = member->sharded_own_channel();
    by_channel[main] = member;
    by_channel[own] = member;
    sub->ssubscribe({main, own});
    return;
  }
  by_pattern[c.pattern] = member;
  for (const auto* channel : {&c.request, &c.response, &c.specific_response}) by_channel[*channel] = member;
  // One subscribed connection per process: PUBSUB NUMSUB counts this node once.
  sub->psubscribe({c.pattern});
  sub->subscribe({c.request, c.response, c.specific_response});
}

void Cluster::Core::detach(const std::shared_ptr<Member>& member) {
  const auto& c = member->channels();
  if (sharded()) {
    std::vector<std::string> channels;
    for (auto it = by_channel.begin(); it != by_channel.end();) {
      if (it->second != member) {
        ++it;
        continue;
      }
      channels.push_back(it->first);
      it = by_channel.erase(it);
    }
    if (sub && !channels.empty()) sub->sunsubscribe(std::move(channels));
    return;
  }
  by_pattern.erase(c.pattern);
  for (const auto* channel : {&c.request, &c.response, &c.specific_response}) by_channel.erase(*channel);
  if (!sub) return;
  sub->punsubscribe({c.pattern});
  sub->unsubscribe({c.request, c.response, c.specific_response});
}

void Cluster::Core::subscribe_room(const std::shared_ptr<Member>& member, const std::string& channel) {
  if (!sub) return;
  by_channel[channel] = member;
  sub->ssubscribe({channel});
}

void Cluster::Core::unsubscribe_room(const std::string& channel) {
  if (!sub) return;
  by_channel.erase(channel);
  sub->sunsubscribe({channel});
}

void Cluster::Core::on_message(std::string_view pattern, std::string_view channel, std::string_view payload) {
  ++counters.received;
  if (!pattern.empty()) {
    auto it = by_pattern.find(std::string(pattern));
    if (it != by_pattern.end()) it->second->on_broadcast(channel, payload);
    return;
  }
  auto it = by_channel.find(std::string(channel));
  if (it == by_channel.end()) return;
  if (sharded()) return it->second->on_sharded(payload);
  if (channel == it->second->channels().request)
    it->second->on_request(payload);
  else
    it->second->on_response(payload);
}

// ---- the Adapter of one namespace ----

namespace {

class RedisAdapter final : public Adapter {
 public:
  RedisAdapter(std::shared_ptr<Cluster::Core> core, const std::string& nsp, net::ShardPool& pool)
      : core_(std::move(core)), member_(std::make_shared<Member>(core_, nsp, pool)) {
    boost::asio::post(core_->context, [core = core_, member = member_] { core->attach(member); });
  }
  ~RedisAdapter() override {
    boost::asio::post(core_->context, [core = core_, member = member_] { core->detach(member); });
  }

  RoomIndex& local_rooms() override { return member_->local().local_rooms(); }
  void broadcast(PacketPtr packet, Target target, BroadcastFlags flags) override {
    member_->broadcast(std::move(packet), std::move(target), flags);
  }
  void broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                          std::shared_ptr<AckCollector> collector) override {
    member_->broadcast_with_ack(std::move(packet), ack_id, std::move(target), flags, std::move(collector));
  }
  // The shards, and the rest of the cluster as one more part.
  std::size_t ack_parts() const override { return member_->local().ack_parts() + 1; }
  void fetch_sockets(Target target, std::function<void(std::vector<boost::json::object>)> done) override {
    member_->fetch_sockets(std::move(target), std::move(done));
  }
  void add_sockets(Target target, std::vector<std::string> rooms) override {
    if (!target.local) member_->apply_remotely(RequestType::remote_join, target, rooms, false);
    member_->local().add_sockets(std::move(target), std::move(rooms));
  }
  void del_sockets(Target target, std::vector<std::string> rooms) override {
    if (!target.local) member_->apply_remotely(RequestType::remote_leave, target, rooms, false);
    member_->local().del_sockets(std::move(target), std::move(rooms));
  }
  void disconnect_sockets(Target target, bool close) override {
    if (!target.local) member_->apply_remotely(RequestType::remote_disconnect, target, {}, close);
    member_->local().disconnect_sockets(std::move(target), close);
  }
  void count(std::function<void(std::size_t, std::size_t)> done) override { member_->local().count(std::move(done)); }
  void all_rooms(std::function<void(std::vector<std::string>)> done) override { member_->all_rooms(std::move(done)); }
  void server_side_emit(boost::json::array data, std::vector<std::string> buffers, ServerSideDone done) override {
    member_->server_side_emit(std::move(data), std::move(buffers), std::move(done));
  }
  void on_server_side_emit(ServerSideHandler handler) override {
    // Read on the Redis thread only: set there.
    boost::asio::post(core_->context, [member = member_, handler = std::move(handler)]() mutable {
      member->set_server_side_handler(std::move(handler));
    });
  }

 private:
  std::shared_ptr<Cluster::Core> core_;
  std::shared_ptr<Member> member_;
};

}  // namespace

// ---- Cluster ----

Cluster::Cluster(ClusterOptions options, PacketEncoder encoder)
    : core_(std::make_shared<Core>(std::move(options), std::move(encoder))) {
  core_->start();
}

Cluster::~Cluster() { stop(); }

void Cluster::stop() { core_->stop(); }

std::function<std::unique_ptr<Adapter>(const std::string&, net::ShardPool&)> Cluster::factory() {
  return [core = core_](const std::string& nsp, net::ShardPool& pool) -> std::unique_ptr<Adapter> {
    return std::make_unique<RedisAdapter>(core, nsp, pool);
  };
}

bool Cluster::ready() const { return core_->ready; }

std::string Cluster::state() const {
  switch (core_->state.load()) {
    case 1:
      return "ready";
    case 2:
      return "down";
    default:
      return "connecting";
  }
}

std::string Cluster::last_error() const {
  std::lock_guard lock(core_->error_mutex);
  return core_->last_error;
}

const ClusterCounters& Cluster::counters() const { return core_->counters; }
const ClusterOptions& Cluster::options() const { return core_->options; }

}  // namespace adapter::redis
