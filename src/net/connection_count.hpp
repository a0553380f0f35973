#pragma once
// Internal to net/: the client connections open in this process, HTTP and
// WebSocket, which is what MAX_CONNECTIONS bounds (HttpServerOptions). Every
// object that owns a client's file descriptor derives from CountedConnection:
// an empty base, so it costs no byte per connection, only an atomic add at
// each end (connections open and close at thousands per second, not millions).

#include <atomic>
#include <cstdint>

namespace net {

class CountedConnection {
 public:
  // The acceptor counts a connection as soon as it has its descriptor (a
  // storm must not overshoot the limit while the shards catch up); the
  // HttpConnection that takes the descriptor over adopts that count.
  struct Adopt {};
  static void count_accepted() { open_.fetch_add(1, std::memory_order_relaxed); }
  static void uncount_accepted() { open_.fetch_sub(1, std::memory_order_relaxed); }
  static std::int64_t open() { return open_.load(std::memory_order_relaxed); }

 protected:
  CountedConnection() { open_.fetch_add(1, std::memory_order_relaxed); }
  explicit CountedConnection(Adopt) {}
  ~CountedConnection() { open_.fetch_sub(1, std::memory_order_relaxed); }
  CountedConnection(const CountedConnection&) = delete;
  CountedConnection& operator=(const CountedConnection&) = delete;

 private:
  static inline std::atomic<std::int64_t> open_{0};
};

}  // namespace net
