#include "metrics/counters.hpp"

#include <deque>
#include <mutex>

namespace metrics {

namespace {

struct Registry {
  std::mutex mutex;        // taken when a thread binds and on a scrape, never to count
  std::deque<Block> blocks;  // stable addresses; never freed (totals stay monotonic)
  Block shared;
  Registry() { shared.shared = true; }
};

// Never destroyed: a thread that counts during static destruction (a pool
// stopped by a static's destructor) must still find it.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

namespace detail {
constinit thread_local Block* local = nullptr;
Block& shared_block() { return registry().shared; }
}  // namespace detail

void bind_thread(std::size_t shard) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto& b = r.blocks.emplace_back();
  b.shard = shard;
  detail::local = &b;
}

void observe_loop_lag(std::uint64_t lag_us) {
  auto& b = detail::block();
  std::size_t i = 0;
  while (i < lag_bounds_us.size() && lag_us > lag_bounds_us[i]) ++i;
  detail::bump<std::uint64_t>(b, b.lag_buckets[i], 1);
  detail::bump<std::uint64_t>(b, b.lag_sum_us, lag_us);
}

Counter disconnect_slot(std::string_view reason) {
  if (reason == "transport close") return Counter::disconnect_transport_close;
  if (reason == "transport error") return Counter::disconnect_transport_error;
  if (reason == "ping timeout") return Counter::disconnect_ping_timeout;
  if (reason == "parse error") return Counter::disconnect_parse_error;
  if (reason == "forced close") return Counter::disconnect_forced_close;
  if (reason == "server namespace disconnect") return Counter::disconnect_server_namespace;
  if (reason == "client namespace disconnect") return Counter::disconnect_client_namespace;
  if (reason == "server shutting down") return Counter::disconnect_shutdown;
  return Counter::disconnect_other;
}

Snapshot snapshot() {
  auto& r = registry();
  Snapshot s;
  auto add_block = [&s](const Block& b) {
    for (std::size_t i = 0; i < counter_count; ++i) s.counters[i] += b.counters[i].load(std::memory_order_relaxed);
  };
  std::lock_guard lock(r.mutex);
  add_block(r.shared);
  for (const auto& b : r.blocks) {
    add_block(b);
    if (s.shards.size() <= b.shard) {
      auto first = s.shards.size();
      s.shards.resize(b.shard + 1);
      for (auto i = first; i < s.shards.size(); ++i) s.shards[i].shard = i;
    }
    auto& f = s.shards[b.shard];
    f.sockets += b.sockets.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < f.lag_buckets.size(); ++i)
      f.lag_buckets[i] += b.lag_buckets[i].load(std::memory_order_relaxed);
    f.lag_sum_us += b.lag_sum_us.load(std::memory_order_relaxed);
  }
  // Sockets closed from a thread that is no shard are in the shared block: shard 0's.
  if (!s.shards.empty()) s.shards[0].sockets += r.shared.sockets.load(std::memory_order_relaxed);
  return s;
}

const std::array<CounterInfo, counter_count>& counter_info() {
  static const std::array<CounterInfo, counter_count> info{{
#define SWITCHBOARD_COUNTER_INFO(slot, name, labels) CounterInfo{name, labels},
      SWITCHBOARD_COUNTERS(SWITCHBOARD_COUNTER_INFO)
#undef SWITCHBOARD_COUNTER_INFO
  }};
  return info;
}

}  // namespace metrics
