#pragma once
// The daemon's join authorizer (JOIN_AUTH_URL): asks a back end whether a
// user may join a room, as Centrifugo's subscribe proxy does. POST
// {userId, room, claims} as JSON; 200 allows, any other answer, a timeout or
// an error refuses. Answers (200 or not) are cached for a TTL; failures are
// not. Requests run on the authorizer's own thread, never on a shard.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace service {

struct HttpJoinAuthorizerOptions {
  // http://host[:port]/path. https is refused by parse (no TLS client here):
  // put the back end on a private network or behind a local proxy.
  std::string url;
  // A back end that does not answer within this refuses the join.
  std::chrono::milliseconds timeout{2000};
  // How long an answer stands for one (user, room); 0: no cache.
  std::chrono::milliseconds cache_ttl{30'000};
  // Cached answers at most (memory bound); when full, expired ones go, then all.
  std::size_t cache_max = 10'000;
  // Requests in flight at most; a join beyond it is refused (a slow back end
  // must not grow memory without bound).
  std::size_t max_in_flight = 256;
};

class HttpJoinAuthorizer {
 public:
  // Throws std::invalid_argument when the URL is not a usable http:// URL.
  explicit HttpJoinAuthorizer(HttpJoinAuthorizerOptions options);
  ~HttpJoinAuthorizer();  // stop()
  HttpJoinAuthorizer(const HttpJoinAuthorizer&) = delete;
  HttpJoinAuthorizer& operator=(const HttpJoinAuthorizer&) = delete;

  // `done(allowed)` runs once, on the authorizer's thread (or inline for a
  // cached answer): do not block in it.
  void authorize(const std::string& user_id, const std::string& room, const boost::json::object& claims,
                 std::function<void(bool)> done);
  // Requests made (not answered from the cache), for tests and metrics.
  std::size_t requests() const;
  void stop();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

// Throws std::invalid_argument with a message for the operator.
void check_join_auth_url(const std::string& url);

}  // namespace service
