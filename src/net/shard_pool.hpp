#pragma once
// A fixed set of shards: one thread and one io_context each (DESIGN.md,
// "Shard per core"). Work that touches a shard's data runs on that shard's
// thread; other threads post it there instead of taking a lock.

#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace net {

class ShardPool {
 public:
  // 0 shards means one per core.
  explicit ShardPool(std::size_t shard_count);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t shard) { return *contexts_[shard]; }

  // Runs `fn` on the thread of `shard`, later (never inline).
  void post(std::size_t shard, std::function<void()> fn);
  // Runs `fn` on every shard.
  void post_all(const std::function<void(std::size_t shard)>& fn);

  // Starts one thread per shard; returns at once.
  void start();
  // Lets the event loops finish their work and joins the threads.
  void stop();
  // Blocks until every shard thread has returned.
  void join();

  // True between start() and join().
  bool running() const { return !threads_.empty(); }

  // The shard whose thread is calling, or npos on any other thread.
  static std::size_t current_shard();
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  struct WorkGuards;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::unique_ptr<WorkGuards> guards_;
  std::vector<std::thread> threads_;
};

// The number of shards to run when the user gives none: one per core.
std::size_t default_shard_count();

}  // namespace net
