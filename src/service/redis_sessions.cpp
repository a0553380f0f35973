#include "service/redis_sessions.hpp"

#include <boost/json/parse.hpp>

#include "redis/connection_thread.hpp"

namespace service {

struct RedisSessions::Core {
  Core(redis::Config config, std::string prefix) : prefix(std::move(prefix)), redis(std::move(config)) {}
  std::string prefix;
  redis::ConnectionThread redis;
};

RedisSessions::RedisSessions(redis::Config config, std::string prefix)
    : core_(std::make_shared<Core>(std::move(config), std::move(prefix))) {}

RedisSessions::~RedisSessions() { stop(); }

void RedisSessions::stop() { core_->redis.stop(); }

void RedisSessions::lookup(const std::string& sid, std::function<void(std::optional<boost::json::object>)> done) {
  if (sid.empty() || sid.size() > 256) return done(std::nullopt);
  core_->redis.run([key = core_->prefix + sid, done = std::move(done)](redis::Connection& r) {
    r.command({"GET", key}, [done](boost::system::error_code ec, redis::Reply reply) {
      if (ec || !reply.is_string() || reply.str().size() > 64 * 1024) return done(std::nullopt);
      boost::system::error_code parse_error;
      auto v = boost::json::parse(reply.str(), parse_error);
      if (parse_error || !v.is_object()) return done(std::nullopt);
      done(std::move(v.as_object()));
    });
  });
}

}  // namespace service
