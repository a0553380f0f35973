#include "service/redis_sessions.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "redis/connection.hpp"

namespace service {

namespace asio = boost::asio;

struct RedisSessions::Core {
  std::string prefix;
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::unique_ptr<redis::Connection> redis;
  std::thread thread;
  bool stopped = false;
};

RedisSessions::RedisSessions(redis::Config config, std::string prefix) : core_(std::make_shared<Core>()) {
  core_->prefix = std::move(prefix);
  core_->redis = std::make_unique<redis::Connection>(core_->context, std::move(config));
  core_->thread = std::thread([core = core_.get()] { core->context.run(); });
}

RedisSessions::~RedisSessions() { stop(); }

void RedisSessions::stop() {
  if (core_->stopped) return;
  core_->stopped = true;
  asio::post(core_->context, [core = core_.get()] {
    core->redis->close();
    core->work.reset();
  });
  if (core_->thread.joinable()) core_->thread.join();
  core_->redis.reset();
}

void RedisSessions::lookup(const std::string& sid, std::function<void(std::optional<boost::json::object>)> done) {
  if (sid.empty() || sid.size() > 256) return done(std::nullopt);
  asio::post(core_->context, [core = core_.get(), key = core_->prefix + sid, done = std::move(done)] {
    core->redis->command({"GET", key}, [done](boost::system::error_code ec, redis::Reply reply) {
      if (ec || !reply.is_string() || reply.str().size() > 64 * 1024) return done(std::nullopt);
      boost::system::error_code parse_error;
      auto v = boost::json::parse(reply.str(), parse_error);
      if (parse_error || !v.is_object()) return done(std::nullopt);
      done(std::move(v.as_object()));
    });
  });
}

}  // namespace service
