#pragma once
// One T per io_context: state a shard shares among its connections (the
// poller, the flush queue, the FIFO timers). Created on first use with the
// io_context, destroyed when the context shuts down, that is before its
// pending handlers are freed and before the context itself goes away.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <optional>

namespace net {

template <class T>
class ContextLocal : public boost::asio::execution_context::service {
 public:
  using key_type = ContextLocal<T>;
  static inline boost::asio::execution_context::id id;

  explicit ContextLocal(boost::asio::execution_context& context) : service(context) {
    value_.emplace(static_cast<boost::asio::io_context&>(context));
  }
  void shutdown() override {
    value_.reset();
    generation_.fetch_add(1, std::memory_order_release);  // every thread's cache is stale
  }

  // T is built as T(io_context&). Thread-safe to create; use T on the context's thread.
  static T& of(boost::asio::io_context& context) {
    // A shard's thread asks for its own context's T many times per
    // connection: a one-entry cache per thread spares use_service's lock.
    // A context that shut down (another may reuse its address) empties
    // every cache.
    thread_local boost::asio::io_context* cached_context = nullptr;
    thread_local T* cached_value = nullptr;
    thread_local unsigned cached_generation = 0;
    unsigned generation = generation_.load(std::memory_order_acquire);
    if (cached_context != &context || cached_generation != generation) {
      cached_value = &*boost::asio::use_service<ContextLocal>(context).value_;
      cached_context = &context;
      cached_generation = generation;
    }
    return *cached_value;
  }

 private:
  std::optional<T> value_;
  static inline std::atomic<unsigned> generation_{0};
};

}  // namespace net
