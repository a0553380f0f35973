#include "net/shard_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <cstdlib>
#include <vector>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "metrics/counters.hpp"
#include "net/loop_lag_probe.hpp"

namespace net {

namespace {
thread_local std::size_t this_shard = ShardPool::npos;

// glibc gives each thread's arena only the pages an allocation needs, one
// mprotect() at a time (the main arena's top_pad does not apply to it): a
// fresh node taking a reconnect storm paid one system call, and a kernel
// lock, per 4 KiB of new connections. Growing the shard's arena once, at
// start, and freeing it again keeps the arena's writable size and gives the
// pages back (glibc trims with MADV_DONTNEED): no memory is held. Blocks of
// 64 KiB stay under the mmap threshold, so that they come from the arena.
void reserve_arena() {
#ifdef __GLIBC__
  constexpr std::size_t kBlock = 64 * 1024, kReserve = 32 * 1024 * 1024;
  std::vector<void*> blocks;
  blocks.reserve(kReserve / kBlock);
  for (std::size_t i = 0; i < kReserve / kBlock; ++i) blocks.push_back(std::malloc(kBlock));
  for (void* block : blocks) std::free(block);
#endif
}
}  // namespace

struct ShardPool::WorkGuards {
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
};

ShardPool::ShardPool(std::size_t shard_count) : guards_(std::make_unique<WorkGuards>()) {
  if (shard_count == 0) shard_count = default_shard_count();
  for (std::size_t i = 0; i < shard_count; ++i) {
    // Concurrency hint 1: each io_context is driven by exactly one thread,
    // so Asio can skip its internal locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_->guards.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

ShardPool::~ShardPool() {
  stop();
  join();
}

void ShardPool::post(std::size_t shard, std::function<void()> fn) {
  boost::asio::post(*contexts_[shard], std::move(fn));
}

void ShardPool::post_all(const std::function<void(std::size_t)>& fn) {
  for (std::size_t i = 0; i < contexts_.size(); ++i) post(i, [fn, i] { fn(i); });
}

void ShardPool::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      this_shard = i;
      reserve_arena();
      metrics::bind_thread(i);
      LoopLagProbe probe(*contexts_[i]);
      contexts_[i]->run();
      this_shard = npos;
    });
  }
}

void ShardPool::stop() {
  guards_->guards.clear();
  for (auto& ctx : contexts_) ctx->stop();
}

void ShardPool::join() {
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  threads_.clear();
}

std::size_t ShardPool::current_shard() { return this_shard; }

std::size_t default_shard_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace net
