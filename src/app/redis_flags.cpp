#include "app/redis_flags.hpp"

#include "socketio/encode.hpp"

namespace app {

void add_redis_flags(CLI::App& cli, RedisFlags& f) {
  cli.add_option("--redis-url", f.url, "Redis of the cluster: redis://[user:password@]host:port[/db] (wins over the parts)")
      ->envname("REDIS_URL");
  cli.add_option("--redis-host", f.host, "Redis host, without --redis-url")->envname("REDIS_HOST")->capture_default_str();
  cli.add_option("--redis-port", f.port, "Redis port, without --redis-url")->envname("REDIS_PORT")->capture_default_str();
  cli.add_option("--redis-username", f.username, "Redis ACL user (Redis 6+)")->envname("REDIS_USERNAME");
  cli.add_option("--redis-password", f.password, "Redis password")->envname("REDIS_PASSWORD");
  cli.add_option("--redis-db", f.db, "Redis database (pub/sub is global: only for stored data)")
      ->envname("REDIS_DB")
      ->capture_default_str();
  cli.add_option("--redis-key", f.key, "Channel prefix, as Node's `key` option")->envname("REDIS_KEY")->capture_default_str();
  cli.add_option("--redis-requests-timeout", f.requests_timeout_ms,
                 "ms to wait for the other nodes' answers to fetchSockets, allRooms, serverSideEmit")
      ->envname("REDIS_REQUESTS_TIMEOUT")
      ->capture_default_str();
  cli.add_option("--redis-mode", f.mode, "classic (createAdapter) or sharded (createShardedAdapter, Redis 7)")
      ->envname("REDIS_MODE")
      ->capture_default_str();
  cli.add_option("--redis-subscription-mode", f.subscription_mode,
                 "Sharded mode only: static, dynamic or dynamic-private, as in Node")
      ->envname("REDIS_SUBSCRIPTION_MODE")
      ->capture_default_str();
}

adapter::redis::ClusterOptions cluster_options(const RedisFlags& f) {
  adapter::redis::ClusterOptions o;
  if (!f.url.empty()) {
    auto parsed = redis::parse_redis_url(f.url);
    if (!parsed.ok()) throw CLI::ValidationError("--redis-url (REDIS_URL)", parsed.error);
    o.redis = parsed.config;
  } else {
    o.redis.host = f.host;
    o.redis.port = f.port;
    o.redis.db = f.db;
  }
  if (!f.username.empty()) o.redis.username = f.username;
  if (!f.password.empty()) o.redis.password = f.password;
  if (f.key.empty() || f.key.find_first_of("*?[]") != std::string::npos)
    throw CLI::ValidationError("--redis-key (REDIS_KEY)", "must be non-empty, without the glob characters * ? [ ]");
  o.key = f.key;
  if (f.requests_timeout_ms == 0) throw CLI::ValidationError("--redis-requests-timeout (REDIS_REQUESTS_TIMEOUT)", "must be > 0");
  o.requests_timeout = std::chrono::milliseconds(f.requests_timeout_ms);
  if (f.mode != "classic" && f.mode != "sharded")
    throw CLI::ValidationError("--redis-mode (REDIS_MODE)", "'" + f.mode + "'; accepted values: classic, sharded");
  o.protocol = f.mode == "sharded" ? adapter::redis::Protocol::sharded : adapter::redis::Protocol::classic;
  if (f.subscription_mode == "static") o.subscription_mode = adapter::redis::SubscriptionMode::static_;
  else if (f.subscription_mode == "dynamic") o.subscription_mode = adapter::redis::SubscriptionMode::dynamic;
  else if (f.subscription_mode == "dynamic-private") o.subscription_mode = adapter::redis::SubscriptionMode::dynamic_private;
  else
    throw CLI::ValidationError("--redis-subscription-mode (REDIS_SUBSCRIPTION_MODE)",
                               "'" + f.subscription_mode + "'; accepted values: static, dynamic, dynamic-private");
  return o;
}

std::unique_ptr<adapter::redis::Cluster> make_cluster(adapter::redis::ClusterOptions options) {
  return std::make_unique<adapter::redis::Cluster>(std::move(options), &socketio::encode_remote_event);
}

}  // namespace app
