#pragma once
// A Redis connection with a thread of its own: for the parts that talk to
// Redis from outside the shards (session lookups, the room store). Calls
// from any thread post their work to it; stop() closes the connection and
// joins the thread, and what was posted before it still runs first.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <thread>
#include <utility>

#include "redis/config.hpp"
#include "redis/connection.hpp"

namespace redis {

class ConnectionThread {
 public:
  explicit ConnectionThread(Config config);
  ~ConnectionThread();  // stop()
  ConnectionThread(const ConnectionThread&) = delete;
  ConnectionThread& operator=(const ConnectionThread&) = delete;

  // Runs `fn(connection)` on the thread. Not after stop().
  template <typename Fn>
  void run(Fn fn) {
    boost::asio::post(context_, [this, fn = std::move(fn)]() mutable { fn(*connection_); });
  }
  // Runs `fn()` on the thread, for an answer that needs no Redis.
  template <typename Fn>
  void post(Fn fn) {
    boost::asio::post(context_, std::move(fn));
  }

  // Closes the connection and joins the thread; idempotent. Call it before
  // what the posted work refers to is destroyed.
  void stop();

 private:
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Connection> connection_;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace redis
