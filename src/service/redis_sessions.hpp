#pragma once
// express-session sessions read from Redis (connect-redis keeps each as JSON
// at <prefix><sid>, expiring with its cookie), on a connection and thread of
// their own, so that no shard waits on Redis.

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "redis/config.hpp"

namespace service {

class RedisSessions {
 public:
  RedisSessions(redis::Config redis, std::string prefix);
  ~RedisSessions();  // stop()
  RedisSessions(const RedisSessions&) = delete;
  RedisSessions& operator=(const RedisSessions&) = delete;

  // The session's JSON object, or nullopt (none, not JSON, too large, or
  // Redis unreachable). `done` runs on the sessions' thread.
  void lookup(const std::string& sid, std::function<void(std::optional<boost::json::object>)> done);
  void stop();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace service
